/* SPDX-License-Identifier: MIT */
/*
 * Host tests for dev/vpit.c through the I/O bus: counting down by the bus
 * clock, latches and read-back, and channel 2's OUT on port B.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dev/vpit.h"
#include "tests/unit/dev_bus.h"

static struct vpit pit;

static int setup(void **state)
{
	test_bus_reset();
	assert_int_equal(vpit_register(&test_bus, &pit), E_OK);
	return 0;
}

static void test_pit_counter_decreases(void **state)
{
	uint32_t first, second;

	test_now_ns = 1000000;
	out(PIT_PORT_CMD, 1, 0x34); /* ch0, lo/hi, mode 2 */
	out(PIT_PORT_CH0, 1, 0x00);
	out(PIT_PORT_CH0, 1, 0x80); /* reload 0x8000 */
	test_now_ns += 1000000;	    /* 1 ms = 1193 ticks */
	out(PIT_PORT_CMD, 1, 0x00); /* latch ch0 */
	first = in(PIT_PORT_CH0, 1);
	first |= in(PIT_PORT_CH0, 1) << 8;
	assert_int_equal(first, 0x8000 - 1193);
	test_now_ns += 500000;
	second = in(PIT_PORT_CH0, 1);
	second |= in(PIT_PORT_CH0, 1) << 8;
	assert_true(second < first);
	assert_int_equal(in(PIT_PORT_CMD, 1), 0xFF);
}

static void test_pit_latch_holds_value(void **state)
{
	uint32_t v;

	out(PIT_PORT_CMD, 1, 0x34);
	out(PIT_PORT_CH0, 1, 0xE8);
	out(PIT_PORT_CH0, 1, 0x03); /* 1000 */
	out(PIT_PORT_CMD, 1, 0xC2); /* read-back: latch count of ch0 */
	test_now_ns += 100000;
	v = in(PIT_PORT_CH0, 1);
	v |= in(PIT_PORT_CH0, 1) << 8;
	assert_int_equal(v, 1000);
	v = in(PIT_PORT_CH0, 1);
	v |= in(PIT_PORT_CH0, 1) << 8;
	assert_int_equal(v, 1000 - 119); /* latch released */
}

/* The channel-2 TSC calibration pattern: gate on, mode 0, poll OUT2. */
static void test_pit_channel2_out(void **state)
{
	out(PIT_PORT_B, 1, (in(PIT_PORT_B, 1) & ~0x02u) | 0x01);
	out(PIT_PORT_CMD, 1, 0xB0); /* ch2, lo/hi, mode 0 */
	out(PIT_PORT_CH0 + 2, 1, 0x9B);
	out(PIT_PORT_CH0 + 2, 1, 0x2E); /* 11931 ticks, 10 ms */
	assert_int_equal(in(PIT_PORT_B, 1) & 0x20, 0);
	test_now_ns += 9000000;
	assert_int_equal(in(PIT_PORT_B, 1) & 0x20, 0);
	test_now_ns += 1100000;
	assert_int_equal(in(PIT_PORT_B, 1) & 0x20, 0x20);
	assert_int_equal(in(PIT_PORT_B, 1) & 0x03, 0x01);
	/* a new mode-0 control word drops OUT at once, before any count */
	out(PIT_PORT_CMD, 1, 0xB0);
	assert_int_equal(in(PIT_PORT_B, 1) & 0x20, 0);
	test_now_ns += 100000000;
	assert_int_equal(in(PIT_PORT_B, 1) & 0x20, 0);
	out(PIT_PORT_CH0 + 2, 1, 0x10);
	out(PIT_PORT_CH0 + 2, 1, 0x00); /* 16 ticks */
	assert_int_equal(in(PIT_PORT_B, 1) & 0x20, 0);
	test_now_ns += 20000;
	assert_int_equal(in(PIT_PORT_B, 1) & 0x20, 0x20);
	/* gate off: OUT2 reads 0 on port B */
	out(PIT_PORT_B, 1, 0x00);
	assert_int_equal(in(PIT_PORT_B, 1) & 0x23, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_pit_counter_decreases, setup),
	    cmocka_unit_test_setup(test_pit_latch_holds_value, setup),
	    cmocka_unit_test_setup(test_pit_channel2_out, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
