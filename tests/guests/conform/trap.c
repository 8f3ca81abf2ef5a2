/*
 * Exceptions of the conformance kernel: its own GDT and IDT, the trap
 * handler, the catcher that turns an exception inside a probe into a
 * recorded fault, the #DB bookkeeping of the single-step probes, and the
 * faulting-instruction accessors built on the catcher.
 */
#include "conform.h"

#define GDT_ENTRIES 5
#define IDT_ENTRIES 256
#define GATE_INT32 0x8e /* present, DPL 0, 32-bit interrupt gate */
#define GATE_PRESENT 0x80
#define SEL_KCODE 0x08
#define DR6_RESET 0xffff0ff0u
#define EXIT_UNEXPECTED 0x7f
#define NVEC_NAMED 32

struct trap_frame {
	uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
	uint32_t vector, error, eip, cs, eflags;
};

struct catch_state catch_state;
struct dbg_state dbg_state;
extern const uint32_t isr_table[IDT_ENTRIES];
static const uint64_t gdt[GDT_ENTRIES] = {
    [0] = 0,
    [1] = 0x00cf9a000000ffffull, /* 0x08: flat 32-bit code */
    [2] = 0x00cf92000000ffffull, /* 0x10: flat data */
    [3] = 0x00009a000000ffffull, /* 0x18: 16-bit code, 64 KiB (to real mode) */
    [4] = 0x000092000000ffffull, /* 0x20: 16-bit data, 64 KiB */
};
static struct gate idt[IDT_ENTRIES];

void conform_trap(struct trap_frame *f);

/* Load the GDT and IDT (each CPU). */
void tables_load(void)
{
	struct dtr g = {sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt};
	struct dtr i = {sizeof(idt) - 1, (uint32_t)(uintptr_t)idt};

	__asm__ volatile("lgdt %0" : : "m"(g));
	load_segments();
	__asm__ volatile("lidt %0" : : "m"(i));
}

/*
 * Before the kernel loads a GDT of its own, take a #BP through an IDT whose
 * gate uses the CS the loader left: GRUB, QEMU's -kernel and Vireo each
 * leave a valid GDT matching the boot CS and DS, so the handler runs and
 * returns (a hypervisor that left none triple-faults here). The fact is
 * printed once the console is set up (main.c).
 */
void early_fault_take(void)
{
	static struct gate eidt[VEC_BP + 1];
	struct dtr i = {sizeof(eidt) - 1, (uint32_t)(uintptr_t)eidt};
	uint16_t cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	eidt[VEC_BP].off_lo = (uint16_t)(uintptr_t)early_bp_isr;
	eidt[VEC_BP].off_hi = (uint16_t)((uintptr_t)early_bp_isr >> 16);
	eidt[VEC_BP].sel = cs;
	eidt[VEC_BP].type = GATE_INT32;
	__asm__ volatile("lidt %0\n\tint3" : : "m"(i) : "memory");
}

void tables_init(void)
{
	int v;

	for (v = 0; v < IDT_ENTRIES; v++) {
		idt[v].off_lo = (uint16_t)isr_table[v];
		idt[v].off_hi = (uint16_t)(isr_table[v] >> 16);
		idt[v].sel = SEL_KCODE;
		idt[v].type = GATE_INT32;
	}
	tables_load();
}

void idt_set_present(int vector, int present)
{
	if (present)
		idt[vector].type |= GATE_PRESENT;
	else
		idt[vector].type &= (uint8_t)~GATE_PRESENT;
}

static void trap_debug(struct trap_frame *f)
{
	uint32_t dr6;

	__asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
	__asm__ volatile("mov %0, %%dr6" : : "r"(DR6_RESET));
	if (!dbg_state.count++) {
		dbg_state.dr6 = dr6;
		dbg_state.eip = f->eip;
	}
	f->eflags &= ~EFLAGS_TF;
	f->eflags |= EFLAGS_RF; /* an instruction breakpoint must not fire again */
}

void conform_trap(struct trap_frame *f)
{
	uint32_t cr2;

	if (f->vector == VEC_DB && dbg_state.active) {
		trap_debug(f);
		return;
	}
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	if (catch_state.armed) {
		catch_state.f.vector = f->vector;
		catch_state.f.error = f->error;
		catch_state.f.eip = f->eip;
		catch_state.f.eflags = f->eflags;
		catch_state.f.cr2 = cr2;
		catch_state.armed = 0;
		f->eip = catch_state.resume;
		f->eflags &= ~EFLAGS_TF;
		return;
	}
	printf("conform: unexpected exception %u at eip %x, error %x, cr2 %x\n", f->vector, f->eip,
	       f->error, cr2);
	machine_exit(EXIT_UNEXPECTED);
}

void catch_arm(void)
{
	catch_state.f.vector = VEC_NO_FAULT;
	catch_state.f.error = 0;
	catch_state.f.eip = 0;
	catch_state.f.eflags = 0;
	catch_state.f.cr2 = 0;
}

/* SDM Vol. 3A Table 6-1 mnemonics; "+RF" when the pushed EFLAGS image has
 * RF set (faults, SDM Vol. 3A 6.12.1). */
static const char *const vec_names[NVEC_NAMED] = {
    "DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "MF", "TS", "NP", "SS", "GP", "PF", "15",
    "MF", "AC", "MC",  "XM", "VE", "CP", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31",
};

const char *vector_name(uint32_t vector)
{
	return vector < NVEC_NAMED ? vec_names[vector] : "?";
}

const char *fault_text(const volatile struct fault *f)
{
	static char buf[32];

	if (f->vector == VEC_NO_FAULT)
		return "ok";
	if (f->vector < NVEC_NAMED)
		snprintf(buf, sizeof(buf), "#%s(%x)%s", vec_names[f->vector], f->error,
			 f->eflags & EFLAGS_RF ? "+RF" : "");
	else
		snprintf(buf, sizeof(buf), "int%x%s", f->vector,
			 f->eflags & EFLAGS_RF ? "+RF" : "");
	return buf;
}

static int caught(struct fault *out)
{
	struct fault f = {catch_state.f.vector, catch_state.f.error, catch_state.f.eip,
			  catch_state.f.eflags, catch_state.f.cr2};

	if (out)
		*out = f;
	return f.vector == VEC_NO_FAULT;
}

int rdmsr_safe(uint32_t msr, uint64_t *v, struct fault *f)
{
	uint32_t lo = 0, hi = 0;

	catch_arm();
	__asm__ volatile(CATCH_ASM("rdmsr") : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*v = ((uint64_t)hi << 32) | lo;
	return caught(f);
}

int wrmsr_safe(uint32_t msr, uint64_t v, struct fault *f)
{
	catch_arm();
	__asm__ volatile(CATCH_ASM("wrmsr")
			 :
			 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
	return caught(f);
}

int wrcr0_safe(uint32_t v, struct fault *f)
{
	catch_arm();
	__asm__ volatile(CATCH_ASM("mov %0, %%cr0") : : "r"(v) : "memory");
	return caught(f);
}

int wrcr4_safe(uint32_t v, struct fault *f)
{
	catch_arm();
	__asm__ volatile(CATCH_ASM("mov %0, %%cr4") : : "r"(v) : "memory");
	return caught(f);
}

int xsetbv_safe(uint32_t xcr, uint64_t v, struct fault *f)
{
	catch_arm();
	__asm__ volatile(CATCH_ASM("xsetbv")
			 :
			 : "c"(xcr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
	return caught(f);
}

uint32_t read_cr0(void)
{
	uint32_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

uint32_t read_cr4(void)
{
	uint32_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

void cpuid_sub(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}
