/* SPDX-License-Identifier: MIT */
/*
 * EPT builder (vmx/ept.h): tables of 512 entries, PDPTE/PDE leaves with PS
 * for 1 GiB/2 MiB pages (SDM 3C 29.3.2), non-leaf entries granting RWX so
 * that leaves alone decide the permissions, the EPTP (SDM 3C 25.6.11), and
 * INVEPT on every CPU after a change to a present entry (SDM 3C 29.4.3).
 */
#include "vmx/ept.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/pmm.h"
#ifndef VIREO_HOST_TEST
#include "smp/smp.h"
#include "vmx/caps.h"
#include "vmx/percpu.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_insn.h"
#endif

#define EPT_ENTRIES 512
#define EPT_TABLE_SIZE 4096
#define TOP_LEVEL 3 /* 0 = PT, 1 = PD, 2 = PDPT, 3 = PML4 */
#define LEVEL_SHIFT(l) (12 + 9 * (l))
#define LEVEL_SIZE(l) (1ull << LEVEL_SHIFT(l))
#define LEVEL_INDEX(gpa, l) (((gpa) >> LEVEL_SHIFT(l)) & (EPT_ENTRIES - 1))
#define TABLE_BITS EPTE_RWX
#define DEFERRED_LEVEL_MASK 3ull /* deferred[]: table address | level of its entries */
/* What a leaf passes on to the smaller pages when it is split. */
#define LEAF_KEEP (EPTE_RWX | EPTE_MT_MASK | EPTE_IPAT | EPTE_A | EPTE_D | EPTE_UX)
/* What decides whether an existing leaf already gives the wanted mapping. */
#define LEAF_SAME (EPTE_RWX | EPTE_MT_MASK | EPTE_IPAT | EPTE_UX)
/* Memory types a leaf may hold (SDM 3C 29.3.7): UC, WC, WT, WP, WB. */
#define VALID_MEMTYPES                                                                             \
	((1u << EPT_MT_UC) | (1u << EPT_MT_WC) | (1u << EPT_MT_WT) | (1u << EPT_MT_WP) |           \
	 (1u << EPT_MT_WB))

static bool entry_present(uint64_t entry)
{
	return entry & EPTE_RWX;
}

static bool entry_is_leaf(uint64_t entry, int level)
{
	return level == 0 || (entry & EPTE_PS);
}

static uint64_t *table_of(uint64_t entry)
{
	return phys_to_virt(entry & EPTE_ADDR_MASK);
}

static enum err new_table(struct ept *e, uint64_t *pa)
{
	enum err r = e->alloc_table(e->ctx, pa);

	if (r == E_OK)
		e->tables++;
	return r;
}

/* Free a table holding entries of `level` and every table below it. */
static void free_tree(struct ept *e, uint64_t pa, int level)
{
	uint64_t *t = phys_to_virt(pa);

	for (int i = 0; level > 0 && i < EPT_ENTRIES; i++)
		if (entry_present(t[i]) && !entry_is_leaf(t[i], level))
			free_tree(e, t[i] & EPTE_ADDR_MASK, level - 1);
	e->free_table(e->ctx, pa);
	e->tables--;
}

/* Invalidate, then free the tables detached since the last invalidation. */
static enum err flush_stale(struct ept *e)
{
	enum err r = e->invalidate(e);

	if (r != E_OK)
		return r;
	e->stale = false;
	while (e->ndeferred) {
		uint64_t d = e->deferred[--e->ndeferred];

		free_tree(e, d & EPTE_ADDR_MASK, (int)(d & DEFERRED_LEVEL_MASK));
	}
	return E_OK;
}

/*
 * A table tree just detached from the EPT. A CPU may still walk it through
 * cached paging-structure entries until the invalidation (SDM 3C 29.4.1),
 * so with an invalidate hook it is freed only after one; with the list
 * full, invalidate now, and if that fails keep the tables rather than
 * hand out frames the hardware may still read.
 */
static void retire_tree(struct ept *e, uint64_t pa, int level)
{
	if (!e->invalidate) {
		free_tree(e, pa, level);
		return;
	}
	if (e->ndeferred == EPT_DEFERRED_MAX && flush_stale(e) != E_OK) {
		pr_err("ept: keeping a detached table tree at %#llx: the INVEPT that must come "
		       "before freeing it failed\n",
		       (unsigned long long)pa);
		return;
	}
	e->deferred[e->ndeferred++] = pa | (uint64_t)level;
}

/* Overwrite an entry, retiring the tables the old one pointed to; a CPU may
 * have cached what a present entry mapped. */
static void replace_entry(struct ept *e, uint64_t *entry, int level, uint64_t val)
{
	uint64_t old = *entry;

	*entry = val;
	if (!entry_present(old) || old == val)
		return;
	e->stale = true;
	if (!entry_is_leaf(old, level))
		retire_tree(e, old & EPTE_ADDR_MASK, level - 1);
}

enum err ept_init(struct ept *e)
{
	e->tables = 0;
	e->root_pa = 0;
	e->stale = false;
	e->ndeferred = 0;
	if (!e->alloc_table || !e->free_table)
		return E_INVAL;
	return new_table(e, &e->root_pa);
}

/* Replace a large leaf by a table of the next smaller pages, same attributes:
 * every address keeps its translation, so a cached large page is still right. */
static enum err split_large(struct ept *e, uint64_t *entry, int level)
{
	uint64_t pa, *t, base = *entry & EPTE_ADDR_MASK, keep = *entry & LEAF_KEEP;
	enum err r = new_table(e, &pa);

	if (r != E_OK)
		return r;
	t = phys_to_virt(pa);
	for (int i = 0; i < EPT_ENTRIES; i++) {
		t[i] = (base + i * LEVEL_SIZE(level - 1)) | keep;
		if (level - 1 > 0)
			t[i] |= EPTE_PS;
	}
	*entry = pa | TABLE_BITS;
	return E_OK;
}

/* Does the large leaf at `level` already map gpa to hpa with these bits? */
static bool leaf_matches(uint64_t entry, int level, uint64_t gpa, uint64_t hpa, uint64_t bits)
{
	uint64_t offset = gpa & (LEVEL_SIZE(level) - 1);

	return (entry & LEAF_SAME) == bits && (entry & EPTE_ADDR_MASK) + offset == hpa;
}

static bool fits(const struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t left, int level,
		 bool map)
{
	uint64_t sz = LEVEL_SIZE(level);

	if (level == 0)
		return true;
	/* 1 GiB leaves only with 2 MiB support, so that splitting one always works. */
	if (map && (!e->allow_2m || (level == 2 && !e->allow_1g)))
		return false;
	return level < TOP_LEVEL && !((gpa | hpa) & (sz - 1)) && left >= sz;
}

/*
 * Map (bits != 0) or clear one piece at gpa with the largest entry that fits;
 * *done is how many bytes from gpa this settled.
 */
static enum err set_one(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t left, uint64_t bits,
			uint64_t *done)
{
	uint64_t table, *t = phys_to_virt(e->root_pa);
	bool map = bits != 0;
	enum err r;

	for (int level = TOP_LEVEL; level >= 0; level--) {
		uint64_t *entry = &t[LEVEL_INDEX(gpa, level)];
		uint64_t span = LEVEL_SIZE(level) - (gpa & (LEVEL_SIZE(level) - 1));

		if (fits(e, gpa, hpa, left, level, map)) {
			replace_entry(e, entry, level,
				      map ? hpa | bits | (level ? EPTE_PS : 0) : 0);
			*done = LEVEL_SIZE(level);
			return E_OK;
		}
		if (!entry_present(*entry)) {
			if (!map) {
				*done = span;
				return E_OK;
			}
			r = new_table(e, &table);
			if (r != E_OK)
				return r;
			*entry = table | TABLE_BITS;
		} else if (entry_is_leaf(*entry, level)) {
			if (map && leaf_matches(*entry, level, gpa, hpa, bits)) {
				*done = span;
				return E_OK;
			}
			r = split_large(e, entry, level);
			if (r != E_OK)
				return r;
		}
		t = table_of(*entry);
	}
	return E_INVAL;
}

static enum err walk_range(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t bits)
{
	if (!e->root_pa)
		return E_STATE;
	if ((gpa | hpa | size) & (EPT_PAGE_4K - 1))
		return E_ALIGN;
	if (gpa + size < gpa || gpa + size > EPT_GPA_LIMIT || hpa + size < hpa ||
	    hpa + size > EPT_HPA_LIMIT)
		return E_RANGE;
	while (size) {
		uint64_t done;
		enum err r = set_one(e, gpa, hpa, size, bits, &done);

		if (r != E_OK)
			return r;
		if (done > size)
			done = size;
		gpa += done;
		hpa += done;
		size -= done;
	}
	return E_OK;
}

/* After a change (result r): flush what CPUs may have cached of the old entries. */
static enum err invalidate_if_stale(struct ept *e, enum err r)
{
	enum err f;

	if (!e->stale || !e->invalidate)
		return r;
	f = flush_stale(e);
	return r != E_OK ? r : f;
}

enum err ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size, unsigned perms,
		 unsigned memtype)
{
	/* Write without read is a misconfiguration; execute-only needs a CPU
	 * capability this builder does not track (SDM 3C 29.3.3.1). */
	if (!(perms & EPT_R) || (perms & ~EPT_RWX))
		return E_INVAL;
	if (memtype > EPTE_MT_MASK >> EPTE_MT_SHIFT || !(VALID_MEMTYPES & (1u << memtype)))
		return E_INVAL;
	return invalidate_if_stale(
	    e, walk_range(e, gpa, hpa, size, (uint64_t)perms | (uint64_t)memtype << EPTE_MT_SHIFT));
}

enum err ept_unmap(struct ept *e, uint64_t gpa, uint64_t size)
{
	return invalidate_if_stale(e, walk_range(e, gpa, gpa, size, 0));
}

/*
 * Walk to gpa's leaf: its entry (0 if none), the translation of gpa, the page
 * size and the AND of the permissions on the way (SDM 3C 29.3.3).
 */
static uint64_t walk(const struct ept *e, uint64_t gpa, uint64_t *hpa, uint64_t *page_size,
		     uint64_t *perms)
{
	uint64_t *t, entry, rwx = EPTE_RWX;

	if (!e->root_pa || gpa >= EPT_GPA_LIMIT)
		return 0;
	t = phys_to_virt(e->root_pa);
	for (int level = TOP_LEVEL; level >= 0; level--) {
		entry = t[LEVEL_INDEX(gpa, level)];
		if (!entry_present(entry))
			return 0;
		rwx &= entry;
		if (entry_is_leaf(entry, level)) {
			uint64_t offset_mask = LEVEL_SIZE(level) - 1;

			*hpa = (entry & EPTE_ADDR_MASK & ~offset_mask) + (gpa & offset_mask);
			*page_size = LEVEL_SIZE(level);
			*perms = rwx;
			return entry;
		}
		t = table_of(entry);
	}
	return 0;
}

uint64_t ept_lookup(const struct ept *e, uint64_t gpa, uint64_t *hpa, uint64_t *page_size)
{
	uint64_t perms, pa = 0, sz = 0;
	uint64_t entry = walk(e, gpa, &pa, &sz, &perms);

	if (hpa)
		*hpa = pa;
	if (page_size)
		*page_size = sz;
	return entry;
}

enum err ept_translate(const struct ept *e, uint64_t gpa, uint64_t *hpa, unsigned *perms)
{
	uint64_t pa, sz, rwx;

	if (gpa >= EPT_GPA_LIMIT)
		return E_RANGE;
	if (!walk(e, gpa, &pa, &sz, &rwx))
		return E_NOENT;
	if (hpa)
		*hpa = pa;
	if (perms)
		*perms = (unsigned)rwx;
	return E_OK;
}

void ept_destroy(struct ept *e)
{
	while (e->ndeferred) {
		uint64_t d = e->deferred[--e->ndeferred];

		free_tree(e, d & EPTE_ADDR_MASK, (int)(d & DEFERRED_LEVEL_MASK));
	}
	if (e->root_pa)
		free_tree(e, e->root_pa, TOP_LEVEL);
	e->root_pa = 0;
	e->stale = false;
}

uint64_t ept_eptp(const struct ept *e)
{
	return e->root_pa | EPTP_MT_WB | EPTP_WALK_4LEVEL | (e->ad ? EPTP_AD : 0);
}

static enum err ept_kernel_alloc(void *ctx, uint64_t *pa)
{
	enum err r = pmm_alloc_page(pa);

	if (r == E_OK)
		memset(phys_to_virt(*pa), 0, EPT_TABLE_SIZE);
	return r;
}

static void ept_kernel_free(void *ctx, uint64_t pa)
{
	enum err r = pmm_free_pages(pa, 1);

	if (r != E_OK)
		pr_err("ept: freeing EPT table at %#llx failed: %s; the frame allocator's "
		       "bookkeeping is inconsistent, run pmm_check_consistency()\n",
		       (unsigned long long)pa, err_text(r));
}

#ifndef VIREO_HOST_TEST
struct invept_call {
	uint64_t eptp;
	enum err err; /* the last CPU's failure, E_OK if none */
};

/* INVEPT here: single-context (this EPTP only) where the CPU offers it,
 * else all-context (SDM 3C 31.3 INVEPT; IA32_VMX_EPT_VPID_CAP bits 25, 26). */
static void invept_here(void *arg)
{
	struct invept_call *c = arg;
	const struct vmx_caps *caps;
	enum err r = E_NOTSUP;

	/* Outside VMX operation no guest runs here, and entering one first
	 * loads its VMCS, which flushes its EPTP (vmx/vcpu.c). */
	if (!vmx_is_enabled())
		return;
	caps = vmx_percpu_caps();
	if (caps->ept.invept_single)
		r = vmx_invept(VMX_INVEPT_SINGLE_CONTEXT, c->eptp);
	else if (caps->ept.invept_all)
		r = vmx_invept(VMX_INVEPT_ALL_CONTEXT, 0);
	else
		pr_err("ept: cpu %u offers neither single- nor all-context INVEPT\n",
		       this_cpu_id());
	if (r != E_OK)
		__atomic_store_n(&c->err, r, __ATOMIC_RELAXED);
}

/*
 * INVEPT on every CPU in VMX operation (SDM 3C 29.4.3.1, 29.4.3.3), by
 * cross-call: a vCPU in guest mode elsewhere takes an external-interrupt
 * exit and its CPU flushes before re-entering, so when this returns no CPU
 * holds a translation from before the change.
 */
static enum err ept_kernel_invalidate(struct ept *e)
{
	struct invept_call c = {.eptp = ept_eptp(e), .err = E_OK};
	enum err r = smp_call_all(invept_here, &c);

	if (r != E_OK)
		pr_err("ept: INVEPT of EPTP %#llx did not reach every CPU: %s\n",
		       (unsigned long long)c.eptp, err_text(r));
	return r != E_OK ? r : c.err;
}
#endif

enum err ept_init_kernel(struct ept *e, bool allow_1g, bool allow_2m, bool ad)
{
	*e = (struct ept){
	    .allow_1g = allow_1g,
	    .allow_2m = allow_2m,
	    .ad = ad,
	    .alloc_table = ept_kernel_alloc,
	    .free_table = ept_kernel_free,
#ifndef VIREO_HOST_TEST
	    .invalidate = ept_kernel_invalidate,
#endif
	};
	return ept_init(e);
}

/* Bounded string builder: always NUL-terminated, silently truncates. */
struct text {
	char *buf;
	size_t n, len;
};

static void text_add(struct text *t, const char *s)
{
	while (*s) {
		if (t->len + 1 < t->n)
			t->buf[t->len++] = *s;
		s++;
	}
	if (t->n)
		t->buf[t->len] = '\0';
}

static void describe_access(struct text *t, uint64_t qual)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} kinds[] = {
	    {EPT_QUAL_READ, "read"},
	    {EPT_QUAL_WRITE, "write"},
	    {EPT_QUAL_FETCH, "instruction fetch"},
	};
	bool any = false;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!(qual & kinds[i].bit))
			continue;
		text_add(t, any ? " and " : "");
		text_add(t, kinds[i].name);
		any = true;
	}
	text_add(t, any ? " access" : "access of unknown type");
}

static void describe_page(struct text *t, uint64_t qual)
{
	if (!(qual & (EPT_QUAL_READABLE | EPT_QUAL_WRITABLE | EPT_QUAL_EXECUTABLE))) {
		text_add(t, " to a page that is not mapped");
		return;
	}
	text_add(t, qual & EPT_QUAL_READABLE ? " to a page that is readable"
					     : " to a page that is not readable");
	text_add(t, qual & EPT_QUAL_WRITABLE ? ", writable" : ", not writable");
	text_add(t, qual & EPT_QUAL_EXECUTABLE ? ", executable" : ", not executable");
}

void ept_violation_describe(uint64_t qual, char *buf, size_t n)
{
	struct text t = {.buf = buf, .n = n};

	if (n)
		buf[0] = '\0';
	describe_access(&t, qual);
	describe_page(&t, qual);
	if (!(qual & EPT_QUAL_GLA_VALID))
		text_add(&t, "; no guest linear address");
	else if (qual & EPT_QUAL_GLA_FINAL)
		text_add(&t, "; guest linear address valid (access to its translation)");
	else
		text_add(&t, "; guest linear address valid (during a guest page walk)");
	if (qual & EPT_QUAL_SHADOW_STACK)
		text_add(&t, "; shadow-stack access");
	if (qual & EPT_QUAL_PAGING_VERIFY)
		text_add(&t, "; guest-paging verification");
	if (qual & EPT_QUAL_ASYNC)
		text_add(&t, "; asynchronous to instruction execution");
	if (qual & EPT_QUAL_NMI_UNBLOCK)
		text_add(&t, "; NMI unblocking due to IRET");
}
