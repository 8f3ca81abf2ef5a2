/* SPDX-License-Identifier: MIT */
/*
 * Guest page-table walker: no paging, 32-bit paging (SDM 3A 4.3), PAE paging
 * (4.4) and 4-/5-level paging (4.5); the access rights of a data access
 * (4.6) with the accessed and dirty flags it sets (4.8); a byte fetch across
 * page borders.
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

/*
 * One walk: the entries it used (for the accessed and dirty flags) and the
 * rights they grant together: a page is writable or user-accessible only if
 * every entry that controls the translation says so (SDM 3A 4.6.1). PAE
 * PDPTEs carry neither right nor accessed flag and are not recorded.
 */
struct walk {
	gva_read_fn rd;
	void *ctx;
	uint64_t at[LEVELS_5];
	unsigned n, entry_size;
	bool writable, user;
};

static enum err read_entry(struct walk *w, uint64_t gpa, unsigned size, uint64_t *e, bool record)
{
	*e = 0;
	if (!w->rd(w->ctx, gpa, e, size))
		return E_RANGE;
	if (!(*e & PTE_P))
		return E_NOENT;
	if (record) {
		w->at[w->n++] = gpa;
		w->entry_size = size;
		w->writable = w->writable && (*e & PTE_W);
		w->user = w->user && (*e & PTE_US);
	}
	return E_OK;
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
static enum err walk64(struct walk *w, uint64_t table, uint64_t gla, unsigned levels, uint64_t *gpa)
{
	unsigned shift;
	uint64_t entry;
	enum err e;

	while (levels--) {
		shift = PAGE_SHIFT + INDEX64_BITS * levels;
		e = read_entry(w, table + ((gla >> shift) & INDEX64_MASK) * ENTRY64_SIZE,
			       ENTRY64_SIZE, &entry, true);
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
static enum err walk32(struct walk *w, const struct gva_regs *r, uint32_t gla, uint64_t *gpa)
{
	uint64_t pde, pte;
	enum err e;

	e = read_entry(
	    w, (r->cr3 & ADDR_MASK_32) + ((gla >> PD32_SHIFT) & INDEX32_MASK) * ENTRY32_SIZE,
	    ENTRY32_SIZE, &pde, true);
	if (e)
		return e;
	if ((r->cr4 & CR4_PSE) && (pde & PTE_PS)) {
		*gpa = (pde & LARGE32_MASK) | (gla & LARGE32_OFFSET);
		return E_OK;
	}
	e = read_entry(w,
		       (pde & ADDR_MASK_32) + ((gla >> PT32_SHIFT) & INDEX32_MASK) * ENTRY32_SIZE,
		       ENTRY32_SIZE, &pte, true);
	if (e)
		return e;
	*gpa = (pte & ADDR_MASK_32) | (gla & PAGE_OFFSET_MASK);
	return E_OK;
}

/* SDM 3A 4.4: four PDPTEs at CR3[31:5], then a 2-level walk. */
static enum err walk_pae(struct walk *w, const struct gva_regs *r, uint32_t gla, uint64_t *gpa)
{
	uint64_t pdpte;
	enum err e;

	e = read_entry(w,
		       (r->cr3 & PAE_PDPT_MASK) +
			   ((gla >> PAE_PDPT_SHIFT) & PAE_PDPT_INDEX_MASK) * ENTRY64_SIZE,
		       ENTRY64_SIZE, &pdpte, false);
	if (e)
		return e;
	return walk64(w, pdpte & PTE_ADDR_MASK, gla, PAE_LEVELS_BELOW_PDPT, gpa);
}

static enum err walk(struct walk *w, const struct gva_regs *r, uint64_t gla, uint64_t *gpa)
{
	bool la57 = r->cr4 & CR4_LA57;

	w->n = 0;
	w->writable = w->user = true;
	if (!(r->cr0 & CR0_PG)) {
		*gpa = gla & LA32_MASK;
		return E_OK;
	}
	if (!(r->efer & EFER_LMA)) {
		if (r->cr4 & CR4_PAE)
			return walk_pae(w, r, (uint32_t)gla, gpa);
		return walk32(w, r, (uint32_t)gla, gpa);
	}
	if (!(r->cr4 & CR4_PAE))
		return E_INVAL;
	if (!canonical(gla, la57 ? LA57_SIGN_BIT : LA48_SIGN_BIT))
		return E_INVAL;
	return walk64(w, r->cr3 & PTE_ADDR_MASK, gla, la57 ? LEVELS_5 : LEVELS_4, gpa);
}

enum err gva_translate(const struct gva_regs *r, uint64_t gla, gva_read_fn rd, void *ctx,
		       uint64_t *gpa)
{
	struct walk w = {.rd = rd, .ctx = ctx};

	return walk(&w, r, gla, gpa);
}

/*
 * SDM 3A 4.6.1 for a data access: a user-mode access needs a user page, and
 * a write to it a writable one; a supervisor-mode access to a user page
 * faults under SMAP unless RFLAGS.AC is set; a supervisor write to a
 * read-only page faults when CR0.WP is set.
 */
static bool allowed(const struct gva_regs *r, const struct walk *w, const struct gva_access *a)
{
	if (a->user)
		return w->user && (!a->write || w->writable);
	if (w->user && (r->cr4 & CR4_SMAP) && !a->ac)
		return false;
	return !a->write || w->writable || !(r->cr0 & CR0_WP);
}

/* SDM 3A 4.8: accessed in every entry used, dirty in the last for a write. */
static void mark_used(const struct walk *w, const struct gva_access *a, gva_set_bits_fn set,
		      void *ctx)
{
	unsigned i;

	for (i = 0; set && i < w->n; i++)
		set(ctx, w->at[i], (a->write && i == w->n - 1) ? PTE_A | PTE_D : PTE_A,
		    w->entry_size);
}

enum err gva_translate_access(const struct gva_regs *r, uint64_t gla, const struct gva_access *a,
			      const struct gva_mem *m, uint64_t *gpa, uint32_t *pf_error)
{
	struct walk w = {.rd = m->read, .ctx = m->ctx};
	enum err e = walk(&w, r, gla, gpa);

	*pf_error = (a->write ? PF_ERR_W : 0) | (a->user ? PF_ERR_U : 0);
	if (e == E_OK && !allowed(r, &w, a)) {
		*pf_error |= PF_ERR_P;
		return E_NOENT;
	}
	if (e == E_OK)
		mark_used(&w, a, m->set_bits, m->ctx);
	return e;
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
