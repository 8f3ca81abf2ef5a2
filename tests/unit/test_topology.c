/* SPDX-License-Identifier: MIT */
/* Host tests for arch/x86/topology.c: level parsing and ID splitting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "arch/x86/topology.h"

#define SMT_LEVEL(shift) (shift), (1u << 8)
#define CORE_LEVEL(shift) (shift), (2u << 8)
#define DIE_LEVEL(shift) (shift), (5u << 8)

static struct topo_shifts parse(const uint32_t pairs[][2], unsigned n)
{
	uint32_t eax[8], ecx[8];

	for (unsigned i = 0; i < n; i++) {
		eax[i] = pairs[i][0];
		ecx[i] = pairs[i][1];
	}
	return topo_shifts_from_leaves(eax, ecx, n);
}

/* 2 threads per core, 8 cores per package: shifts 1 and 4. */
static void test_smt_and_cores(void **state)
{
	const uint32_t l[][2] = {{SMT_LEVEL(1)}, {CORE_LEVEL(4)}, {0, 0}};
	struct topo_shifts s = parse(l, 3);
	struct topo_id t = topo_split(0x2b, s); /* 0b10_1011: package 2, core 5, thread 1 */

	assert_true(s.valid);
	assert_int_equal(s.smt, 1);
	assert_int_equal(s.core, 4);
	assert_int_equal(t.package, 2);
	assert_int_equal(t.core, 5);
	assert_int_equal(t.thread, 1);
}

/* A die level above the cores: the package shift is the last level's. */
static void test_extra_level(void **state)
{
	const uint32_t l[][2] = {{SMT_LEVEL(1)}, {CORE_LEVEL(3)}, {DIE_LEVEL(5)}, {0, 0}};
	struct topo_shifts s = parse(l, 4);
	struct topo_id t = topo_split(300, s); /* x2APIC ID above 255 */

	assert_int_equal(s.core, 5);
	assert_int_equal(t.package, 9);
	assert_int_equal(t.thread, 0);
	assert_int_equal(t.core, 6);
}

/* No SMT: every thread is thread 0 of its core. */
static void test_no_smt(void **state)
{
	const uint32_t l[][2] = {{SMT_LEVEL(0)}, {CORE_LEVEL(2)}, {0, 0}};
	struct topo_shifts s = parse(l, 3);
	struct topo_id t = topo_split(7, s);

	assert_int_equal(t.thread, 0);
	assert_int_equal(t.core, 3);
	assert_int_equal(t.package, 1);
}

static void test_no_leaf(void **state)
{
	const uint32_t l[][2] = {{0, 0}};
	struct topo_shifts s = parse(l, 1);
	struct topo_id t = topo_split(9, s);

	assert_false(s.valid);
	assert_int_equal(t.package, 9);
	assert_int_equal(t.core, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smt_and_cores),
		cmocka_unit_test(test_extra_level),
		cmocka_unit_test(test_no_smt),
		cmocka_unit_test(test_no_leaf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
