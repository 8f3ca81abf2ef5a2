/* SPDX-License-Identifier: MIT */
/*
 * Host tests for dev/vpci.c through the I/O bus: CONFIG_ADDRESS storage,
 * master-abort data reads, and the narrow accesses left unclaimed.
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

static void test_pci_no_devices(void **state)
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
	    cmocka_unit_test_setup(test_pci_no_devices, setup),
	    cmocka_unit_test_setup(test_pci_narrow_address_not_claimed, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
