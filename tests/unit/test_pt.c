/* SPDX-License-Identifier: MIT */
/* Host tests for the page-table builder (mm/pt.c): page sizes, splitting,
 * attributes, unmapping, bad arguments and allocation failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "mm/paging.h"

#define GIB (1ull << 30)
#define MIB2 (2ull << 20)
#define KIB4 4096ull
#define MAX_TABLES 64

static void *tables[MAX_TABLES];
static int ntables;
static int fail_after = -1;

static enum err fake_alloc(void *ctx, uint64_t *pa)
{
	void *p;

	(void)ctx;
	if (fail_after >= 0 && ntables >= fail_after)
		return E_NOMEM;
	if (ntables == MAX_TABLES)
		return E_NOMEM;
	p = aligned_alloc(4096, 4096);
	memset(p, 0, 4096);
	tables[ntables++] = p;
	*pa = (uint64_t)(uintptr_t)p;
	return E_OK;
}

static int setup(void **state)
{
	ntables = 0;
	fail_after = -1;
	return 0;
}

static int teardown(void **state)
{
	for (int i = 0; i < ntables; i++)
		free(tables[i]);
	return 0;
}

static struct pt new_pt(bool allow_1g)
{
	struct pt pt = {.allow_1g = allow_1g, .allow_nx = true, .alloc_table = fake_alloc};

	assert_int_equal(pt_init(&pt), E_OK);
	return pt;
}

static void test_large_pages(void **state)
{
	struct pt pt = new_pt(true);
	uint64_t size, pte;

	assert_int_equal(pt_map(&pt, 0, 0, 4 * GIB, PAGE_KERNEL_RW), E_OK);
	assert_int_equal(pt.tables, 2); /* PML4 + one PDPT of 1 GiB pages */
	pte = pt_lookup(&pt, 3 * GIB + 12345, &size);
	assert_int_equal(size, GIB);
	assert_true(pte & PTE_PS);
	assert_true(pte & PTE_W);
	assert_true(pte & PTE_NX);
	assert_int_equal(pte & PTE_ADDR_MASK, 3 * GIB);
}

static void test_2m_when_no_1g(void **state)
{
	struct pt pt = new_pt(false);
	uint64_t size;

	assert_int_equal(pt_map(&pt, 0, 0, GIB, PAGE_KERNEL_RW), E_OK);
	pt_lookup(&pt, GIB - 1, &size);
	assert_int_equal(size, MIB2);
}

static void test_split_keeps_neighbours(void **state)
{
	struct pt pt = new_pt(true);
	uint64_t size, pte, va = 0x200000 + 5 * KIB4;

	assert_int_equal(pt_map(&pt, 0, 0, GIB, PAGE_KERNEL_RW), E_OK);
	assert_int_equal(pt_map(&pt, va, va, KIB4, PAGE_KERNEL_RX), E_OK);
	pte = pt_lookup(&pt, va, &size);
	assert_int_equal(size, KIB4);
	assert_false(pte & (PTE_W | PTE_NX));
	assert_int_equal(pte & PTE_ADDR_MASK, va);
	pte = pt_lookup(&pt, va + KIB4, &size);
	assert_int_equal(size, KIB4);
	assert_true((pte & PTE_W) && (pte & PTE_NX));
	assert_int_equal(pte & PTE_ADDR_MASK, va + KIB4);
	pte = pt_lookup(&pt, 0x400000, &size);
	assert_int_equal(size, MIB2);
	assert_int_equal(pte & PTE_ADDR_MASK, 0x400000);
	pte = pt_lookup(&pt, 512 * MIB2 - 1, &size);
	assert_int_equal(size, MIB2);
}

static void test_unmap(void **state)
{
	struct pt pt = new_pt(true);
	uint64_t size;

	assert_int_equal(pt_map(&pt, 0, 0, GIB, PAGE_KERNEL_RW), E_OK);
	assert_int_equal(pt_unmap(&pt, 0, KIB4), E_OK);
	assert_int_equal(pt_lookup(&pt, 8, &size), 0);
	assert_int_equal(size, 0);
	assert_int_not_equal(pt_lookup(&pt, KIB4, &size), 0);
	assert_int_equal(pt_unmap(&pt, 8 * GIB, GIB), E_OK); /* never mapped: no-op */
}

static void test_mmio_attrs(void **state)
{
	struct pt pt = new_pt(true);
	uint64_t pte;

	assert_int_equal(pt_map(&pt, 0, 0, 4 * GIB, PAGE_KERNEL_RW), E_OK);
	assert_int_equal(pt_map(&pt, 0xfee00000, 0xfee00000, KIB4, PAGE_KERNEL_MMIO), E_OK);
	pte = pt_lookup(&pt, 0xfee00000, NULL);
	assert_true((pte & PTE_PCD) && (pte & PTE_PWT));
	pte = pt_lookup(&pt, 0xfee01000, NULL);
	assert_false(pte & PTE_PCD);
}

static void test_no_nx_support(void **state)
{
	struct pt pt = new_pt(true);

	pt.allow_nx = false;
	assert_int_equal(pt_map(&pt, 0, 0, MIB2, PAGE_KERNEL_RW), E_OK);
	assert_false(pt_lookup(&pt, 0, NULL) & PTE_NX);
}

static void test_bad_arguments(void **state)
{
	struct pt pt = new_pt(true);

	assert_int_equal(pt_map(&pt, 123, 0, KIB4, 0), E_ALIGN);
	assert_int_equal(pt_map(&pt, 0, 0, 100, 0), E_ALIGN);
	assert_int_equal(pt_map(&pt, 1ull << 47, 0, KIB4, 0), E_ALIGN);
}

static void test_alloc_failure(void **state)
{
	struct pt pt = new_pt(true);

	fail_after = 1;
	assert_int_equal(pt_map(&pt, 0, 0, KIB4, 0), E_NOMEM);
	assert_int_equal(pt_lookup(&pt, 0, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_large_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_2m_when_no_1g, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_keeps_neighbours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmio_attrs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_nx_support, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failure, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
