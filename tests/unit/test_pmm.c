/* SPDX-License-Identifier: MIT */
/*
 * Host tests for mm/pmm.c: building the allocator from awkward memory maps,
 * reserved ranges, exhaustion, alignment, fragmentation, bad frees, a random
 * run against a shadow model, and the locked global wrappers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "mm/pmm.h"
#include "mm/pmm_core.h"
#include "arch/x86/cpu.h"
#include "tests/unit/fake_panic.h"
#include "tests/unit/fake_printk.h"

#define AVAIL PMM_REGION_AVAILABLE
#define RESERVED_TYPE 2
#define ACPI_NVS_TYPE 4
#define KIB 1024ull
#define MIB (1024ull * KIB)
#define GIB (1024ull * MIB)

/* The arena backs fake physical memory [FAKE_BASE, FAKE_BASE + ARENA_BYTES). */
#define FAKE_BASE (1 * MIB)
#define ARENA_FRAMES 1024ull
#define ARENA_BYTES (ARENA_FRAMES * PAGE_SIZE)
#define ORACLE_GRANULE 0x100ull

static uint8_t *arena;
static struct pmm pm;

static int setup(void **state)
{
	arena = aligned_alloc(PAGE_SIZE, ARENA_BYTES);
	memset(&pm, 0, sizeof(pm));
	fake_printk_clear();
	return arena ? 0 : -1;
}

static int teardown(void **state)
{
	free(arena);
	return 0;
}

static enum err init_pmm(const struct pmm_region *map, size_t n, const struct pmm_range *res,
			 size_t nres)
{
	struct pmm_config cfg = {
	    .map = map,
	    .map_count = n,
	    .reserved = res,
	    .reserved_count = nres,
	    .direct_map_offset = (uintptr_t)arena - FAKE_BASE,
	    .meta_limit = UINT64_MAX,
	};

	return pmm_core_init(&pm, &cfg);
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static bool in_bitmap(uint64_t pa)
{
	return pa >= pm.bitmap_pa && pa < pm.bitmap_pa + pm.bitmap_frames * PAGE_SIZE;
}

/* Independent oracle: is the frame at pa usable by the rules (ignoring the
 * bitmap)? Granule-by-granule coverage by available entries, no overlap
 * with anything non-available or reserved, never frame 0. */
static bool oracle_usable(uint64_t pa, const struct pmm_region *map, size_t n,
			  const struct pmm_range *res, size_t nres)
{
	if (pa == 0)
		return false;
	for (uint64_t g = pa; g < pa + PAGE_SIZE; g += ORACLE_GRANULE) {
		bool covered = false;

		for (size_t i = 0; i < n; i++)
			if (map[i].type == AVAIL && g >= map[i].base &&
			    g + ORACLE_GRANULE <= map[i].base + map[i].length)
				covered = true;
		if (!covered)
			return false;
	}
	for (size_t i = 0; i < n; i++)
		if (map[i].type != AVAIL && overlaps(pa, PAGE_SIZE, map[i].base, map[i].length))
			return false;
	for (size_t i = 0; i < nres; i++)
		if (overlaps(pa, PAGE_SIZE, res[i].base, res[i].length))
			return false;
	return true;
}

/* Allocate single frames until exhaustion; returns how many (pas[] filled). */
static size_t alloc_all(uint64_t *pas, size_t max)
{
	size_t n = 0;
	uint64_t pa;

	while (pmm_core_alloc(&pm, 1, 1, &pa) == E_OK) {
		assert_true(n < max);
		pas[n++] = pa;
	}
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Allocate everything and compare, frame by frame over the arena, with the
 * oracle; then free it all and check the counts come back. */
static void check_against_oracle(const struct pmm_region *map, size_t n,
				 const struct pmm_range *res, size_t nres)
{
	uint64_t *pas = calloc(ARENA_FRAMES, sizeof(*pas));
	size_t start = pm.free_frames, got, expected = 0, k = 0;
	uint64_t dummy;

	assert_non_null(pas);
	assert_int_equal(pmm_core_check(&pm), E_OK);
	got = alloc_all(pas, ARENA_FRAMES);
	assert_int_equal(got, start);
	assert_int_equal(pm.free_frames, 0);
	assert_int_equal(pmm_core_alloc(&pm, 1, 1, &dummy), E_NOMEM);
	qsort(pas, got, sizeof(*pas), cmp_u64);
	for (uint64_t pa = FAKE_BASE; pa < FAKE_BASE + ARENA_BYTES; pa += PAGE_SIZE) {
		bool usable = oracle_usable(pa, map, n, res, nres) && !in_bitmap(pa);
		bool handed_out = k < got && pas[k] == pa;

		assert_int_equal(usable, handed_out);
		assert_int_equal(usable, pmm_core_manages(&pm, pa));
		expected += usable;
		k += handed_out;
	}
	assert_int_equal(expected, got);
	for (size_t i = 0; i < got; i++)
		assert_int_equal(pmm_core_free(&pm, pas[i], 1), E_OK);
	assert_int_equal(pm.free_frames, start);
	assert_int_equal(pmm_core_check(&pm), E_OK);
	free(pas);
}

static void test_single_region(void **state)
{
	struct pmm_region map[] = {{FAKE_BASE, ARENA_BYTES, AVAIL}};

	assert_int_equal(init_pmm(map, 1, NULL, 0), E_OK);
	assert_int_equal(pm.bitmap_pa, FAKE_BASE);
	assert_int_equal(pm.bitmap_frames, 1);
	assert_int_equal(pm.total_frames, ARENA_FRAMES - 1);
	assert_int_equal(pm.free_frames, pm.total_frames);
	assert_false(pmm_core_manages(&pm, FAKE_BASE));
	assert_true(pmm_core_is_free(&pm, FAKE_BASE + PAGE_SIZE));
	check_against_oracle(map, 1, NULL, 0);
}

static void test_overlapping_unsorted_zero_length(void **state)
{
	struct pmm_region map[] = {
	    {FAKE_BASE + 2 * MIB, 2 * MIB, AVAIL},
	    {FAKE_BASE + 3 * MIB, 0, RESERVED_TYPE},
	    {FAKE_BASE + 12 * KIB, 0, AVAIL},
	    {FAKE_BASE, 3 * MIB, AVAIL},
	    {FAKE_BASE + 1 * MIB, 4 * KIB, RESERVED_TYPE},
	    {FAKE_BASE + 1 * MIB, 8 * KIB, AVAIL},
	    {FAKE_BASE + 3 * MIB + 0x800, 0x100, ACPI_NVS_TYPE},
	};
	size_t n = sizeof(map) / sizeof(map[0]);

	assert_int_equal(init_pmm(map, n, NULL, 0), E_OK);
	assert_int_equal(pm.total_frames, ARENA_FRAMES - 1 - 1 - 1);
	assert_false(pmm_core_manages(&pm, FAKE_BASE + 1 * MIB));
	assert_false(pmm_core_manages(&pm, FAKE_BASE + 3 * MIB));
	assert_true(pmm_core_manages(&pm, FAKE_BASE + 3 * MIB + PAGE_SIZE));
	assert_int_equal(pm.run_count, 3);
	check_against_oracle(map, n, NULL, 0);
}

static void test_unaligned_entries(void **state)
{
	struct pmm_region map[] = {
	    {FAKE_BASE, 64 * KIB, AVAIL},
	    {FAKE_BASE + 1 * MIB + 0x800, 0x3000, AVAIL},
	    /* two halves of one frame: together they cover it */
	    {FAKE_BASE + 2 * MIB, 0x800, AVAIL},
	    {FAKE_BASE + 2 * MIB + 0x800, 0x800, AVAIL},
	    /* half a frame only */
	    {FAKE_BASE + 3 * MIB, 0x800, AVAIL},
	};
	struct pmm_range res[] = {{FAKE_BASE + 32 * KIB + 0x10, 0x10, "unaligned tiny"}};
	size_t n = sizeof(map) / sizeof(map[0]);

	assert_int_equal(init_pmm(map, n, res, 1), E_OK);
	assert_false(pmm_core_manages(&pm, FAKE_BASE + 1 * MIB));
	assert_true(pmm_core_manages(&pm, FAKE_BASE + 1 * MIB + 0x1000));
	assert_true(pmm_core_manages(&pm, FAKE_BASE + 1 * MIB + 0x2000));
	assert_false(pmm_core_manages(&pm, FAKE_BASE + 1 * MIB + 0x3000));
	assert_true(pmm_core_manages(&pm, FAKE_BASE + 2 * MIB));
	assert_false(pmm_core_manages(&pm, FAKE_BASE + 3 * MIB));
	assert_false(pmm_core_manages(&pm, FAKE_BASE + 32 * KIB));
	/* 16 frames - bitmap - reserved + 2 + 1 */
	assert_int_equal(pm.total_frames, 16 - 1 - 1 + 2 + 1);
	check_against_oracle(map, n, res, 1);
}

static void test_reserved_ranges_respected(void **state)
{
	struct pmm_region map[] = {
	    {FAKE_BASE + 3 * MIB, 1 * MIB, AVAIL},
	    {FAKE_BASE, 2 * MIB, AVAIL},
	    {FAKE_BASE + 2 * MIB, 1 * MIB, AVAIL},
	    {FAKE_BASE + 2 * MIB + 512 * KIB, 64 * KIB, ACPI_NVS_TYPE},
	    {FAKE_BASE + 3 * MIB + 100 * KIB, 200 * KIB, RESERVED_TYPE},
	};
	struct pmm_range res[] = {
	    {FAKE_BASE + 200 * KIB, 300 * KIB, "kernel image"},
	    {FAKE_BASE + 1 * MIB + 0x123, 0x2000, "boot info"},
	    {FAKE_BASE + 3 * MIB + 900 * KIB, 1 * MIB, "module past the end"},
	    {FAKE_BASE + 190 * KIB, 20 * KIB, "overlaps the kernel"},
	    {0, 1 * MIB, "first MiB"},
	};
	size_t n = sizeof(map) / sizeof(map[0]), nres = sizeof(res) / sizeof(res[0]);

	assert_int_equal(init_pmm(map, n, res, nres), E_OK);
	assert_true(pm.total_frames > 0);
	check_against_oracle(map, n, res, nres);
}

static void test_frame_zero_never_used(void **state)
{
	/* here the arena is fake physical [0, ARENA_BYTES) */
	struct pmm_region map[] = {{0, ARENA_BYTES, AVAIL}};
	struct pmm_config cfg = {
	    .map = map,
	    .map_count = 1,
	    .direct_map_offset = (uintptr_t)arena,
	    .meta_limit = UINT64_MAX,
	};
	uint64_t pas[ARENA_FRAMES];
	size_t got;

	assert_int_equal(pmm_core_init(&pm, &cfg), E_OK);
	assert_false(pmm_core_manages(&pm, 0));
	assert_int_equal(pm.bitmap_pa, PAGE_SIZE);
	assert_int_equal(pm.total_frames, ARENA_FRAMES - 2);
	got = alloc_all(pas, ARENA_FRAMES);
	assert_int_equal(got, pm.total_frames);
	for (size_t i = 0; i < got; i++)
		assert_int_not_equal(pas[i], 0);
	assert_int_equal(pmm_core_free(&pm, 0, 1), E_INVAL);
}

static void test_above_4gib(void **state)
{
	struct pmm_region map[] = {
	    {5 * GIB, 1 * GIB, AVAIL},
	    {FAKE_BASE, ARENA_BYTES, AVAIL},
	    {5 * GIB + 4 * KIB, 4 * KIB, RESERVED_TYPE},
	    {(1ull << 52) - 8 * KIB, 1ull << 40, AVAIL},
	    {UINT64_MAX - 8 * KIB, 64 * KIB, AVAIL},
	};
	const uint64_t high_frames = GIB / PAGE_SIZE - 1;
	uint64_t *pas = calloc(high_frames + ARENA_FRAMES + 8, sizeof(*pas));
	size_t got, high = 0, top = 0;
	uint64_t pa;

	assert_non_null(pas);
	assert_int_equal(init_pmm(map, 5, NULL, 0), E_OK);
	assert_true(pm.bitmap_pa >= FAKE_BASE && pm.bitmap_pa < FAKE_BASE + ARENA_BYTES);
	assert_int_equal(pm.total_frames, ARENA_FRAMES - pm.bitmap_frames + high_frames + 2);
	assert_false(pmm_core_manages(&pm, 5 * GIB + 4 * KIB));
	assert_int_equal(pmm_core_alloc(&pm, 512, 512, &pa), E_OK);
	assert_int_equal(pa & (2 * MIB - 1), 0);
	assert_int_equal(pmm_core_free(&pm, pa, 512), E_OK);
	got = alloc_all(pas, high_frames + ARENA_FRAMES + 8);
	assert_int_equal(got, pm.total_frames);
	for (size_t i = 0; i < got; i++) {
		high += pas[i] >= 5 * GIB && pas[i] < 6 * GIB;
		top += pas[i] >= (1ull << 52) - 8 * KIB;
		assert_false(pas[i] == 5 * GIB + 4 * KIB);
	}
	assert_int_equal(high, high_frames);
	assert_int_equal(top, 2);
	for (size_t i = 0; i < got; i++)
		assert_int_equal(pmm_core_free(&pm, pas[i], 1), E_OK);
	assert_int_equal(pm.free_frames, pm.total_frames);
	assert_int_equal(pmm_core_check(&pm), E_OK);
	free(pas);
}

static void test_exhaustion(void **state)
{
	struct pmm_region map[] = {{FAKE_BASE, ARENA_BYTES, AVAIL}};
	uint64_t pa, big;
	size_t total;

	assert_int_equal(init_pmm(map, 1, NULL, 0), E_OK);
	total = pm.total_frames;
	assert_int_equal(pmm_core_alloc(&pm, total + 1, 1, &pa), E_NOMEM);
	assert_int_equal(pm.free_frames, total);
	assert_int_equal(pmm_core_alloc(&pm, total, 1, &big), E_OK);
	assert_int_equal(pm.free_frames, 0);
	assert_int_equal(pmm_core_alloc(&pm, 1, 1, &pa), E_NOMEM);
	assert_int_equal(pmm_core_free(&pm, big + PAGE_SIZE, 1), E_OK);
	/* one frame free: a run of two fails without taking the one */
	assert_int_equal(pmm_core_alloc(&pm, 2, 1, &pa), E_NOMEM);
	assert_int_equal(pm.free_frames, 1);
	assert_int_equal(pmm_core_alloc(&pm, 1, 1, &pa), E_OK);
	assert_int_equal(pa, big + PAGE_SIZE);
	assert_int_equal(pmm_core_free(&pm, big, total), E_OK);
	assert_int_equal(pm.free_frames, total);
	assert_int_equal(pmm_core_check(&pm), E_OK);
}

static void test_bad_arguments(void **state)
{
	struct pmm_region map[] = {{FAKE_BASE, ARENA_BYTES, AVAIL}};
	uint64_t pa;

	assert_int_equal(init_pmm(map, 1, NULL, 0), E_OK);
	assert_int_equal(pmm_core_alloc(&pm, 0, 1, &pa), E_INVAL);
	assert_int_equal(pmm_core_alloc(&pm, 1, 0, &pa), E_INVAL);
	assert_int_equal(pmm_core_alloc(&pm, 1, 3, &pa), E_INVAL);
	assert_int_equal(pmm_core_alloc(&pm, 1, 1, NULL), E_INVAL);
	assert_int_equal(pmm_core_alloc(&pm, 1, 1ull << 62, &pa), E_NOMEM);
	assert_int_equal(pmm_core_alloc(&pm, SIZE_MAX, 1, &pa), E_NOMEM);
	assert_int_equal(pm.free_frames, pm.total_frames);
}

static void test_bad_frees(void **state)
{
	struct pmm_region map[] = {{FAKE_BASE, ARENA_BYTES, AVAIL}};
	struct pmm_range res[] = {{FAKE_BASE + 64 * KIB, 4 * KIB, "reserved"}};
	uint64_t a, b, end = FAKE_BASE + ARENA_BYTES;
	size_t free_before;

	assert_int_equal(init_pmm(map, 1, res, 1), E_OK);
	assert_int_equal(pmm_core_alloc(&pm, 2, 1, &a), E_OK);
	assert_int_equal(pmm_core_free(&pm, a, 2), E_OK);
	free_before = pm.free_frames;
	assert_int_equal(pmm_core_free(&pm, a, 1), E_DOUBLE_FREE);
	assert_int_equal(pmm_core_free(&pm, a + 1, 1), E_ALIGN);
	assert_int_equal(pmm_core_free(&pm, FAKE_BASE + 64 * KIB, 1), E_INVAL);
	assert_int_equal(pmm_core_free(&pm, FAKE_BASE, 1), E_INVAL); /* the bitmap */
	assert_int_equal(pmm_core_free(&pm, end, 1), E_INVAL);
	assert_int_equal(pmm_core_free(&pm, 7 * GIB, 1), E_INVAL);
	assert_int_equal(pm.free_frames, free_before);

	/* a run that is half allocated: nothing is freed */
	assert_int_equal(pmm_core_alloc(&pm, 1, 1, &b), E_OK);
	assert_int_equal(pmm_core_free(&pm, b, 2), E_DOUBLE_FREE);
	assert_false(pmm_core_is_free(&pm, b));
	assert_int_equal(pmm_core_free(&pm, b, 0), E_INVAL);
	/* a run running past the end of its usable run */
	assert_int_equal(pmm_core_free(&pm, end - PAGE_SIZE, 2), E_INVAL);
	assert_int_equal(pmm_core_free(&pm, b, SIZE_MAX), E_INVAL);
	assert_int_equal(pmm_core_check(&pm), E_OK);
}

static void test_aligned_runs(void **state)
{
	/* an arena-sized run that starts 4 KiB past a 2 MiB boundary */
	struct pmm_region map[] = {{FAKE_BASE, ARENA_BYTES, AVAIL},
				   {5 * GIB + 4 * KIB, 8 * MIB, AVAIL}};
	static const size_t aligns[] = {1, 2, 4, 8, 16, 64, 256, 512};
	uint64_t pa, runs[64][2];
	size_t nrun = 0;

	assert_int_equal(init_pmm(map, 2, NULL, 0), E_OK);
	assert_int_equal(pmm_core_alloc(&pm, 8, 512, &pa), E_OK);
	assert_int_equal(pa & (2 * MIB - 1), 0);
	assert_int_equal(pmm_core_free(&pm, pa, 8), E_OK);
	for (size_t i = 0; i < 40; i++) {
		size_t align = aligns[i % 8], count = 1 + (i * 7) % 13;

		if (pmm_core_alloc(&pm, count, align, &pa) != E_OK)
			continue;
		assert_int_equal(pa % (align * PAGE_SIZE), 0);
		for (size_t j = 0; j < nrun; j++)
			assert_false(
			    overlaps(pa, count * PAGE_SIZE, runs[j][0], runs[j][1] * PAGE_SIZE));
		runs[nrun][0] = pa;
		runs[nrun++][1] = count;
	}
	assert_true(nrun >= 30);
	/* 2 MiB-aligned 2 MiB runs: one in the arena (2-4 MiB), three in the
	 * high run (its first 2 MiB lacks the head at 5 GiB) */
	for (size_t j = 0; j < nrun; j++)
		assert_int_equal(pmm_core_free(&pm, runs[j][0], runs[j][1]), E_OK);
	nrun = 0;
	while (pmm_core_alloc(&pm, 512, 512, &pa) == E_OK) {
		assert_int_equal(pa & (2 * MIB - 1), 0);
		assert_true(pa == 2 * MIB || (pa > 5 * GIB && pa < 5 * GIB + 8 * MIB));
		runs[nrun++][0] = pa;
	}
	assert_int_equal(nrun, 4);
	for (size_t j = 0; j < nrun; j++)
		assert_int_equal(pmm_core_free(&pm, runs[j][0], 512), E_OK);
	assert_int_equal(pm.free_frames, pm.total_frames);
}

static void test_fragmentation(void **state)
{
	struct pmm_region map[] = {{FAKE_BASE, ARENA_BYTES, AVAIL}};
	uint64_t pas[ARENA_FRAMES], pa;
	size_t got;

	assert_int_equal(init_pmm(map, 1, NULL, 0), E_OK);
	got = alloc_all(pas, ARENA_FRAMES);
	qsort(pas, got, sizeof(*pas), cmp_u64);
	for (size_t i = 0; i < got; i += 2)
		assert_int_equal(pmm_core_free(&pm, pas[i], 1), E_OK);
	assert_int_equal(pm.free_frames, (got + 1) / 2);
	assert_int_equal(pmm_core_alloc(&pm, 2, 1, &pa), E_NOMEM);
	/* free one more in the middle: exactly one 3-frame hole appears */
	assert_int_equal(pmm_core_free(&pm, pas[501], 1), E_OK);
	assert_int_equal(pmm_core_alloc(&pm, 4, 1, &pa), E_NOMEM);
	assert_int_equal(pmm_core_alloc(&pm, 3, 1, &pa), E_OK);
	assert_int_equal(pa, pas[500]);
	assert_int_equal(pmm_core_alloc(&pm, 1, 1, &pa), E_OK);
	assert_true(pmm_core_check(&pm) == E_OK);
}

static void test_next_fit_and_wrap(void **state)
{
	struct pmm_region map[] = {{FAKE_BASE, ARENA_BYTES, AVAIL}};
	uint64_t a, b, rest, pa;

	assert_int_equal(init_pmm(map, 1, NULL, 0), E_OK);
	assert_int_equal(pmm_core_alloc(&pm, 1, 1, &a), E_OK);
	assert_int_equal(pmm_core_free(&pm, a, 1), E_OK);
	assert_int_equal(pmm_core_alloc(&pm, 1, 1, &b), E_OK);
	assert_int_equal(b, a + PAGE_SIZE); /* next-fit moves on */
	/* everything after b, then the frame behind the hint by wrapping */
	assert_int_equal(pmm_core_alloc(&pm, pm.free_frames - 1, 1, &rest), E_OK);
	assert_int_equal(rest, b + PAGE_SIZE);
	assert_int_equal(pmm_core_alloc(&pm, 1, 1, &pa), E_OK);
	assert_int_equal(pa, a);
	assert_int_equal(pmm_core_alloc(&pm, 1, 1, &pa), E_NOMEM);
	assert_int_equal(pmm_core_free(&pm, b, 1), E_OK);
	assert_int_equal(pmm_core_alloc(&pm, 1, 1, &pa), E_OK);
	assert_int_equal(pa, b);
	assert_int_equal(pm.free_frames, 0);
}

static void test_too_many_runs(void **state)
{
	enum { N = PMM_MAX_RUNS + 4 };
	struct pmm_region map[N];

	for (size_t i = 0; i < N; i++)
		map[i] = (struct pmm_region){FAKE_BASE + i * 2 * PAGE_SIZE, PAGE_SIZE, AVAIL};
	assert_int_equal(init_pmm(map, N, NULL, 0), E_RANGE);
	assert_true(fake_printk_contains("PMM_MAX_RUNS"));
	/* PMM_MAX_RUNS runs exactly is fine (the bitmap takes the first) */
	assert_int_equal(init_pmm(map, PMM_MAX_RUNS, NULL, 0), E_OK);
	assert_int_equal(pm.total_frames, PMM_MAX_RUNS - 1);
	check_against_oracle(map, PMM_MAX_RUNS, NULL, 0);
}

static void test_no_usable_memory(void **state)
{
	struct pmm_region map[] = {
	    {FAKE_BASE, 1 * MIB, AVAIL},
	    {FAKE_BASE + 2 * MIB, 0x800, AVAIL},
	    {FAKE_BASE + 512 * KIB, 1 * MIB, RESERVED_TYPE},
	};
	struct pmm_range res[] = {{FAKE_BASE, 512 * KIB, "kernel"}};

	assert_int_equal(init_pmm(map, 3, res, 1), E_NOMEM);
	assert_true(fake_printk_contains("no usable"));
	assert_int_equal(init_pmm(NULL, 0, NULL, 0), E_NOMEM);
	/* a single frame is consumed by its own bitmap */
	map[0].length = PAGE_SIZE;
	assert_int_equal(init_pmm(map, 1, NULL, 0), E_NOMEM);
}

static void test_meta_limit(void **state)
{
	struct pmm_region map[] = {{5 * GIB, 1 * GIB, AVAIL}, {FAKE_BASE, 8 * KIB, AVAIL}};
	struct pmm_config cfg = {
	    .map = map,
	    .map_count = 2,
	    .direct_map_offset = (uintptr_t)arena - FAKE_BASE,
	    .meta_limit = 4 * GIB,
	};

	/* the 36 KiB bitmap fits neither below the limit nor in the low run */
	assert_int_equal(pmm_core_init(&pm, &cfg), E_NOMEM);
	assert_true(fake_printk_contains("bitmap"));
	map[1].length = 1 * MIB;
	assert_int_equal(pmm_core_init(&pm, &cfg), E_OK);
	assert_int_equal(pm.bitmap_pa, FAKE_BASE);
	assert_int_equal(pm.bitmap_frames, 9);
}

static void test_check_detects_corruption(void **state)
{
	struct pmm_region map[] = {{FAKE_BASE, ARENA_BYTES - 8 * KIB, AVAIL}};

	assert_int_equal(init_pmm(map, 1, NULL, 0), E_OK);
	assert_int_equal(pmm_core_check(&pm), E_OK);
	pm.bitmap[3] ^= 1;
	assert_int_equal(pmm_core_check(&pm), E_STATE);
	pm.bitmap[3] ^= 1;
	pm.bitmap[pm.runs[0].word + 15] &= ~(1ull << 63); /* padding past 1021 frames */
	assert_int_equal(pmm_core_check(&pm), E_STATE);
	assert_true(fake_printk_contains("padding"));
}

static void test_report(void **state)
{
	struct pmm_region map[] = {{FAKE_BASE, ARENA_BYTES, AVAIL}, {5 * GIB, 1 * GIB, AVAIL}};

	assert_int_equal(init_pmm(map, 2, NULL, 0), E_OK);
	fake_printk_clear();
	pmm_core_report(&pm);
	assert_true(fake_printk_contains("1027 MiB usable"));
	assert_true(fake_printk_contains("0x0000000140000000-0x000000017fffffff"));
}

/* Random allocs and frees against a per-frame shadow of the arena. */
static void test_random_against_shadow(void **state)
{
	struct pmm_region map[] = {
	    {FAKE_BASE, ARENA_BYTES, AVAIL},
	    {FAKE_BASE + 1 * MIB, 64 * KIB, RESERVED_TYPE},
	};
	struct pmm_range res[] = {{FAKE_BASE + 3 * MIB, 200 * KIB, "module"}};
	static uint8_t owner[ARENA_FRAMES];
	static struct {
		uint64_t pa;
		size_t n;
	} live[512];
	size_t nlive = 0;
	unsigned int seed = 12345;

	memset(owner, 0, sizeof(owner));
	assert_int_equal(init_pmm(map, 2, res, 1), E_OK);
	for (int step = 0; step < 20000; step++) {
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 3 && nlive < 512) {
			size_t n = 1 + (seed >> 8) % 9, align = 1ull << ((seed >> 4) % 5);
			uint64_t pa;
			enum err e = pmm_core_alloc(&pm, n, align, &pa);

			if (e == E_NOMEM)
				continue;
			assert_int_equal(e, E_OK);
			assert_int_equal(pa % (align * PAGE_SIZE), 0);
			for (size_t i = 0; i < n; i++) {
				uint64_t f = (pa - FAKE_BASE) / PAGE_SIZE + i;

				assert_true(f < ARENA_FRAMES);
				assert_int_equal(owner[f], 0);
				assert_true(oracle_usable(pa + i * PAGE_SIZE, map, 2, res, 1));
				owner[f] = 1;
			}
			live[nlive].pa = pa;
			live[nlive++].n = n;
		} else if (nlive) {
			size_t k = (seed >> 8) % nlive;

			assert_int_equal(pmm_core_free(&pm, live[k].pa, live[k].n), E_OK);
			assert_int_equal(pmm_core_free(&pm, live[k].pa, 1), E_DOUBLE_FREE);
			for (size_t i = 0; i < live[k].n; i++)
				owner[(live[k].pa - FAKE_BASE) / PAGE_SIZE + i] = 0;
			live[k] = live[--nlive];
		}
		if (step % 1000 == 0)
			assert_int_equal(pmm_core_check(&pm), E_OK);
	}
	while (nlive) {
		nlive--;
		assert_int_equal(pmm_core_free(&pm, live[nlive].pa, live[nlive].n), E_OK);
	}
	assert_int_equal(pm.free_frames, pm.total_frames);
	assert_int_equal(pmm_core_check(&pm), E_OK);
}

static void test_global_wrappers(void **state)
{
	struct pmm_region map[] = {{FAKE_BASE, ARENA_BYTES, AVAIL}};
	struct pmm_config cfg = {
	    .map = map,
	    .map_count = 1,
	    .direct_map_offset = (uintptr_t)arena - FAKE_BASE,
	    .meta_limit = UINT64_MAX,
	};
	uint64_t pa, run;
	size_t start;
	char where[32];

	assert_int_equal(pmm_init_global_config(&cfg), E_OK);
	start = pmm_free_count();
	assert_int_equal(start, ARENA_FRAMES - 1);
	assert_int_equal(pmm_total_count(), start);
	assert_int_equal(pmm_alloc_page(&pa), E_OK);
	assert_int_equal(pmm_alloc_pages(16, 16, &run), E_OK);
	assert_int_equal(run % (16 * PAGE_SIZE), 0);
	assert_int_equal(pmm_free_count(), start - 17);
	assert_true(cpu_irqs_enabled());
	assert_int_equal(pmm_free_pages(pa, 1), E_OK);
	assert_int_equal(pmm_check_consistency(), E_OK);

	fake_panic_arm();
	if (setjmp(fake_panic_env) == 0) {
		pmm_free_pages(pa, 1);
		fail_msg("double free did not panic");
	}
	fake_panic_disarm();
	snprintf(where, sizeof(where), "0x%llx", (unsigned long long)pa);
	assert_non_null(strstr(fake_panic_message(), where));
	assert_non_null(strstr(fake_panic_message(), "E_DOUBLE_FREE"));
	assert_true(cpu_irqs_enabled());

	fake_panic_arm();
	if (setjmp(fake_panic_env) == 0) {
		pmm_free_pages(FAKE_BASE, 1);
		fail_msg("freeing the bitmap did not panic");
	}
	fake_panic_disarm();
	assert_non_null(strstr(fake_panic_message(), "E_INVAL"));

	/* the lock was released before panicking: the allocator still works */
	assert_int_equal(pmm_free_pages(run, 16), E_OK);
	assert_int_equal(pmm_free_count(), start);
	fake_printk_clear();
	pmm_report();
	assert_true(fake_printk_contains("3 MiB usable, 3 MiB free"));
}

static void test_global_boot_limit(void **state)
{
	/* kernel defaults: the bitmap must sit in the boot identity map */
	struct pmm_region map[] = {{5 * GIB, 1 * GIB, AVAIL}};
	uint64_t pa;

	assert_int_equal(pmm_init_global(map, 1, NULL, 0), E_NOMEM);
	assert_int_equal(pmm_free_count(), 0);
	assert_int_equal(pmm_alloc_page(&pa), E_NOMEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_single_region, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overlapping_unsorted_zero_length, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unaligned_entries, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reserved_ranges_respected, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_frame_zero_never_used, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_above_4gib, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exhaustion, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_frees, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_aligned_runs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fragmentation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_next_fit_and_wrap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_many_runs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_usable_memory, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_meta_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check_detects_corruption, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_report, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_random_against_shadow, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_global_wrappers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_global_boot_limit, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
