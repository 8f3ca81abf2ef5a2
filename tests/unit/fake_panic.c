/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for kernel/panic.c's panic(): records the formatted message
 * and longjmps to the test that armed it (see fake_panic.h); if no test armed
 * it, prints the message and aborts so the unexpected panic fails loudly.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include "lib/panic.h"
#include "tests/unit/fake_panic.h"

jmp_buf fake_panic_env;
static bool fake_panic_armed;
static unsigned int fake_panic_calls;
static char fake_panic_msg[512];

void fake_panic_arm(void)
{
	fake_panic_armed = true;
}

void fake_panic_disarm(void)
{
	fake_panic_armed = false;
}

unsigned int fake_panic_count(void)
{
	return fake_panic_calls;
}

const char *fake_panic_message(void)
{
	return fake_panic_msg;
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fake_panic_msg, sizeof(fake_panic_msg), fmt, ap);
	va_end(ap);
	fake_panic_calls++;
	if (!fake_panic_armed) {
		fprintf(stderr, "unexpected panic: %s\n", fake_panic_msg);
		abort();
	}
	fake_panic_armed = false;
	longjmp(fake_panic_env, 1);
}
