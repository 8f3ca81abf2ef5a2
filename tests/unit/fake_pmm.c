/* SPDX-License-Identifier: MIT */
/*
 * Host fake of mm/pmm.h's global allocator: pages from aligned_alloc(),
 * tracked so double frees and leaks show, with a free count and injectable
 * allocation failures. New pages are filled with garbage, as real ones are.
 */
#include <stdlib.h>
#include <string.h>
#include "mm/pmm.h"
#include "tests/unit/fake_pmm.h"

#define FAKE_PMM_SLOTS 256
#define FAKE_PMM_GARBAGE 0xa5

struct fake_alloc {
	uint64_t pa;
	size_t count;
};

static struct fake_alloc allocs[FAKE_PMM_SLOTS];
static size_t total_pages = 1024;
static size_t free_pages = 1024;
static bool failing;
static unsigned int fail_countdown;
static unsigned int alloc_calls;

void fake_pmm_reset(size_t total)
{
	size_t i;

	for (i = 0; i < FAKE_PMM_SLOTS; i++) {
		free((void *)(uintptr_t)allocs[i].pa);
		allocs[i] = (struct fake_alloc){0, 0};
	}
	total_pages = total;
	free_pages = total;
	failing = false;
	fail_countdown = 0;
	alloc_calls = 0;
}

void fake_pmm_fail_after(unsigned int after)
{
	failing = true;
	fail_countdown = after;
}

void fake_pmm_stop_failing(void)
{
	failing = false;
}

size_t fake_pmm_outstanding(void)
{
	return total_pages - free_pages;
}

bool fake_pmm_is_allocated(uint64_t pa)
{
	size_t i;

	for (i = 0; i < FAKE_PMM_SLOTS; i++)
		if (allocs[i].count && allocs[i].pa == pa)
			return true;
	return false;
}

unsigned int fake_pmm_alloc_calls(void)
{
	return alloc_calls;
}

static struct fake_alloc *free_slot(void)
{
	size_t i;

	for (i = 0; i < FAKE_PMM_SLOTS; i++)
		if (!allocs[i].count)
			return &allocs[i];
	return NULL;
}

enum err pmm_alloc_pages(size_t count, size_t align_pages, uint64_t *pa_out)
{
	struct fake_alloc *slot = free_slot();
	size_t align = (align_pages ? align_pages : 1) * PAGE_SIZE;
	void *p;

	alloc_calls++;
	if (failing && fail_countdown-- == 0) {
		fail_countdown = 0;
		return E_NOMEM;
	}
	if (!count || count > free_pages || !slot)
		return E_NOMEM;
	p = aligned_alloc(align, count * PAGE_SIZE);
	if (!p)
		return E_NOMEM;
	memset(p, FAKE_PMM_GARBAGE, count * PAGE_SIZE);
	slot->pa = (uint64_t)(uintptr_t)p;
	slot->count = count;
	free_pages -= count;
	*pa_out = slot->pa;
	return E_OK;
}

enum err pmm_alloc_page(uint64_t *pa_out)
{
	return pmm_alloc_pages(1, 1, pa_out);
}

enum err pmm_free_pages(uint64_t pa, size_t count)
{
	size_t i;

	for (i = 0; i < FAKE_PMM_SLOTS; i++) {
		if (!allocs[i].count || allocs[i].pa != pa)
			continue;
		if (allocs[i].count != count)
			return E_INVAL;
		free((void *)(uintptr_t)pa);
		allocs[i] = (struct fake_alloc){0, 0};
		free_pages += count;
		return E_OK;
	}
	return E_DOUBLE_FREE;
}

size_t pmm_free_count(void)
{
	return free_pages;
}

size_t pmm_total_count(void)
{
	return total_pages;
}
