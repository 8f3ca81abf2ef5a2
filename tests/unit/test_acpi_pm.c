/* SPDX-License-Identifier: MIT */
/*
 * Host tests for dev/acpi_pm.c through the I/O bus: PM1 enable and control
 * (SCI_EN, SLP_EN: S5 powers off, other sleep types are logged once and
 * ignored), the PM timer by the bus clock, the block's extent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dev/acpi_pm.h"
#include "tests/unit/dev_bus.h"
#include "tests/unit/fake_printk.h"

static struct acpi_pm pm;
static unsigned power_offs;

static void power_off(void *ctx)
{
	assert_ptr_equal(ctx, &pm);
	power_offs++;
}

static int setup(void **state)
{
	test_bus_reset();
	fake_printk_clear();
	power_offs = 0;
	assert_int_equal(acpi_pm_register(&test_bus, &pm, "vm1", power_off, &pm), E_OK);
	return 0;
}

static uint16_t slp(unsigned typ)
{
	return (uint16_t)(PM1_CNT_SLP_EN | typ << PM1_CNT_SLP_TYP_SHIFT);
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
	assert_int_equal(power_offs, 0);
}

/* ACPICA writes SLP_TYP alone, then SLP_TYP | SLP_EN: only the second ends the VM. */
static void test_s5_powers_off(void **state)
{
	uint32_t v = ACPI_PM_SLP_TYP_S5 << PM1_CNT_SLP_TYP_SHIFT | PM1_CNT_SCI_EN;

	out(PM1_CNT_PORT, 2, v);
	assert_int_equal(power_offs, 0);
	v = slp(ACPI_PM_SLP_TYP_S5) | PM1_CNT_SCI_EN;
	assert_int_equal(iobus_port_io(&test_bus, PM1_CNT_PORT, 2, true, &v), IOBUS_STOP);
	assert_int_equal(power_offs, 1);
	/* the high byte alone carries SLP_EN and SLP_TYP */
	v = slp(ACPI_PM_SLP_TYP_S5) >> 8;
	assert_int_equal(iobus_port_io(&test_bus, PM1_CNT_PORT + 1, 1, true, &v), IOBUS_STOP);
	assert_int_equal(power_offs, 2);
}

static void test_other_sleep_types_ignored(void **state)
{
	unsigned typ;

	for (typ = 0; typ < 8; typ++) {
		if (typ != ACPI_PM_SLP_TYP_S5)
			out(PM1_CNT_PORT, 2, slp(typ));
	}
	assert_int_equal(power_offs, 0);
	assert_true(fake_printk_contains("[vm1] the guest asked for sleep type 0"));
	assert_false(fake_printk_contains("sleep type 1 "));
	assert_true(pm.sleep_requested);
	/* SLP_TYP without SLP_EN is only stored */
	out(PM1_CNT_PORT, 2, ACPI_PM_SLP_TYP_S5 << PM1_CNT_SLP_TYP_SHIFT);
	assert_int_equal(power_offs, 0);
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
	    cmocka_unit_test_setup(test_s5_powers_off, setup),
	    cmocka_unit_test_setup(test_other_sleep_types_ignored, setup),
	    cmocka_unit_test_setup(test_pm_block_extent, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
