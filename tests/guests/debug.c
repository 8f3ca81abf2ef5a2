/* SPDX-License-Identifier: MIT */
/*
 * The debug-exception case: a single step (EFLAGS.TF) and a data write
 * breakpoint (DR0/DR7) each deliver #DB to the guest's own
 * handler with DR6 saying why (SDM Vol. 3B 18.2.3 DR6, 18.3.1 debug
 * exception conditions). A hypervisor that intercepts #DB must reflect it
 * so that the guest sees exactly this; the same case runs on a bare CPU.
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

static volatile uint32_t db_count, db_dr6, db_eip;
static volatile uint32_t db_target;

/* Called from isr_dispatch for vector 1: record, clear DR6 and TF. */
void debug_isr(uint32_t eip, uint32_t *eflags)
{
	uint32_t dr6;

	__asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
	__asm__ volatile("mov %0, %%dr6" : : "r"(DR6_RESET));
	db_count++;
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

void case_debug(void)
{
	if (db_single_step() && db_write_breakpoint())
		report(1, "debug exceptions (single step, write breakpoint)", NULL);
}
