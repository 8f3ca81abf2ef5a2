/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the EPT builder (vmx/ept.c): leaf formats, page-size choice,
 * splitting, unmapping, translation, teardown accounting, bad arguments,
 * allocation failure, the EPTP, the kernel allocator wiring and the
 * EPT-violation qualification text; plus a randomised check against a model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "vmx/ept.h"
#include "tests/unit/fake_pmm.h"
#include "tests/unit/fake_ept_tables.h"
#include "tests/unit/fake_printk.h"

#define GIB EPT_PAGE_1G
#define MIB2 EPT_PAGE_2M
#define KIB4 EPT_PAGE_4K
#define MT_BITS(mt) ((uint64_t)(mt) << EPTE_MT_SHIFT)

static int setup(void **state)
{
	fake_ept_tables_reset();
	return 0;
}

static int teardown(void **state)
{
	fake_ept_tables_reset();
	return 0;
}

static struct ept new_ept(bool allow_1g, bool allow_2m, bool ad)
{
	struct ept e = {
	    .allow_1g = allow_1g,
	    .allow_2m = allow_2m,
	    .ad = ad,
	    .alloc_table = fake_ept_table_alloc,
	    .free_table = fake_ept_table_free,
	};

	assert_int_equal(ept_init(&e), E_OK);
	assert_int_equal(e.tables, 1);
	assert_int_not_equal(e.root_pa, 0);
	return e;
}

static void assert_page(const struct ept *e, uint64_t gpa, uint64_t want_hpa, uint64_t want_size)
{
	uint64_t hpa, size;

	assert_int_not_equal(ept_lookup(e, gpa, &hpa, &size), 0);
	assert_int_equal(hpa, want_hpa);
	assert_int_equal(size, want_size);
}

static void test_leaf_format(void **state)
{
	struct ept e = new_ept(true, true, false);
	uint64_t pte, hpa = 0x12345000;

	assert_int_equal(ept_map(&e, 0x5000, hpa, KIB4, EPT_R | EPT_W, EPT_MT_WB), E_OK);
	pte = ept_lookup(&e, 0x5000, NULL, NULL);
	assert_int_equal(pte & EPTE_RWX, EPTE_R | EPTE_W);
	assert_int_equal(pte & EPTE_MT_MASK, MT_BITS(6));
	assert_int_equal(pte & EPTE_ADDR_MASK, hpa);
	assert_false(pte & (EPTE_IPAT | EPTE_PS));
	assert_int_equal(e.tables, 4);

	assert_int_equal(ept_map(&e, 0, 0, MIB2 * 2, EPT_R | EPT_X, EPT_MT_UC), E_OK);
	pte = ept_lookup(&e, MIB2 + 7, NULL, NULL);
	assert_true(pte & EPTE_PS);
	assert_int_equal(pte & (EPTE_RWX | EPTE_MT_MASK), EPTE_R | EPTE_X | MT_BITS(EPT_MT_UC));
	/* The 4 KiB table under the first 2 MiB was replaced and freed. */
	assert_int_equal(e.tables, 3);
	assert_int_equal(fake_ept.frees, 1);
	ept_destroy(&e);
}

static void test_page_size_choice(void **state)
{
	struct ept e = new_ept(true, true, false);
	uint64_t base = 4 * GIB;

	assert_int_equal(ept_map(&e, GIB, base, GIB + MIB2 + KIB4, EPT_RWX, EPT_MT_WB), E_OK);
	assert_page(&e, GIB + 0x1234, base + 0x1234, GIB);
	assert_page(&e, 2 * GIB + 0x5678, base + GIB + 0x5678, MIB2);
	assert_page(&e, 2 * GIB + MIB2 + 0x9, base + GIB + MIB2 + 0x9, KIB4);
	assert_int_equal(ept_lookup(&e, 2 * GIB + MIB2 + KIB4, NULL, NULL), 0);
	assert_int_equal(e.tables, 4); /* PML4, PDPT, PD, PT */

	/* hpa aligned to 2 MiB only: no 1 GiB page even though gpa allows it. */
	assert_int_equal(ept_map(&e, 8 * GIB, 8 * GIB + MIB2, GIB, EPT_RWX, EPT_MT_WB), E_OK);
	assert_page(&e, 8 * GIB, 8 * GIB + MIB2, MIB2);
	/* hpa aligned to 4 KiB only: 4 KiB pages. */
	assert_int_equal(ept_map(&e, 12 * GIB, 12 * GIB + KIB4, MIB2, EPT_RWX, EPT_MT_WB), E_OK);
	assert_page(&e, 12 * GIB + MIB2 - 1, 12 * GIB + KIB4 + MIB2 - 1, KIB4);
	ept_destroy(&e);
}

static void test_no_large_pages_when_not_allowed(void **state)
{
	struct ept only_2m = new_ept(false, true, false);
	struct ept none = new_ept(true, false, false);

	assert_int_equal(ept_map(&only_2m, 0, 0, GIB, EPT_RWX, EPT_MT_WB), E_OK);
	assert_page(&only_2m, GIB - 1, GIB - 1, MIB2);
	/* 1 GiB pages are never used without 2 MiB support. */
	assert_int_equal(ept_map(&none, 0, 0, GIB, EPT_RWX, EPT_MT_WB), E_OK);
	assert_page(&none, GIB - 1, GIB - 1, KIB4);
	assert_page(&none, 0, 0, KIB4);
	assert_int_equal(none.tables, 3 + 512);
	ept_destroy(&only_2m);
	ept_destroy(&none);
	assert_int_equal(fake_ept.allocs, fake_ept.frees);
}

static void test_split_keeps_neighbours(void **state)
{
	struct ept e = new_ept(true, true, false);
	uint64_t base = 3 * GIB, gpa = MIB2 * 5 + KIB4 * 7, pte;
	unsigned perms;

	assert_int_equal(ept_map(&e, 0, base, GIB, EPT_RWX, EPT_MT_WB), E_OK);
	assert_int_equal(ept_map(&e, gpa, 0x7000, KIB4, EPT_R, EPT_MT_UC), E_OK);
	pte = ept_lookup(&e, gpa, NULL, NULL);
	assert_int_equal(pte & (EPTE_RWX | EPTE_MT_MASK), EPTE_R | MT_BITS(EPT_MT_UC));
	assert_page(&e, gpa, 0x7000, KIB4);
	assert_page(&e, gpa - KIB4, base + gpa - KIB4, KIB4);
	assert_page(&e, gpa + KIB4, base + gpa + KIB4, KIB4);
	assert_int_equal(ept_translate(&e, gpa + KIB4, NULL, &perms), E_OK);
	assert_int_equal(perms, EPT_RWX);
	pte = ept_lookup(&e, gpa + KIB4, NULL, NULL);
	assert_int_equal(pte & EPTE_MT_MASK, MT_BITS(EPT_MT_WB));
	assert_page(&e, MIB2 * 4, base + MIB2 * 4, MIB2);
	assert_page(&e, MIB2 * 6, base + MIB2 * 6, MIB2);
	assert_page(&e, GIB - 1, base + GIB - 1, MIB2);
	assert_int_equal(e.tables, 4);
	ept_destroy(&e);
}

static void test_unchanged_subrange_not_split(void **state)
{
	struct ept e = new_ept(true, true, false);

	assert_int_equal(ept_map(&e, 0, 0, GIB, EPT_RWX, EPT_MT_WB), E_OK);
	assert_int_equal(ept_map(&e, MIB2 + KIB4, MIB2 + KIB4, KIB4, EPT_RWX, EPT_MT_WB), E_OK);
	assert_page(&e, MIB2, MIB2, GIB);
	assert_int_equal(e.tables, 2);
	/* Same target, other permissions: now it must split. */
	assert_int_equal(ept_map(&e, MIB2, MIB2, KIB4, EPT_R, EPT_MT_WB), E_OK);
	assert_page(&e, MIB2, MIB2, KIB4);
	assert_int_equal(ept_lookup(&e, MIB2, NULL, NULL) & EPTE_RWX, EPTE_R);
	assert_int_equal(e.tables, 4);
	/* Other target, same permissions: splits too (here the 2 MiB page below). */
	assert_int_equal(ept_map(&e, 4 * MIB2, 0, KIB4, EPT_RWX, EPT_MT_WB), E_OK);
	assert_page(&e, 4 * MIB2, 0, KIB4);
	assert_page(&e, 4 * MIB2 + KIB4, 4 * MIB2 + KIB4, KIB4);
	assert_int_equal(e.tables, 5);
	ept_destroy(&e);
}

/* Accessed/dirty flags set by the CPU survive a split and do not force one. */
static void test_split_keeps_accessed_dirty(void **state)
{
	struct ept e = new_ept(false, true, true);
	uint64_t *pml4 = (uint64_t *)(uintptr_t)e.root_pa, *pdpt, *pd;

	assert_int_equal(ept_map(&e, 0, 0, MIB2, EPT_RWX, EPT_MT_WB), E_OK);
	pdpt = (uint64_t *)(uintptr_t)(pml4[0] & EPTE_ADDR_MASK);
	pd = (uint64_t *)(uintptr_t)(pdpt[0] & EPTE_ADDR_MASK);
	assert_true(pd[0] & EPTE_PS);
	pd[0] |= EPTE_A | EPTE_D;
	assert_int_equal(ept_map(&e, KIB4, KIB4, KIB4, EPT_RWX, EPT_MT_WB), E_OK);
	assert_int_equal(e.tables, 3);
	assert_int_equal(ept_map(&e, 0, MIB2, KIB4, EPT_RWX, EPT_MT_WB), E_OK);
	assert_int_equal(e.tables, 4);
	assert_int_equal(ept_lookup(&e, 0, NULL, NULL) & (EPTE_A | EPTE_D), 0);
	assert_int_equal(ept_lookup(&e, KIB4, NULL, NULL) & (EPTE_A | EPTE_D), EPTE_A | EPTE_D);
	assert_int_equal(ept_lookup(&e, MIB2 - KIB4, NULL, NULL) & (EPTE_A | EPTE_D),
			 EPTE_A | EPTE_D);
	ept_destroy(&e);
}

static void test_unmap(void **state)
{
	struct ept e = new_ept(true, true, false);
	uint64_t hpa = 1, size = 1;

	assert_int_equal(ept_map(&e, 0, 0, GIB, EPT_RWX, EPT_MT_WB), E_OK);
	assert_int_equal(ept_unmap(&e, MIB2, KIB4), E_OK);
	assert_int_equal(ept_lookup(&e, MIB2 + 8, &hpa, &size), 0);
	assert_int_equal(hpa, 0);
	assert_int_equal(size, 0);
	assert_int_equal(ept_translate(&e, MIB2, NULL, NULL), E_NOENT);
	assert_page(&e, MIB2 + KIB4, MIB2 + KIB4, KIB4);
	assert_page(&e, 0, 0, MIB2);
	assert_int_equal(e.tables, 4);
	/* Unmapping a range that holds a table frees the table. */
	assert_int_equal(ept_unmap(&e, MIB2, MIB2), E_OK);
	assert_int_equal(e.tables, 3);
	assert_int_equal(ept_lookup(&e, MIB2 + MIB2 - 1, NULL, NULL), 0);
	/* Never mapped: nothing to do, nothing allocated. */
	assert_int_equal(ept_unmap(&e, 100 * GIB, 3 * GIB), E_OK);
	assert_int_equal(e.tables, 3);
	assert_int_equal(ept_unmap(&e, 0, GIB), E_OK);
	assert_int_equal(ept_lookup(&e, 0, NULL, NULL), 0);
	assert_int_equal(e.tables, 2);
	ept_destroy(&e);
	assert_int_equal(fake_ept.allocs, fake_ept.frees);
}

static void test_translate(void **state)
{
	struct ept e = new_ept(true, true, false);
	uint64_t hpa;
	unsigned perms;

	assert_int_equal(ept_map(&e, 2 * GIB, 6 * GIB, GIB, EPT_R | EPT_X, EPT_MT_WB), E_OK);
	assert_int_equal(ept_translate(&e, 2 * GIB + 0xabcde, &hpa, &perms), E_OK);
	assert_int_equal(hpa, 6 * GIB + 0xabcde);
	assert_int_equal(perms, EPT_R | EPT_X);
	assert_int_equal(ept_translate(&e, 3 * GIB, &hpa, &perms), E_NOENT);
	assert_int_equal(ept_translate(&e, EPT_GPA_LIMIT, &hpa, &perms), E_RANGE);
	assert_int_equal(ept_lookup(&e, EPT_GPA_LIMIT + 2 * GIB, NULL, NULL), 0);
	ept_destroy(&e);
}

static void test_destroy_frees_everything(void **state)
{
	struct ept e = new_ept(true, true, true);

	assert_int_equal(ept_map(&e, 0, 0, 2 * GIB, EPT_RWX, EPT_MT_WB), E_OK);
	assert_int_equal(ept_map(&e, 0x1000, 0x9000, 0x3000, EPT_R, EPT_MT_WB), E_OK);
	assert_int_equal(ept_map(&e, 300 * GIB + KIB4, 0, MIB2 * 3, EPT_RWX, EPT_MT_WB), E_OK);
	assert_int_equal(ept_map(&e, EPT_GPA_LIMIT - KIB4, 0, KIB4, EPT_RWX, EPT_MT_WB), E_OK);
	assert_true(e.tables > 4);
	assert_int_equal(e.tables, fake_ept.allocs - fake_ept.frees);
	ept_destroy(&e);
	assert_int_equal(e.tables, 0);
	assert_int_equal(e.root_pa, 0);
	assert_int_equal(fake_ept.allocs, fake_ept.frees);
	assert_int_equal(fake_ept.nlive, 0);
	assert_int_equal(fake_ept.bad_frees, 0);
	ept_destroy(&e); /* second time: nothing left, nothing freed */
	assert_int_equal(fake_ept.bad_frees, 0);
	assert_int_equal(ept_map(&e, 0, 0, KIB4, EPT_R, EPT_MT_WB), E_STATE);
}

static void test_bad_arguments(void **state)
{
	struct ept e = new_ept(true, true, false);
	struct ept no_free = {.alloc_table = fake_ept_table_alloc};

	assert_int_equal(ept_map(&e, 0x123, 0, KIB4, EPT_R, EPT_MT_WB), E_ALIGN);
	assert_int_equal(ept_map(&e, 0, 0x800, KIB4, EPT_R, EPT_MT_WB), E_ALIGN);
	assert_int_equal(ept_map(&e, 0, 0, 100, EPT_R, EPT_MT_WB), E_ALIGN);
	assert_int_equal(ept_unmap(&e, 0, 0x10), E_ALIGN);
	assert_int_equal(ept_map(&e, EPT_GPA_LIMIT, 0, KIB4, EPT_R, EPT_MT_WB), E_RANGE);
	assert_int_equal(ept_map(&e, EPT_GPA_LIMIT - KIB4, 0, 2 * KIB4, EPT_R, EPT_MT_WB), E_RANGE);
	assert_int_equal(ept_map(&e, 0, EPT_HPA_LIMIT, KIB4, EPT_R, EPT_MT_WB), E_RANGE);
	assert_int_equal(ept_map(&e, KIB4, 0, -KIB4, EPT_R, EPT_MT_WB), E_RANGE);
	assert_int_equal(ept_unmap(&e, EPT_GPA_LIMIT, KIB4), E_RANGE);
	assert_int_equal(ept_map(&e, 0, 0, KIB4, 0, EPT_MT_WB), E_INVAL);
	assert_int_equal(ept_map(&e, 0, 0, KIB4, EPT_W, EPT_MT_WB), E_INVAL);
	assert_int_equal(ept_map(&e, 0, 0, KIB4, EPT_X, EPT_MT_WB), E_INVAL);
	assert_int_equal(ept_map(&e, 0, 0, KIB4, EPT_R | 8, EPT_MT_WB), E_INVAL);
	assert_int_equal(ept_map(&e, 0, 0, KIB4, EPT_R, 2), E_INVAL);
	assert_int_equal(ept_map(&e, 0, 0, KIB4, EPT_R, 7), E_INVAL);
	assert_int_equal(ept_map(&e, 0, 0, KIB4, EPT_R, 100), E_INVAL);
	assert_int_equal(e.tables, 1); /* nothing was built on the way */
	assert_int_equal(ept_init(&no_free), E_INVAL);
	assert_int_equal(no_free.tables, 0);
	ept_destroy(&e);
}

static void test_nomem_keeps_earlier_mappings(void **state)
{
	struct ept e = new_ept(true, true, false);
	uint64_t pte;

	assert_int_equal(ept_map(&e, 0, 0, GIB, EPT_RWX, EPT_MT_WB), E_OK);
	fake_ept.fail_after = 0;
	/* A split that cannot get its table leaves the 1 GiB page as it was. */
	assert_int_equal(ept_map(&e, MIB2, 0, KIB4, EPT_R, EPT_MT_UC), E_NOMEM);
	pte = ept_lookup(&e, MIB2, NULL, NULL);
	assert_int_equal(pte & (EPTE_RWX | EPTE_MT_MASK | EPTE_PS),
			 EPTE_RWX | MT_BITS(EPT_MT_WB) | EPTE_PS);
	assert_page(&e, MIB2, MIB2, GIB);
	assert_int_equal(ept_unmap(&e, 0, KIB4), E_NOMEM);
	assert_page(&e, 0, 0, GIB);
	/* Fail midway through a fresh range: the old range is untouched. */
	fake_ept.fail_after = 1;
	assert_int_equal(ept_map(&e, 5 * GIB, 0, KIB4, EPT_RWX, EPT_MT_WB), E_NOMEM);
	assert_page(&e, GIB - KIB4, GIB - KIB4, GIB);
	fake_ept.fail_after = -1;
	assert_int_equal(ept_map(&e, 5 * GIB, 0, KIB4, EPT_RWX, EPT_MT_WB), E_OK);
	assert_page(&e, 5 * GIB, 0, KIB4);
	assert_int_equal(e.tables, fake_ept.allocs - fake_ept.frees);
	ept_destroy(&e);
	assert_int_equal(fake_ept.allocs, fake_ept.frees);
	fake_ept.fail_after = 0;
	e = (struct ept){.alloc_table = fake_ept_table_alloc, .free_table = fake_ept_table_free};
	assert_int_equal(ept_init(&e), E_NOMEM);
	assert_int_equal(e.tables, 0);
}

static void test_eptp(void **state)
{
	struct ept plain = new_ept(true, true, false);
	struct ept ad = new_ept(true, true, true);

	assert_int_equal(ept_eptp(&plain), plain.root_pa | 0x1e);
	assert_int_equal(ept_eptp(&ad), ad.root_pa | 0x1e | 0x40);
	assert_int_equal(ept_eptp(&plain) & 7, EPT_MT_WB);
	assert_int_equal((ept_eptp(&plain) >> 3) & 7, 3);
	ept_destroy(&plain);
	ept_destroy(&ad);
}

static void test_kernel_allocator(void **state)
{
	struct ept e;

	fake_pmm_reset(1024);
	assert_int_equal(ept_init_kernel(&e, true, true, true), E_OK);
	assert_true(fake_pmm_is_allocated(e.root_pa));
	assert_true(e.allow_1g && e.allow_2m && e.ad);
	/* The fake fills new pages with garbage: unmapped lookups prove zeroing. */
	assert_int_equal(ept_map(&e, GIB + KIB4, 0x200000, KIB4, EPT_RWX, EPT_MT_WB), E_OK);
	assert_int_equal(ept_lookup(&e, GIB, NULL, NULL), 0);
	assert_int_equal(ept_lookup(&e, 7 * GIB, NULL, NULL), 0);
	assert_int_equal(ept_lookup(&e, 300 * GIB, NULL, NULL), 0);
	assert_page(&e, GIB + KIB4, 0x200000, KIB4);
	assert_int_equal(fake_pmm_outstanding(), 4);
	ept_destroy(&e);
	assert_int_equal(fake_pmm_outstanding(), 0);
	assert_int_equal(e.tables, 0);

	fake_pmm_fail_after(0);
	assert_int_equal(ept_init_kernel(&e, false, false, false), E_NOMEM);
	fake_pmm_stop_failing();

	/* A free the allocator rejects is reported, not ignored. */
	fake_printk_clear();
	assert_int_equal(ept_init_kernel(&e, true, true, false), E_OK);
	e.free_table(e.ctx, 0x1000);
	assert_true(fake_printk_contains("freeing EPT table at 0x1000"));
	ept_destroy(&e);
	assert_int_equal(fake_pmm_outstanding(), 0);
	fake_pmm_reset(1024);
}

static void assert_describes(uint64_t qual, const char *want)
{
	char buf[256];

	ept_violation_describe(qual, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_violation_text(void **state)
{
	char small[10];

	assert_describes(EPT_QUAL_WRITE | EPT_QUAL_READABLE | EPT_QUAL_GLA_VALID |
			     EPT_QUAL_GLA_FINAL,
			 "write access to a page that is readable, not writable, not executable; "
			 "guest linear address valid (access to its translation)");
	assert_describes(EPT_QUAL_FETCH, "instruction fetch access to a page that is not mapped; "
					 "no guest linear address");
	assert_describes(EPT_QUAL_READ | EPT_QUAL_WRITE | EPT_QUAL_WRITABLE | EPT_QUAL_READABLE |
			     EPT_QUAL_EXECUTABLE | EPT_QUAL_GLA_VALID | EPT_QUAL_NMI_UNBLOCK,
			 "read and write access to a page that is readable, writable, executable; "
			 "guest linear address valid (during a guest page walk); "
			 "NMI unblocking due to IRET");
	assert_describes(EPT_QUAL_EXECUTABLE | EPT_QUAL_SHADOW_STACK | EPT_QUAL_ASYNC |
			     EPT_QUAL_PAGING_VERIFY,
			 "access of unknown type to a page that is not readable, not writable, "
			 "executable; no guest linear address; shadow-stack access; "
			 "guest-paging verification; asynchronous to instruction execution");
	memset(small, 'x', sizeof(small));
	ept_violation_describe(EPT_QUAL_WRITE, small, sizeof(small));
	assert_string_equal(small, "write acc");
	ept_violation_describe(EPT_QUAL_WRITE, small, 0);
	assert_int_equal(small[0], 'w');
}

/* ---- randomised check against a flat model, one slot per 4 KiB page ---- */

#define MODEL_SPAN (4 * GIB)
#define MODEL_PAGES (MODEL_SPAN / KIB4)
#define MODEL_OPS 300
#define MODEL_SAMPLES 2000
#define MODEL_MAPPED (1ull << 63)

static uint64_t *model;

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void model_check_page(const struct ept *e, uint64_t page)
{
	uint64_t hpa, pte = ept_lookup(e, page * KIB4, &hpa, NULL);
	uint64_t want = model[page];

	if (!(want & MODEL_MAPPED)) {
		assert_int_equal(pte, 0);
		return;
	}
	assert_int_not_equal(pte, 0);
	assert_int_equal(hpa, want & EPTE_ADDR_MASK);
	assert_int_equal(pte & (EPTE_RWX | EPTE_MT_MASK), want & (EPTE_RWX | EPTE_MT_MASK));
}

static void model_op(struct ept *e, uint64_t *seed)
{
	static const uint64_t grains[] = {KIB4, MIB2, GIB};
	static const unsigned perm_set[] = {EPT_R, EPT_R | EPT_W, EPT_R | EPT_X, EPT_RWX};
	static const unsigned mt_set[] = {EPT_MT_WB, EPT_MT_UC, EPT_MT_WT};
	uint64_t grain = grains[rnd(seed) % 3];
	uint64_t gpa = (rnd(seed) % (MODEL_SPAN / grain)) * grain;
	uint64_t size = (1 + rnd(seed) % 3) * grains[rnd(seed) % 3];
	uint64_t hpa = (rnd(seed) % 64) * (rnd(seed) % 2 ? GIB : MIB2) + (rnd(seed) % 2) * KIB4;
	unsigned perms = perm_set[rnd(seed) % 4], mt = mt_set[rnd(seed) % 3];
	bool unmap = rnd(seed) % 4 == 0;

	if (gpa + size > MODEL_SPAN)
		size = MODEL_SPAN - gpa;
	if (rnd(seed) % 2)
		hpa = gpa; /* identity: remaps often land inside an equal large page */
	if (unmap)
		assert_int_equal(ept_unmap(e, gpa, size), E_OK);
	else
		assert_int_equal(ept_map(e, gpa, hpa, size, perms, mt), E_OK);
	for (uint64_t off = 0; off < size; off += KIB4)
		model[(gpa + off) / KIB4] =
		    unmap ? 0 : MODEL_MAPPED | (hpa + off) | perms | MT_BITS(mt);
	model_check_page(e, gpa / KIB4);
	model_check_page(e, (gpa + size) / KIB4 - 1);
	if (gpa)
		model_check_page(e, gpa / KIB4 - 1);
	if (gpa + size < MODEL_SPAN)
		model_check_page(e, (gpa + size) / KIB4);
}

static void test_random_against_model(void **state)
{
	struct ept e = new_ept(true, true, false);
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	model = calloc(MODEL_PAGES, sizeof(*model));
	assert_non_null(model);
	for (int op = 0; op < MODEL_OPS; op++) {
		model_op(&e, &seed);
		for (int i = 0; i < MODEL_SAMPLES; i++)
			model_check_page(&e, rnd(&seed) % MODEL_PAGES);
		assert_int_equal(e.tables, fake_ept.allocs - fake_ept.frees);
	}
	for (uint64_t page = 0; page < MODEL_PAGES; page += 97)
		model_check_page(&e, page);
	ept_destroy(&e);
	assert_int_equal(fake_ept.allocs, fake_ept.frees);
	assert_int_equal(fake_ept.bad_frees, 0);
	free(model);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_leaf_format, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_page_size_choice, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_large_pages_when_not_allowed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_split_keeps_neighbours, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unchanged_subrange_not_split, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_split_keeps_accessed_dirty, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unmap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_translate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_destroy_frees_everything, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nomem_keeps_earlier_mappings, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_eptp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kernel_allocator, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_violation_text, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_random_against_model, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
