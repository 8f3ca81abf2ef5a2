/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for boot/mb2.c: parses arbitrary bytes from exact-size,
 * 8-byte-aligned heap copies (so ASan catches any read past the bound) and
 * checks that whatever the parser accepts points inside the block.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "boot/mb2.h"

#define RSDP_V1_BYTES 20
#define RSDP_V2_BYTES 36
#define EFI_DESC_MIN 40

static struct mb2_info info;

static void check_inside(const uint8_t *buf, size_t n, const void *p, size_t len)
{
	const uint8_t *q = p;

	if (q < buf || q > buf + n || len > (size_t)(buf + n - q))
		__builtin_trap();
}

static void check_string(const uint8_t *buf, size_t n, const char *s)
{
	if (s)
		check_inside(buf, n, s, strlen(s) + 1);
}

static void check_accepted(const uint8_t *buf, size_t avail)
{
	size_t total = info.total_size;

	if (total < MB2_INFO_MIN_SIZE || total > avail || info.why)
		__builtin_trap();
	check_string(buf, total, info.cmdline);
	check_string(buf, total, info.loader_name);
	if (info.mmap_count > MB2_MMAP_MAX || info.module_count > MB2_MODULES_MAX)
		__builtin_trap();
	for (unsigned i = 0; i < info.module_count; i++) {
		if (info.modules[i].start > info.modules[i].end || !info.modules[i].cmdline)
			__builtin_trap();
		check_string(buf, total, info.modules[i].cmdline);
	}
	if (info.rsdp_v1 && info.rsdp_v1_len < RSDP_V1_BYTES)
		__builtin_trap();
	if (info.rsdp_v2 && info.rsdp_v2_len < RSDP_V2_BYTES)
		__builtin_trap();
	if (info.rsdp_v1)
		check_inside(buf, total, info.rsdp_v1, info.rsdp_v1_len);
	if (info.rsdp_v2)
		check_inside(buf, total, info.rsdp_v2, info.rsdp_v2_len);
	if (info.efi_mmap.present) {
		if (info.efi_mmap.desc_size < EFI_DESC_MIN)
			__builtin_trap();
		check_inside(buf, total, info.efi_mmap.map, info.efi_mmap.length);
	}
	mb2_report(&info);
}

static void parse_copy(const uint8_t *data, size_t n)
{
	/* malloc() is 16-byte aligned; an exact size lets ASan see byte n. */
	uint8_t *buf = malloc(n ? n : 1);
	enum err e;

	if (!buf)
		return;
	if ((uintptr_t)buf % MB2_INFO_ALIGN)
		__builtin_trap();
	memcpy(buf, data, n);
	e = mb2_parse(buf, n, &info);
	if (e == E_OK)
		check_accepted(buf, n);
	else if (!info.why || !info.why[0] || strlen(info.why) >= MB2_WHY_MAX)
		__builtin_trap();
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_copy(data, size);
	parse_copy(data, size / 2);
	return 0;
}
