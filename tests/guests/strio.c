/* SPDX-License-Identifier: MIT */
/*
 * The string I/O case: REP INSB/OUTSB where the CPU itself must fault, under
 * this kernel's own page tables and segments. A write to a read-only page
 * with CR0.WP set and any access to a not-present page is a #PF with the
 * faulting address in CR2 and the error code of SDM Vol. 3A 4.7; an offset
 * past ES's limit is #GP(0) (Vol. 3A 5.3); a 16-bit address size uses DI and
 * CX only (Vol. 2B INS, REP). In every case ECX and EDI/ESI say how many
 * elements completed (REP is restartable). A hypervisor that carries out
 * INS/OUTS for the guest must give exactly this; the case runs on a bare CPU
 * as well. The limit check runs only with mbtest.seglimit: QEMU's TCG does
 * not enforce segment limits, so it passes on Bochs and under Vireo only.
 */
#include "mbtest.h"

#define STRIO_PORT 0x3e0 /* no device on QEMU's PC, Bochs or Vireo: reads all ones */
#define PORT_NOBODY 0xff
#define FILL 0x5a
#define VEC_GP 13
#define VEC_PF 14
#define PF_P 0x1u
#define PF_W 0x2u
#define PAGE 4096u
#define PDE_LARGE 0x83u /* present, writable, 4 MiB */
#define PTE_RW 0x3u	/* present, writable */
#define PTE_RO 0x1u	/* present, read-only */
#define PD_ENTRIES 1024
#define LARGE_SHIFT 22
#define WIN 0x40000000u		/* the test window: one page table's worth */
#define WIN_RO (WIN + PAGE)	/* read-only page */
#define WIN_NP (WIN + 3 * PAGE) /* not present */
#define CR0_PG (1u << 31)
#define CR0_WP (1u << 16)
#define CR4_PSE (1u << 4)
#define SEL_FLAT_DATA 0x10
#define SEL_LIMITED 0x18 /* a data segment with a 4 KiB byte-granular limit */
#define DESC_BASE_HI 0xff000000u
#define DESC_DATA_BYTE_GRAN 0x00409200u /* high dword: present, data RW, D=1, G=0 */
#define LOW_BUF 0x7000u			/* below 64 KiB (the AP trampoline is at 0x8000) */
#define HIGH_TAG 0xabcd0000u

static uint32_t pd[PD_ENTRIES] __attribute__((aligned(PAGE)));
static uint32_t pt[PD_ENTRIES] __attribute__((aligned(PAGE)));
static uint8_t pages[2][PAGE] __attribute__((aligned(PAGE)));
static uint64_t sio_gdt[4] = {0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull, 0};

/* What the fault handler saw; armed only around the instruction under test. */
static volatile uint32_t armed, f_vector, f_error, f_cr2, f_eip, f_resume, f_at;

int strio_catch(uint32_t vector, uint32_t error, uint32_t *eip)
{
	uint32_t cr2;

	if (!armed)
		return 0;
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	armed = 0;
	f_vector = vector;
	f_error = error;
	f_cr2 = cr2;
	f_eip = *eip;
	*eip = f_resume;
	return 1;
}

struct strio_regs {
	uint32_t ecx, edi, esi, fault_eip;
};

/* One REP INSB, ADDR16 REP INSB or REP OUTSB with ES = es; the registers after it.
 * Memory operands are statics: the PUSH of ES moves ESP. */
static void rep_string(int out, int addr16, uint16_t es, struct strio_regs *r)
{
	uint32_t ecx = r->ecx, edi = r->edi, esi = r->esi;

	f_vector = 0;
	__asm__ volatile(
	    "movl $1f, %[resume]\n\t"
	    "movl $1, %[armed]\n\t"
	    "push %%es\n\t"
	    "mov %w[es], %%es\n\t"
	    "testl %[out], %[out]\n\t"
	    "jnz 3f\n\t"
	    "testl %[a16], %[a16]\n\t"
	    "jnz 4f\n\t"
	    "movl $2f, %[at]\n\t"
	    "2: rep insb\n\t"
	    "jmp 1f\n\t"
	    "4: movl $5f, %[at]\n\t"
	    "5: addr16 rep insb\n\t"
	    "jmp 1f\n\t"
	    "3: movl $6f, %[at]\n\t"
	    "6: rep outsb\n\t"
	    "1: pop %%es\n\t"
	    "movl $0, %[armed]"
	    : "+c"(ecx), "+D"(edi),
	      "+S"(esi), [at] "=m"(f_at), [resume] "=m"(f_resume), [armed] "=m"(armed)
	    : "d"(STRIO_PORT), [es] "r"((uint32_t)es), [out] "r"(out), [a16] "r"(addr16)
	    : "memory", "cc");
	r->ecx = ecx;
	r->edi = edi;
	r->esi = esi;
	r->fault_eip = f_at;
}

static void paging_on(void)
{
	uint32_t i, cr0, cr4;

	for (i = 0; i < PD_ENTRIES; i++)
		pd[i] = (i << LARGE_SHIFT) | PDE_LARGE;
	pd[WIN >> LARGE_SHIFT] = (uint32_t)(uintptr_t)pt | PTE_RW;
	pt[0] = (uint32_t)(uintptr_t)pages[0] | PTE_RW;
	pt[1] = (uint32_t)(uintptr_t)pages[1] | PTE_RO;
	pt[2] = (uint32_t)(uintptr_t)pages[0] | PTE_RW; /* writable, just below WIN_NP */
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_PSE));
	__asm__ volatile("mov %0, %%cr3" : : "r"((uint32_t)(uintptr_t)pd) : "memory");
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | CR0_PG | CR0_WP) : "memory");
}

static void paging_off(void)
{
	uint32_t cr0;

	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 & ~(CR0_PG | CR0_WP)) : "memory");
}

static void set_wp(int on)
{
	uint32_t cr0;

	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	cr0 = on ? cr0 | CR0_WP : cr0 & ~CR0_WP;
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
}

/* What one run should have given: the fault (vector 0: none) and the registers. */
struct strio_want {
	uint32_t vector, error, cr2, ecx, reg;
};

/* Reports a mismatch (once: the caller stops at the first); reg is EDI or ESI. */
static int expect(const char *what, const struct strio_regs *r, uint32_t reg,
		  const struct strio_want *w, int memory_ok)
{
	int fault_ok =
	    f_vector == w->vector &&
	    (!w->vector || (f_error == w->error && f_cr2 == w->cr2 && f_eip == r->fault_eip));

	if (fault_ok && r->ecx == w->ecx && reg == w->reg && memory_ok)
		return 1;
	report(0, "string I/O",
	       "%s: vector %u error %x cr2 %x eip %x ecx %x reg %x memory %s (want vector %u error "
	       "%x cr2 %x eip %x ecx %x reg %x)",
	       what, f_vector, f_error, f_cr2, f_eip, r->ecx, reg, memory_ok ? "ok" : "wrong",
	       w->vector, w->error, w->cr2, r->fault_eip, w->ecx, w->reg);
	return 0;
}

/* INSB across the end of a writable page into a read-only one, WP = 1 then 0. */
static int ins_read_only(void)
{
	struct strio_regs r = {.ecx = 8, .edi = WIN_RO - 4};
	const struct strio_want wp1 = {VEC_PF, PF_P | PF_W, WIN_RO, 4, WIN_RO},
				wp0 = {0, 0, 0, 0, WIN_RO + 4};

	memset(pages, FILL, sizeof(pages));
	rep_string(0, 0, SEL_FLAT_DATA, &r);
	if (!expect("insb into a read-only page, WP=1", &r, r.edi, &wp1,
		    pages[0][PAGE - 1] == PORT_NOBODY && pages[1][0] == FILL))
		return 0;
	set_wp(0);
	r = (struct strio_regs){.ecx = 8, .edi = WIN_RO - 4};
	rep_string(0, 0, SEL_FLAT_DATA, &r);
	set_wp(1);
	return expect("insb into a read-only page, WP=0", &r, r.edi, &wp0,
		      pages[1][3] == PORT_NOBODY);
}

static int not_present(void)
{
	struct strio_regs in = {.ecx = 4, .edi = WIN_NP - 2}, out = {.ecx = 3, .esi = WIN_NP};
	const struct strio_want want_in = {VEC_PF, PF_W, WIN_NP, 2, WIN_NP},
				want_out = {VEC_PF, 0, WIN_NP, 3, WIN_NP};

	memset(pages, FILL, sizeof(pages));
	rep_string(0, 0, SEL_FLAT_DATA, &in);
	if (!expect("insb into a not-present page", &in, in.edi, &want_in,
		    pages[0][PAGE - 2] == PORT_NOBODY && pages[0][PAGE - 1] == PORT_NOBODY))
		return 0;
	rep_string(1, 0, SEL_FLAT_DATA, &out);
	return expect("outsb from a not-present page", &out, out.esi, &want_out, 1);
}

/* ES limited to 4 KiB at pages[0]: two bytes fit, the third is #GP(0). */
static int segment_limit(void)
{
	uint32_t base = (uint32_t)(uintptr_t)pages[0];
	struct dtr g = {sizeof(sio_gdt) - 1, (uint32_t)(uintptr_t)sio_gdt};
	struct strio_regs r = {.ecx = 4, .edi = PAGE - 2};
	const struct strio_want want = {VEC_GP, 0, 0, 2, PAGE};

	memset(pages, FILL, sizeof(pages));
	sio_gdt[SEL_LIMITED >> 3] =
	    (uint64_t)(DESC_DATA_BYTE_GRAN | (base & DESC_BASE_HI) | ((base >> 16) & 0xff)) << 32 |
	    (base & 0xffff) << 16 | (PAGE - 1);
	__asm__ volatile("lgdt %0" : : "m"(g));
	f_cr2 = 0;
	rep_string(0, 0, SEL_LIMITED, &r);
	cpu_tables_init();
	f_cr2 = 0; /* #GP leaves CR2 alone: not compared */
	return expect("insb past ES's limit", &r, r.edi, &want,
		      pages[0][PAGE - 1] == PORT_NOBODY && pages[1][0] == FILL);
}

/* 0x67 in 32-bit code: DI and CX count, the upper halves stay. */
static int address_size_16(void)
{
	struct strio_regs r = {.ecx = HIGH_TAG | 4, .edi = HIGH_TAG | LOW_BUF};
	volatile uint8_t *low = (volatile uint8_t *)(uintptr_t)LOW_BUF;
	const struct strio_want want = {0, 0, 0, HIGH_TAG, HIGH_TAG | (LOW_BUF + 4)};

	low[0] = low[3] = low[4] = FILL;
	rep_string(0, 1, SEL_FLAT_DATA, &r);
	return expect("addr16 insb", &r, r.edi, &want,
		      low[0] == PORT_NOBODY && low[3] == PORT_NOBODY && low[4] == FILL);
}

void case_string_io(int limits)
{
	uint32_t flags;
	int ok;

	__asm__ volatile("pushf; pop %0; cli" : "=r"(flags));
	paging_on();
	ok = ins_read_only() && not_present();
	paging_off();
	ok = ok && (!limits || segment_limit()) && address_size_16();
	__asm__ volatile("push %0; popf" : : "r"(flags) : "cc");
	if (ok)
		report(1, "string I/O (#PF, #GP, address size)", NULL);
}
