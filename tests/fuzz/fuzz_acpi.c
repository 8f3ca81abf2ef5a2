/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for arch/x86/acpi.c. Byte 0 picks the mode: the rest is a
 * table (parsed as a MADT and as a FADT), an RSDP, or a fake physical memory
 * image (RSDP, XSDT/RSDT, tables; the MADT and FADT found are parsed)
 * at FUZZ_IMAGE_PA. Every mapping is handed out as its own exactly-sized heap
 * copy, so ASan catches any read past what the parser asked to map.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "arch/x86/acpi.h"

#define FUZZ_IMAGE_PA 0xE0000u
#define FUZZ_MAX_MAPS 32768
#define FUZZ_RSDP_AT_SCAN 0xFF
#define FUZZ_RSDP_STRIDE 16
#define FUZZ_RSDP_AVAIL 64

enum fuzz_mode { FUZZ_MADT, FUZZ_RSDP, FUZZ_IMAGE, FUZZ_MODES };

struct fuzz_image {
	const uint8_t *bytes;
	size_t len;
	void *maps[FUZZ_MAX_MAPS];
	unsigned n_maps;
};

static struct fuzz_image image;
static struct acpi_madt madt;
static struct acpi_fadt fadt;
static struct acpi acpi;

static const void *fuzz_map(void *ctx, uint64_t pa, size_t len)
{
	struct fuzz_image *im = ctx;
	uint64_t off;
	void *copy;

	if (pa < FUZZ_IMAGE_PA || len == 0 || im->n_maps == FUZZ_MAX_MAPS)
		return NULL;
	off = pa - FUZZ_IMAGE_PA;
	if (off > im->len || len > im->len - off)
		return NULL;
	copy = malloc(len);
	if (!copy)
		return NULL;
	memcpy(copy, im->bytes + off, len);
	im->maps[im->n_maps++] = copy;
	return copy;
}

static void fuzz_unmap_all(struct fuzz_image *im)
{
	while (im->n_maps)
		free(im->maps[--im->n_maps]);
}

static void fuzz_madt(const uint8_t *data, size_t size)
{
	const char *why;

	(void)acpi_table_check(data, size, &why);
	if (acpi_parse_madt(data, size, &madt) == E_OK)
		acpi_madt_report(&madt);
	(void)acpi_parse_fadt(data, size, &fadt);
}

static void fuzz_tables(void)
{
	const struct acpi_table_ref *ref;
	const void *t;
	const char *why;
	unsigned i;

	for (i = 0; i < acpi.count; i++) {
		ref = &acpi.tables[i];
		t = acpi_table_map(&acpi, ref);
		if (!t || acpi_table_check(t, ref->length, &why) != E_OK)
			__builtin_trap(); /* acpi_init recorded a table it never checked */
	}
	ref = acpi_find(&acpi, "APIC", 0);
	if (ref && acpi_parse_madt(acpi_table_map(&acpi, ref), ref->length, &madt) == E_OK)
		acpi_madt_report(&madt);
	(void)acpi_find(&acpi, "SSDT", 1);
	(void)acpi_fadt_find(&acpi, &fadt);
}

/* data[0] is where the RSDP is (offset / 16), or FUZZ_RSDP_AT_SCAN; the rest is memory. */
static void fuzz_image(const uint8_t *data, size_t size)
{
	struct acpi_rsdp_info info;
	uint64_t pa;
	const void *p;
	size_t avail = FUZZ_RSDP_AVAIL, off;
	enum err e;

	if (size < 1)
		return;
	image.bytes = data + 1;
	image.len = size - 1;
	if (data[0] == FUZZ_RSDP_AT_SCAN) {
		e = acpi_rsdp_scan(fuzz_map, &image, &pa, &info);
	} else {
		off = (size_t)data[0] * FUZZ_RSDP_STRIDE;
		if (off < image.len && image.len - off < avail)
			avail = image.len - off;
		p = fuzz_map(&image, FUZZ_IMAGE_PA + off, avail);
		e = p ? acpi_rsdp_validate(p, avail, &info) : E_RANGE;
	}
	if (e == E_OK && acpi_init(&acpi, &info, fuzz_map, &image) == E_OK)
		fuzz_tables();
	fuzz_unmap_all(&image);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acpi_rsdp_info info;

	if (size < 1)
		return 0;
	switch (data[0] % FUZZ_MODES) {
	case FUZZ_MADT:
		fuzz_madt(data + 1, size - 1);
		break;
	case FUZZ_RSDP:
		(void)acpi_rsdp_validate(data + 1, size - 1, &info);
		break;
	default:
		fuzz_image(data + 1, size - 1);
		break;
	}
	return 0;
}
