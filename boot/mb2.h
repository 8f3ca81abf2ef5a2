/* SPDX-License-Identifier: MIT */
/*
 * Multiboot2 boot-information parser (Multiboot2 spec 3.6 "Boot information
 * format"): validates the tag list GRUB hands over in EBX and copies what
 * Vireo uses into struct mb2_info. Pure C, also built into host tests.
 */
#ifndef VIREO_BOOT_MB2_H
#define VIREO_BOOT_MB2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/error.h"

/* EAX at kernel entry when a Multiboot2 loader started us (spec 3.2). */
#define MB2_BOOTLOADER_MAGIC 0x36d76289u

/* Fixed part (u32 total_size, u32 reserved) and tag header (u32 type, u32 size). */
#define MB2_INFO_ALIGN 8
#define MB2_INFO_HEADER_SIZE 8
#define MB2_TAG_HEADER_SIZE 8
#define MB2_TAG_ALIGN 8 /* info tags and image header tags (spec 3.1.3) alike */
/* The smallest legal block: the fixed part followed by the end tag. */
#define MB2_INFO_MIN_SIZE (MB2_INFO_HEADER_SIZE + MB2_TAG_HEADER_SIZE)
#define MB2_END_TAG_SIZE 8

/* Tag types of the boot information (spec 3.6, one subsection each). */
enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_BASIC_MEMINFO = 4,
	MB2_TAG_BOOTDEV = 5,
	MB2_TAG_MMAP = 6,
	MB2_TAG_VBE = 7,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_ELF_SECTIONS = 9,
	MB2_TAG_APM = 10,
	MB2_TAG_EFI32 = 11,
	MB2_TAG_EFI64 = 12,
	MB2_TAG_SMBIOS = 13,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
	MB2_TAG_NETWORK = 16,
	MB2_TAG_EFI_MMAP = 17,
	MB2_TAG_EFI_BS = 18,
	MB2_TAG_EFI32_IH = 19,
	MB2_TAG_EFI64_IH = 20,
	MB2_TAG_LOAD_BASE_ADDR = 21,
	MB2_TAG_TYPE_COUNT
};

/* Memory map entry types (spec 3.6 "Memory map"); every other value is reserved. */
enum mb2_mmap_type {
	MB2_MMAP_AVAILABLE = 1,
	MB2_MMAP_RESERVED = 2,
	MB2_MMAP_ACPI_RECLAIMABLE = 3,
	MB2_MMAP_ACPI_NVS = 4,
	MB2_MMAP_BADRAM = 5,
};

/* Framebuffer types (spec 3.6 "Framebuffer info"). */
enum mb2_fb_type {
	MB2_FB_INDEXED = 0,
	MB2_FB_RGB = 1,
	MB2_FB_EGA_TEXT = 2,
};

#define MB2_MMAP_MAX 256
#define MB2_MODULES_MAX 32
#define MB2_WHY_MAX 128

struct mb2_mmap_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type;
};

struct mb2_module {
	uint32_t start;
	uint32_t end;
	const char *cmdline;
};

/* One colour of a direct RGB pixel: its lowest bit and its width in bits. */
struct mb2_fb_channel {
	uint8_t pos;
	uint8_t size;
};

/*
 * The framebuffer tag. For type MB2_FB_RGB the tag normally goes on with
 * color_info (spec 3.6): where red, green and blue sit in a pixel, the pixel
 * read as a little-endian integer. has_rgb says it was there; without it
 * red, green and blue are zero.
 */
struct mb2_framebuffer {
	bool present;
	uint64_t addr;
	uint32_t pitch;
	uint32_t width;
	uint32_t height;
	uint8_t bpp;
	uint8_t type;
	bool has_rgb;
	struct mb2_fb_channel red, green, blue;
};

struct mb2_efi_mmap {
	bool present;
	const void *map;
	uint32_t length;
	uint32_t desc_size;
	uint32_t desc_version;
};

/*
 * What mb2_parse() found. Pointers point into the caller's information block,
 * so they stay valid only while that memory is preserved. When a tag type
 * appears twice, the later tag wins (modules and memory maps accumulate).
 */
struct mb2_info {
	uint32_t total_size;
	const char *cmdline;
	const char *loader_name;

	bool has_meminfo;
	uint32_t mem_lower;
	uint32_t mem_upper;

	struct mb2_mmap_entry mmap[MB2_MMAP_MAX];
	unsigned mmap_count;
	unsigned mmap_dropped;

	struct mb2_module modules[MB2_MODULES_MAX];
	unsigned module_count;
	unsigned modules_dropped;

	const void *rsdp_v1;
	uint32_t rsdp_v1_len;
	const void *rsdp_v2;
	uint32_t rsdp_v2_len;

	struct mb2_framebuffer fb;
	struct mb2_efi_mmap efi_mmap;
	bool has_efi64_system_table;
	uint64_t efi64_system_table;

	unsigned unknown_tags;

	/* On failure: a sentence naming the check and the value seen. */
	const char *why;
	uint32_t err_offset;
	char why_buf[MB2_WHY_MAX];
};

/*
 * Validate and decode the block at @info. @avail is how many bytes may be
 * read there; nothing past min(total_size, avail) is touched. Returns E_OK,
 * or E_INVAL / E_ALIGN / E_TRUNC / E_MALFORMED with out->why and
 * out->err_offset set (other fields of @out are then unspecified).
 */
enum err mb2_parse(const void *info, size_t avail, struct mb2_info *out);

/* Log a short summary of @info with pr_info(). */
void mb2_report(const struct mb2_info *info);

/*
 * Turn the EFI memory map (UEFI 2.10 section 7.2, EFI_MEMORY_DESCRIPTOR) into
 * Multiboot2-style entries: loader, boot-services and conventional memory
 * are available once GRUB has left boot services; ACPI reclaim/NVS and
 * unusable memory keep their meaning; everything else is reserved. Returns
 * the number of entries written (at most cap).
 */
unsigned mb2_efi_mmap_regions(const struct mb2_efi_mmap *m, struct mb2_mmap_entry *out,
			      unsigned cap);

/* "available", "reserved", "ACPI reclaimable", ... for a memory map type. */
const char *mb2_mmap_type_name(uint32_t type);

#endif
