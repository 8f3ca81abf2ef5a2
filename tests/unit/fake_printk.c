/* SPDX-License-Identifier: MIT */
/*
 * Host-test stand-in for kernel/printk.c: formats with libc and keeps the
 * last lines in a buffer tests can search (fake_printk_contains()).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/printk.h"
#include "tests/unit/fake_printk.h"

static char fake_log[65536];
static size_t fake_log_len;

void vprintk(int level, const char *fmt, va_list ap)
{
	char line[1024];
	int n = vsnprintf(line, sizeof(line), fmt, ap);

	(void)level;
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (fake_log_len + (size_t)n >= sizeof(fake_log))
		fake_log_len = 0;
	memcpy(fake_log + fake_log_len, line, (size_t)n);
	fake_log_len += (size_t)n;
	fake_log[fake_log_len] = '\0';
	if (getenv("VIREO_TEST_VERBOSE"))
		fputs(line, stderr);
}

void printk(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

void printk_set_level(int level)
{
	(void)level;
}

int printk_get_level(void)
{
	return LOG_DEBUG;
}

void fake_printk_clear(void)
{
	fake_log_len = 0;
	fake_log[0] = '\0';
}

int fake_printk_contains(const char *needle)
{
	return strstr(fake_log, needle) != NULL;
}

const char *fake_printk_log(void)
{
	return fake_log;
}
