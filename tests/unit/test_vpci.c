/* SPDX-License-Identifier: MIT */
/*
 * Host tests for dev/vpci.c through the I/O bus: CONFIG_ADDRESS storage,
 * the host bridge's header, master-abort data reads, and the narrow
 * accesses left unclaimed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dev/vpci.h"
#include "tests/unit/dev_bus.h"

static struct vpci pci;

static int setup(void **state)
{
	test_bus_reset();
	assert_int_equal(vpci_register(&test_bus, &pci), E_OK);
	return 0;
}

static void test_pci_other_devices_absent(void **state)
{
	out(PCI_PORT_ADDRESS, 4, 0x80000000u);
	assert_int_equal(in(PCI_PORT_ADDRESS, 4), 0x80000000u);
	out(PCI_PORT_ADDRESS, 4, 0x8000F808u);
	assert_int_equal(in(PCI_PORT_ADDRESS, 4), 0x8000F808u);
	assert_int_equal(in(PCI_PORT_DATA, 4), 0xFFFFFFFFu);
	assert_int_equal(in(PCI_PORT_DATA + 2, 2), 0xFFFF);
	assert_int_equal(in(PCI_PORT_DATA + 3, 1), 0xFF);
	out(PCI_PORT_DATA, 4, 0);
	assert_int_equal(in(PCI_PORT_DATA, 4), 0xFFFFFFFFu);
}

/* 00:00.0 is the host bridge, as the operating system's sanity check of
 * mechanism #1 expects; its header is read-only. */
static void test_pci_host_bridge(void **state)
{
	out(PCI_PORT_ADDRESS, 4, 0x80000000u);
	assert_int_equal(in(PCI_PORT_DATA, 4), 0x12378086u);
	assert_int_equal(in(PCI_PORT_DATA, 2), 0x8086);
	assert_int_equal(in(PCI_PORT_DATA + 2, 2), 0x1237);
	out(PCI_PORT_ADDRESS, 4, 0x80000008u);
	assert_int_equal(in(PCI_PORT_DATA, 4), 0x06000002u);
	assert_int_equal(in(PCI_PORT_DATA + 2, 2), 0x0600); /* class 06h, subclass 00h */
	assert_int_equal(in(PCI_PORT_DATA + 3, 1), 0x06);
	out(PCI_PORT_ADDRESS, 4, 0x80000004u);
	out(PCI_PORT_DATA, 4, 0xFFFFFFFFu);
	assert_int_equal(in(PCI_PORT_DATA, 4), 0);
	out(PCI_PORT_ADDRESS, 4, 0x00000000u); /* enable bit clear: no cycle */
	assert_int_equal(in(PCI_PORT_DATA, 4), 0xFFFFFFFFu);
	out(PCI_PORT_ADDRESS, 4, 0x80000100u); /* 00:00.1: nothing */
	assert_int_equal(in(PCI_PORT_DATA, 4), 0xFFFFFFFFu);
	out(PCI_PORT_ADDRESS, 4, 0x80010000u); /* bus 1 */
	assert_int_equal(in(PCI_PORT_DATA, 2), 0xFFFF);
}

static void test_pci_narrow_address_not_claimed(void **state)
{
	uint32_t v = 0x06;

	assert_int_equal(iobus_port_io(&test_bus, PCI_PORT_ADDRESS + 1, 1, true, &v),
			 IOBUS_UNCLAIMED); /* 0xCF9 */
	assert_int_equal(iobus_port_io(&test_bus, PCI_PORT_ADDRESS, 1, false, &v), IOBUS_UNCLAIMED);
	assert_int_equal(v, 0xFF);
	assert_int_equal(iobus_port_io(&test_bus, PCI_PORT_DATA + 4, 1, false, &v),
			 IOBUS_UNCLAIMED);
	assert_int_equal(pci.address, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_pci_other_devices_absent, setup),
	    cmocka_unit_test_setup(test_pci_host_bridge, setup),
	    cmocka_unit_test_setup(test_pci_narrow_address_not_claimed, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
