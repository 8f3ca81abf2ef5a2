/* SPDX-License-Identifier: MIT */
/*
 * Host tests for mm/heap.c over the real global frame allocator (mm/pmm.c),
 * initialised on a malloc'd arena whose host addresses are its physical
 * addresses: sizes, alignment, reuse, bad frees, exhaustion and threads.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "arch/x86/cpu.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "mm/pmm_core.h"
#include "tests/unit/fake_panic.h"
#include "tests/unit/fake_printk.h"

#define ARENA_FRAMES 2048ull
#define ARENA_BYTES (ARENA_FRAMES * PAGE_SIZE)
#define THREADS 4
#define THREAD_ROUNDS 3000

static uint8_t *arena;
static size_t start_free;

static int setup(void **state)
{
	struct pmm_region map[1];
	struct pmm_config cfg = {.map = map, .map_count = 1, .meta_limit = UINT64_MAX};

	arena = aligned_alloc(PAGE_SIZE, ARENA_BYTES);
	if (!arena)
		return -1;
	map[0] = (struct pmm_region){(uintptr_t)arena, ARENA_BYTES, PMM_REGION_AVAILABLE};
	if (pmm_init_global_config(&cfg) != E_OK || heap_pages_in_use() != 0)
		return -1;
	start_free = pmm_free_count();
	return 0;
}

/* Every test frees what it took, so the heap is empty between tests. */
static int teardown(void **state)
{
	int leaked = heap_pages_in_use() != 0 || pmm_free_count() != start_free ||
		     pmm_check_consistency() != E_OK;

	free(arena);
	return leaked ? -1 : 0;
}

static void assert_all_returned(void)
{
	assert_int_equal(heap_pages_in_use(), 0);
	assert_int_equal(pmm_free_count(), start_free);
	assert_int_equal(pmm_check_consistency(), E_OK);
	assert_true(cpu_irqs_enabled());
}

static bool in_arena(const void *p, size_t n)
{
	return (const uint8_t *)p >= arena && (const uint8_t *)p + n <= arena + ARENA_BYTES;
}

/* kfree(p) must panic with p's address and `reason` in the message. */
static void expect_bad_free(void *p, const char *reason)
{
	char where[32];

	fake_panic_arm();
	if (setjmp(fake_panic_env) == 0) {
		kfree(p);
		fail_msg("kfree(%p) did not panic (%s)", p, reason);
	}
	fake_panic_disarm();
	snprintf(where, sizeof(where), "%p", p);
	assert_non_null(strstr(fake_panic_message(), where));
	assert_non_null(strstr(fake_panic_message(), reason));
	assert_true(cpu_irqs_enabled());
}

static void test_many_sizes(void **state)
{
	enum { N = 200 };
	uint8_t *p[N];
	size_t sz[N];

	for (size_t i = 0; i < N; i++) {
		sz[i] = i < 150 ? i * 29 : 4096 * (i - 149) / 7 + 1;
		p[i] = kmalloc(sz[i]);
		assert_non_null(p[i]);
		assert_true(in_arena(p[i], sz[i]));
		memset(p[i], (int)i, sz[i]);
	}
	for (size_t i = 0; i < N; i++) {
		for (size_t b = 0; b < sz[i]; b++)
			assert_int_equal(p[i][b], (uint8_t)i);
	}
	for (size_t i = 0; i < N; i += 2)
		kfree(p[i]);
	for (size_t i = 1; i < N; i += 2)
		kfree(p[i]);
	assert_all_returned();
}

static void test_alignment(void **state)
{
	static const size_t sizes[] = {0,    1,	   15,	 16,   17,   100,  255,	  1000,
				       2047, 2048, 2049, 4095, 4096, 4097, 12345, 65536};
	void *p[sizeof(sizes) / sizeof(sizes[0])];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p[i] = kmalloc(sizes[i]);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % HEAP_MIN_ALIGN, 0);
		if (sizes[i] >= HEAP_PAGE_ALIGNED_MIN)
			assert_int_equal((uintptr_t)p[i] % PAGE_SIZE, 0);
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		kfree(p[i]);
	assert_all_returned();
}

static void test_size_classes(void **state)
{
	uint8_t *a = kmalloc(17), *b = kmalloc(20), *c = kmalloc(2048), *d = kmalloc(1025);
	uint8_t *e = kmalloc(0), *f = kmalloc(1);

	/* consecutive blocks of a fresh slab are one class size apart */
	assert_int_equal(b - a, 32);
	assert_int_equal(d - c, 2048);
	assert_int_equal(f - e, 16);
	kfree(a);
	kfree(b);
	kfree(c);
	kfree(d);
	kfree(e);
	kfree(f);
	assert_all_returned();
}

static void test_slab_fill(void **state)
{
	void *p[64];
	size_t n = 0, pages;

	p[n++] = kmalloc(2048);
	pages = heap_pages_in_use();
	assert_true(pages > 0);
	while (heap_pages_in_use() == pages) {
		assert_true(n < 64);
		p[n] = kmalloc(2048);
		assert_non_null(p[n++]);
	}
	/* a slab of the largest class holds at least 7 blocks before a new one */
	assert_true(n - 1 >= 7);
	/* a block freed in the full first slab is reused before any new page */
	kfree(p[n - 1]);
	pages = heap_pages_in_use();
	kfree(p[1]);
	p[1] = kmalloc(2048);
	assert_non_null(p[1]);
	assert_int_equal(heap_pages_in_use(), pages);
	n--;
	while (n)
		kfree(p[--n]);
	assert_all_returned();
}

static void test_reuse_after_free(void **state)
{
	void *keep = kmalloc(64), *p = kmalloc(64), *q;
	uint8_t *big, *big2;
	size_t free_before;

	kfree(p);
	q = kmalloc(64);
	assert_ptr_equal(p, q);
	kfree(q);

	free_before = pmm_free_count();
	big = kmalloc(5 * PAGE_SIZE);
	assert_non_null(big);
	assert_true(pmm_free_count() <= free_before - 5);
	kfree(big);
	assert_int_equal(pmm_free_count(), free_before);
	big2 = kmalloc(5 * PAGE_SIZE);
	assert_non_null(big2);
	kfree(big2);
	kfree(keep);
	assert_all_returned();
}

static void test_kzalloc_zeroes(void **state)
{
	void *keep = kmalloc(200);
	uint8_t *p = kmalloc(200), *q, *big;

	memset(p, 0xaa, 200);
	kfree(p);
	q = kzalloc(200);
	assert_ptr_equal(p, q);
	for (size_t i = 0; i < 200; i++)
		assert_int_equal(q[i], 0);
	big = kmalloc(3 * PAGE_SIZE);
	memset(big, 0x55, 3 * PAGE_SIZE);
	kfree(big);
	big = kzalloc(3 * PAGE_SIZE);
	for (size_t i = 0; i < 3 * PAGE_SIZE; i++)
		assert_int_equal(big[i], 0);
	kfree(big);
	kfree(q);
	kfree(keep);
	assert_all_returned();
}

static void test_free_null(void **state)
{
	unsigned int panics = fake_panic_count();

	kfree(NULL);
	assert_int_equal(fake_panic_count(), panics);
	assert_all_returned();
}

static void test_double_free_small(void **state)
{
	uint8_t *keep = kmalloc(48), *p = kmalloc(48), *last;

	kfree(p);
	expect_bad_free(p, "already freed");
	/* freeing the last block releases its slab: a second free is foreign */
	kfree(keep);
	assert_int_equal(heap_pages_in_use(), 0);
	expect_bad_free(keep, "not heap memory");
	last = kmalloc(48);
	kfree(last);
	assert_all_returned();
}

static void test_double_free_large(void **state)
{
	uint8_t *keep = kmalloc(16), *big = kmalloc(3 * PAGE_SIZE);

	kfree(big);
	expect_bad_free(big, "not heap memory");
	kfree(keep);
	assert_all_returned();
}

static void test_foreign_and_interior_pointers(void **state)
{
	int on_stack;
	uint64_t pa;
	uint8_t *small = kmalloc(100), *big = kmalloc(2 * PAGE_SIZE);

	expect_bad_free(&on_stack, "not heap memory");
	assert_int_equal(pmm_alloc_page(&pa), E_OK);
	expect_bad_free(phys_to_virt(pa), "not heap memory");
	assert_int_equal(pmm_free_pages(pa, 1), E_OK);
	expect_bad_free(small + 16, "not the start of a block");
	expect_bad_free(small + 1, "not the start of a block");
	expect_bad_free(big + PAGE_SIZE, "inside a large block");
	/* the slab header itself */
	expect_bad_free((void *)((uintptr_t)small & ~(uintptr_t)(PAGE_SIZE - 1)),
			"not the start of a block");
	/* nothing was freed by the rejected calls */
	memset(small, 1, 100);
	memset(big, 2, 2 * PAGE_SIZE);
	kfree(small);
	kfree(big);
	assert_all_returned();
}

static void test_many_slabs_and_directory_growth(void **state)
{
	enum { SMALL = 3000, LARGE = 400 };
	void **small = calloc(SMALL, sizeof(void *)), **large = calloc(LARGE, sizeof(void *));
	unsigned int seed = 7;

	assert_non_null(small);
	assert_non_null(large);
	for (size_t i = 0; i < SMALL; i++) {
		small[i] = kmalloc(32 + i % 3 * 100);
		assert_non_null(small[i]);
		memcpy(small[i], &i, sizeof(i));
	}
	for (size_t i = 0; i < LARGE; i++) {
		large[i] = kmalloc(PAGE_SIZE);
		assert_non_null(large[i]);
		memcpy(large[i], &i, sizeof(i));
	}
	for (size_t i = SMALL - 1; i > 0; i--) {
		size_t j;
		void *t;

		seed = seed * 1103515245u + 12345u;
		j = (seed >> 8) % (i + 1);
		t = small[i];
		small[i] = small[j];
		small[j] = t;
	}
	for (size_t i = 0; i < LARGE; i++) {
		size_t v;

		memcpy(&v, large[i], sizeof(v));
		assert_int_equal(v, i);
		kfree(large[i]);
	}
	for (size_t i = 0; i < SMALL; i++)
		kfree(small[i]);
	free(small);
	free(large);
	assert_all_returned();
}

static void test_exhaustion(void **state)
{
	void *p[ARENA_FRAMES];
	size_t n = 0;
	uint64_t pa;

	assert_null(kmalloc(SIZE_MAX));
	assert_null(kmalloc(SIZE_MAX - PAGE_SIZE));
	assert_null(kmalloc(ARENA_BYTES));
	assert_int_equal(heap_pages_in_use(), 0);
	while ((p[n] = kmalloc(8 * PAGE_SIZE)) != NULL)
		n++;
	assert_true(n > 0 && n < ARENA_FRAMES / 8);
	while ((p[n] = kmalloc(PAGE_SIZE)) != NULL)
		n++;
	/* what is left cannot hold a new slab */
	assert_int_equal(pmm_alloc_pages(4, 1, &pa), E_NOMEM);
	assert_null(kmalloc(16));
	while (n)
		kfree(p[--n]);
	assert_all_returned();
}

static void *thread_body(void *arg)
{
	uintptr_t id = (uintptr_t)arg;
	uint8_t *mine[16] = {0};
	size_t sizes[16] = {0};
	unsigned int seed = (unsigned int)id * 77 + 1;
	int bad = 0;

	for (int r = 0; r < THREAD_ROUNDS; r++) {
		size_t k;

		seed = seed * 1103515245u + 12345u;
		k = (seed >> 8) % 16;
		if (mine[k]) {
			for (size_t b = 0; b < sizes[k]; b++)
				bad |= mine[k][b] != (uint8_t)(id + k);
			kfree(mine[k]);
			mine[k] = NULL;
		} else {
			sizes[k] = 1 + (seed >> 12) % 3000;
			mine[k] = kmalloc(sizes[k]);
			if (mine[k])
				memset(mine[k], (int)(id + k), sizes[k]);
		}
	}
	for (size_t k = 0; k < 16; k++)
		kfree(mine[k]);
	return (void *)(uintptr_t)bad;
}

static void test_threads(void **state)
{
	pthread_t t[THREADS];

	for (uintptr_t i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thread_body, (void *)(i * 16)), 0);
	for (int i = 0; i < THREADS; i++) {
		void *bad;

		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_null(bad);
	}
	assert_int_equal(heap_pages_in_use(), 0);
	assert_int_equal(pmm_free_count(), start_free);
	assert_int_equal(pmm_check_consistency(), E_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_many_sizes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_alignment, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_size_classes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slab_fill, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reuse_after_free, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kzalloc_zeroes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_free_null, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_double_free_small, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_double_free_large, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_foreign_and_interior_pointers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_many_slabs_and_directory_growth, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exhaustion, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
