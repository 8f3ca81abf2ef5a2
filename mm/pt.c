/* SPDX-License-Identifier: MIT */
/*
 * Page-table builder (mm/paging.h): 4-level, 4 KiB tables of 512 entries,
 * PDPTE with PS = 1 GiB page, PDE with PS = 2 MiB page (SDM Vol. 3A 5.5.4).
 */
#include "mm/paging.h"
#include "mm/pmm.h"

#define PT_ENTRIES 512
#define LEVEL_SHIFT(l) (12 + 9 * (l)) /* l: 0 = PT, 1 = PD, 2 = PDPT, 3 = PML4 */
#define LEVEL_SIZE(l) (1ull << LEVEL_SHIFT(l))
#define LEVEL_INDEX(va, l) (((va) >> LEVEL_SHIFT(l)) & (PT_ENTRIES - 1))
#define TABLE_ATTRS (PTE_P | PTE_W)
#define CANONICAL_LIMIT (1ull << 47)

static uint64_t *table_of(uint64_t entry)
{
	return phys_to_virt(entry & PTE_ADDR_MASK);
}

static enum err new_table(struct pt *pt, uint64_t *pa)
{
	enum err e = pt->alloc_table(pt->ctx, pa);

	if (e == E_OK)
		pt->tables++;
	return e;
}

enum err pt_init(struct pt *pt)
{
	pt->tables = 0;
	return new_table(pt, &pt->root_pa);
}

static uint64_t leaf_bits(const struct pt *pt, uint64_t attrs, int level)
{
	uint64_t bits = PTE_P | (attrs & PTE_ATTR_MASK);

	if (!pt->allow_nx)
		bits &= ~PTE_NX;
	return level ? bits | PTE_PS : bits;
}

/* Replace a large-page entry by a table of the next smaller pages. */
static enum err split_large(struct pt *pt, uint64_t *entry, int level)
{
	uint64_t pa, *t, base = *entry & PTE_ADDR_MASK;
	uint64_t attrs = *entry & (PTE_ATTR_MASK | PTE_P);
	enum err e = new_table(pt, &pa);

	if (e != E_OK)
		return e;
	t = phys_to_virt(pa);
	for (int i = 0; i < PT_ENTRIES; i++) {
		t[i] = (base + i * LEVEL_SIZE(level - 1)) | attrs;
		if (level - 1 > 0)
			t[i] |= PTE_PS;
	}
	*entry = pa | TABLE_ATTRS | (attrs & PTE_US);
	return E_OK;
}

/* Descend from level `level` to the table one level below, creating it. */
static enum err next_table(struct pt *pt, uint64_t *entry, int level, uint64_t **out)
{
	enum err e;

	if (!(*entry & PTE_P)) {
		uint64_t pa;

		e = new_table(pt, &pa);
		if (e != E_OK)
			return e;
		*entry = pa | TABLE_ATTRS;
	} else if (*entry & PTE_PS) {
		e = split_large(pt, entry, level);
		if (e != E_OK)
			return e;
	}
	*out = table_of(*entry);
	return E_OK;
}

static bool fits(const struct pt *pt, uint64_t va, uint64_t pa, uint64_t left, int level)
{
	uint64_t sz = LEVEL_SIZE(level);

	if (level == 2 && !pt->allow_1g)
		return false;
	return level == 0 || (!(va & (sz - 1)) && !(pa & (sz - 1)) && left >= sz);
}

/* Set (present) or clear one entry at the largest level that fits. */
static enum err set_one(struct pt *pt, uint64_t va, uint64_t pa, uint64_t left, uint64_t attrs,
			bool present, uint64_t *done)
{
	uint64_t *t = phys_to_virt(pt->root_pa);
	enum err e;

	for (int level = 3; level >= 0; level--) {
		uint64_t *entry = &t[LEVEL_INDEX(va, level)];

		if (level < 3 && fits(pt, va, pa, left, level)) {
			*entry = present ? (pa & PTE_ADDR_MASK) | leaf_bits(pt, attrs, level) : 0;
			*done = LEVEL_SIZE(level);
			return E_OK;
		}
		if (!present && !(*entry & PTE_P)) {
			*done = LEVEL_SIZE(level) - (va & (LEVEL_SIZE(level) - 1));
			return E_OK;
		}
		e = next_table(pt, entry, level, &t);
		if (e != E_OK)
			return e;
	}
	return E_INVAL;
}

static enum err walk_range(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size,
			   uint64_t attrs, bool present)
{
	if ((va | pa | size) & (PAGE_SIZE - 1) || va + size > CANONICAL_LIMIT || va + size < va)
		return E_ALIGN;
	while (size) {
		uint64_t done;
		enum err e = set_one(pt, va, pa, size, attrs, present, &done);

		if (e != E_OK)
			return e;
		if (done > size)
			done = size;
		va += done;
		pa += done;
		size -= done;
	}
	return E_OK;
}

enum err pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t attrs)
{
	return walk_range(pt, va, pa, size, attrs, true);
}

enum err pt_unmap(struct pt *pt, uint64_t va, uint64_t size)
{
	return walk_range(pt, va, va, size, 0, false);
}

uint64_t pt_lookup(const struct pt *pt, uint64_t va, uint64_t *page_size)
{
	uint64_t *t = phys_to_virt(pt->root_pa);

	for (int level = 3; level >= 0; level--) {
		uint64_t entry = t[LEVEL_INDEX(va, level)];

		if (!(entry & PTE_P))
			break;
		if (level == 0 || (entry & PTE_PS)) {
			if (page_size)
				*page_size = LEVEL_SIZE(level);
			return entry;
		}
		t = table_of(entry);
	}
	if (page_size)
		*page_size = 0;
	return 0;
}
