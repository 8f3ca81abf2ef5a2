/* SPDX-License-Identifier: MIT */
/* Host tests for the console escape (sched/console_escape.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "sched/console_escape.h"

static struct console_escape esc;

static int reset(void **state)
{
	memset(&esc, 0, sizeof(esc));
	return 0;
}

/* Feed @c; expect @n bytes (@a, @b) for the VM and a switch to @to. */
static void feed(uint8_t c, unsigned n, uint8_t a, uint8_t b, int to)
{
	uint8_t out[CONSOLE_ESCAPE_OUT_MAX] = {0};
	int sw = 1234;

	assert_int_equal(console_escape_feed(&esc, c, out, &sw), n);
	assert_int_equal(sw, to);
	if (n > 0)
		assert_int_equal(out[0], a);
	if (n > 1)
		assert_int_equal(out[1], b);
}

static void test_plain_bytes_pass(void **state)
{
	feed('l', 1, 'l', 0, CONSOLE_ESCAPE_NONE);
	feed('s', 1, 's', 0, CONSOLE_ESCAPE_NONE);
	feed('\r', 1, '\r', 0, CONSOLE_ESCAPE_NONE);
	feed('2', 1, '2', 0, CONSOLE_ESCAPE_NONE); /* a digit alone is a digit */
}

static void test_switch_by_digit(void **state)
{
	feed(0x01, 0, 0, 0, CONSOLE_ESCAPE_NONE);
	feed('2', 0, 0, 0, 1);
	feed(0x01, 0, 0, 0, CONSOLE_ESCAPE_NONE);
	feed('1', 0, 0, 0, 0);
	feed(0x01, 0, 0, 0, CONSOLE_ESCAPE_NONE);
	feed('9', 0, 0, 0, 8);
	feed('x', 1, 'x', 0, CONSOLE_ESCAPE_NONE); /* disarmed again */
}

static void test_escape_twice_types_one(void **state)
{
	feed(0x01, 0, 0, 0, CONSOLE_ESCAPE_NONE);
	feed(0x01, 1, 0x01, 0, CONSOLE_ESCAPE_NONE);
	feed('1', 1, '1', 0, CONSOLE_ESCAPE_NONE); /* not a switch: the pair was consumed */
}

static void test_escape_other_types_both(void **state)
{
	feed(0x01, 0, 0, 0, CONSOLE_ESCAPE_NONE);
	feed('0', 2, 0x01, '0', CONSOLE_ESCAPE_NONE); /* VMs count from 1 */
	feed(0x01, 0, 0, 0, CONSOLE_ESCAPE_NONE);
	feed('a', 2, 0x01, 'a', CONSOLE_ESCAPE_NONE);
	feed('b', 1, 'b', 0, CONSOLE_ESCAPE_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_plain_bytes_pass, reset),
	    cmocka_unit_test_setup(test_switch_by_digit, reset),
	    cmocka_unit_test_setup(test_escape_twice_types_one, reset),
	    cmocka_unit_test_setup(test_escape_other_types_both, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
