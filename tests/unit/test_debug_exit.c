/* SPDX-License-Identifier: MIT */
/*
 * Host tests for dev/debug_exit.c through the I/O bus: the exit status in
 * both encodings, the shutdown word and its restart, unclaimed reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dev/debug_exit.h"
#include "tests/unit/dev_bus.h"

static struct debug_exit dbg;
static int exits, last_status;

static void record_exit(void *ctx, int status)
{
	assert_ptr_equal(ctx, &dbg);
	exits++;
	last_status = status;
}

static void reset(bool isa)
{
	test_bus_reset();
	exits = 0;
	last_status = -1;
	assert_int_equal(debug_exit_register(&test_bus, &dbg, isa, record_exit, &dbg), E_OK);
}

static enum iobus_result write_port(uint16_t port, uint32_t v)
{
	return iobus_port_io(&test_bus, port, 1, true, &v);
}

static void test_exit_status_encodings(void **state)
{
	reset(true);
	assert_int_equal(write_port(DEBUG_EXIT_PORT, 0x102), IOBUS_STOP);
	assert_int_equal(last_status, 5); /* (0x02 << 1) | 1 */
	reset(false);
	assert_int_equal(write_port(DEBUG_EXIT_PORT, 0x142), IOBUS_STOP);
	assert_int_equal(last_status, 0x42);
	assert_int_equal(exits, 1);
}

static void test_shutdown_word(void **state)
{
	const char *s = "ShutShutdown";

	reset(true);
	for (; s[1]; s++)
		assert_int_equal(write_port(DEBUG_SHUTDOWN_PORT, (uint8_t)*s), IOBUS_DONE);
	assert_int_equal(exits, 0);
	assert_int_equal(write_port(DEBUG_SHUTDOWN_PORT, (uint8_t)*s), IOBUS_STOP);
	assert_int_equal(exits, 1);
	assert_int_equal(last_status, 0);
	assert_int_equal(dbg.lock.next, dbg.lock.owner);
}

/* After a completed word, more bytes start a new match: "ShutdownS" and
 * so on must not index past the word, and a second word exits again. */
static void test_shutdown_word_twice(void **state)
{
	const char *word = "Shutdown";

	reset(true);
	for (int round = 1; round <= 2; round++) {
		for (const char *s = word; s[1]; s++)
			assert_int_equal(write_port(DEBUG_SHUTDOWN_PORT, (uint8_t)*s), IOBUS_DONE);
		assert_int_equal(write_port(DEBUG_SHUTDOWN_PORT, 'n'), IOBUS_STOP);
		assert_int_equal(exits, round);
		assert_int_equal(dbg.shutdown_pos, 0);
	}
	for (int i = 0; i < 64; i++)
		write_port(DEBUG_SHUTDOWN_PORT, 'x');
	assert_int_equal(dbg.shutdown_pos, 0);
	assert_int_equal(exits, 2);
}

static void test_reads_unclaimed(void **state)
{
	uint32_t v = 0;

	reset(true);
	assert_int_equal(iobus_port_io(&test_bus, DEBUG_EXIT_PORT, 1, false, &v), IOBUS_UNCLAIMED);
	assert_int_equal(v, 0xFF);
	assert_int_equal(iobus_port_io(&test_bus, DEBUG_SHUTDOWN_PORT, 2, false, &v),
			 IOBUS_UNCLAIMED);
	assert_int_equal(v, 0xFFFF);
	assert_int_equal(exits, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exit_status_encodings),
	    cmocka_unit_test(test_shutdown_word),
	    cmocka_unit_test(test_shutdown_word_twice),
	    cmocka_unit_test(test_reads_unclaimed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
