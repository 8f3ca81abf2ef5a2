/* SPDX-License-Identifier: MIT */
/*
 * Ending a run: prints "vireo: exit status N" and leaves the emulator
 * (QEMU isa-debug-exit at 0xF4, Bochs' 0x8900 "Shutdown" port); on real
 * hardware it halts with a message.
 */
#ifndef VIREO_KERNEL_POWER_H
#define VIREO_KERNEL_POWER_H

#include <stdbool.h>

enum vireo_exit {
	VIREO_EXIT_PASS = 0,
	VIREO_EXIT_FAIL = 1,
	VIREO_EXIT_PANIC = 2,
};

/* Test mode: a fatal error exits the emulator instead of halting. */
void power_set_test_mode(bool on);
bool power_test_mode(void);

/* Hooks run before power-off (VMX off on every CPU, statistics...). */
void power_set_shutdown_hook(void (*fn)(void));

__attribute__((noreturn)) void power_exit(int status);

#endif
