/* SPDX-License-Identifier: MIT */
/* Controlling and inspecting the fake global page allocator (fake_pmm.c). */
#ifndef VIREO_TESTS_FAKE_PMM_H
#define VIREO_TESTS_FAKE_PMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Free every outstanding page and start over with total free pages. */
void fake_pmm_reset(size_t total);
/* Make the next allocations fail with E_NOMEM (after `after` more succeed). */
void fake_pmm_fail_after(unsigned int after);
void fake_pmm_stop_failing(void);
/* Pages handed out and not yet freed. */
size_t fake_pmm_outstanding(void);
bool fake_pmm_is_allocated(uint64_t pa);
unsigned int fake_pmm_alloc_calls(void);

#endif
