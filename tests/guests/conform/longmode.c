/*
 * Long-mode exception facts: identity paging for IA-32e mode (PML4, PDPT
 * and a page directory of 2-MiB pages over the first GiB, SDM Vol. 3A 4.5),
 * lm.asm's trip into 64-bit mode and back, and the facts of its probes
 * (lm.NAME = the fault with +RF, .rip, .cr2 for #PF, .dr6 for single steps).
 */
#include "conform.h"

#define PT_ENTRIES 512
#define PTE_P 0x1ull
#define PTE_RW 0x2ull
#define PTE_PS 0x80ull
#define PAGE_2M (1ull << 21)
#define LM_NO_VECTOR 0xffffffffffffffffull
#define VEC_PF 14

struct lm_record {
	uint64_t vector, error, rip, rflags, cr2, dr6;
};

/* In lm.asm's order. */
static const char *const lm_names[] = {
    "ud2",
    "div0",
    "int3",
    "int40",
    "noncanon_load",
    "pf_unmapped",
    "wrmsr_efer_rsvd",
    "mov_cr4_bit63",
    "syscall_sce0",
    "sysenter_cs0",
    "into",
    "step_cpuid",
    "step_rdmsr",
};
#define LM_PROBES (sizeof(lm_names) / sizeof(lm_names[0]))

static uint64_t pml4[PT_ENTRIES] __attribute__((aligned(4096)));
static uint64_t pdpt[PT_ENTRIES] __attribute__((aligned(4096)));
static uint64_t pd[PT_ENTRIES] __attribute__((aligned(4096)));
static struct lm_record records[LM_PROBES];

void lm_run(uint32_t cr3, struct lm_record *results);

static void lm_tables(void)
{
	uint32_t i;

	for (i = 0; i < PT_ENTRIES; i++)
		pd[i] = (uint64_t)i * PAGE_2M | PTE_P | PTE_RW | PTE_PS;
	pdpt[0] = (uint32_t)(uintptr_t)pd | PTE_P | PTE_RW;
	pml4[0] = (uint32_t)(uintptr_t)pdpt | PTE_P | PTE_RW;
}

uint32_t lm_cr3(void)
{
	lm_tables();
	return (uint32_t)(uintptr_t)pml4;
}

static void lm_report(const char *name, const struct lm_record *r)
{
	struct fault f = {r->vector == LM_NO_VECTOR ? VEC_NO_FAULT : (uint32_t)r->vector,
			  (uint32_t)r->error, (uint32_t)r->rip, (uint32_t)r->rflags,
			  (uint32_t)r->cr2};
	char key[40];

	snprintf(key, sizeof(key), "lm.%s", name);
	fact_fault(key, &f);
	snprintf(key, sizeof(key), "lm.%s.rip", name);
	if (f.vector == VEC_NO_FAULT)
		fact(key, "-");
	else
		fact(key, "%llx", r->rip);
	if (f.vector == VEC_PF) {
		snprintf(key, sizeof(key), "lm.%s.cr2", name);
		fact(key, "%llx", r->cr2);
	}
	if (f.vector == VEC_DB) {
		snprintf(key, sizeof(key), "lm.%s.dr6", name);
		fact(key, "%llx", r->dr6);
	}
}

void longmode_facts(void)
{
	unsigned i;

	lm_tables();
	lm_run((uint32_t)(uintptr_t)pml4, records);
	for (i = 0; i < LM_PROBES; i++)
		lm_report(lm_names[i], &records[i]);
}
