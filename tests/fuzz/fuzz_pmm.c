/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the frame allocator core, mm/pmm.c: the input is a
 * memory map, reserved ranges and a bitmap limit, then a program of
 * allocations, frees (good and bad) and queries. Every step is checked
 * against an independent model: no frame handed out twice, never a frame
 * outside the available entries or inside a reserved range, the free count
 * equal to the usable frames minus those the model holds.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "mm/pmm.h"
#include "mm/pmm_core.h"

#define MAP_MAX 256 /* as many entries as the kernel takes (MB2_MMAP_MAX) */
#define RES_MAX 32
#define TYPE_COUNT 5 /* 0..4: available is 1, the rest block */
#define OPS_MAX 512
#define LIVE_MAX 256
#define SMALL_COUNT_MASK 0x0f
#define BIG_COUNT_FLAG 0x80
#define ALIGN_SHIFT_MAX 16
#define RAW_ALIGN_FROM 0xf0
#define ADDR_SHIFT_MASK 0x1f
#define ADDR_MODE_SHIFT 5
#define ADDR_MODE_NEAR_PFN_LIMIT 6
#define ADDR_MODE_NEAR_TOP 7
#define GIB (1ull << 30)
/* Usable memory is bounded so the bitmap stays small (at most 1 GiB of RAM). */
#define AVAIL_BUDGET GIB
/* Host memory standing for physical [0, WINDOW): where the bitmap may go. */
#define WINDOW GIB
#define GUARD (1ull << 20)
#define CHECK_EVERY 16

enum op { OP_ALLOC, OP_FREE_LIVE, OP_FREE_ANY, OP_QUERY, OP_CHECK, OP_COUNT };

struct input {
	const uint8_t *p;
	size_t left;
};

/* A run of frames the model holds: handed out and not yet freed. */
struct live {
	uint64_t pfn;
	uint64_t frames;
};

struct world {
	struct pmm_region map[MAP_MAX];
	size_t nmap;
	struct pmm_range res[RES_MAX];
	size_t nres;
	uint64_t meta_limit;
	struct pmm pm;
	bool ready;
	struct live live[LIVE_MAX];
	size_t nlive;
	uint64_t live_frames;
};

static struct world w;
static uint8_t *window;

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "fuzz_pmm: " __VA_ARGS__);                                         \
		fputc('\n', stderr);                                                               \
		__builtin_trap();                                                                  \
	} while (0)

static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->left; i++, in->left--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

/* 24 bits scaled by 2^0..2^31; some near the 52-bit limit or the top of 64 bits. */
static uint64_t take_addr(struct input *in)
{
	unsigned shape = (unsigned)take(in, 1);
	uint64_t a = take(in, 3) << (shape & ADDR_SHIFT_MASK);

	switch (shape >> ADDR_MODE_SHIFT) {
	case ADDR_MODE_NEAR_PFN_LIMIT:
		return (PMM_PFN_LIMIT << PAGE_SHIFT) - a;
	case ADDR_MODE_NEAR_TOP:
		return UINT64_MAX - a;
	default:
		return a;
	}
}

/* ---- the model ------------------------------------------------------------ */

static uint64_t end_of(uint64_t base, uint64_t length)
{
	return length > UINT64_MAX - base ? UINT64_MAX : base + length;
}

static bool overlaps(uint64_t s, uint64_t e, uint64_t base, uint64_t length)
{
	return length && base < e && s < end_of(base, length);
}

/* Is every byte of [s, e) inside the union of the available entries? */
static bool covered(uint64_t s, uint64_t e)
{
	while (s < e) {
		uint64_t reach = s;

		for (size_t i = 0; i < w.nmap; i++) {
			const struct pmm_region *m = &w.map[i];
			uint64_t me = end_of(m->base, m->length);

			if (m->type == PMM_REGION_AVAILABLE && m->length && m->base <= s &&
			    me > reach)
				reach = me;
		}
		if (reach == s)
			return false;
		s = reach;
	}
	return true;
}

static bool blocked(uint64_t s, uint64_t e)
{
	for (size_t i = 0; i < w.nmap; i++) {
		if (w.map[i].type != PMM_REGION_AVAILABLE &&
		    overlaps(s, e, w.map[i].base, w.map[i].length))
			return true;
	}
	for (size_t i = 0; i < w.nres; i++) {
		if (overlaps(s, e, w.res[i].base, w.res[i].length))
			return true;
	}
	return false;
}

/* Frames [pfn, pfn + n) usable by the rules, ignoring where the bitmap went. */
static bool usable_by_map(uint64_t pfn, uint64_t n)
{
	if (!pfn || !n || pfn >= PMM_PFN_LIMIT || n > PMM_PFN_LIMIT - pfn)
		return false;
	return covered(pfn << PAGE_SHIFT, (pfn + n) << PAGE_SHIFT) &&
	       !blocked(pfn << PAGE_SHIFT, (pfn + n) << PAGE_SHIFT);
}

static bool in_bitmap(uint64_t pfn, uint64_t n)
{
	uint64_t b = w.pm.bitmap_pa >> PAGE_SHIFT;

	return w.ready && pfn < b + w.pm.bitmap_frames && b < pfn + n;
}

/* Frames the allocator may hand out: usable and not its own bitmap. */
static bool usable(uint64_t pfn, uint64_t n)
{
	return usable_by_map(pfn, n) && !in_bitmap(pfn, n);
}

static bool live_overlaps(uint64_t pfn, uint64_t n)
{
	for (size_t i = 0; i < w.nlive; i++) {
		if (w.live[i].pfn < pfn + n && pfn < w.live[i].pfn + w.live[i].frames)
			return true;
	}
	return false;
}

static bool live_holds(uint64_t pfn)
{
	return live_overlaps(pfn, 1);
}

/* Does the model hold every frame of [pfn, pfn + n)? */
static bool live_covers(uint64_t pfn, uint64_t n)
{
	uint64_t end;

	if (!n || n > w.live_frames || pfn > PMM_PFN_LIMIT)
		return false;
	end = pfn + n;
	while (pfn < end) {
		size_t i;

		for (i = 0; i < w.nlive; i++) {
			if (w.live[i].pfn <= pfn && pfn < w.live[i].pfn + w.live[i].frames)
				break;
		}
		if (i == w.nlive)
			return false;
		pfn = w.live[i].pfn + w.live[i].frames;
	}
	return true;
}

/* Would dropping [pfn, pfn + n) split a held run in two? */
static bool live_splits(uint64_t pfn, uint64_t n)
{
	for (size_t i = 0; i < w.nlive; i++) {
		if (w.live[i].pfn < pfn && w.live[i].pfn + w.live[i].frames > pfn + n)
			return true;
	}
	return false;
}

/* Drop [pfn, pfn + n), which the model holds, splitting a run if needed. */
static void live_remove(uint64_t pfn, uint64_t n)
{
	uint64_t end = pfn + n;

	for (size_t i = 0; i < w.nlive;) {
		struct live *l = &w.live[i];
		uint64_t le = l->pfn + l->frames;

		if (le <= pfn || l->pfn >= end) {
			i++;
			continue;
		}
		if (l->pfn < pfn && le > end) {
			w.live[w.nlive++] = (struct live){end, le - end};
			l->frames = pfn - l->pfn;
		} else if (l->pfn < pfn) {
			l->frames = pfn - l->pfn;
		} else if (le > end) {
			l->frames = le - end;
			l->pfn = end;
		} else {
			*l = w.live[--w.nlive];
			continue;
		}
		i++;
	}
	w.live_frames -= n;
}

/* ---- checks ----------------------------------------------------------------- */

static void check_counts(void)
{
	if (w.pm.free_frames + w.live_frames != w.pm.total_frames)
		FAIL("free count %zu + %llu held != %zu total", w.pm.free_frames,
		     (unsigned long long)w.live_frames, w.pm.total_frames);
}

static void check_runs(void)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < w.pm.run_count; i++) {
		const struct pmm_run *r = &w.pm.runs[i];
		uint64_t end = r->first_pfn + r->frames;

		if (!r->frames ||
		    (i && r->first_pfn <= w.pm.runs[i - 1].first_pfn + w.pm.runs[i - 1].frames))
			FAIL("run %zu (pfn 0x%llx, %llu frames) empty, unsorted or touching", i,
			     (unsigned long long)r->first_pfn, (unsigned long long)r->frames);
		if (!usable(r->first_pfn, r->frames))
			FAIL("run %zu (pfn 0x%llx, %llu frames) holds an unusable frame", i,
			     (unsigned long long)r->first_pfn, (unsigned long long)r->frames);
		if (usable(r->first_pfn - 1, 1) || usable(end, 1))
			FAIL("run %zu (pfn 0x%llx, %llu frames) stops short of a usable frame", i,
			     (unsigned long long)r->first_pfn, (unsigned long long)r->frames);
		sum += r->frames;
	}
	if (sum != w.pm.total_frames || w.pm.free_frames != w.pm.total_frames)
		FAIL("runs hold %llu frames, total %zu, free %zu after init",
		     (unsigned long long)sum, w.pm.total_frames, w.pm.free_frames);
}

static void check_bitmap(void)
{
	uint64_t b = w.pm.bitmap_pa >> PAGE_SHIFT, n = w.pm.bitmap_frames;

	if ((w.pm.bitmap_pa & (PAGE_SIZE - 1)) || !n)
		FAIL("bitmap at 0x%llx, %llu frames", (unsigned long long)w.pm.bitmap_pa,
		     (unsigned long long)n);
	if (!usable_by_map(b, n) || ((b + n) << PAGE_SHIFT) > w.meta_limit)
		FAIL("bitmap frames 0x%llx+%llu are not usable memory below the limit 0x%llx",
		     (unsigned long long)b, (unsigned long long)n,
		     (unsigned long long)w.meta_limit);
	if (pmm_core_manages(&w.pm, w.pm.bitmap_pa))
		FAIL("the bitmap's own frame 0x%llx is managed", (unsigned long long)b);
}

/* A frame the model calls usable must be managed: sample the edges of every
 * entry, where a wrong rounding or merge would lose one. */
static void check_edge(uint64_t pfn)
{
	if (pfn < PMM_PFN_LIMIT && usable(pfn, 1) && !pmm_core_manages(&w.pm, pfn << PAGE_SHIFT))
		FAIL("usable frame 0x%llx is not managed", (unsigned long long)pfn);
}

static void check_complete(void)
{
	for (size_t i = 0; i < w.nmap; i++) {
		uint64_t s = w.map[i].base >> PAGE_SHIFT;
		uint64_t e = end_of(w.map[i].base, w.map[i].length) >> PAGE_SHIFT;

		check_edge(s - 1);
		check_edge(s);
		check_edge(s + 1);
		check_edge(e - 1);
		check_edge(e);
	}
	for (size_t i = 0; i < w.nres; i++) {
		check_edge((w.res[i].base >> PAGE_SHIFT) - 1);
		check_edge(end_of(w.res[i].base, w.res[i].length) >> PAGE_SHIFT);
	}
}

/* ---- building ----------------------------------------------------------------- */

static void read_world(struct input *in)
{
	uint64_t budget = AVAIL_BUDGET;

	w.nmap = 1 + take(in, 1) % MAP_MAX;
	w.nres = take(in, 1) % (RES_MAX + 1);
	w.meta_limit = take(in, 1) & 1 ? take(in, 4) % (WINDOW + 1) : WINDOW;
	for (size_t i = 0; i < w.nmap; i++) {
		struct pmm_region *m = &w.map[i];

		m->base = take_addr(in);
		m->length = take_addr(in);
		m->type = (uint32_t)(take(in, 1) % TYPE_COUNT);
		if (m->type == PMM_REGION_AVAILABLE) {
			if (m->length > budget)
				m->length = budget;
			budget -= m->length;
		}
	}
	for (size_t i = 0; i < w.nres; i++) {
		w.res[i].base = take_addr(in);
		w.res[i].length = take_addr(in);
		w.res[i].what = "fuzz";
	}
}

static void build(void)
{
	struct pmm_config cfg = {
	    .map = w.map,
	    .map_count = w.nmap,
	    .reserved = w.res,
	    .reserved_count = w.nres,
	    .direct_map_offset = (uintptr_t)window,
	    .meta_limit = w.meta_limit,
	};
	enum err e = pmm_core_init(&w.pm, &cfg);
	uint64_t out;

	if (e == E_OK) {
		w.ready = true;
		check_bitmap();
		check_runs();
		check_complete();
		if (pmm_core_check(&w.pm) != E_OK)
			FAIL("pmm_core_check fails right after init");
		return;
	}
	if (e == E_RANGE && w.nmap + w.nres + 1 <= PMM_MAX_RUNS)
		FAIL("E_RANGE from %zu entries and %zu reserved ranges: too few to make %d runs",
		     w.nmap, w.nres, PMM_MAX_RUNS);
	if (e != E_NOMEM && e != E_RANGE)
		FAIL("init returned %d", e);
	if (w.pm.run_count || pmm_core_alloc(&w.pm, 1, 1, &out) != E_NOMEM)
		FAIL("a failed init still hands out frames");
}

/* ---- operations ------------------------------------------------------------- */

static size_t take_align(struct input *in, bool *valid)
{
	unsigned a = (unsigned)take(in, 1);
	size_t align = a >= RAW_ALIGN_FROM ? a & SMALL_COUNT_MASK : 1ull << (a % ALIGN_SHIFT_MAX);

	*valid = align && !(align & (align - 1));
	return align;
}

static void op_alloc(struct input *in)
{
	unsigned c = (unsigned)take(in, 1);
	size_t count = c & BIG_COUNT_FLAG ? 1 + take(in, 2) : 1 + (c & SMALL_COUNT_MASK);
	bool valid;
	size_t align = take_align(in, &valid);
	size_t before = w.pm.free_frames;
	uint64_t pa = 0, pfn;
	enum err e;

	if (w.nlive == LIVE_MAX)
		return;
	e = pmm_core_alloc(&w.pm, count, align, &pa);
	if (!valid) {
		if (e != E_INVAL)
			FAIL("alloc with alignment %zu returned %d, not E_INVAL", align, e);
		return;
	}
	if (e != E_OK) {
		if (e != E_NOMEM || w.pm.free_frames != before)
			FAIL("alloc of %zu returned %d, free count %zu -> %zu", count, e, before,
			     w.pm.free_frames);
		if (count == 1 && align == 1 && before)
			FAIL("one frame refused with %zu free", before);
		return;
	}
	pfn = pa >> PAGE_SHIFT;
	if ((pa & (PAGE_SIZE - 1)) || pfn % align)
		FAIL("alloc of %zu aligned %zu gave 0x%llx", count, align, (unsigned long long)pa);
	if (!usable(pfn, count))
		FAIL("alloc gave frames 0x%llx+%zu outside usable memory (reserved, unavailable, "
		     "frame 0 or the bitmap)",
		     (unsigned long long)pfn, count);
	if (live_overlaps(pfn, count))
		FAIL("alloc gave frames 0x%llx+%zu, some already handed out",
		     (unsigned long long)pfn, count);
	if (w.pm.free_frames != before - count)
		FAIL("alloc of %zu: free count %zu -> %zu", count, before, w.pm.free_frames);
	if (pmm_core_is_free(&w.pm, pa) || pmm_core_is_free(&w.pm, pa + (count - 1) * PAGE_SIZE))
		FAIL("frames 0x%llx+%zu allocated but still marked free", (unsigned long long)pfn,
		     count);
	w.live[w.nlive++] = (struct live){pfn, count};
	w.live_frames += count;
}

static void do_free(uint64_t pa, size_t count)
{
	uint64_t pfn = pa >> PAGE_SHIFT;
	bool aligned = !(pa & (PAGE_SIZE - 1));
	bool held = aligned && live_covers(pfn, count);
	size_t before = w.pm.free_frames;
	enum err e;

	if (held && w.nlive == LIVE_MAX && live_splits(pfn, count))
		return; /* no room in the model for the second half */
	e = pmm_core_free(&w.pm, pa, count);
	if (held) {
		if (e != E_OK || w.pm.free_frames != before + count)
			FAIL("free of held frames 0x%llx+%zu returned %d", (unsigned long long)pfn,
			     count, e);
		live_remove(pfn, count);
		if (!pmm_core_is_free(&w.pm, pa))
			FAIL("frame 0x%llx freed but not marked free", (unsigned long long)pfn);
		return;
	}
	if (e == E_OK || w.pm.free_frames != before)
		FAIL("free of 0x%llx+%zu (not all held) returned %d, free count %zu -> %zu",
		     (unsigned long long)pa, count, e, before, w.pm.free_frames);
	if (!aligned && e != E_ALIGN)
		FAIL("free of unaligned 0x%llx returned %d", (unsigned long long)pa, e);
	if (aligned && !usable(pfn, 1) && e != E_INVAL)
		FAIL("free of unmanaged frame 0x%llx returned %d", (unsigned long long)pfn, e);
	if (aligned && count && usable(pfn, count) && e != E_DOUBLE_FREE)
		FAIL("free of usable frames 0x%llx+%zu, some free, returned %d",
		     (unsigned long long)pfn, count, e);
}

static void op_free_live(struct input *in)
{
	struct live *l;
	uint64_t off, n;

	if (!w.nlive) {
		take(in, 3);
		return;
	}
	l = &w.live[take(in, 1) % w.nlive];
	off = take(in, 1) % l->frames;
	n = 1 + take(in, 1) % (l->frames - off);
	do_free((l->pfn + off) << PAGE_SHIFT, n);
}

/* A free the model may or may not hold: near a held run, or anywhere. */
static void op_free_any(struct input *in)
{
	unsigned how = (unsigned)take(in, 1);
	int8_t delta = (int8_t)take(in, 1);
	size_t count = how & BIG_COUNT_FLAG ? take(in, 8) : take(in, 1);
	uint64_t pa;

	if (w.nlive && (how & 1))
		pa = (w.live[(how >> 1) % w.nlive].pfn + (uint64_t)(int64_t)delta) << PAGE_SHIFT;
	else
		pa = take_addr(in) & ~(PAGE_SIZE - 1);
	if (how & 2)
		pa |= (uint64_t)(uint8_t)delta | 1;
	do_free(pa, count);
}

static void op_query(struct input *in)
{
	uint64_t pa = take_addr(in), pfn = pa >> PAGE_SHIFT;
	bool managed = pfn < PMM_PFN_LIMIT && usable(pfn, 1);

	if (pmm_core_manages(&w.pm, pa) != managed)
		FAIL("manages(0x%llx) disagrees with the map (%d)", (unsigned long long)pa,
		     managed);
	if (pmm_core_is_free(&w.pm, pa) != (managed && !live_holds(pfn)))
		FAIL("is_free(0x%llx) disagrees with the model", (unsigned long long)pa);
}

static void op_check(void)
{
	if (pmm_core_check(&w.pm) != E_OK)
		FAIL("pmm_core_check failed");
}

static void run_ops(struct input *in)
{
	for (unsigned n = 0; in->left && n < OPS_MAX; n++) {
		switch (take(in, 1) % OP_COUNT) {
		case OP_ALLOC:
			op_alloc(in);
			break;
		case OP_FREE_LIVE:
			op_free_live(in);
			break;
		case OP_FREE_ANY:
			op_free_any(in);
			break;
		case OP_QUERY:
			op_query(in);
			break;
		case OP_CHECK:
			op_check();
			break;
		}
		check_counts();
		if (n % CHECK_EVERY == 0)
			op_check();
	}
}

/* Give everything back: the allocator must end where it started. */
static void drain(void)
{
	while (w.nlive)
		do_free(w.live[0].pfn << PAGE_SHIFT, w.live[0].frames);
	if (w.pm.free_frames != w.pm.total_frames)
		FAIL("%zu of %zu frames free after returning everything", w.pm.free_frames,
		     w.pm.total_frames);
	op_check();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t *m = mmap(NULL, WINDOW + 2 * GUARD, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	(void)argc;
	(void)argv;
	if (m == MAP_FAILED || mprotect(m + GUARD, WINDOW, PROT_READ | PROT_WRITE)) {
		perror("fuzz_pmm: reserving the physical-memory window");
		exit(1);
	}
	window = m + GUARD;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};

	w.ready = false;
	w.nlive = 0;
	w.live_frames = 0;
	read_world(&in);
	build();
	if (w.ready) {
		run_ops(&in);
		drain();
		madvise(window + w.pm.bitmap_pa, w.pm.bitmap_frames * PAGE_SIZE, MADV_DONTNEED);
	}
	return 0;
}
