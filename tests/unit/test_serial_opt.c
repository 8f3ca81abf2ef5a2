/* SPDX-License-Identifier: MIT */
/*
 * Host tests for kernel/serial_opt.c: the COM names, "none", hex and decimal
 * ports, and every way a vireo.serial= value can be wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "arch/x86/uart.h"
#include "kernel/serial_opt.h"

/* What a rejected value must leave in *port. */
#define UNTOUCHED 0xbeef

struct good_case {
	const char *value;
	uint16_t port;
};

struct bad_case {
	const char *value;
	enum err err;
	const char *why; /* a phrase the reason must contain */
};

static void check_good(const struct good_case *c)
{
	uint16_t port = UNTOUCHED;
	const char *why = NULL;

	if (serial_opt_parse(c->value, &port, &why) != E_OK)
		fail_msg("'%s' rejected: %s", c->value, why ? why : "(no reason)");
	if (port != c->port)
		fail_msg("'%s' gave port 0x%x, expected 0x%x", c->value, port, c->port);
}

static void check_bad(const struct bad_case *c)
{
	uint16_t port = UNTOUCHED;
	const char *why = NULL;
	enum err e = serial_opt_parse(c->value, &port, &why);

	if (e != c->err)
		fail_msg("'%s' returned %s, expected %s", c->value ? c->value : "(null)",
			 err_name(e), err_name(c->err));
	assert_int_equal(port, UNTOUCHED);
	assert_non_null(why);
	if (!strstr(why, c->why))
		fail_msg("'%s': reason '%s' lacks '%s'", c->value ? c->value : "(null)", why,
			 c->why);
}

static void test_names(void **state)
{
	static const struct good_case cases[] = {
	    {"com1", UART_COM1},       {"com2", UART_COM2},	  {"com3", UART_COM3},
	    {"com4", UART_COM4},       {"COM2", UART_COM2},	  {"Com4", UART_COM4},
	    {"none", SERIAL_OPT_NONE}, {"NONE", SERIAL_OPT_NONE},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_good(&cases[i]);
}

static void test_numbers(void **state)
{
	static const struct good_case cases[] = {
	    {"0x3f8", 0x3f8},	{"0x3F8", 0x3f8},   {"0X2f8", 0x2f8}, {"0x03e8", 0x3e8},
	    {"0x100", 0x100},	{"0xfff8", 0xfff8}, {"760", 0x2f8},   {"1016", 0x3f8},
	    {"0xe000", 0xe000}, {"256", 0x100},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_good(&cases[i]);
}

static void test_garbage(void **state)
{
	static const struct bad_case cases[] = {
	    {"foo", E_INVAL, "not a port name or number"},
	    {"0xzz", E_INVAL, "not a hex number"},
	    {"0x3fg", E_INVAL, "not a hex number"},
	    {"0x", E_INVAL, "no digits after 0x"},
	    {"3f8", E_INVAL, "not a port name or number"},
	    {"-1016", E_INVAL, "not a port name or number"},
	    {"com", E_INVAL, "not a port name or number"},
	    {"comx", E_INVAL, "not a port name or number"},
	    {"com1x", E_INVAL, "not a port name or number"},
	    {"ttyS0", E_INVAL, "not a port name or number"},
	    {"0x3f8 ", E_INVAL, "not a hex number"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_bad(&cases[i]);
}

static void test_empty(void **state)
{
	static const struct bad_case cases[] = {
	    {"", E_INVAL, "is empty"},
	    {NULL, E_INVAL, "is empty"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_bad(&cases[i]);
}

static void test_out_of_range(void **state)
{
	static const struct bad_case cases[] = {
	    {"com0", E_RANGE, "names no standard port"},
	    {"com5", E_RANGE, "names no standard port"},
	    {"com9", E_RANGE, "names no standard port"},
	    {"COM12", E_RANGE, "names no standard port"},
	    {"0", E_RANGE, "outside 0x100..0xfff8"},
	    {"0x0", E_RANGE, "outside 0x100..0xfff8"},
	    {"0xf8", E_RANGE, "outside 0x100..0xfff8"},
	    {"0x20", E_RANGE, "outside 0x100..0xfff8"},
	    {"0xfff9", E_RANGE, "outside 0x100..0xfff8"},
	    {"0xffff", E_RANGE, "outside 0x100..0xfff8"},
	    {"0x10000", E_RANGE, "beyond the last I/O port"},
	    {"65536", E_RANGE, "beyond the last I/O port"},
	    {"0x1000000003f8", E_RANGE, "beyond the last I/O port"},
	    {"99999999999999999999999", E_RANGE, "beyond the last I/O port"},
	    {"0x3f9", E_ALIGN, "not a multiple of 8"},
	    {"1017", E_ALIGN, "not a multiple of 8"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_bad(&cases[i]);
}

static void test_reason_optional(void **state)
{
	uint16_t port = UNTOUCHED;

	assert_int_equal(serial_opt_parse("com9", &port, NULL), E_RANGE);
	assert_int_equal(port, UNTOUCHED);
	assert_int_equal(serial_opt_parse("com2", &port, NULL), E_OK);
	assert_int_equal(port, UART_COM2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),	 cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_garbage),	 cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_out_of_range), cmocka_unit_test(test_reason_optional),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
