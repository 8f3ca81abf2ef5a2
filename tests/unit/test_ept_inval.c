/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the EPT invalidation bookkeeping of vmx/ept.c: a change to
 * an entry that was present (unmap, new permissions, new target, a table
 * replaced by a large page) calls the EPT's invalidate hook before
 * ept_map/ept_unmap return, filling entries that were not present does not,
 * and detached tables are freed only after a successful invalidation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "vmx/ept.h"
#include "tests/unit/fake_ept_tables.h"
#include "tests/unit/fake_printk.h"

#define GIB EPT_PAGE_1G
#define MIB2 EPT_PAGE_2M
#define KIB4 EPT_PAGE_4K
#define MANY_TREES (EPT_DEFERRED_MAX + 4)

static unsigned invalidations;
static unsigned frees_at_invalidate; /* frees seen by the last invalidate call */
static enum err invalidate_result;

static enum err count_invalidate(struct ept *e)
{
	invalidations++;
	frees_at_invalidate = fake_ept.frees;
	return invalidate_result;
}

static int setup(void **state)
{
	fake_ept_tables_reset();
	invalidations = frees_at_invalidate = 0;
	invalidate_result = E_OK;
	fake_printk_clear();
	return 0;
}

static int teardown(void **state)
{
	unsigned bad = fake_ept.bad_frees;

	fake_ept_tables_reset();
	assert_int_equal(bad, 0); /* a table freed that was never handed out */
	return 0;
}

static struct ept new_ept(void)
{
	struct ept e = {
	    .allow_1g = true,
	    .allow_2m = true,
	    .alloc_table = fake_ept_table_alloc,
	    .free_table = fake_ept_table_free,
	    .invalidate = count_invalidate,
	};

	assert_int_equal(ept_init(&e), E_OK);
	return e;
}

/* A 2 MiB region mapped with 4 KiB pages (hpa only 4 KiB aligned): one PT. */
static void map_small_pages(struct ept *e, uint64_t gpa)
{
	assert_int_equal(ept_map(e, gpa, gpa + KIB4, MIB2, EPT_RWX, EPT_MT_WB), E_OK);
}

/* What vm_create does: building the map of a VM that has not run. */
static void test_filling_needs_no_invalidation(void **state)
{
	struct ept e = new_ept();

	assert_int_equal(ept_map(&e, 0, 0x40000000, 4 << 20, EPT_RWX, EPT_MT_WB), E_OK);
	assert_int_equal(ept_map(&e, GIB, 0x80000000, KIB4, EPT_R, EPT_MT_UC), E_OK);
	/* The same mapping again changes nothing. */
	assert_int_equal(ept_map(&e, 0, 0x40000000, 4 << 20, EPT_RWX, EPT_MT_WB), E_OK);
	assert_int_equal(invalidations, 0);
	assert_false(e.stale);
	/* Unmapping what was never mapped changes nothing either. */
	assert_int_equal(ept_unmap(&e, 8 * GIB, MIB2), E_OK);
	assert_int_equal(invalidations, 0);
	ept_destroy(&e);
	assert_int_equal(fake_ept.nlive, 0);
}

static void test_changes_invalidate(void **state)
{
	struct ept e = new_ept();
	unsigned perms;
	uint64_t hpa;

	assert_int_equal(ept_map(&e, 0, 0, 4 << 20, EPT_RWX, EPT_MT_WB), E_OK);
	/* Unmap one 4 KiB page of a 2 MiB page: split (no change) then clear. */
	assert_int_equal(ept_unmap(&e, 0x5000, KIB4), E_OK);
	assert_int_equal(invalidations, 1);
	assert_false(e.stale);
	/* Fewer permissions, a new target, more permissions: each one. */
	assert_int_equal(ept_map(&e, 0x6000, 0x6000, KIB4, EPT_R, EPT_MT_WB), E_OK);
	assert_int_equal(ept_map(&e, 0x7000, 0x9000, KIB4, EPT_RWX, EPT_MT_WB), E_OK);
	assert_int_equal(ept_map(&e, 0x6000, 0x6000, KIB4, EPT_RWX, EPT_MT_WB), E_OK);
	assert_int_equal(invalidations, 4);
	assert_int_equal(ept_translate(&e, 0x7000, &hpa, &perms), E_OK);
	assert_int_equal(hpa, 0x9000);
	/* Mapping the unmapped page back fills a non-present entry: none. */
	assert_int_equal(ept_map(&e, 0x5000, 0x5000, KIB4, EPT_RWX, EPT_MT_WB), E_OK);
	assert_int_equal(invalidations, 4);
	ept_destroy(&e);
	assert_int_equal(fake_ept.nlive, 0);
}

/* A page table replaced by a 2 MiB page is freed after the invalidation:
 * until then a CPU may still walk it. */
static void test_tables_freed_after_invalidation(void **state)
{
	struct ept e = new_ept();

	map_small_pages(&e, 0);
	assert_int_equal(e.tables, 4);
	assert_int_equal(ept_map(&e, 0, 0, MIB2, EPT_RWX, EPT_MT_WB), E_OK);
	assert_int_equal(invalidations, 1);
	assert_int_equal(frees_at_invalidate, 0);
	assert_int_equal(fake_ept.frees, 1);
	assert_int_equal(e.tables, 3);
	assert_int_equal(e.ndeferred, 0);
	ept_destroy(&e);
	assert_int_equal(fake_ept.nlive, 0);
}

static void test_failed_invalidation_keeps_tables(void **state)
{
	struct ept e = new_ept();

	map_small_pages(&e, 0);
	invalidate_result = E_STATE;
	assert_int_equal(ept_unmap(&e, 0, MIB2), E_STATE);
	assert_true(e.stale);
	assert_int_equal(fake_ept.frees, 0);
	assert_int_equal(e.ndeferred, 1);
	assert_int_equal(ept_lookup(&e, 0, NULL, NULL), 0);
	/* The next call retries, even one that changes nothing. */
	invalidate_result = E_OK;
	assert_int_equal(ept_unmap(&e, 8 * GIB, KIB4), E_OK);
	assert_false(e.stale);
	assert_int_equal(fake_ept.frees, 1);

	/* ept_destroy frees what is still waiting. */
	map_small_pages(&e, MIB2);
	invalidate_result = E_STATE;
	assert_int_equal(ept_unmap(&e, MIB2, MIB2), E_STATE);
	assert_int_equal(e.ndeferred, 1);
	ept_destroy(&e);
	assert_int_equal(fake_ept.nlive, 0);
	assert_int_equal(e.ndeferred, 0);
}

/* More detached trees than the list holds: invalidate when it is full. */
static void test_many_detached_trees(void **state)
{
	struct ept e = new_ept();

	for (unsigned i = 0; i < MANY_TREES; i++)
		map_small_pages(&e, i * MIB2);
	assert_int_equal(e.tables, 3 + MANY_TREES);
	assert_int_equal(ept_unmap(&e, 0, MANY_TREES * MIB2), E_OK);
	assert_int_equal(invalidations, 2);
	assert_int_equal(frees_at_invalidate, EPT_DEFERRED_MAX);
	assert_int_equal(fake_ept.frees, MANY_TREES);
	assert_int_equal(e.tables, 3);
	ept_destroy(&e);
	assert_int_equal(fake_ept.nlive, 0);

	/* If that invalidation fails the tree is kept, never freed early. */
	setup(state);
	e = new_ept();
	for (unsigned i = 0; i < MANY_TREES; i++)
		map_small_pages(&e, i * MIB2);
	invalidate_result = E_STATE;
	assert_int_equal(ept_unmap(&e, 0, MANY_TREES * MIB2), E_STATE);
	assert_int_equal(fake_ept.frees, 0);
	assert_true(fake_printk_contains("keeping a detached table tree"));
	ept_destroy(&e);
	assert_int_equal(fake_ept.nlive, MANY_TREES - EPT_DEFERRED_MAX);
}

/* No hook (a builder nothing has used): detached tables go at once. */
static void test_without_hook(void **state)
{
	struct ept e = new_ept();

	e.invalidate = NULL;
	map_small_pages(&e, 0);
	assert_int_equal(ept_unmap(&e, 0, MIB2), E_OK);
	assert_true(e.stale);
	assert_int_equal(fake_ept.frees, 1);
	assert_int_equal(e.ndeferred, 0);
	ept_destroy(&e);
	assert_int_equal(fake_ept.nlive, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_filling_needs_no_invalidation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_changes_invalidate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tables_freed_after_invalidation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_invalidation_keeps_tables, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_many_detached_trees, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_without_hook, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
