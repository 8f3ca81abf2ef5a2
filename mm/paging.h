/* SPDX-License-Identifier: MIT */
/*
 * 4-level page tables (SDM Vol. 3A 5.5): a table walker/builder that maps
 * ranges with the largest page that fits (1 GiB, 2 MiB, 4 KiB), splitting
 * large pages when a sub-range needs other attributes. The core takes an
 * allocator callback and reaches tables through phys_to_virt(), so it is
 * host-testable; paging_init() builds and loads the kernel's own tables.
 */
#ifndef VIREO_MM_PAGING_H
#define VIREO_MM_PAGING_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/paging_bits.h"
#include "lib/error.h"

#define PTE_ATTR_MASK (PTE_W | PTE_US | PTE_PWT | PTE_PCD | PTE_G | PTE_NX)

/* Common attribute sets for the kernel's identity map. */
#define PAGE_KERNEL_RW (PTE_W | PTE_NX)
#define PAGE_KERNEL_RO (PTE_NX)
#define PAGE_KERNEL_RX 0ull
#define PAGE_KERNEL_MMIO (PTE_W | PTE_NX | PTE_PCD | PTE_PWT)

struct pt {
	uint64_t root_pa;
	bool allow_1g;
	bool allow_nx;
	enum err (*alloc_table)(void *ctx, uint64_t *pa); /* one zeroed 4 KiB page */
	void *ctx;
	unsigned tables; /* tables allocated so far, root included */
};

enum err pt_init(struct pt *pt);
/* Map [va, va+size) to [pa, ...) with attributes (PTE_P is implied). */
enum err pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t attrs);
/* Remove the mapping of [va, va+size) (splitting large pages as needed). */
enum err pt_unmap(struct pt *pt, uint64_t va, uint64_t size);
/* Leaf entry for va and its page size (0 if not mapped). */
uint64_t pt_lookup(const struct pt *pt, uint64_t va, uint64_t *page_size);

/* Kernel tables: identity map of RAM and the low 4 GiB, kernel image with
 * per-section permissions, no page at 0. */
enum err paging_init(uint64_t ram_top);
enum err paging_map_mmio(uint64_t pa, uint64_t size);
enum err paging_set_attrs(uint64_t va, uint64_t size, uint64_t attrs);
/* Unmap one page of the direct map (a stack's guard page): touching it
 * faults. This CPU's TLB only: call it before other CPUs use the page. */
enum err paging_guard_page(uint64_t va);
uint64_t paging_kernel_root(void);
uint64_t paging_lookup(uint64_t va, uint64_t *page_size);

#endif
