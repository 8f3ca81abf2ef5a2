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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_byte_breakpoint),
	    cmocka_unit_test(test_needs_enable_de_and_io_type),
	    cmocka_unit_test(test_length_aligns_down),
	    cmocka_unit_test(test_several_hit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
