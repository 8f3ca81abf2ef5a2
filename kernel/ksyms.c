/* SPDX-License-Identifier: MIT */
/* Address-to-name lookup over the sorted table emitted by tools/ksyms.sh. */
#include "lib/ksyms.h"

struct ksym_entry {
	uint64_t addr;
	uint32_t name_off;
	uint32_t reserved;
};

extern const uint64_t ksyms_count;
extern const struct ksym_entry ksyms_table[];
extern const char ksyms_names[];
extern const char __text_start[], __text_end[];

uint64_t ksyms_count_get(void)
{
	return ksyms_count;
}

const char *ksyms_lookup(uint64_t addr, uint64_t *offset)
{
	uint64_t lo = 0, hi = ksyms_count;

	if (addr < (uint64_t)__text_start || addr >= (uint64_t)__text_end || !hi)
		return 0;
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (ksyms_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (ksyms_table[lo].addr > addr)
		return 0;
	if (offset)
		*offset = addr - ksyms_table[lo].addr;
	return ksyms_names + ksyms_table[lo].name_off;
}
