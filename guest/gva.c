/* SPDX-License-Identifier: MIT */
/*
 * Guest page-table walker: no paging, 32-bit paging (SDM 3A 4.3), PAE paging
 * (4.4) and 4-/5-level paging (4.5), plus a byte fetch across page borders.
 */
#include "guest/gva.h"
#include "arch/x86/paging_bits.h"

/* 32-bit paging (SDM 3A 4.3, Tables 4-4 to 4-6) */
#define ENTRY32_SIZE 4u
#define ADDR_MASK_32 0xFFFFF000u
#define PD32_SHIFT 22
#define PT32_SHIFT 12
#define INDEX32_MASK 0x3FFu
#define LARGE32_MASK 0xFFC00000u
#define LARGE32_OFFSET 0x3FFFFFu
#define LA32_MASK 0xFFFFFFFFull

/* PAE and 4-/5-level paging (SDM 3A 4.4, 4.5) */
#define ENTRY64_SIZE 8u
#define INDEX64_BITS 9
#define INDEX64_MASK 0x1FFu
#define PAE_PDPT_MASK 0xFFFFFFE0u /* CR3 bits 31:5 */
#define PAE_PDPT_SHIFT 30
#define PAE_PDPT_INDEX_MASK 3u
#define PAE_LEVELS_BELOW_PDPT 2
#define LEVELS_4 4
#define LEVELS_5 5
#define LA48_SIGN_BIT 47
#define LA57_SIGN_BIT 56
#define SHIFT_2M 21
#define SHIFT_1G 30

static enum err read_entry(gva_read_fn rd, void *ctx, uint64_t gpa, unsigned size, uint64_t *e)
{
	*e = 0;
	if (!rd(ctx, gpa, e, size))
		return E_RANGE;
	return (*e & PTE_P) ? E_OK : E_NOENT;
}

static bool canonical(uint64_t gla, unsigned sign_bit)
{
	int64_t shifted = (int64_t)(gla << (63 - sign_bit)) >> (63 - sign_bit);

	return (uint64_t)shifted == gla;
}

static uint64_t large_page(uint64_t entry, uint64_t gla, unsigned shift)
{
	uint64_t offset_mask = (1ull << shift) - 1;

	return (entry & PTE_ADDR_MASK & ~offset_mask) | (gla & offset_mask);
}

/*
 * Walk `levels` tables of 512 eight-byte entries starting at `table`; the
 * lowest level maps 4 KiB, and PS is honoured at the 2 MiB and 1 GiB levels.
 */
static enum err walk64(gva_read_fn rd, void *ctx, uint64_t table, uint64_t gla, unsigned levels,
		       uint64_t *gpa)
{
	unsigned shift;
	uint64_t entry;
	enum err e;

	while (levels--) {
		shift = PAGE_SHIFT + INDEX64_BITS * levels;
		e = read_entry(rd, ctx, table + ((gla >> shift) & INDEX64_MASK) * ENTRY64_SIZE,
			       ENTRY64_SIZE, &entry);
		if (e)
			return e;
		if ((shift == SHIFT_2M || shift == SHIFT_1G) && (entry & PTE_PS)) {
			*gpa = large_page(entry, gla, shift);
			return E_OK;
		}
		table = entry & PTE_ADDR_MASK;
	}
	*gpa = table | (gla & PAGE_OFFSET_MASK);
	return E_OK;
}

/* SDM 3A 4.3 */
static enum err walk32(const struct gva_regs *r, uint32_t gla, gva_read_fn rd, void *ctx,
		       uint64_t *gpa)
{
	uint64_t pde, pte;
	enum err e;

	e = read_entry(
	    rd, ctx, (r->cr3 & ADDR_MASK_32) + ((gla >> PD32_SHIFT) & INDEX32_MASK) * ENTRY32_SIZE,
	    ENTRY32_SIZE, &pde);
	if (e)
		return e;
	if ((r->cr4 & CR4_PSE) && (pde & PTE_PS)) {
		*gpa = (pde & LARGE32_MASK) | (gla & LARGE32_OFFSET);
		return E_OK;
	}
	e = read_entry(rd, ctx,
		       (pde & ADDR_MASK_32) + ((gla >> PT32_SHIFT) & INDEX32_MASK) * ENTRY32_SIZE,
		       ENTRY32_SIZE, &pte);
	if (e)
		return e;
	*gpa = (pte & ADDR_MASK_32) | (gla & PAGE_OFFSET_MASK);
	return E_OK;
}

/* SDM 3A 4.4: four PDPTEs at CR3[31:5], then a 2-level walk. */
static enum err walk_pae(const struct gva_regs *r, uint32_t gla, gva_read_fn rd, void *ctx,
			 uint64_t *gpa)
{
	uint64_t pdpte;
	enum err e;

	e = read_entry(rd, ctx,
		       (r->cr3 & PAE_PDPT_MASK) +
			   ((gla >> PAE_PDPT_SHIFT) & PAE_PDPT_INDEX_MASK) * ENTRY64_SIZE,
		       ENTRY64_SIZE, &pdpte);
	if (e)
		return e;
	return walk64(rd, ctx, pdpte & PTE_ADDR_MASK, gla, PAE_LEVELS_BELOW_PDPT, gpa);
}

enum err gva_translate(const struct gva_regs *r, uint64_t gla, gva_read_fn rd, void *ctx,
		       uint64_t *gpa)
{
	bool la57 = r->cr4 & CR4_LA57;

	if (!(r->cr0 & CR0_PG)) {
		*gpa = gla & LA32_MASK;
		return E_OK;
	}
	if (!(r->efer & EFER_LMA)) {
		if (r->cr4 & CR4_PAE)
			return walk_pae(r, (uint32_t)gla, rd, ctx, gpa);
		return walk32(r, (uint32_t)gla, rd, ctx, gpa);
	}
	if (!(r->cr4 & CR4_PAE))
		return E_INVAL;
	if (!canonical(gla, la57 ? LA57_SIGN_BIT : LA48_SIGN_BIT))
		return E_INVAL;
	return walk64(rd, ctx, r->cr3 & PTE_ADDR_MASK, gla, la57 ? LEVELS_5 : LEVELS_4, gpa);
}

enum err gva_fetch(const struct gva_regs *r, uint64_t gla, gva_read_fn rd, void *ctx, uint8_t *buf,
		   unsigned len, unsigned *got)
{
	uint64_t gpa = 0, byte;
	unsigned i;
	enum err e;

	*got = 0;
	for (i = 0; i < len; i++, gla++) {
		if (i == 0 || !(gla & PAGE_OFFSET_MASK)) {
			e = gva_translate(r, gla, rd, ctx, &gpa);
			if (e)
				return e;
		} else {
			gpa++;
		}
		if (!rd(ctx, gpa, &byte, 1))
			return E_RANGE;
		buf[i] = (uint8_t)byte;
		*got = i + 1;
	}
	return E_OK;
}
