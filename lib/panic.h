/* SPDX-License-Identifier: MIT */
/*
 * panic() and BUG_ON(): print what went wrong with a stack trace, stop every
 * CPU, and in test mode power off with a failing exit status.
 */
#ifndef VIREO_LIB_PANIC_H
#define VIREO_LIB_PANIC_H

#include <stdint.h>

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

/* Print "Call trace:" by walking frame pointers from rbp. */
void panic_stack_trace(uint64_t rip, uint64_t rbp);

/* Stop this CPU after a fatal report: stop the others, then exit or halt. */
__attribute__((noreturn)) void panic_halt(void);

/* Installed by SMP bring-up: fn stops every other CPU (NMI broadcast),
 * sets *others to how many there are and returns how many confirmed. */
void panic_set_stop_others(unsigned (*fn)(unsigned *others));

#define BUG_ON(cond)                                                         \
	do {                                                                 \
		if (__builtin_expect(!!(cond), 0))                           \
			panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)

#endif
