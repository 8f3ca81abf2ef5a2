/* SPDX-License-Identifier: MIT */
/*
 * Page-table pages for host tests of vmx/ept.c (see fake_ept_tables.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "tests/unit/fake_ept_tables.h"

#define FAKE_EPT_PAGE 4096

struct fake_ept_tables fake_ept = {.fail_after = -1};

enum err fake_ept_table_alloc(void *ctx, uint64_t *pa)
{
	void *p;

	(void)ctx;
	if (fake_ept.fail_after == 0 || fake_ept.nlive == FAKE_EPT_MAX_TABLES)
		return E_NOMEM;
	if (fake_ept.fail_after > 0)
		fake_ept.fail_after--;
	p = aligned_alloc(FAKE_EPT_PAGE, FAKE_EPT_PAGE);
	assert_non_null(p);
	memset(p, 0, FAKE_EPT_PAGE);
	fake_ept.live[fake_ept.nlive++] = p;
	fake_ept.allocs++;
	*pa = (uint64_t)(uintptr_t)p;
	return E_OK;
}

void fake_ept_table_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	for (unsigned i = 0; i < fake_ept.nlive; i++) {
		if (fake_ept.live[i] != (void *)(uintptr_t)pa)
			continue;
		free(fake_ept.live[i]);
		fake_ept.live[i] = fake_ept.live[--fake_ept.nlive];
		fake_ept.frees++;
		return;
	}
	fake_ept.bad_frees++;
}

void fake_ept_tables_reset(void)
{
	while (fake_ept.nlive)
		free(fake_ept.live[--fake_ept.nlive]);
	fake_ept.allocs = fake_ept.frees = fake_ept.bad_frees = 0;
	fake_ept.fail_after = -1;
}
