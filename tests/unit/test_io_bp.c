/* SPDX-License-Identifier: MIT */
/*
 * Host tests for guest/io_bp.c: which DR0-DR3 an IN/OUT to a port range
 * hits (SDM Vol. 3B 18.2.4, 18.2.5): enables, R/W = 10B only with CR4.DE,
 * LEN alignment and overlap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "guest/io_bp.h"

#define L(n) (1ull << (2 * (n)))
#define G(n) (2ull << (2 * (n)))
#define RW_IO(n) (2ull << (16 + 4 * (n)))
#define RW_WRITE(n) (1ull << (16 + 4 * (n)))
#define LEN(n, enc) ((uint64_t)(enc) << (18 + 4 * (n)))
#define LEN_2 1u
#define LEN_4 3u
#define HIT(n) ((1ull << (n)) | DBG_PENDING_ENABLED_BP)

static void test_byte_breakpoint(void **state)
{
	uint64_t dr[DR_BREAKPOINTS] = {0x80};

	assert_int_equal(io_bp_hits(L(0) | RW_IO(0), true, dr, 0x80, 1), HIT(0));
	assert_int_equal(io_bp_hits(G(0) | RW_IO(0), true, dr, 0x80, 1), HIT(0));
	assert_int_equal(io_bp_hits(L(0) | RW_IO(0), true, dr, 0x81, 1), 0);
	/* a word access from 0x7f covers 0x80 */
	assert_int_equal(io_bp_hits(L(0) | RW_IO(0), true, dr, 0x7f, 2), HIT(0));
	assert_int_equal(io_bp_hits(L(0) | RW_IO(0), true, dr, 0x7e, 2), 0);
}

static void test_needs_enable_de_and_io_type(void **state)
{
	uint64_t dr[DR_BREAKPOINTS] = {0x80};

	assert_int_equal(io_bp_hits(RW_IO(0), true, dr, 0x80, 1), 0);
	assert_int_equal(io_bp_hits(L(0) | RW_IO(0), false, dr, 0x80, 1), 0);
	assert_int_equal(io_bp_hits(L(0) | RW_WRITE(0), true, dr, 0x80, 1), 0);
}

static void test_length_aligns_down(void **state)
{
	uint64_t dr[DR_BREAKPOINTS] = {0, 0, 0, 0x3fb}; /* 4 bytes: 0x3f8-0x3fb */
	uint64_t dr7 = L(3) | RW_IO(3) | LEN(3, LEN_4);

	assert_int_equal(io_bp_hits(dr7, true, dr, 0x3f8, 1), HIT(3));
	assert_int_equal(io_bp_hits(dr7, true, dr, 0x3fa, 1), HIT(3));
	assert_int_equal(io_bp_hits(dr7, true, dr, 0x3fc, 1), 0);
	assert_int_equal(io_bp_hits(dr7, true, dr, 0x3f4, 4), 0);
}

static void test_several_hit(void **state)
{
	uint64_t dr[DR_BREAKPOINTS] = {0x60, 0x61, 0x64, 0x70};
	uint64_t dr7 = L(0) | RW_IO(0) | L(1) | RW_IO(1) | LEN(1, LEN_2) | L(2) | RW_IO(2);

	assert_int_equal(io_bp_hits(dr7, true, dr, 0x60, 2), HIT(0) | HIT(1));
	assert_int_equal(io_bp_hits(dr7, true, dr, 0x64, 4), HIT(2));
}

#define RW_RW(n) (3ull << (16 + 4 * (n)))
#define LEN_8 2u

static void test_data_breakpoints(void **state)
{
	uint64_t dr[DR_BREAKPOINTS] = {0x1000, 0x2004, 0x3000, 0x80};
	uint64_t dr7 = L(0) | RW_WRITE(0) | L(1) | RW_RW(1) | LEN(1, LEN_4) | G(2) | RW_RW(2) |
		       LEN(2, LEN_8) | L(3) | RW_IO(3);

	assert_true(data_bp_armed(dr7));
	assert_false(data_bp_armed(L(3) | RW_IO(3)));
	assert_false(data_bp_armed(RW_WRITE(0))); /* not enabled */
	/* DR0 watches writes only */
	assert_int_equal(data_bp_hits(dr7, dr, 0x1000, 1, true), HIT(0));
	assert_int_equal(data_bp_hits(dr7, dr, 0x1000, 1, false), 0);
	/* DR1 reads and writes of 0x2004-0x2007 */
	assert_int_equal(data_bp_hits(dr7, dr, 0x2006, 1, false), HIT(1));
	assert_int_equal(data_bp_hits(dr7, dr, 0x2002, 2, true), 0);
	assert_int_equal(data_bp_hits(dr7, dr, 0x2003, 2, true), HIT(1));
	/* DR2: 8 bytes from 0x3000; an I/O breakpoint never matches memory */
	assert_int_equal(data_bp_hits(dr7, dr, 0x3007, 4, false), HIT(2));
	assert_int_equal(data_bp_hits(dr7, dr, 0x80, 1, true), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_byte_breakpoint),
	    cmocka_unit_test(test_needs_enable_de_and_io_type),
	    cmocka_unit_test(test_length_aligns_down),
	    cmocka_unit_test(test_several_hit),
	    cmocka_unit_test(test_data_breakpoints),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
