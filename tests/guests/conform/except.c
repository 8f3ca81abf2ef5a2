/*
 * Exception facts in protected mode (SDM Vol. 3A 6.15): for each faulting
 * or trapping instruction the vector and error code, the EIP pushed, and
 * RFLAGS.RF in the pushed EFLAGS image (set for faults, 6.12.1 and 18.3.1.1);
 * #PF under 4-MiB identity paging with CR2 and the error code; a not-present
 * IDT gate (#NP with the IDT bit), and the #NP-during-#NP chain to #DF
 * (Table 6-5).
 */
#include "conform.h"

#define PD_ENTRIES 1024
#define PDE_P 0x1u
#define PDE_RW 0x2u
#define PDE_PS 0x80u
#define PAGE_4M_SHIFT 22
#define PF_NP_VA 0x40000000u /* its PDE is not present */
#define PF_RW_VA 0x40400000u /* writable, onto PF_RW_PA */
#define PF_RO_VA 0x40800000u /* read-only, onto PF_RO_PA */
#define PF_RW_PA 0x00400000u /* RAM a 32 MiB guest has, unused by the kernel */
#define PF_RO_PA 0x00800000u
#define STOS_BEFORE 2 /* REP STOSB starts this far below the read-only page */
#define STOS_COUNT 4
#define VEC_UD 6
#define VEC_NP 11
#define CR4_RSVD31 (1u << 31)
#define MSR_NONE 0xdeadbeefu

static uint32_t page_dir[PD_ENTRIES] __attribute__((aligned(4096)));
static uint8_t vmxon_region[4096] __attribute__((aligned(4096)));

/* exc.NAME = the fault (with "+RF"), exc.NAME.eip = where it was taken. */
static void exc_report(const char *name)
{
	struct fault f = {catch_state.f.vector, catch_state.f.error, catch_state.f.eip,
			  catch_state.f.eflags, catch_state.f.cr2};
	char key[48];

	snprintf(key, sizeof(key), "exc.%s", name);
	fact_fault(key, &f);
	snprintf(key, sizeof(key), "exc.%s.eip", name);
	if (f.vector == VEC_NO_FAULT)
		fact(key, "-");
	else
		fact(key, "%08x", f.eip);
}

#define EXC(name, insns, ...)                                                                      \
	do {                                                                                       \
		catch_arm();                                                                       \
		__asm__ volatile(CATCH_ASM(insns) __VA_ARGS__);                                    \
		exc_report(name);                                                                  \
	} while (0)

static void exc_simple(void)
{
	EXC("ud2", "ud2", : : : "memory");
	EXC("lock_nop", ".byte 0xf0, 0x90", : : : "memory");
	EXC("div0", "xor %%edx, %%edx\n\tmov $1, %%eax\n\txor %%ecx, %%ecx\n\tdiv %%ecx",
	    :
	    :
	    : "eax", "ecx", "edx", "memory");
	EXC("int3", "int3", : : : "memory");
	EXC("int40", "int $0x40", : : : "memory");
	EXC("into", "mov $0x7f, %%al\n\tadd $1, %%al\n\tinto", : : : "eax", "memory", "cc");
	EXC("mov_ds_ldt_sel", "mov $0x1234, %%ax\n\tmov %%ax, %%ds", : : : "eax", "memory");
	EXC("mov_ds_beyond_gdt", "mov $0x0f10, %%ax\n\tmov %%ax, %%ds", : : : "eax", "memory");
	EXC("mov_ss_null", "xor %%eax, %%eax\n\tmov %%ax, %%ss", : : : "eax", "memory");
	__asm__ volatile("mov $0x10, %%ax\n\tmov %%ax, %%ds\n\tmov %%ax, %%ss" : : : "eax");
}

/* Faults a hypervisor raises itself after an exit (or refuses to run). */
static void exc_after_exit(void)
{
	uint32_t cr4 = read_cr4();

	EXC("rdmsr_none", "rdmsr", : : "c"(MSR_NONE) : "eax", "edx", "memory");
	EXC("wrmsr_none", "wrmsr", : : "c"(MSR_NONE), "a"(0), "d"(0) : "memory");
	EXC("mov_cr4_rsvd", "mov %0, %%cr4", : : "r"(cr4 | CR4_RSVD31) : "memory");
	EXC("vmxon_cr4_off", "vmxon (%0)", : : "r"(vmxon_region) : "memory", "cc");
	wrcr4_safe(cr4, NULL);
	wrcr0_safe(read_cr0() | CR0_TS, NULL);
	EXC("fnop_ts", "fnop", : : : "memory");
	__asm__ volatile("clts");
}

void except_facts(void)
{
	exc_simple();
	exc_after_exit();
}

static void paging_on(void)
{
	uint32_t i;

	for (i = 0; i < PD_ENTRIES; i++)
		page_dir[i] = (i << PAGE_4M_SHIFT) | PDE_P | PDE_RW | PDE_PS;
	page_dir[PF_NP_VA >> PAGE_4M_SHIFT] = 0;
	page_dir[PF_RW_VA >> PAGE_4M_SHIFT] = PF_RW_PA | PDE_P | PDE_RW | PDE_PS;
	page_dir[PF_RO_VA >> PAGE_4M_SHIFT] = PF_RO_PA | PDE_P | PDE_PS;
	__asm__ volatile("mov %0, %%cr3" : : "r"(page_dir) : "memory");
	wrcr4_safe(read_cr4() | CR4_PSE, NULL);
	wrcr0_safe(read_cr0() | CR0_PG | CR0_WP, NULL);
}

static void pf_report(const char *name)
{
	char key[32];

	exc_report(name);
	snprintf(key, sizeof(key), "exc.%s.cr2", name);
	fact(key, "%08x", catch_state.f.vector == VEC_NO_FAULT ? 0 : catch_state.f.cr2);
}

#define PF(name, insns, ...)                                                                       \
	do {                                                                                       \
		catch_arm();                                                                       \
		__asm__ volatile(CATCH_ASM(insns) __VA_ARGS__);                                    \
		pf_report(name);                                                                   \
	} while (0)

/* REP STOSB from a writable page into a read-only one: the fault comes
 * with ECX and EDI at the first byte not stored (SDM Vol. 2B REP). */
static void rep_stos_fact(void)
{
	uint32_t edi = PF_RO_VA - STOS_BEFORE, ecx = STOS_COUNT;

	catch_arm();
	__asm__ volatile(CATCH_ASM("rep stosb") : "+D"(edi), "+c"(ecx) : "a"(0) : "memory");
	pf_report("pf_rep_stos_ro");
	fact("exc.pf_rep_stos_ro.ecx", "%u", ecx);
	fact("exc.pf_rep_stos_ro.edi", "%08x", edi);
}

/* #PF error codes: P (bit 0), W/R (bit 1) (SDM Vol. 3A 4.7). */
void paging_facts(void)
{
	paging_on();
	PF("pf_read_np", "mov (%0), %%eax", : : "r"(PF_NP_VA) : "eax", "memory");
	PF("pf_write_np", "movl $1, 16(%0)", : : "r"(PF_NP_VA) : "memory");
	PF("pf_write_ro", "movl $1, (%0)", : : "r"(PF_RO_VA) : "memory");
	PF("pf_fetch_np", "jmp *%0", : : "r"(PF_NP_VA) : "memory");
	rep_stos_fact();
	wrcr0_safe(read_cr0() & ~CR0_WP, NULL);
	PF("pf_write_ro_wp0", "movl $1, (%0)", : : "r"(PF_RO_VA) : "memory");
	wrcr0_safe(read_cr0() & ~CR0_PG, NULL);
	wrcr4_safe(read_cr4() & ~CR4_PSE, NULL);
}

/* #UD through a not-present gate gives #NP(vector * 8 + IDT + EXT); with
 * the #NP gate absent too, the second contributory fault is a #DF. */
void double_fault_facts(void)
{
	idt_set_present(VEC_UD, 0);
	EXC("ud2_gate_np", "ud2", : : : "memory");
	idt_set_present(VEC_NP, 0);
	EXC("ud2_gate_np_np_gate_np", "ud2", : : : "memory");
	idt_set_present(VEC_NP, 1);
	idt_set_present(VEC_UD, 1);
}
