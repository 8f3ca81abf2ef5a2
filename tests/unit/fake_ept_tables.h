/* SPDX-License-Identifier: MIT */
/*
 * Page-table pages for host tests of vmx/ept.c: real aligned host memory,
 * every live page tracked, allocations and frees counted, an allocation
 * failure on demand, and a free of a page never handed out counted apart.
 */
#ifndef VIREO_TESTS_FAKE_EPT_TABLES_H
#define VIREO_TESTS_FAKE_EPT_TABLES_H

#include <stdint.h>
#include "lib/error.h"

#define FAKE_EPT_MAX_TABLES 8192

struct fake_ept_tables {
	void *live[FAKE_EPT_MAX_TABLES];
	unsigned nlive, allocs, frees, bad_frees;
	int fail_after; /* allocations that still succeed; -1: never fail */
};

extern struct fake_ept_tables fake_ept;

/* The ept's table_alloc / table_free hooks. */
enum err fake_ept_table_alloc(void *ctx, uint64_t *pa);
void fake_ept_table_free(void *ctx, uint64_t pa);
/* Counters to zero, no failure; every page still live is freed. */
void fake_ept_tables_reset(void);

#endif
