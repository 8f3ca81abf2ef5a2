/* SPDX-License-Identifier: MIT */
/*
 * The "fault" suite deliberately dies: each case raises an unexpected
 * exception (or panics) so the harness can check the fault report and the
 * failing exit status. Never part of vireo.test=all.
 */
#include <stdint.h>
#include "kernel/ktest.h"
#include "kernel/panic.h"

#define UNMAPPED_HIGH 0x0000004000000000ull /* 256 GiB: beyond the boot map */

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
