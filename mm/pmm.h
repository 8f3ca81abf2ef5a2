/* SPDX-License-Identifier: MIT */
/*
 * Physical frame allocator: 4 KiB frames and contiguous, aligned runs, built
 * from the boot memory map minus every reserved range. The core works on a
 * struct pmm instance (host-testable); the kernel uses one global instance
 * behind the pmm_* wrappers, guarded by a spinlock.
 */
#ifndef VIREO_MM_PMM_H
#define VIREO_MM_PMM_H

#include <stddef.h>
#include <stdint.h>
#include "arch/x86/paging_bits.h"
#include "lib/error.h"

/* The kernel's direct map is the identity map: physical == virtual. */
static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

static inline uint64_t virt_to_phys(const void *va)
{
	return (uint64_t)(uintptr_t)va;
}

/* Global kernel allocator (thread-safe). */
enum err pmm_alloc_pages(size_t count, size_t align_pages, uint64_t *pa_out);
enum err pmm_alloc_page(uint64_t *pa_out);
enum err pmm_free_pages(uint64_t pa, size_t count);
size_t pmm_free_count(void);
size_t pmm_total_count(void);
/* Print total and free memory in MiB and the usable runs. */
void pmm_report(void);
/* Recount the bitmap against the free count: E_OK or E_STATE (reported). */
enum err pmm_check_consistency(void);

#endif
