/* SPDX-License-Identifier: MIT */
/*
 * The frame allocator's instance core: a struct pmm built from a boot memory
 * map minus reserved ranges, with no locking and no global state, so host
 * tests can run it over a malloc'd arena. mm/pmm.h wraps one global instance.
 */
#ifndef VIREO_MM_PMM_CORE_H
#define VIREO_MM_PMM_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/error.h"
#include "mm/pmm.h"

/* Memory map entry type for usable RAM (Multiboot2 spec 3.6.8, E820 type 1). */
#define PMM_REGION_AVAILABLE 1

/* Most separate usable runs (after merging and subtracting reservations). */
#define PMM_MAX_RUNS 256

/* Physical addresses are at most 52 bits wide (SDM Vol. 3A 4.1.4), so frame
 * numbers stay below 2^40 and never overflow when added to. */
#define PMM_PFN_LIMIT (1ull << (52 - PAGE_SHIFT))

/* One boot memory map entry (Multiboot2 3.6.8 / E820 layout, any order). */
struct pmm_region {
	uint64_t base;
	uint64_t length;
	uint32_t type;
};

/* A range that is in use and must never be handed out. */
struct pmm_range {
	uint64_t base;
	uint64_t length;
	const char *what;
};

/* A maximal stretch of usable frames; its bits start at a bitmap word. */
struct pmm_run {
	uint64_t first_pfn;
	uint64_t frames;
	uint64_t word;
};

/*
 * Layout: one bitmap per usable run, packed into a single carved-out block
 * (bit set = frame allocated). Per-run bitmaps cost one bit per usable frame
 * whatever the holes between runs (RAM at 5 GiB next to RAM at 1 MiB needs
 * no bits for the 4 GiB between), and a frame outside every run is known to
 * be unallocatable, so freeing it is caught without a second bitmap.
 */
struct pmm {
	uintptr_t direct_map_offset; /* host address = physical address + this */
	uint64_t *bitmap;
	uint64_t bitmap_pa;
	uint64_t bitmap_frames;
	struct pmm_run runs[PMM_MAX_RUNS];
	size_t run_count;
	size_t total_frames;
	size_t free_frames;
	size_t hint_run;   /* next-fit: run and frame index where the */
	uint64_t hint_idx; /* next search starts */
};

struct pmm_config {
	const struct pmm_region *map;
	size_t map_count;
	const struct pmm_range *reserved;
	size_t reserved_count;
	/* Added to a physical address to reach it (kernel: 0, identity map). */
	uintptr_t direct_map_offset;
	/* The bitmap must end at or below this address (what is mapped now). */
	uint64_t meta_limit;
};

/*
 * Build p from cfg. Only whole frames inside an available entry and outside
 * every non-available entry, every reserved range and frame 0 become free.
 * The bitmap is carved from the lowest usable run that fits below
 * cfg->meta_limit. E_NOMEM: no usable memory or nowhere for the bitmap;
 * E_RANGE: more than PMM_MAX_RUNS runs. Failures are reported with pr_err.
 */
enum err pmm_core_init(struct pmm *p, const struct pmm_config *cfg);

/* A run of count frames whose first frame number is a multiple of
 * align_pages (a power of two). E_INVAL: bad arguments; E_NOMEM: no such run. */
enum err pmm_core_alloc(struct pmm *p, size_t count, size_t align_pages, uint64_t *pa_out);

/* Return count frames at pa. E_ALIGN: pa not frame aligned; E_INVAL: some
 * frame was never allocatable; E_DOUBLE_FREE: some frame is already free.
 * On any error nothing changes. */
enum err pmm_core_free(struct pmm *p, uint64_t pa, size_t count);

/* True if the frame at pa is usable RAM managed by p (free or allocated). */
bool pmm_core_manages(const struct pmm *p, uint64_t pa);
/* True if the frame at pa is managed and currently free. */
bool pmm_core_is_free(const struct pmm *p, uint64_t pa);

/* Recount the bitmap: E_OK, or E_STATE (reported) if it disagrees with
 * free_frames or a padding bit past a run's end is clear. */
enum err pmm_core_check(const struct pmm *p);

/* Print totals in MiB, the bitmap and every usable run. */
void pmm_core_report(const struct pmm *p);

/* Global instance (see mm/pmm.h for the allocation wrappers). */
enum err pmm_init_global(const struct pmm_region *map, size_t n, const struct pmm_range *reserved,
			 size_t nres);
/* Same, with a caller-chosen direct map and bitmap limit (host tests). */
enum err pmm_init_global_config(const struct pmm_config *cfg);

#endif
