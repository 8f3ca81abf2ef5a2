/* SPDX-License-Identifier: MIT */
/* Host tests for mb2_efi_mmap_regions(): EFI memory types to Multiboot2 types,
 * descriptor strides larger than the structure, bad descriptors skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "boot/mb2.h"

#define DESC_SIZE 48 /* firmware may use a larger stride than the 40-byte struct */

static uint8_t map[8 * DESC_SIZE];

static void put(unsigned i, uint32_t type, uint64_t start, uint64_t pages)
{
	uint8_t *d = map + i * DESC_SIZE;

	memset(d, 0xee, DESC_SIZE);
	memcpy(d, &type, 4);
	memcpy(d + 8, &start, 8);
	memcpy(d + 24, &pages, 8);
}

static void test_types_and_stride(void **state)
{
	struct mb2_efi_mmap m = {true, map, 6 * DESC_SIZE, DESC_SIZE, 1};
	struct mb2_mmap_entry out[8];
	unsigned n;

	put(0, 7, 0x100000, 16);       /* conventional */
	put(1, 4, 0x200000, 1);        /* boot-services data: free after exit */
	put(2, 9, 0x300000, 2);        /* ACPI reclaim */
	put(3, 10, 0x400000, 1);       /* ACPI NVS */
	put(4, 11, 0xfec00000, 1);     /* MMIO: reserved */
	put(5, 7, 0x100000000ull, 256); /* above 4 GiB */
	n = mb2_efi_mmap_regions(&m, out, 8);
	assert_int_equal(n, 6);
	assert_int_equal(out[0].type, MB2_MMAP_AVAILABLE);
	assert_int_equal(out[0].length, 16 * 4096);
	assert_int_equal(out[1].type, MB2_MMAP_AVAILABLE);
	assert_int_equal(out[2].type, MB2_MMAP_ACPI_RECLAIMABLE);
	assert_int_equal(out[3].type, MB2_MMAP_ACPI_NVS);
	assert_int_equal(out[4].type, MB2_MMAP_RESERVED);
	assert_int_equal(out[5].base, 0x100000000ull);
}

static void test_bad_descriptors_skipped(void **state)
{
	struct mb2_efi_mmap m = {true, map, 3 * DESC_SIZE - 1, DESC_SIZE, 1};
	struct mb2_mmap_entry out[8];

	put(0, 7, 0x100000, 0);                    /* no pages */
	put(1, 7, 0xfffffffffffff000ull, 1ull << 60); /* wraps */
	put(2, 7, 0x100000, 1);                    /* cut off by the length */
	assert_int_equal(mb2_efi_mmap_regions(&m, out, 8), 0);
}

static void test_cap_and_absent(void **state)
{
	struct mb2_efi_mmap m = {true, map, 3 * DESC_SIZE, DESC_SIZE, 1};
	struct mb2_efi_mmap none = {0};
	struct mb2_mmap_entry out[2];

	put(0, 7, 0x1000, 1);
	put(1, 7, 0x2000, 1);
	put(2, 7, 0x3000, 1);
	assert_int_equal(mb2_efi_mmap_regions(&m, out, 2), 2);
	assert_int_equal(mb2_efi_mmap_regions(&none, out, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types_and_stride),
		cmocka_unit_test(test_bad_descriptors_skipped),
		cmocka_unit_test(test_cap_and_absent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
