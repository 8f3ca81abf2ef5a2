/* SPDX-License-Identifier: MIT */
/*
 * The "fault" suite deliberately dies: each case raises an unexpected
 * exception (or panics) so the harness can check the fault report and the
 * failing exit status. Never part of vireo.test=all.
 */
#include <stdint.h>
#include "kernel/ktest.h"
#include "lib/panic.h"
#include "smp/smp.h"

#define UNMAPPED_HIGH 0x0000004000000000ull /* 256 GiB: beyond the boot map */
#define RECURSION_FRAME 256 /* bytes of stack each level of the overflow uses */

__attribute__((noinline)) static void fault_raise_ud(void)
{
	__asm__ volatile("ud2");
}

__attribute__((noinline)) static void fault_raise_pf(void)
{
	*(volatile uint64_t *)(uintptr_t)UNMAPPED_HIGH = 1;
}

KTEST(fault, ud)
{
	t->checks++;
	fault_raise_ud();
	ktest_fail(t, "ud2 did not fault");
}

KTEST(fault, pf)
{
	t->checks++;
	fault_raise_pf();
	ktest_fail(t, "write to an unmapped address did not fault");
}

KTEST(fault, panic)
{
	t->checks++;
	panic("fault.panic: deliberate panic from the self-test (value 0x%x)", 0xc0ffee);
}

KTEST(fault, bug_on)
{
	volatile int broken = 1;

	t->checks++;
	BUG_ON(broken == 1);
	ktest_fail(t, "BUG_ON did not stop the machine");
}

/* Each level keeps RECURSION_FRAME bytes live, so the stack runs into the
 * guard page below it after a few dozen levels. */
static volatile unsigned overflow_limit = ~0u; /* never reached: the guard stops it */

__attribute__((noinline)) static unsigned overflow_stack(unsigned depth)
{
	volatile uint8_t frame[RECURSION_FRAME];

	frame[0] = (uint8_t)depth;
	if (depth == overflow_limit)
		return frame[0];
	return overflow_stack(depth + 1) + frame[0];
}

static void overflow_here(void *arg)
{
	*(volatile unsigned *)arg = overflow_stack(0);
}

/* An AP overflows its stack: the guard page below it turns that into a
 * page fault that cannot be delivered on the same stack, a #DF on the IST
 * stack, and a report, instead of silent corruption. */
KTEST(fault, stack_guard)
{
	volatile unsigned sink = 0;

	t->checks++;
	if (smp_num_online() < 2) {
		ktest_fail(t, "needs an AP (run with 2 CPUs)");
		return;
	}
	smp_call(1, overflow_here, (void *)&sink);
	ktest_fail(t, "the AP's stack overflow did not fault");
}
