/* SPDX-License-Identifier: MIT */
/*
 * For the device model tests: one I/O bus with a settable clock, and port
 * accesses through it that must be claimed by a device.
 */
#ifndef VIREO_TESTS_UNIT_DEV_BUS_H
#define VIREO_TESTS_UNIT_DEV_BUS_H

#include <stdint.h>
#include "dev/iobus.h"

static struct iobus test_bus;
static uint64_t test_now_ns;

static inline uint64_t test_clock(void *ctx)
{
	(void)ctx;
	return test_now_ns;
}

static inline void test_bus_reset(void)
{
	test_now_ns = 0;
	iobus_init(&test_bus, test_clock, NULL);
}

static inline uint32_t in(uint16_t port, unsigned size)
{
	uint32_t v = 0xDEADBEEF;

	assert_int_equal(iobus_port_io(&test_bus, port, size, false, &v), IOBUS_DONE);
	return v;
}

static inline void out(uint16_t port, unsigned size, uint32_t v)
{
	assert_int_equal(iobus_port_io(&test_bus, port, size, true, &v), IOBUS_DONE);
}

#endif
