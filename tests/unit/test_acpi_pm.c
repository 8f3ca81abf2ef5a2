/* SPDX-License-Identifier: MIT */
/*
 * Host tests for dev/acpi_pm.c through the I/O bus: PM1 enable and control
 * (SCI_EN, SLP_EN), the PM timer by the bus clock, the block's extent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dev/acpi_pm.h"
#include "tests/unit/dev_bus.h"

static struct acpi_pm pm;

static int setup(void **state)
{
	test_bus_reset();
	assert_int_equal(acpi_pm_register(&test_bus, &pm), E_OK);
	return 0;
}

static void test_pm_block(void **state)
{
	uint32_t t1, t2;

	assert_int_equal(in(PM1_CNT_PORT, 2) & PM1_CNT_SCI_EN, PM1_CNT_SCI_EN);
	out(PM1_EVT_PORT + 2, 2, 0x0121);
	assert_int_equal(in(PM1_EVT_PORT + 2, 2), 0x0121);
	assert_int_equal(in(PM1_EVT_PORT, 4), 0x01210000u);
	test_now_ns = 1000000000ull;
	t1 = in(PM_TMR_PORT, 4);
	assert_int_equal(t1, ACPI_PM_TIMER_HZ & ACPI_PM_TIMER_MASK_24);
	test_now_ns += 1000;
	t2 = in(PM_TMR_PORT, 4);
	assert_true(t2 > t1);
	assert_false(pm.sleep_requested);
	out(PM1_CNT_PORT, 2, PM1_CNT_SLP_EN | 5u << PM1_CNT_SLP_TYP_SHIFT);
	assert_true(pm.sleep_requested);
	assert_int_equal(pm.sleep_type, 5);
	assert_int_equal(in(PM1_CNT_PORT, 2) & PM1_CNT_SLP_EN, 0);
}

static void test_pm_block_extent(void **state)
{
	assert_null(iobus_find_port(&test_bus, PM_PORT_BASE - 1));
	assert_ptr_equal(iobus_find_port(&test_bus, PM_TMR_PORT + ACPI_PM_TMR_LEN - 1)->ctx, &pm);
	assert_null(iobus_find_port(&test_bus, PM_TMR_PORT + ACPI_PM_TMR_LEN));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_pm_block, setup),
	    cmocka_unit_test_setup(test_pm_block_extent, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
