/* SPDX-License-Identifier: MIT */
/*
 * Host tests for dev/fw_cfg.c through the I/O bus: the signature, ID, CPU
 * count and RAM size items, reselection, unknown keys, ignored data writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dev/fw_cfg.h"
#include "tests/unit/dev_bus.h"

#define RAM_SIZE (64ull << 20)
#define NCPUS 4

static struct fw_cfg fw;

static int setup(void **state)
{
	test_bus_reset();
	assert_int_equal(fw_cfg_register(&test_bus, &fw, NCPUS, RAM_SIZE), E_OK);
	return 0;
}

static uint64_t fw_cfg_read(uint16_t key, unsigned len)
{
	uint64_t v = 0;
	unsigned i;

	out(FW_CFG_PORT_SEL, 2, key);
	for (i = 0; i < len; i++)
		v |= (uint64_t)in(FW_CFG_PORT_DATA, 1) << (8 * i);
	return v;
}

static void test_fw_cfg_signature(void **state)
{
	char sig[5] = {0};
	unsigned i;

	out(FW_CFG_PORT_SEL, 2, FW_CFG_SIGNATURE);
	for (i = 0; i < 4; i++)
		sig[i] = (char)in(FW_CFG_PORT_DATA, 1);
	assert_string_equal(sig, "QEMU");
	assert_int_equal(in(FW_CFG_PORT_DATA, 1), 0); /* past the end */
	assert_int_equal(fw_cfg_read(FW_CFG_ID, 4), FW_CFG_ID_TRADITIONAL);
}

static void test_fw_cfg_cpus_and_ram(void **state)
{
	assert_int_equal(fw_cfg_read(FW_CFG_NB_CPUS, 2), NCPUS);
	assert_int_equal(fw_cfg_read(FW_CFG_MAX_CPUS, 2), NCPUS);
	assert_int_equal(fw_cfg_read(FW_CFG_RAM_SIZE, 8), RAM_SIZE);
	test_bus_reset();
	assert_int_equal(fw_cfg_register(&test_bus, &fw, 300, 0x123456789Aull), E_OK);
	assert_int_equal(fw_cfg_read(FW_CFG_NB_CPUS, 2), 300);
	assert_int_equal(fw_cfg_read(FW_CFG_RAM_SIZE, 8), 0x123456789Aull);
	/* Reselecting restarts at offset 0; a wide read packs bytes little-endian. */
	out(FW_CFG_PORT_SEL, 2, FW_CFG_NB_CPUS);
	assert_int_equal(in(FW_CFG_PORT_DATA, 2), 300);
	assert_int_equal(in(FW_CFG_PORT_DATA, 1), 0);
}

static void test_fw_cfg_unknown_key(void **state)
{
	assert_int_equal(fw_cfg_read(0x1234, 8), 0);
	assert_int_equal(fw_cfg_read(0x8000 | FW_CFG_NB_CPUS, 2), 0);
	out(FW_CFG_PORT_DATA, 1, 0x55); /* data writes are ignored */
	assert_int_equal(fw_cfg_read(FW_CFG_NB_CPUS, 2), NCPUS);
}

/* The device claims its two ports and nothing around them. */
static void test_fw_cfg_ports(void **state)
{
	uint32_t v = 0x1234;

	assert_ptr_equal(iobus_find_port(&test_bus, FW_CFG_PORT_SEL)->ctx, &fw);
	assert_ptr_equal(iobus_find_port(&test_bus, FW_CFG_PORT_DATA)->ctx, &fw);
	assert_null(iobus_find_port(&test_bus, FW_CFG_PORT_SEL - 1));
	assert_null(iobus_find_port(&test_bus, FW_CFG_PORT_DATA + 1));
	assert_int_equal(iobus_port_io(&test_bus, 0x514, 1, false, &v), IOBUS_UNCLAIMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_fw_cfg_signature, setup),
	    cmocka_unit_test_setup(test_fw_cfg_cpus_and_ram, setup),
	    cmocka_unit_test_setup(test_fw_cfg_unknown_key, setup),
	    cmocka_unit_test_setup(test_fw_cfg_ports, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
