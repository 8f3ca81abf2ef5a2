/* SPDX-License-Identifier: MIT */
/*
 * Minimal host stand-in for the interrupt-flag and pause accessors of
 * arch/x86/cpu.h, enough for code that takes spinlocks: a modelled IF bit.
 */
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/cpu.h"

#define FAKE_RFLAGS_IF (1ull << 9)
#define FAKE_RFLAGS_FIXED (1ull << 1)

static bool fake_if = true;

uint64_t cpu_irq_save(void)
{
	uint64_t flags = FAKE_RFLAGS_FIXED | (fake_if ? FAKE_RFLAGS_IF : 0);

	fake_if = false;
	return flags;
}

void cpu_irq_restore(uint64_t flags)
{
	fake_if = (flags & FAKE_RFLAGS_IF) != 0;
}

bool cpu_irqs_enabled(void)
{
	return fake_if;
}

void cpu_pause(void)
{
}
