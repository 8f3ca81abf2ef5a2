/* SPDX-License-Identifier: MIT */
/*
 * Host tests for kernel/printk.c's early log: lines printed before the
 * screen console exists reach it, in order and with their levels, when it
 * registers, and later lines go straight to it. Built without
 * VIREO_HOST_TEST: printk.c is used as the kernel uses it, against the
 * small fakes of the CPU and UART accessors below.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "arch/x86/cpu.h"
#include "arch/x86/uart.h"
#include "lib/printk.h"

#define SEEN_MAX 16384
#define MANY_LINES 200

static char serial[SEEN_MAX], screen[SEEN_MAX];
static size_t serial_len, screen_len;
static int screen_levels[SEEN_MAX];
static unsigned screen_writes;

bool uart_init(uint16_t base)
{
	(void)base;
	return true;
}

void uart_putc(char c)
{
	if (serial_len < SEEN_MAX - 1)
		serial[serial_len++] = c;
}

uint8_t cpu_inb(uint16_t port)
{
	(void)port;
	return 0xff; /* no 0xE9 debug console */
}

void cpu_outb(uint16_t port, uint8_t value)
{
	(void)port;
	(void)value;
}

uint64_t cpu_irq_save(void)
{
	return 0;
}

void cpu_irq_restore(uint64_t flags)
{
	(void)flags;
}

void cpu_pause(void)
{
}

static void screen_write(int level, const char *s, int len)
{
	if (screen_len + (size_t)len >= SEEN_MAX)
		return;
	memcpy(screen + screen_len, s, (size_t)len);
	screen_levels[screen_writes++ % SEEN_MAX] = level;
	screen_len += (size_t)len;
	screen[screen_len] = 0;
}

/* One run (the early log is kept once per boot): two early lines, then so
 * many that the early log overflows, then the screen registers. */
static void test_early_lines_replayed(void **state)
{
	(void)state;
	printk_init_consoles(UART_COM1);
	pr_info("banner %d\n", 1);
	pr_warn("early warning\n");
	for (int i = 0; i < MANY_LINES; i++)
		pr_info("filler line %03d of the early boot log\n", i);
	assert_int_equal(screen_len, 0);
	printk_set_extra_console(screen_write);
	assert_memory_equal(screen, "banner 1\nearly warning\nfiller line 000", 35);
	assert_int_equal(screen_levels[0], LOG_INFO);
	assert_int_equal(screen_levels[1], LOG_WARN);
	assert_non_null(strstr(screen, "(more early lines are on the serial console only)\n"));
	assert_int_equal(screen_levels[screen_writes - 1], LOG_WARN);
	assert_null(strstr(screen, "filler line 199"));
	assert_non_null(strstr(serial, "filler line 199 of the early boot log\r\n"));
	pr_info("after\n");
	assert_non_null(strstr(screen, "serial console only)\nafter\n"));
	printk_set_extra_console(screen_write); /* again: nothing replayed twice */
	assert_ptr_equal(strstr(screen, "banner 1"), screen);
	assert_null(strstr(screen + 1, "banner 1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_early_lines_replayed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
