/*
 * Single-step and breakpoint facts (SDM Vol. 3B 18.2, 18.3): EFLAGS.TF set
 * by POPF before one instruction of each class a hypervisor may trap
 * (CPUID, RDMSR, WRMSR, IN, OUT, string I/O, CR moves, INVLPG, WBINVD,
 * RDTSC), MOV SS and STI shadows, and data, I/O and instruction breakpoints
 * on instructions that exit. Per probe: the number of #DB, the first DR6
 * and where the first #DB was taken ("next" = just after the probe).
 */
#include "conform.h"

#define DR6_RESET 0xffff0ff0u
#define DR7_L0 (1u << 0)
#define DR7_RW0_SHIFT 16
#define DR7_LEN0_SHIFT 18
#define DR7_RW_EXEC 0u
#define DR7_RW_WRITE 1u
#define DR7_RW_IO 2u
#define DR7_LEN_1 0u
#define DR7_LEN_4 3u
#define PORT_POST 0x80
#define PORT_NOTHING 0x3e0
#define PORT_COM1_LSR 0x3fd
#define MSR_APIC_BASE_NR 0x1b
#define MSR_SYSENTER_CS 0x174
#define STEP_INS_COUNT 3
#define SEL_KDATA 0x10

uint32_t step_after;
static volatile uint32_t watch;
static uint8_t ins_buf[8];

static void dbg_begin(void)
{
	__asm__ volatile("mov %0, %%dr6" : : "r"(DR6_RESET));
	dbg_state.count = 0;
	dbg_state.dr6 = 0;
	dbg_state.eip = 0;
	dbg_state.active = 1;
}

static void dbg_end(const char *name)
{
	uint32_t off = 0;
	char key[40];

	dbg_state.active = 0;
	__asm__ volatile("mov %0, %%dr7" : : "r"(off));
	snprintf(key, sizeof(key), "%s.n", name);
	fact(key, "%u", dbg_state.count);
	snprintf(key, sizeof(key), "%s.dr6", name);
	fact(key, "%08x", dbg_state.dr6);
	snprintf(key, sizeof(key), "%s.at", name);
	if (!dbg_state.count)
		fact(key, "-");
	else if (dbg_state.eip == step_after)
		fact(key, "next");
	else
		fact(key, "%08x", dbg_state.eip);
}

/* POPF sets TF; insns follow; label 2 marks "next". */
#define STEP(name, insns, ...)                                                                     \
	do {                                                                                       \
		dbg_begin();                                                                       \
		__asm__ volatile("pushf\n\torl $0x100, (%%esp)\n\tpopf\n\t" insns                  \
				 "\n2:\n\tmovl $2b, step_after" __VA_ARGS__);                      \
		dbg_end("step." name);                                                             \
	} while (0)

static void step_exits(void)
{
	uint32_t lo = 0, hi = 0, cr, n = STEP_INS_COUNT;
	uint8_t *dst = ins_buf;

	STEP("nop", "nop", : : : "memory", "cc");
	STEP("cpuid", "cpuid", : : "a"(0), "c"(0) : "ebx", "edx", "memory", "cc");
	STEP("rdmsr_apic_base", "rdmsr", : : "c"(MSR_APIC_BASE_NR) : "eax", "edx", "memory", "cc");
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_SYSENTER_CS));
	STEP("wrmsr_sysenter_cs", "wrmsr",
	     :
	     : "c"(MSR_SYSENTER_CS), "a"(lo), "d"(hi)
	     : "memory", "cc");
	STEP("in_lsr", "inb %%dx, %%al", : : "d"(PORT_COM1_LSR) : "eax", "memory", "cc");
	STEP("out_post", "outb %%al, %%dx", : : "d"(PORT_POST), "a"(0) : "memory", "cc");
	STEP("rep_insb", "rep insb", : "+D"(dst), "+c"(n) : "d"(PORT_NOTHING) : "memory", "cc");
	STEP("rdtsc", "rdtsc", : : : "eax", "edx", "memory", "cc");
	STEP("wbinvd", "wbinvd", : : : "memory", "cc");
	STEP("pause", "pause", : : : "memory", "cc");
	cr = read_cr0();
	STEP("mov_cr0_same", "mov %0, %%cr0", : : "r"(cr) : "memory", "cc");
	cr = read_cr4();
	STEP("mov_cr4_same", "mov %0, %%cr4", : : "r"(cr) : "memory", "cc");
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr));
	STEP("mov_cr3_same", "mov %0, %%cr3", : : "r"(cr) : "memory", "cc");
	STEP("invlpg", "invlpg (%0)", : : "r"(&watch) : "memory", "cc");
	STEP("mov_ss_nop", "mov %%ax, %%ss\n\tnop", : : "a"(SEL_KDATA) : "memory", "cc");
	STEP("sti_nop", "sti\n\tnop\n\tcli", : : : "memory", "cc");
}

static uint32_t dr7_for(uint32_t rw, uint32_t len)
{
	return DR7_L0 | (rw << DR7_RW0_SHIFT) | (len << DR7_LEN0_SHIFT);
}

/* Arm DR0/DR7, run insns (label 2 = "next"), report under bp.NAME. */
#define BP(name, addr, dr7, insns, ...)                                                            \
	do {                                                                                       \
		dbg_begin();                                                                       \
		__asm__ volatile("mov %0, %%dr0" : : "r"(addr));                                   \
		__asm__ volatile("mov %0, %%dr7" : : "r"(dr7));                                    \
		__asm__ volatile(insns "\n2:\n\tmovl $2b, step_after" __VA_ARGS__);                \
		dbg_end("bp." name);                                                               \
	} while (0)

/* Data breakpoints hit by an emulated string I/O, I/O breakpoints
 * (CR4.DE) on exiting IN/OUT, and an instruction breakpoint just after
 * CPUID. */
static void breakpoints(void)
{
	uint32_t w4 = dr7_for(DR7_RW_WRITE, DR7_LEN_4), io = dr7_for(DR7_RW_IO, DR7_LEN_1);
	uint32_t n = 1, cr4 = read_cr4(), ex = dr7_for(DR7_RW_EXEC, DR7_LEN_1);
	volatile uint32_t *dst = &watch;

	BP("mov_write", &watch, w4, "movl $1, (%0)", : : "r"(&watch) : "memory");
	BP("insb_write", &watch, w4, "rep insb",
	   : "+D"(dst), "+c"(n)
	   : "d"(PORT_NOTHING)
	   : "memory");
	wrcr4_safe(cr4 | CR4_DE, NULL);
	BP("io_out_post", PORT_POST, io, "outb %%al, %%dx", : : "d"(PORT_POST), "a"(0) : "memory");
	BP("io_in_post", PORT_POST, io, "inb %%dx, %%al", : : "d"(PORT_POST) : "eax", "memory");
	wrcr4_safe(cr4, NULL);
	dbg_begin();
	__asm__ volatile("mov $3f, %%eax\n\tmov %%eax, %%dr0\n\tmov %1, %%dr7\n\t"
			 "cpuid\n3:\tnop\n\tmovl $3b, step_after"
			 : "+a"(n)
			 : "r"(ex)
			 : "ebx", "ecx", "edx", "memory");
	dbg_end("bp.exec_after_cpuid");
}

void step_facts(void)
{
	step_exits();
	breakpoints();
}
