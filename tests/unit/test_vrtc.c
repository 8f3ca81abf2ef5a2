/* SPDX-License-Identifier: MIT */
/*
 * Host tests for dev/vrtc.c through the I/O bus: the clock in BCD, binary
 * and 12-hour modes, following the bus clock, status registers, the NMI
 * bit and CMOS RAM, and the calendar arithmetic of vrtc_advance().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dev/vrtc.h"
#include "tests/unit/dev_bus.h"

static struct vrtc rtc;

static int setup(void **state)
{
	struct vrtc_time start = {2025, 3, 14, 15, 9, 26};

	test_bus_reset();
	test_now_ns = 5000000000ull;
	assert_int_equal(vrtc_register(&test_bus, &rtc, &start), E_OK);
	return 0;
}

/* The clock reads @t from now on. */
static void set_time(struct vrtc_time t)
{
	rtc.start = t;
	rtc.start_ns = test_now_ns;
}

static uint8_t cmos(uint8_t index)
{
	out(CMOS_PORT_INDEX, 1, index);
	return (uint8_t)in(CMOS_PORT_DATA, 1);
}

static void test_cmos_bcd_time(void **state)
{
	assert_int_equal(cmos(CMOS_SECONDS), 0x26);
	assert_int_equal(cmos(CMOS_MINUTES), 0x09);
	assert_int_equal(cmos(CMOS_HOURS), 0x15);
	assert_int_equal(cmos(CMOS_DAY), 0x14);
	assert_int_equal(cmos(CMOS_MONTH), 0x03);
	assert_int_equal(cmos(CMOS_YEAR), 0x25);
	assert_int_equal(cmos(CMOS_CENTURY), 0x20);
	assert_int_equal(cmos(CMOS_WEEKDAY), 6); /* 2025-03-14 was a Friday */
}

static void test_cmos_binary_time(void **state)
{
	out(CMOS_PORT_INDEX, 1, CMOS_STATUS_B);
	out(CMOS_PORT_DATA, 1, CMOS_B_24H | CMOS_B_BINARY);
	assert_int_equal(cmos(CMOS_STATUS_B), CMOS_B_24H | CMOS_B_BINARY);
	assert_int_equal(cmos(CMOS_SECONDS), 26);
	assert_int_equal(cmos(CMOS_HOURS), 15);
	assert_int_equal(cmos(CMOS_YEAR), 25);
	assert_int_equal(cmos(CMOS_CENTURY), 20);
	set_time((struct vrtc_time){1999, 12, 31, 23, 59, 58});
	assert_int_equal(cmos(CMOS_YEAR), 99);
	assert_int_equal(cmos(CMOS_CENTURY), 19);
	assert_int_equal(cmos(CMOS_WEEKDAY), 6); /* a Friday too */
	set_time((struct vrtc_time){2024, 2, 29, 0, 0, 0});
	assert_int_equal(cmos(CMOS_WEEKDAY), 5); /* Thursday */
}

static void test_cmos_12_hour(void **state)
{
	out(CMOS_PORT_INDEX, 1, CMOS_STATUS_B);
	out(CMOS_PORT_DATA, 1, 0); /* BCD, 12-hour */
	assert_int_equal(cmos(CMOS_HOURS), CMOS_HOUR_PM | 0x03);
	rtc.start.hour = 0;
	assert_int_equal(cmos(CMOS_HOURS), 0x12);
	rtc.start.hour = 12;
	assert_int_equal(cmos(CMOS_HOURS), CMOS_HOUR_PM | 0x12);
}

static void test_cmos_status(void **state)
{
	assert_int_equal(cmos(CMOS_STATUS_A) & CMOS_A_UIP, 0);
	assert_int_equal(cmos(CMOS_STATUS_B), CMOS_B_24H);
	assert_int_equal(cmos(CMOS_STATUS_D), CMOS_D_VRT);
	assert_int_equal(cmos(CMOS_STATUS_C), 0);
	out(CMOS_PORT_INDEX, 1, CMOS_STATUS_A);
	out(CMOS_PORT_DATA, 1, 0xFF);
	assert_int_equal(cmos(CMOS_STATUS_A), 0x7F); /* UIP is not writable */
	out(CMOS_PORT_INDEX, 1, CMOS_STATUS_D);
	out(CMOS_PORT_DATA, 1, 0);
	assert_int_equal(cmos(CMOS_STATUS_D), CMOS_D_VRT);
	/* Clock registers follow the host time; guest writes are dropped. */
	out(CMOS_PORT_INDEX, 1, CMOS_SECONDS);
	out(CMOS_PORT_DATA, 1, 0x00);
	assert_int_equal(cmos(CMOS_SECONDS), 0x26);
}

/* UIP sets 2228 us before each second's change and clears with it; the
 * seconds register changes only once UIP has been seen set. */
static void test_cmos_update_in_progress(void **state)
{
	uint64_t t;
	unsigned sets = 0, clears = 0;
	bool was = false, uip;

	rtc.start_ns = 0; /* the clock read 15:09:26 at bus time 0 */
	for (t = 0; t < 3 * IOBUS_NS_PER_SEC; t += 100000) {
		test_now_ns = t;
		uip = cmos(CMOS_STATUS_A) & CMOS_A_UIP;
		sets += uip && !was;
		clears += !uip && was;
		was = uip;
	}
	assert_int_equal(sets, 3);
	assert_int_equal(clears, 2);
	test_now_ns = IOBUS_NS_PER_SEC - CMOS_UIP_WINDOW_NS - 1;
	assert_int_equal(cmos(CMOS_STATUS_A) & CMOS_A_UIP, 0);
	assert_int_equal(cmos(CMOS_SECONDS), 0x26);
	test_now_ns++;
	assert_int_equal(cmos(CMOS_STATUS_A) & CMOS_A_UIP, CMOS_A_UIP);
	assert_int_equal(cmos(CMOS_SECONDS), 0x26); /* the old time during the window */
	test_now_ns = IOBUS_NS_PER_SEC;
	assert_int_equal(cmos(CMOS_STATUS_A) & CMOS_A_UIP, 0);
	assert_int_equal(cmos(CMOS_SECONDS), 0x27);
	/* SET (status B bit 7) clears UIP */
	test_now_ns = 2 * IOBUS_NS_PER_SEC - 1;
	assert_int_equal(cmos(CMOS_STATUS_A) & CMOS_A_UIP, CMOS_A_UIP);
	out(CMOS_PORT_INDEX, 1, CMOS_STATUS_B);
	out(CMOS_PORT_DATA, 1, CMOS_B_SET | CMOS_B_24H);
	assert_int_equal(cmos(CMOS_STATUS_A) & CMOS_A_UIP, 0);
}

static void test_cmos_nmi_bit_and_ram(void **state)
{
	out(CMOS_PORT_INDEX, 1, CMOS_NMI_DISABLE | 0x40);
	out(CMOS_PORT_DATA, 1, 0xA5);
	assert_true(rtc.nmi_disabled);
	assert_int_equal(rtc.index, 0x40);
	assert_int_equal(in(CMOS_PORT_INDEX, 1), CMOS_NMI_DISABLE | 0x40);
	assert_int_equal(cmos(0x40), 0xA5); /* same byte without the NMI bit */
	assert_false(rtc.nmi_disabled);
	out(CMOS_PORT_INDEX, 1, CMOS_NMI_DISABLE | CMOS_SECONDS);
	assert_int_equal(in(CMOS_PORT_DATA, 1), 0x26);
	out(CMOS_PORT_INDEX, 1, 0x7F);
	out(CMOS_PORT_DATA, 1, 0x3C);
	assert_int_equal(cmos(0x7F), 0x3C);
	assert_int_equal(cmos(0x41), 0);
}

static void expect_time(struct vrtc_time t, uint64_t add, struct vrtc_time want)
{
	vrtc_advance(&t, add);
	assert_int_equal(t.year, want.year);
	assert_int_equal(t.month, want.month);
	assert_int_equal(t.day, want.day);
	assert_int_equal(t.hour, want.hour);
	assert_int_equal(t.minute, want.minute);
	assert_int_equal(t.second, want.second);
}

/* The CMOS clock advances across minutes, days, month ends and leap days. */
static void test_rtc_advance(void **state)
{
	(void)state;
	expect_time((struct vrtc_time){2025, 3, 14, 15, 9, 26}, 0,
		    (struct vrtc_time){2025, 3, 14, 15, 9, 26});
	expect_time((struct vrtc_time){2025, 3, 14, 15, 9, 26}, 34,
		    (struct vrtc_time){2025, 3, 14, 15, 10, 0});
	expect_time((struct vrtc_time){1999, 12, 31, 23, 59, 58}, 3,
		    (struct vrtc_time){2000, 1, 1, 0, 0, 1});
	expect_time((struct vrtc_time){2024, 2, 28, 23, 0, 0}, 3600,
		    (struct vrtc_time){2024, 2, 29, 0, 0, 0});
	expect_time((struct vrtc_time){2100, 2, 28, 12, 0, 0}, 86400,
		    (struct vrtc_time){2100, 3, 1, 12, 0, 0});
	expect_time((struct vrtc_time){2000, 2, 28, 0, 0, 0}, 86400,
		    (struct vrtc_time){2000, 2, 29, 0, 0, 0});
	expect_time((struct vrtc_time){2026, 11, 24, 20, 0, 0}, 366ull * 86400,
		    (struct vrtc_time){2027, 11, 25, 20, 0, 0});
}

/* The clock advances with the bus clock, whole seconds at a time. */
static void test_cmos_follows_clock(void **state)
{
	test_now_ns += 999999999ull;
	assert_int_equal(cmos(CMOS_SECONDS), 0x26);
	test_now_ns += 1;
	assert_int_equal(cmos(CMOS_SECONDS), 0x27);
	test_now_ns += 33ull * IOBUS_NS_PER_SEC;
	assert_int_equal(cmos(CMOS_SECONDS), 0x00);
	assert_int_equal(cmos(CMOS_MINUTES), 0x10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_cmos_bcd_time, setup),
	    cmocka_unit_test_setup(test_cmos_binary_time, setup),
	    cmocka_unit_test_setup(test_cmos_12_hour, setup),
	    cmocka_unit_test_setup(test_cmos_status, setup),
	    cmocka_unit_test_setup(test_cmos_update_in_progress, setup),
	    cmocka_unit_test_setup(test_cmos_nmi_bit_and_ram, setup),
	    cmocka_unit_test_setup(test_cmos_follows_clock, setup),
	    cmocka_unit_test(test_rtc_advance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
