/* SPDX-License-Identifier: MIT */
/*
 * Physical frame allocator: turns the boot memory map minus reserved ranges
 * into sorted usable runs with one bitmap each, hands out aligned contiguous
 * runs by next-fit search, and checks every free. Also the global instance.
 */
#include "mm/pmm.h"
#include "arch/x86/spinlock.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/pmm_core.h"

#define BITS_PER_WORD 64
#define WORD_BYTES 8
#define ALL_ONES (~0ull)
#define BYTES_PER_MIB (1ull << 20)
#define FRAMES_PER_MIB ((size_t)(BYTES_PER_MIB / PAGE_SIZE))
#define REPORT_MAX_RUNS 32

/* boot/entry.asm identity-maps the low 4 GiB; the bitmap must lie there. */
#define PMM_BOOT_MAP_END 0x100000000ull

/* ---- frame number arithmetic (saturating at PMM_PFN_LIMIT) ---------------- */

static uint64_t pfn_clamp(uint64_t pfn)
{
	return pfn < PMM_PFN_LIMIT ? pfn : PMM_PFN_LIMIT;
}

static uint64_t pfn_up(uint64_t addr)
{
	return pfn_clamp((addr >> PAGE_SHIFT) + ((addr & (PAGE_SIZE - 1)) != 0));
}

static uint64_t pfn_down(uint64_t addr)
{
	return pfn_clamp(addr >> PAGE_SHIFT);
}

/* base + length, saturating at the top of the address space. */
static uint64_t addr_end(uint64_t base, uint64_t length)
{
	return length > UINT64_MAX - base ? UINT64_MAX : base + length;
}

static uint64_t words_for(uint64_t frames)
{
	return (frames + BITS_PER_WORD - 1) / BITS_PER_WORD;
}

static uint64_t run_end(const struct pmm_run *r)
{
	return r->first_pfn + r->frames;
}

/* ---- building the runs ---------------------------------------------------- */

/*
 * Blocker i as a frame range rounded outwards: the non-available map entries
 * first, then the reserved ranges, then frame 0. False if i blocks nothing.
 */
static bool blocker(const struct pmm_config *c, size_t i, uint64_t *s, uint64_t *e)
{
	uint64_t base, length;

	if (i < c->map_count) {
		if (c->map[i].type == PMM_REGION_AVAILABLE)
			return false;
		base = c->map[i].base;
		length = c->map[i].length;
	} else if (i < c->map_count + c->reserved_count) {
		base = c->reserved[i - c->map_count].base;
		length = c->reserved[i - c->map_count].length;
	} else {
		base = 0;
		length = PAGE_SIZE;
	}
	if (!length)
		return false;
	*s = pfn_down(base);
	*e = pfn_up(addr_end(base, length));
	return *s < *e;
}

/* Add [s, e) to the sorted run list, merging with runs it overlaps or touches. */
static enum err insert_run(struct pmm *p, uint64_t s, uint64_t e)
{
	size_t i = 0, j, n = p->run_count;

	while (i < n && run_end(&p->runs[i]) < s)
		i++;
	for (j = i; j < n && p->runs[j].first_pfn <= e; j++) {
		if (p->runs[j].first_pfn < s)
			s = p->runs[j].first_pfn;
		if (run_end(&p->runs[j]) > e)
			e = run_end(&p->runs[j]);
	}
	if (j == i) {
		if (n == PMM_MAX_RUNS)
			return E_RANGE;
		memmove(&p->runs[i + 1], &p->runs[i], (n - i) * sizeof(p->runs[0]));
		p->run_count++;
	} else {
		memmove(&p->runs[i + 1], &p->runs[j], (n - j) * sizeof(p->runs[0]));
		p->run_count -= j - i - 1;
	}
	p->runs[i] = (struct pmm_run){.first_pfn = s, .frames = e - s};
	return E_OK;
}

/* Add the frames of [s, e) that no blocker touches. */
static enum err add_available(struct pmm *p, const struct pmm_config *c, uint64_t s, uint64_t e)
{
	size_t nblock = c->map_count + c->reserved_count + 1;

	while (s < e) {
		uint64_t skip_to = s, next_block = e, bs, be;
		enum err err;

		for (size_t i = 0; i < nblock; i++) {
			if (!blocker(c, i, &bs, &be) || be <= s || bs >= e)
				continue;
			if (bs <= s && be > skip_to)
				skip_to = be;
			else if (bs > s && bs < next_block)
				next_block = bs;
		}
		if (skip_to > s) {
			s = skip_to;
			continue;
		}
		err = insert_run(p, s, next_block);
		if (err != E_OK)
			return err;
		s = next_block;
	}
	return E_OK;
}

/* Whether every byte of frame pfn lies in the union of the available entries
 * (so overlapping or abutting unaligned entries still yield whole frames). */
static bool frame_covered(const struct pmm_config *c, uint64_t pfn)
{
	uint64_t cur = pfn << PAGE_SHIFT, end = cur + PAGE_SIZE;

	while (cur < end) {
		uint64_t reach = cur;

		for (size_t i = 0; i < c->map_count; i++) {
			const struct pmm_region *m = &c->map[i];
			uint64_t m_end = addr_end(m->base, m->length);

			if (m->type == PMM_REGION_AVAILABLE && m->base <= cur && m_end > reach)
				reach = m_end;
		}
		if (reach == cur)
			return false;
		cur = reach;
	}
	return true;
}

static enum err build_runs(struct pmm *p, const struct pmm_config *c)
{
	for (size_t i = 0; i < c->map_count; i++) {
		const struct pmm_region *m = &c->map[i];
		uint64_t end = addr_end(m->base, m->length), s, e;
		enum err err;

		if (m->type != PMM_REGION_AVAILABLE || !m->length)
			continue;
		s = pfn_down(m->base);
		e = pfn_up(end);
		if ((m->base & (PAGE_SIZE - 1)) && s < e && !frame_covered(c, s))
			s++;
		if ((end & (PAGE_SIZE - 1)) && s < e && !frame_covered(c, e - 1))
			e--;
		err = add_available(p, c, s, e);
		if (err != E_OK) {
			pr_err("pmm: the memory map splits into more than %d usable runs "
			       "(at entry %zu, base 0x%llx); raise PMM_MAX_RUNS\n",
			       PMM_MAX_RUNS, i, (unsigned long long)m->base);
			return err;
		}
	}
	return E_OK;
}

static uint64_t bitmap_words(const struct pmm *p)
{
	uint64_t words = 0;

	for (size_t i = 0; i < p->run_count; i++)
		words += words_for(p->runs[i].frames);
	return words;
}

static void remove_run(struct pmm *p, size_t i)
{
	memmove(&p->runs[i], &p->runs[i + 1], (p->run_count - i - 1) * sizeof(p->runs[0]));
	p->run_count--;
}

/* Take the bitmap's frames from the start of the lowest run that can hold it
 * below meta_limit; shrinking a run only makes the bitmap smaller. */
static enum err carve_bitmap(struct pmm *p, uint64_t meta_limit)
{
	uint64_t bytes = bitmap_words(p) * WORD_BYTES;
	uint64_t need = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t limit_pfn = pfn_down(meta_limit);

	for (size_t i = 0; i < p->run_count; i++) {
		struct pmm_run *r = &p->runs[i];

		if (r->frames < need || r->first_pfn + need > limit_pfn)
			continue;
		p->bitmap_pa = r->first_pfn << PAGE_SHIFT;
		p->bitmap_frames = need;
		r->first_pfn += need;
		r->frames -= need;
		if (!r->frames)
			remove_run(p, i);
		return E_OK;
	}
	pr_err("pmm: no usable run holds the %llu KiB frame bitmap below 0x%llx; "
	       "check the memory map and the reserved ranges\n",
	       (unsigned long long)(bytes >> 10), (unsigned long long)meta_limit);
	return E_NOMEM;
}

static void layout_bitmap(struct pmm *p)
{
	uint64_t word = 0;

	p->bitmap = (uint64_t *)(p->bitmap_pa + p->direct_map_offset);
	for (size_t i = 0; i < p->run_count; i++) {
		struct pmm_run *r = &p->runs[i];
		uint64_t nw = words_for(r->frames), tail = r->frames % BITS_PER_WORD;

		r->word = word;
		memset(&p->bitmap[word], 0, nw * WORD_BYTES);
		if (tail)
			p->bitmap[word + nw - 1] = ALL_ONES << tail;
		word += nw;
		p->total_frames += r->frames;
	}
	p->free_frames = p->total_frames;
}

enum err pmm_core_init(struct pmm *p, const struct pmm_config *cfg)
{
	enum err e;

	memset(p, 0, sizeof(*p));
	p->direct_map_offset = cfg->direct_map_offset;
	e = build_runs(p, cfg);
	if (e == E_OK && p->run_count)
		e = carve_bitmap(p, cfg->meta_limit);
	if (e == E_OK && !p->run_count) {
		pr_err("pmm: the memory map (%zu entries, %zu reserved ranges) leaves no usable "
		       "4 KiB frame; check the loader's memory map\n",
		       cfg->map_count, cfg->reserved_count);
		e = E_NOMEM;
	}
	if (e != E_OK) {
		p->run_count = 0; /* an unusable instance manages nothing */
		return e;
	}
	layout_bitmap(p);
	return E_OK;
}

/* ---- bitmap access ---------------------------------------------------------- */

/* First index in [from, to) of run r whose bit equals set, or to. */
static uint64_t run_find(const struct pmm *p, const struct pmm_run *r, uint64_t from, uint64_t to,
			 bool set)
{
	while (from < to) {
		uint64_t w = p->bitmap[r->word + from / BITS_PER_WORD];

		if (!set)
			w = ~w;
		w &= ALL_ONES << (from % BITS_PER_WORD);
		if (w) {
			uint64_t i = (from & ~(uint64_t)(BITS_PER_WORD - 1)) + __builtin_ctzll(w);

			return i < to ? i : to;
		}
		from = (from & ~(uint64_t)(BITS_PER_WORD - 1)) + BITS_PER_WORD;
	}
	return to;
}

static void run_fill(struct pmm *p, const struct pmm_run *r, uint64_t from, uint64_t n, bool set)
{
	while (n) {
		uint64_t bit = from % BITS_PER_WORD, take = BITS_PER_WORD - bit;
		uint64_t mask, *w = &p->bitmap[r->word + from / BITS_PER_WORD];

		if (take > n)
			take = n;
		mask = (take == BITS_PER_WORD ? ALL_ONES : (1ull << take) - 1) << bit;
		*w = set ? (*w | mask) : (*w & ~mask);
		from += take;
		n -= take;
	}
}

/* Index of the run holding frame pfn, or run_count. */
static size_t find_run(const struct pmm *p, uint64_t pfn)
{
	size_t lo = 0, hi = p->run_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->runs[mid].first_pfn <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && pfn < run_end(&p->runs[lo - 1]))
		return lo - 1;
	return p->run_count;
}

/* ---- allocation ------------------------------------------------------------- */

/* Smallest index >= idx in run r whose frame number is a multiple of align. */
static uint64_t align_idx(const struct pmm_run *r, uint64_t idx, uint64_t align)
{
	uint64_t pfn = r->first_pfn + idx;

	return ((pfn + align - 1) & ~(align - 1)) - r->first_pfn;
}

/* Find count free, aligned frames in run r at or after index from. */
static bool run_search(const struct pmm *p, const struct pmm_run *r, uint64_t from, uint64_t count,
		       uint64_t align, uint64_t *idx_out)
{
	uint64_t s = align_idx(r, from, align);

	while (s < r->frames && count <= r->frames - s) {
		uint64_t busy = run_find(p, r, s, s + count, true);

		if (busy == s + count) {
			*idx_out = s;
			return true;
		}
		s = align_idx(r, run_find(p, r, busy + 1, r->frames, false), align);
	}
	return false;
}

enum err pmm_core_alloc(struct pmm *p, size_t count, size_t align_pages, uint64_t *pa_out)
{
	if (!pa_out || !count || !align_pages || (align_pages & (align_pages - 1)))
		return E_INVAL;
	if (count > p->free_frames || align_pages > PMM_PFN_LIMIT || !p->run_count)
		return E_NOMEM;
	/* Next-fit: the hint run from the hint, the others, the hint run again. */
	for (size_t k = 0; k <= p->run_count; k++) {
		size_t ri = (p->hint_run + k) % p->run_count;
		const struct pmm_run *r = &p->runs[ri];
		uint64_t idx;

		if (!run_search(p, r, k ? 0 : p->hint_idx, count, align_pages, &idx))
			continue;
		run_fill(p, r, idx, count, true);
		p->free_frames -= count;
		p->hint_run = ri;
		p->hint_idx = idx + count;
		*pa_out = (r->first_pfn + idx) << PAGE_SHIFT;
		return E_OK;
	}
	return E_NOMEM;
}

enum err pmm_core_free(struct pmm *p, uint64_t pa, size_t count)
{
	uint64_t pfn = pa >> PAGE_SHIFT, idx;
	const struct pmm_run *r;
	size_t ri;

	if (pa & (PAGE_SIZE - 1))
		return E_ALIGN;
	ri = find_run(p, pfn);
	if (!count || ri == p->run_count)
		return E_INVAL;
	r = &p->runs[ri];
	idx = pfn - r->first_pfn;
	if (count > r->frames - idx)
		return E_INVAL;
	if (run_find(p, r, idx, idx + count, false) != idx + count)
		return E_DOUBLE_FREE;
	run_fill(p, r, idx, count, false);
	p->free_frames += count;
	return E_OK;
}

bool pmm_core_manages(const struct pmm *p, uint64_t pa)
{
	return find_run(p, pa >> PAGE_SHIFT) < p->run_count;
}

bool pmm_core_is_free(const struct pmm *p, uint64_t pa)
{
	uint64_t pfn = pa >> PAGE_SHIFT, idx;
	size_t ri = find_run(p, pfn);

	if (ri == p->run_count)
		return false;
	idx = pfn - p->runs[ri].first_pfn;
	return run_find(p, &p->runs[ri], idx, idx + 1, true) == idx + 1;
}

/* ---- checking and reporting ------------------------------------------------- */

enum err pmm_core_check(const struct pmm *p)
{
	uint64_t free = 0, total = 0;

	for (size_t i = 0; i < p->run_count; i++) {
		const struct pmm_run *r = &p->runs[i];
		uint64_t nw = words_for(r->frames), tail = r->frames % BITS_PER_WORD;

		for (uint64_t w = 0; w < nw; w++)
			free += (uint64_t)__builtin_popcountll(~p->bitmap[r->word + w]);
		total += r->frames;
		if (tail && (p->bitmap[r->word + nw - 1] | ~(ALL_ONES << tail)) != ALL_ONES) {
			pr_err("pmm: bitmap padding of run %zu (0x%llx) was cleared; memory "
			       "corruption\n",
			       i, (unsigned long long)(r->first_pfn << PAGE_SHIFT));
			return E_STATE;
		}
	}
	if (free != p->free_frames || total != p->total_frames) {
		pr_err("pmm: bitmap counts %llu free of %llu frames, but the allocator says %zu of "
		       "%zu; memory corruption or a locking bug\n",
		       (unsigned long long)free, (unsigned long long)total, p->free_frames,
		       p->total_frames);
		return E_STATE;
	}
	return E_OK;
}

void pmm_core_report(const struct pmm *p)
{
	pr_info("pmm: %zu MiB usable, %zu MiB free, in %zu runs; bitmap %llu KiB at 0x%llx\n",
		p->total_frames / FRAMES_PER_MIB, p->free_frames / FRAMES_PER_MIB, p->run_count,
		(unsigned long long)(p->bitmap_frames * PAGE_SIZE >> 10),
		(unsigned long long)p->bitmap_pa);
	for (size_t i = 0; i < p->run_count && i < REPORT_MAX_RUNS; i++) {
		const struct pmm_run *r = &p->runs[i];

		pr_info("pmm:   usable 0x%016llx-0x%016llx (%llu KiB)\n",
			(unsigned long long)(r->first_pfn << PAGE_SHIFT),
			(unsigned long long)((run_end(r) << PAGE_SHIFT) - 1),
			(unsigned long long)(r->frames * PAGE_SIZE >> 10));
	}
	if (p->run_count > REPORT_MAX_RUNS)
		pr_info("pmm:   ... and %zu more runs\n", p->run_count - REPORT_MAX_RUNS);
}

/* ---- the global, locked instance -------------------------------------------- */

static struct pmm pmm_global;
static struct spinlock pmm_lock = SPINLOCK_INIT;

enum err pmm_init_global_config(const struct pmm_config *cfg)
{
	uint64_t flags = spin_lock_irqsave(&pmm_lock);
	enum err e = pmm_core_init(&pmm_global, cfg);

	spin_unlock_irqrestore(&pmm_lock, flags);
	return e;
}

enum err pmm_init_global(const struct pmm_region *map, size_t n, const struct pmm_range *reserved,
			 size_t nres)
{
	struct pmm_config cfg = {
	    .map = map,
	    .map_count = n,
	    .reserved = reserved,
	    .reserved_count = nres,
	    .direct_map_offset = 0,
	    .meta_limit = PMM_BOOT_MAP_END,
	};

	return pmm_init_global_config(&cfg);
}

enum err pmm_alloc_pages(size_t count, size_t align_pages, uint64_t *pa_out)
{
	uint64_t flags = spin_lock_irqsave(&pmm_lock);
	enum err e = pmm_core_alloc(&pmm_global, count, align_pages, pa_out);

	spin_unlock_irqrestore(&pmm_lock, flags);
	return e;
}

enum err pmm_alloc_page(uint64_t *pa_out)
{
	return pmm_alloc_pages(1, 1, pa_out);
}

enum err pmm_free_pages(uint64_t pa, size_t count)
{
	uint64_t flags = spin_lock_irqsave(&pmm_lock);
	enum err e = pmm_core_free(&pmm_global, pa, count);

	spin_unlock_irqrestore(&pmm_lock, flags);
	if (e != E_OK)
		panic("BUG: pmm: freeing %zu frame(s) at 0x%llx: %s (%s); the caller frees memory "
		      "it does not own",
		      count, (unsigned long long)pa, err_name(e), err_text(e));
	return E_OK;
}

size_t pmm_free_count(void)
{
	return __atomic_load_n(&pmm_global.free_frames, __ATOMIC_RELAXED);
}

size_t pmm_total_count(void)
{
	return __atomic_load_n(&pmm_global.total_frames, __ATOMIC_RELAXED);
}

enum err pmm_check_consistency(void)
{
	uint64_t flags = spin_lock_irqsave(&pmm_lock);
	enum err e = pmm_core_check(&pmm_global);

	spin_unlock_irqrestore(&pmm_lock, flags);
	return e;
}

void pmm_report(void)
{
	uint64_t flags = spin_lock_irqsave(&pmm_lock);

	pmm_core_report(&pmm_global);
	spin_unlock_irqrestore(&pmm_lock, flags);
}
