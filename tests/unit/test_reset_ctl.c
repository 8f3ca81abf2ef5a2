/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the PC's reset paths on one bus with the PCI config ports:
 * the reset control register at 0xCF9 (dev/reset_ctl.c) beside PCI's dword
 * CONFIG_ADDRESS at 0xCF8 (dev/vpci.c), and the 8042's reset pulse
 * (dev/i8042.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dev/i8042.h"
#include "dev/reset_ctl.h"
#include "dev/vpci.h"
#include "tests/unit/dev_bus.h"

static struct reset_ctl rc;
static struct i8042 kbc;
static struct vpci pci;
static unsigned resets;
static const char *last_how;

static void reset(void *ctx, const char *how)
{
	assert_ptr_equal(ctx, &resets);
	resets++;
	last_how = how;
}

static int setup(void **state)
{
	test_bus_reset();
	resets = 0;
	last_how = NULL;
	assert_int_equal(vpci_register(&test_bus, &pci), E_OK);
	assert_int_equal(reset_ctl_register(&test_bus, &rc, reset, &resets), E_OK);
	assert_int_equal(i8042_register(&test_bus, &kbc, reset, &resets), E_OK);
	return 0;
}

static enum iobus_result io(uint16_t port, unsigned size, bool write, uint32_t *v)
{
	return iobus_port_io(&test_bus, port, size, write, v);
}

/* Linux's "cf9" reboot: read, write SYS_RST, then SYS_RST | RST_CPU. */
static void test_cf9_reset(void **state)
{
	uint32_t v = 0x06;

	assert_int_equal(in(RESET_CTL_PORT, 1), 0);
	out(RESET_CTL_PORT, 1, RESET_CTL_SYS_RST);
	assert_int_equal(in(RESET_CTL_PORT, 1), RESET_CTL_SYS_RST); /* reads back */
	out(RESET_CTL_PORT, 1, RESET_CTL_FULL_RST | 0xF1);	    /* reserved bits read 0 */
	assert_int_equal(in(RESET_CTL_PORT, 1), RESET_CTL_FULL_RST);
	assert_int_equal(resets, 0);
	assert_int_equal(io(RESET_CTL_PORT, 1, true, &v), IOBUS_STOP); /* the FADT's value */
	assert_int_equal(resets, 1);
	assert_string_equal(last_how, "port 0xCF9");
}

/* PCI's CONFIG_ADDRESS keeps working with the reset register inside its dword. */
static void test_cf9_beside_pci(void **state)
{
	uint32_t v = 0x80000000u | RESET_CTL_RST_CPU << 8;

	out(PCI_PORT_ADDRESS, 4, v); /* byte 1 has bit 2 set: not a reset */
	assert_int_equal(in(PCI_PORT_ADDRESS, 4), v);
	assert_int_equal(resets, 0);
	assert_int_equal(in(RESET_CTL_PORT, 1), 0);
	assert_int_equal(in(PCI_PORT_DATA, 4), 0xFFFFFFFFu); /* no device: master abort */
	v = RESET_CTL_RST_CPU;
	assert_int_equal(io(RESET_CTL_PORT, 2, true, &v), IOBUS_UNCLAIMED); /* word: nobody's */
	assert_int_equal(io(RESET_CTL_PORT, 2, false, &v), IOBUS_UNCLAIMED);
	assert_int_equal(v, 0xFFFF);
	assert_int_equal(io(PCI_PORT_ADDRESS + 2, 1, false, &v), IOBUS_UNCLAIMED);
	assert_int_equal(v, 0xFF);
	assert_int_equal(resets, 0);
}

/* Linux's "kbd" reboot: wait for IBF clear, then command 0xFE. */
static void test_kbc_reset(void **state)
{
	uint32_t v = I8042_CMD_RESET;

	assert_int_equal(in(I8042_PORT_CMD, 1) & (I8042_STATUS_IBF | I8042_STATUS_OBF), 0);
	assert_int_equal(in(I8042_PORT_CMD, 1), I8042_STATUS_IDLE);
	assert_int_equal(in(I8042_PORT_DATA, 1), 0);
	out(I8042_PORT_DATA, 1, I8042_CMD_RESET); /* data, not a command */
	out(I8042_PORT_CMD, 1, 0xFF);		  /* pulses nothing */
	out(I8042_PORT_CMD, 1, 0xAA);		  /* self-test: not modelled */
	assert_int_equal(resets, 0);
	assert_int_equal(io(I8042_PORT_CMD, 1, true, &v), IOBUS_STOP);
	assert_int_equal(resets, 1);
	assert_string_equal(last_how, "keyboard controller");
	v = 0xF0; /* pulses every line, the reset line among them */
	assert_int_equal(io(I8042_PORT_CMD, 1, true, &v), IOBUS_STOP);
	assert_int_equal(resets, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_cf9_reset, setup),
	    cmocka_unit_test_setup(test_cf9_beside_pci, setup),
	    cmocka_unit_test_setup(test_kbc_reset, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
