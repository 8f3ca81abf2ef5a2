/* SPDX-License-Identifier: MIT */
/*
 * The debug-exception case: a single step (EFLAGS.TF) and a data write
 * breakpoint (DR0/DR7) each deliver #DB to the guest's own
 * handler with DR6 saying why (SDM Vol. 3B 18.2.3 DR6, 18.3.1 debug
 * exception conditions). A hypervisor that intercepts #DB must reflect it
 * so that the guest sees exactly this; the same case runs on a bare CPU.
 * The single step also goes over instructions a hypervisor emulates or
 * skips (CPUID, RDMSR, IN, OUT, OUTS, REP OUTS, one after MOV SS, HLT woken
 * by the timer), and an
 * I/O breakpoint (DR7 R/W = 10B with CR4.DE) watches an OUT, and data
 * breakpoints watch the memory of OUTSB and INSB: each gives exactly one
 * #DB, where the CPU gives it.
 */
#include "mbtest.h"

#define EFLAGS_TF (1u << 8)
#define DR6_B0 (1u << 0)
#define DR6_BS (1u << 14)
#define DR6_RESET 0xffff0ff0u /* DR6 with no condition bits */
#define DR7_L0 (1u << 0)
#define DR7_RW0_WRITE (1u << 16)
#define DR7_LEN0_4 (3u << 18)
#define DB_STEP_TAG 0x5a5a5a5au
#define DR6_B_MASK 0xfu
#define DR7_RW0_IO (2u << 16)
#define DR7_RW0_READ_WRITE (3u << 16)
#define CR4_DE (1u << 3)
#define STEP_PORT 0x80 /* the POST-code port: nobody answers */
#define OTHER_PORT 0x84
#define MSR_TSC 0x10
#define REP_COUNT 2
#define EFLAGS_IF (1u << 9)
#define CPUID_HV_BASE 0x40000000u
#define HV_SIGNATURE_LEN 12
#define HLT_TIMER_TICKS 20000 /* divide 16: long enough to be halted first */

static volatile uint32_t db_count, db_dr6, db_eip, db_oneshots;
static volatile uint32_t db_target;

/* Called from isr_dispatch for vector 1: record, clear DR6 and TF. */
void debug_isr(uint32_t eip, uint32_t *eflags)
{
	uint32_t dr6;

	__asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
	__asm__ volatile("mov %0, %%dr6" : : "r"(DR6_RESET));
	db_count++;
	db_oneshots = lapic_oneshots();
	db_dr6 = dr6;
	db_eip = eip;
	*eflags &= ~EFLAGS_TF;
}

static void db_reset(void)
{
	db_count = 0;
	db_dr6 = 0;
	db_eip = 0;
	__asm__ volatile("mov %0, %%dr6" : : "r"(DR6_RESET));
}

/* One step after POPF sets TF: #DB after the next instruction, DR6.BS. */
static int db_single_step(void)
{
	uint32_t after;

	db_reset();
	__asm__ volatile("pushf\n\t"
			 "orl %1, (%%esp)\n\t"
			 "popf\n\t"
			 "nop\n\t"
			 "1: mov $1b, %0"
			 : "=r"(after)
			 : "i"(EFLAGS_TF)
			 : "memory", "cc");
	if (db_count != 1 || !(db_dr6 & DR6_BS) || db_eip != after) {
		report(0, "debug exceptions",
		       "single step: %u #DB, DR6 %x at eip %x (want 1, BS, %x)", db_count, db_dr6,
		       db_eip, after);
		return 0;
	}
	return 1;
}

/* A write breakpoint on db_target: a trap after the write, DR6.B0. */
static int db_write_breakpoint(void)
{
	uint32_t dr7 = DR7_L0 | DR7_RW0_WRITE | DR7_LEN0_4, off = 0;

	db_reset();
	__asm__ volatile("mov %0, %%dr0" : : "r"((uint32_t)(uintptr_t)&db_target));
	__asm__ volatile("mov %0, %%dr7" : : "r"(dr7));
	db_target = DB_STEP_TAG;
	__asm__ volatile("mov %0, %%dr7" : : "r"(off));
	if (db_count != 1 || !(db_dr6 & DR6_B0) || db_target != DB_STEP_TAG) {
		report(0, "debug exceptions", "write breakpoint: %u #DB, DR6 %x (want 1, B0)",
		       db_count, db_dr6);
		return 0;
	}
	return 1;
}

/* POPF sets TF, INSN runs, the #DB comes at label 1 (its address in %0). */
#define STEP_OVER(insn, ...)                                                                       \
	__asm__ volatile("pushf\n\t"                                                               \
			 "orl %[tf], (%%esp)\n\t"                                                  \
			 "popf\n\t" insn "\n\t"                                                    \
			 "1: mov $1b, %[after]" __VA_ARGS__)

/* One #DB with DR6.BS (and no Bn) after the instruction, at want_eip. */
static int db_expect_step(const char *what, uint32_t want_eip)
{
	if (db_count == 1 && (db_dr6 & DR6_BS) && !(db_dr6 & DR6_B_MASK) && db_eip == want_eip)
		return 1;
	report(0, "debug exceptions", "step over %s: %u #DB, DR6 %x at eip %x (want 1, BS, %x)",
	       what, db_count, db_dr6, db_eip, want_eip);
	return 0;
}

static int db_step_cpuid_rdmsr(void)
{
	uint32_t after, a = 0, b, c = 0, d;

	db_reset();
	STEP_OVER("cpuid",
		  : [after] "=&r"(after), "+a"(a), "=b"(b), "+c"(c), "=d"(d)
		  : [tf] "i"(EFLAGS_TF)
		  : "memory", "cc");
	if (!db_expect_step("CPUID", after))
		return 0;
	db_reset();
	c = MSR_TSC;
	STEP_OVER("rdmsr",
		  : [after] "=&r"(after), "=a"(a), "+c"(c), "=d"(d)
		  : [tf] "i"(EFLAGS_TF)
		  : "memory", "cc");
	return db_expect_step("RDMSR", after);
}

static int db_step_in_out(void)
{
	uint32_t after, a = 0;

	db_reset();
	STEP_OVER("outb %%al, %[port]",
		  : [after] "=&r"(after)
		  : [tf] "i"(EFLAGS_TF), "a"(a), [port] "i"(STEP_PORT)
		  : "memory", "cc");
	if (!db_expect_step("OUT", after))
		return 0;
	db_reset();
	STEP_OVER("inb %[port], %%al",
		  : [after] "=&r"(after), "+a"(a)
		  : [tf] "i"(EFLAGS_TF), [port] "i"(STEP_PORT)
		  : "memory", "cc");
	return db_expect_step("IN", after);
}

/* OUTSB: one #DB after it. REP OUTSB: one after each iteration, the first
 * at the REP instruction itself with one element left (SDM Vol. 3B
 * 18.3.1.4); the handler clears TF, so the rest runs unstepped. */
static int db_step_outs(void)
{
	static const uint8_t bytes[REP_COUNT] = {0x55, 0xaa};
	uint32_t after, rep_eip, si = (uint32_t)(uintptr_t)bytes, cx = REP_COUNT;

	db_reset();
	STEP_OVER("outsb",
		  : [after] "=&r"(after), "+S"(si)
		  : [tf] "i"(EFLAGS_TF), "d"(STEP_PORT)
		  : "memory", "cc");
	if (!db_expect_step("OUTSB", after))
		return 0;
	db_reset();
	si = (uint32_t)(uintptr_t)bytes;
	STEP_OVER("2: rep outsb\n\tmov $2b, %[rep]",
		  : [after] "=&r"(after), [rep] "=&r"(rep_eip), "+S"(si), "+c"(cx)
		  : [tf] "i"(EFLAGS_TF), "d"(STEP_PORT)
		  : "memory", "cc");
	if (!db_expect_step("REP OUTSB", rep_eip))
		return 0;
	if (cx != 0 || si != (uint32_t)(uintptr_t)bytes + REP_COUNT) {
		report(0, "debug exceptions", "REP OUTSB after a step: ECX %u, ESI +%u", cx,
		       si - (uint32_t)(uintptr_t)bytes);
		return 0;
	}
	return 1;
}

/* MOV SS holds its own step back until after the next instruction (SDM
 * Vol. 3A 6.8.3): one #DB after the CPUID that follows it. */
static int db_step_mov_ss(void)
{
	uint32_t after, a = 0, b, c = 0, d, ss;

	__asm__ volatile("mov %%ss, %0" : "=r"(ss));
	db_reset();
	STEP_OVER("mov %[ss], %%ss\n\tcpuid",
		  : [after] "=&r"(after), "+a"(a), "=b"(b), "+c"(c), "=d"(d)
		  : [tf] "i"(EFLAGS_TF), [ss] "r"(ss)
		  : "memory", "cc");
	return db_expect_step("MOV SS; CPUID", after);
}

/* DR0 an I/O breakpoint on STEP_PORT: an OUT to it gives one #DB with
 * DR6.B0 after the OUT; an OUT to another port none. */
static int db_io_breakpoint(void)
{
	uint32_t dr7 = DR7_L0 | DR7_RW0_IO, off = 0, cr4;

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_DE));
	__asm__ volatile("mov %0, %%dr0" : : "r"((uint32_t)STEP_PORT));
	db_reset();
	__asm__ volatile("mov %0, %%dr7" : : "r"(dr7));
	outb(OTHER_PORT, 0);
	outb(STEP_PORT, 0);
	__asm__ volatile("mov %0, %%dr7" : : "r"(off));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
	if (db_count != 1 || !(db_dr6 & DR6_B0) || (db_dr6 & DR6_BS)) {
		report(0, "debug exceptions", "I/O breakpoint: %u #DB, DR6 %x (want 1, B0)",
		       db_count, db_dr6);
		return 0;
	}
	return 1;
}

/* QEMU's software emulator (hypervisor signature "TCGTCGTCGTCG") loses the
 * single step of a HLT: the #DB comes after the next instruction. */
static int on_qemu_tcg(void)
{
	static const char tcg[HV_SIGNATURE_LEN] = "TCGTCGTCGTCG";
	union {
		uint32_t r[3];
		char c[HV_SIGNATURE_LEN];
	} sig;
	uint32_t a;

	cpuid(CPUID_HV_BASE, &a, &sig.r[0], &sig.r[1], &sig.r[2]);
	for (unsigned i = 0; i < HV_SIGNATURE_LEN; i++) {
		if (sig.c[i] != tcg[i])
			return 0;
	}
	return 1;
}

/*
 * HLT with TF (set by POPF together with IF), woken by the one-shot timer:
 * one #DB, at the instruction after the HLT, before the timer's handler
 * runs (a trap on the previous instruction goes before an interrupt, SDM
 * Vol. 3A 6.9, Table 6-2); then the interrupt.
 */
static int db_step_hlt(void)
{
	uint32_t after, oneshots;

	db_reset();
	db_oneshots = ~0u;
	lapic_oneshot_arm(HLT_TIMER_TICKS);
	STEP_OVER("hlt", : [after] "=&r"(after) : [tf] "i"(EFLAGS_TF | EFLAGS_IF) : "memory", "cc");
	__asm__ volatile("cli");
	oneshots = lapic_oneshots();
	lapic_oneshot_arm(0);
	if (!db_expect_step("HLT", after))
		return 0;
	if (db_oneshots != 0 || oneshots != 1) {
		report(
		    0, "debug exceptions",
		    "step over HLT: %u timer interrupts before the #DB, %u after HLT (want 0, 1)",
		    db_oneshots, oneshots);
		return 0;
	}
	return 1;
}

/* DR0 a data breakpoint on one byte: R/W = rw (DR7 bits 17:16). */
static void db_watch_byte(const volatile void *p, uint32_t rw)
{
	uint32_t dr7 = DR7_L0 | rw;

	__asm__ volatile("mov %0, %%dr0" : : "r"((uint32_t)(uintptr_t)p));
	__asm__ volatile("mov %0, %%dr7" : : "r"(dr7));
}

static void db_unwatch(void)
{
	__asm__ volatile("mov %0, %%dr7" : : "r"(0u));
}

/*
 * Data breakpoints on the memory operand of OUTSB and INSB (SDM Vol. 3B
 * 18.3.1.2): a read/write breakpoint on OUTSB's source byte and a write
 * breakpoint on INSB's destination each give one #DB (DR6.B0) after the
 * instruction; a write breakpoint on OUTSB's source (only read) none.
 */
static int db_string_data_breakpoints(void)
{
	static volatile uint8_t src = 0x5a, dst;
	uint32_t si, di, counts[3], dr6s[3];

	for (unsigned i = 0; i < 3; i++) {
		db_reset();
		si = (uint32_t)(uintptr_t)&src;
		di = (uint32_t)(uintptr_t)&dst;
		db_watch_byte(i == 2 ? (const volatile void *)&dst : &src,
			      i == 0 ? DR7_RW0_READ_WRITE : DR7_RW0_WRITE);
		if (i < 2)
			__asm__ volatile("outsb" : "+S"(si) : "d"(STEP_PORT) : "memory");
		else
			__asm__ volatile("insb" : "+D"(di) : "d"(STEP_PORT) : "memory");
		db_unwatch();
		counts[i] = db_count;
		dr6s[i] = db_dr6;
	}
	if (counts[0] == 1 && (dr6s[0] & DR6_B0) && counts[1] == 0 && counts[2] == 1 &&
	    (dr6s[2] & DR6_B0))
		return 1;
	report(0, "debug exceptions",
	       "data breakpoints on OUTSB/INSB memory: %u/%u/%u #DB, DR6 %x/%x/%x (want 1/0/1, "
	       "B0)",
	       counts[0], counts[1], counts[2], dr6s[0], dr6s[1], dr6s[2]);
	return 0;
}

void case_debug(void)
{
	if (db_single_step() && db_write_breakpoint() && db_step_cpuid_rdmsr() &&
	    db_step_in_out() && db_step_outs() && db_step_mov_ss() && db_io_breakpoint() &&
	    db_string_data_breakpoints())
		report(1,
		       "debug exceptions (single step over emulated instructions, data and I/O "
		       "breakpoints)",
		       NULL);
}

void case_debug_hlt(void)
{
	if (on_qemu_tcg())
		skip("single step over HLT", "QEMU's software emulator drops the step of a HLT");
	else if (db_step_hlt())
		report(1, "single step over HLT woken by the timer", NULL);
}
