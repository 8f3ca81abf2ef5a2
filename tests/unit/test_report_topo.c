/* SPDX-License-Identifier: MIT */
/*
 * Host tests for kernel/report_topo.c: packages, cores and threads per core
 * of sets of APIC IDs under the topology shifts of real machine shapes (SMT
 * pairs, no SMT, two sockets, a hybrid CPU, sparse IDs) and the text the
 * machine report prints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "kernel/report_topo.h"

#define TEXT_MAX 96

static struct report_topo count(const uint32_t *ids, unsigned n, uint8_t smt, uint8_t core)
{
	struct topo_shifts s = {smt, core, true};
	struct report_topo t;

	report_topo_count(ids, n, s, &t);
	return t;
}

static void assert_text(const struct report_topo *t, const char *want)
{
	char buf[TEXT_MAX];

	report_topo_text(t, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

/* 4 cores with 2 threads each, one package: APIC IDs 0..7, SMT shift 1. */
static void test_smt_pairs(void **state)
{
	const uint32_t ids[] = {0, 2, 4, 6, 1, 3, 5, 7};
	struct report_topo t = count(ids, 8, 1, 3);

	assert_true(t.known);
	assert_int_equal(t.cpus, 8);
	assert_int_equal(t.packages, 1);
	assert_int_equal(t.cores, 4);
	assert_int_equal(t.min_threads, 2);
	assert_int_equal(t.max_threads, 2);
	assert_text(&t, "1 package, 4 cores, 2 threads per core");
}

/* QEMU -smp 2 (shifts 0 and 1): two cores, one thread each. */
static void test_no_smt(void **state)
{
	const uint32_t ids[] = {0, 1};
	struct report_topo t = count(ids, 2, 0, 1);

	assert_text(&t, "1 package, 2 cores, 1 thread per core");
	t = count(ids, 1, 0, 1);
	assert_text(&t, "1 package, 1 core, 1 thread per core");
}

/* Two sockets of 2 cores x 2 threads, core IDs sparse (0 and 2 of 4 possible). */
static void test_two_packages(void **state)
{
	/* SMT shift 1, package shift 3. */
	const uint32_t ids[] = {0, 1, 4, 5, 8, 9, 12, 13};
	struct report_topo t = count(ids, 8, 1, 3);

	assert_int_equal(t.packages, 2);
	assert_int_equal(t.cores, 4);
	assert_text(&t, "2 packages, 4 cores, 2 threads per core");
}

/* A hybrid CPU: 2 cores with SMT, 4 without (IDs as Alder Lake numbers them). */
static void test_hybrid(void **state)
{
	const uint32_t ids[] = {0, 1, 8, 9, 16, 18, 20, 22};
	struct report_topo t = count(ids, 8, 1, 6);

	assert_int_equal(t.cores, 6);
	assert_int_equal(t.min_threads, 1);
	assert_int_equal(t.max_threads, 2);
	assert_text(&t, "1 package, 6 cores, 1-2 threads per core");
}

/* The same APIC ID twice is one thread; an empty set and unknown topology. */
static void test_edges(void **state)
{
	const uint32_t ids[] = {3, 2, 3};
	struct topo_shifts none = {0, 0, false};
	struct report_topo t = count(ids, 3, 1, 2);

	assert_int_equal(t.cpus, 2);
	assert_int_equal(t.cores, 1);
	assert_int_equal(t.max_threads, 2);
	t = count(ids, 0, 1, 2);
	assert_text(&t, "no CPUs");
	report_topo_count(ids, 3, none, &t);
	assert_false(t.known);
	assert_text(&t, "topology not reported by CPUID (no leaf 0xB or 0x1F)");
}

/* 1024 CPUs, 2 threads per core, 4 packages: counted in reasonable time. */
static void test_many(void **state)
{
	static uint32_t ids[1024];
	struct report_topo t;

	for (unsigned i = 0; i < 1024; i++)
		ids[i] = i;
	t = count(ids, 1024, 1, 8);
	assert_int_equal(t.packages, 4);
	assert_int_equal(t.cores, 512);
	assert_text(&t, "4 packages, 512 cores, 2 threads per core");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_smt_pairs),	 cmocka_unit_test(test_no_smt),
	    cmocka_unit_test(test_two_packages), cmocka_unit_test(test_hybrid),
	    cmocka_unit_test(test_edges),	 cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
