/* SPDX-License-Identifier: MIT */
/*
 * Multiboot2 boot-information parser (Multiboot2 spec 3.6): walks the tag
 * list with every length checked against total_size and the caller's bound,
 * decodes the tags Vireo uses through a per-type table, and logs a summary.
 */
#include <stdarg.h>
#include "boot/mb2.h"
#include "arch/x86/acpi_tables.h"
#include "lib/bytes.h"
#include "lib/printk.h"
#include "lib/format.h"
#include "lib/string.h"

/* Field offsets inside tags, from the layouts in spec 3.6. */
#define MB2_STRING_OFF 8
#define MB2_MEMINFO_LOWER_OFF 8
#define MB2_MEMINFO_UPPER_OFF 12
#define MB2_MEMINFO_SIZE 16
#define MB2_MODULE_START_OFF 8
#define MB2_MODULE_END_OFF 12
#define MB2_MODULE_STRING_OFF 16
#define MB2_MMAP_ENTRY_SIZE_OFF 8
#define MB2_MMAP_ENTRIES_OFF 16
#define MB2_MMAP_ENTRY_MIN 24
#define MB2_MMAP_ENTRY_ALIGN 8
#define MB2_MMAP_E_BASE_OFF 0
#define MB2_MMAP_E_LENGTH_OFF 8
#define MB2_MMAP_E_TYPE_OFF 16
#define MB2_FB_ADDR_OFF 8
#define MB2_FB_PITCH_OFF 16
#define MB2_FB_WIDTH_OFF 20
#define MB2_FB_HEIGHT_OFF 24
#define MB2_FB_BPP_OFF 28
#define MB2_FB_TYPE_OFF 29
#define MB2_FB_MIN_SIZE 30
/*
 * color_info of a direct RGB framebuffer: after the u8 type comes a u16
 * reserved field (struct multiboot_tag_framebuffer_common in the spec's
 * multiboot2.h, as GRUB writes it), then six u8: red position, red size,
 * green position, green size, blue position, blue size.
 */
#define MB2_FB_RGB_OFF 32
#define MB2_FB_RGB_SIZE (MB2_FB_RGB_OFF + 6)
#define MB2_EFI64_PTR_OFF 8
#define MB2_EFI64_SIZE 16
#define MB2_RSDP_OFF 8
#define MB2_EFI_MMAP_DESC_SIZE_OFF 8
#define MB2_EFI_MMAP_DESC_VER_OFF 12
#define MB2_EFI_MMAP_MAP_OFF 16

/* UEFI 2.10 section 7.2, EFI_MEMORY_DESCRIPTOR: 40 bytes; firmware may use more. */
#define EFI_MEMORY_DESCRIPTOR_MIN 40

#define KIB_SHIFT 10

struct mb2_tag_kind {
	const char *name;
	uint32_t min_size;
	enum err (*parse)(const uint8_t *tag, uint32_t size, struct mb2_info *out);
};

__attribute__((format(printf, 3, 4))) static enum err mb2_fail(struct mb2_info *out, enum err e,
							       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(out->why_buf, sizeof(out->why_buf), fmt, ap);
	va_end(ap);
	out->why = out->why_buf;
	return e;
}

/* The string at @off inside a tag of @size bytes, or NULL if no NUL ends it in the tag. */
static const char *mb2_tag_string(const uint8_t *tag, uint32_t size, uint32_t off)
{
	const char *s = (const char *)tag + off;

	if (size <= off || strnlen(s, size - off) == size - off)
		return NULL;
	return s;
}

static enum err mb2_string_tag(const uint8_t *tag, uint32_t size, struct mb2_info *out,
			       const char **dst, const char *what)
{
	const char *s = mb2_tag_string(tag, size, MB2_STRING_OFF);

	if (!s)
		return mb2_fail(out, E_MALFORMED,
				"%s tag (%u bytes) has no NUL terminator inside it", what, size);
	*dst = s;
	return E_OK;
}

static enum err mb2_tag_cmdline(const uint8_t *tag, uint32_t size, struct mb2_info *out)
{
	return mb2_string_tag(tag, size, out, &out->cmdline, "command line");
}

static enum err mb2_tag_loader_name(const uint8_t *tag, uint32_t size, struct mb2_info *out)
{
	return mb2_string_tag(tag, size, out, &out->loader_name, "boot loader name");
}

/* Spec 3.6 "Modules": u32 mod_start, u32 mod_end, then a NUL-terminated string. */
static enum err mb2_tag_module(const uint8_t *tag, uint32_t size, struct mb2_info *out)
{
	uint32_t start = le32_get(tag + MB2_MODULE_START_OFF);
	uint32_t end = le32_get(tag + MB2_MODULE_END_OFF);
	const char *s = mb2_tag_string(tag, size, MB2_MODULE_STRING_OFF);
	struct mb2_module *m;

	if (start > end)
		return mb2_fail(out, E_MALFORMED,
				"module tag: mod_start 0x%x is above mod_end 0x%x", start, end);
	if (!s)
		return mb2_fail(out, E_MALFORMED,
				"module tag (%u bytes): string has no NUL inside the tag",
				size);
	if (out->module_count >= MB2_MODULES_MAX) {
		out->modules_dropped++;
		return E_OK;
	}
	m = &out->modules[out->module_count++];
	m->start = start;
	m->end = end;
	m->cmdline = s;
	return E_OK;
}

static enum err mb2_tag_meminfo(const uint8_t *tag, uint32_t size, struct mb2_info *out)
{
	out->has_meminfo = true;
	out->mem_lower = le32_get(tag + MB2_MEMINFO_LOWER_OFF);
	out->mem_upper = le32_get(tag + MB2_MEMINFO_UPPER_OFF);
	return E_OK;
}

/*
 * Spec 3.6 "Memory map": u32 entry_size, u32 entry_version, then entries of
 * entry_size bytes each starting with u64 base_addr, u64 length, u32 type.
 * entry_size may grow in later versions, so only its lower bound is fixed.
 */
static enum err mb2_tag_mmap(const uint8_t *tag, uint32_t size, struct mb2_info *out)
{
	uint32_t esize = le32_get(tag + MB2_MMAP_ENTRY_SIZE_OFF);
	uint32_t bytes = size - MB2_MMAP_ENTRIES_OFF;
	const uint8_t *e;

	if (esize < MB2_MMAP_ENTRY_MIN || esize % MB2_MMAP_ENTRY_ALIGN)
		return mb2_fail(out, E_MALFORMED,
				"memory map entry_size %u: need a multiple of %u, at least %u",
				esize, MB2_MMAP_ENTRY_ALIGN, MB2_MMAP_ENTRY_MIN);
	if (bytes % esize)
		return mb2_fail(out, E_MALFORMED,
				"memory map: %u bytes are not whole %u-byte entries",
				bytes, esize);
	for (e = tag + MB2_MMAP_ENTRIES_OFF; e < tag + size; e += esize) {
		struct mb2_mmap_entry *m;

		if (out->mmap_count >= MB2_MMAP_MAX) {
			out->mmap_dropped++;
			continue;
		}
		m = &out->mmap[out->mmap_count++];
		m->base = le64_get(e + MB2_MMAP_E_BASE_OFF);
		m->length = le64_get(e + MB2_MMAP_E_LENGTH_OFF);
		m->type = le32_get(e + MB2_MMAP_E_TYPE_OFF);
	}
	return E_OK;
}

static struct mb2_fb_channel mb2_fb_channel(const uint8_t *p)
{
	return (struct mb2_fb_channel){.pos = p[0], .size = p[1]};
}

/*
 * Spec 3.6 "Framebuffer info": the common part, and for a direct RGB
 * framebuffer the colour positions when the tag is long enough to hold them
 * (whether they make sense is for the console to judge). An indexed
 * framebuffer's palette is not used.
 */
static enum err mb2_tag_framebuffer(const uint8_t *tag, uint32_t size, struct mb2_info *out)
{
	struct mb2_framebuffer *fb = &out->fb;
	const uint8_t *rgb = tag + MB2_FB_RGB_OFF;

	*fb = (struct mb2_framebuffer){
		.present = true,
		.addr = le64_get(tag + MB2_FB_ADDR_OFF),
		.pitch = le32_get(tag + MB2_FB_PITCH_OFF),
		.width = le32_get(tag + MB2_FB_WIDTH_OFF),
		.height = le32_get(tag + MB2_FB_HEIGHT_OFF),
		.bpp = tag[MB2_FB_BPP_OFF],
		.type = tag[MB2_FB_TYPE_OFF],
	};
	if (fb->type != MB2_FB_RGB || size < MB2_FB_RGB_SIZE)
		return E_OK;
	fb->has_rgb = true;
	fb->red = mb2_fb_channel(rgb);
	fb->green = mb2_fb_channel(rgb + 2);
	fb->blue = mb2_fb_channel(rgb + 4);
	return E_OK;
}

static enum err mb2_tag_efi64(const uint8_t *tag, uint32_t size, struct mb2_info *out)
{
	out->has_efi64_system_table = true;
	out->efi64_system_table = le64_get(tag + MB2_EFI64_PTR_OFF);
	return E_OK;
}

/* Spec 3.6 "ACPI old RSDP" / "ACPI new RSDP": a copy of the RSDP follows the header. */
static enum err mb2_tag_acpi_old(const uint8_t *tag, uint32_t size, struct mb2_info *out)
{
	out->rsdp_v1 = tag + MB2_RSDP_OFF;
	out->rsdp_v1_len = size - MB2_RSDP_OFF;
	return E_OK;
}

static enum err mb2_tag_acpi_new(const uint8_t *tag, uint32_t size, struct mb2_info *out)
{
	out->rsdp_v2 = tag + MB2_RSDP_OFF;
	out->rsdp_v2_len = size - MB2_RSDP_OFF;
	return E_OK;
}

/* Spec 3.6 "EFI memory map": u32 descriptor size, u32 descriptor version, the map. */
static enum err mb2_tag_efi_mmap(const uint8_t *tag, uint32_t size, struct mb2_info *out)
{
	uint32_t dsize = le32_get(tag + MB2_EFI_MMAP_DESC_SIZE_OFF);

	if (dsize < EFI_MEMORY_DESCRIPTOR_MIN)
		return mb2_fail(out, E_MALFORMED,
				"EFI memory map descriptor size is %u; UEFI needs at least %u",
				dsize, EFI_MEMORY_DESCRIPTOR_MIN);
	out->efi_mmap.present = true;
	out->efi_mmap.desc_size = dsize;
	out->efi_mmap.desc_version = le32_get(tag + MB2_EFI_MMAP_DESC_VER_OFF);
	out->efi_mmap.map = tag + MB2_EFI_MMAP_MAP_OFF;
	out->efi_mmap.length = size - MB2_EFI_MMAP_MAP_OFF;
	return E_OK;
}

/* Every type the spec defines; those without a parse function are skipped. */
static const struct mb2_tag_kind mb2_kinds[MB2_TAG_TYPE_COUNT] = {
    [MB2_TAG_END] = {"end", MB2_END_TAG_SIZE, NULL},
    [MB2_TAG_CMDLINE] = {"command line", MB2_TAG_HEADER_SIZE, mb2_tag_cmdline},
    [MB2_TAG_LOADER_NAME] = {"boot loader name", MB2_TAG_HEADER_SIZE, mb2_tag_loader_name},
    [MB2_TAG_MODULE] = {"module", MB2_MODULE_STRING_OFF, mb2_tag_module},
    [MB2_TAG_BASIC_MEMINFO] = {"basic memory info", MB2_MEMINFO_SIZE, mb2_tag_meminfo},
    [MB2_TAG_BOOTDEV] = {"BIOS boot device", MB2_TAG_HEADER_SIZE, NULL},
    [MB2_TAG_MMAP] = {"memory map", MB2_MMAP_ENTRIES_OFF, mb2_tag_mmap},
    [MB2_TAG_VBE] = {"VBE info", MB2_TAG_HEADER_SIZE, NULL},
    [MB2_TAG_FRAMEBUFFER] = {"framebuffer", MB2_FB_MIN_SIZE, mb2_tag_framebuffer},
    [MB2_TAG_ELF_SECTIONS] = {"ELF symbols", MB2_TAG_HEADER_SIZE, NULL},
    [MB2_TAG_APM] = {"APM table", MB2_TAG_HEADER_SIZE, NULL},
    [MB2_TAG_EFI32] = {"EFI 32-bit system table", MB2_TAG_HEADER_SIZE, NULL},
    [MB2_TAG_EFI64] = {"EFI 64-bit system table", MB2_EFI64_SIZE, mb2_tag_efi64},
    [MB2_TAG_SMBIOS] = {"SMBIOS tables", MB2_TAG_HEADER_SIZE, NULL},
    [MB2_TAG_ACPI_OLD] = {"ACPI old RSDP", MB2_RSDP_OFF + ACPI_RSDP_V1_LEN, mb2_tag_acpi_old},
    [MB2_TAG_ACPI_NEW] = {"ACPI new RSDP", MB2_RSDP_OFF + ACPI_RSDP_V2_LEN, mb2_tag_acpi_new},
    [MB2_TAG_NETWORK] = {"networking", MB2_TAG_HEADER_SIZE, NULL},
    [MB2_TAG_EFI_MMAP] = {"EFI memory map", MB2_EFI_MMAP_MAP_OFF, mb2_tag_efi_mmap},
    [MB2_TAG_EFI_BS] = {"EFI boot services not terminated", MB2_TAG_HEADER_SIZE, NULL},
    [MB2_TAG_EFI32_IH] = {"EFI 32-bit image handle", MB2_TAG_HEADER_SIZE, NULL},
    [MB2_TAG_EFI64_IH] = {"EFI 64-bit image handle", MB2_TAG_HEADER_SIZE, NULL},
    [MB2_TAG_LOAD_BASE_ADDR] = {"image load base", MB2_TAG_HEADER_SIZE, NULL},
};

static enum err mb2_tag(const uint8_t *tag, uint32_t type, uint32_t size, struct mb2_info *out)
{
	const struct mb2_tag_kind *k;

	if (type >= MB2_TAG_TYPE_COUNT) {
		out->unknown_tags++;
		return E_OK;
	}
	k = &mb2_kinds[type];
	if (size < k->min_size)
		return mb2_fail(out, E_MALFORMED,
				"%s tag (type %u) is %u bytes; it needs at least %u",
				k->name, type, size, k->min_size);
	return k->parse ? k->parse(tag, size, out) : E_OK;
}

/* Check the fixed part (spec 3.6 "Boot information format") and return total_size. */
static enum err mb2_header(const void *info, size_t avail, struct mb2_info *out)
{
	uint32_t total;

	if ((uintptr_t)info % MB2_INFO_ALIGN)
		return mb2_fail(out, E_ALIGN, "information block at %p is not %u-byte aligned",
				info, MB2_INFO_ALIGN);
	if (avail < MB2_INFO_HEADER_SIZE)
		return mb2_fail(out, E_TRUNC, "only %zu bytes readable; the fixed part needs %u",
				avail, MB2_INFO_HEADER_SIZE);
	total = le32_get(info);
	if (total < MB2_INFO_MIN_SIZE)
		return mb2_fail(out, E_MALFORMED,
				"total_size is %u; the minimum (fixed part and end tag) is %u",
				total, MB2_INFO_MIN_SIZE);
	if (total > avail)
		return mb2_fail(out, E_TRUNC, "total_size is %u but only %zu bytes are readable",
				total, avail);
	out->total_size = total;
	return E_OK;
}

enum err mb2_parse(const void *info, size_t avail, struct mb2_info *out)
{
	const uint8_t *base = info;
	uint64_t off = MB2_INFO_HEADER_SIZE;
	enum err e;

	if (!out)
		return E_INVAL;
	memset(out, 0, sizeof(*out));
	if (!info)
		return mb2_fail(out, E_INVAL, "no information block (NULL address)");
	e = mb2_header(info, avail, out);
	if (e != E_OK)
		return e;
	for (;;) {
		uint32_t type, size, left;

		out->err_offset = (uint32_t)off;
		if (off >= out->total_size)
			return mb2_fail(out, E_MALFORMED,
					"no end tag (type 0, size 8) before total_size %u",
					out->total_size);
		left = out->total_size - (uint32_t)off;
		if (left < MB2_TAG_HEADER_SIZE)
			return mb2_fail(out, E_TRUNC,
					"tag header at offset %u crosses total_size %u",
					(uint32_t)off, out->total_size);
		type = le32_get(base + off);
		size = le32_get(base + off + sizeof(uint32_t));
		if (size < MB2_TAG_HEADER_SIZE)
			return mb2_fail(out, E_MALFORMED,
					"tag type %u has size %u, smaller than its %u-byte header",
					type, size, MB2_TAG_HEADER_SIZE);
		if (size > left)
			return mb2_fail(out, E_TRUNC,
					"tag type %u of %u bytes runs past total_size %u",
					type, size, out->total_size);
		if (type == MB2_TAG_END) {
			if (size != MB2_END_TAG_SIZE)
				return mb2_fail(out, E_MALFORMED,
						"end tag has size %u, expected %u", size,
						MB2_END_TAG_SIZE);
			break;
		}
		e = mb2_tag(base + off, type, size, out);
		if (e != E_OK)
			return e;
		off += ((uint64_t)size + MB2_TAG_ALIGN - 1) & ~(uint64_t)(MB2_TAG_ALIGN - 1);
	}
	out->err_offset = 0;
	return E_OK;
}

const char *mb2_mmap_type_name(uint32_t type)
{
	switch (type) {
	case MB2_MMAP_AVAILABLE:
		return "available";
	case MB2_MMAP_ACPI_RECLAIMABLE:
		return "ACPI reclaimable";
	case MB2_MMAP_ACPI_NVS:
		return "ACPI NVS";
	case MB2_MMAP_BADRAM:
		return "defective RAM";
	default:
		return "reserved";
	}
}

static const char *mb2_fb_type_name(uint8_t type)
{
	switch (type) {
	case MB2_FB_INDEXED:
		return "indexed";
	case MB2_FB_RGB:
		return "RGB";
	case MB2_FB_EGA_TEXT:
		return "EGA text";
	default:
		return "unknown type";
	}
}

static void mb2_report_mmap(const struct mb2_info *info)
{
	uint64_t avail = 0;

	if (!info->mmap_count) {
		pr_info("mb2: no memory map from the loader\n");
		return;
	}
	pr_info("mb2: memory map, %u entries:\n", info->mmap_count);
	for (unsigned i = 0; i < info->mmap_count; i++) {
		const struct mb2_mmap_entry *m = &info->mmap[i];

		pr_info("mb2:   0x%016llx +0x%011llx %s\n", (unsigned long long)m->base,
			(unsigned long long)m->length, mb2_mmap_type_name(m->type));
		if (m->type == MB2_MMAP_AVAILABLE)
			avail += m->length;
	}
	if (info->mmap_dropped)
		pr_info("mb2:   %u more entries dropped (table holds %u)\n", info->mmap_dropped,
			MB2_MMAP_MAX);
	pr_info("mb2:   %llu KiB available\n", (unsigned long long)(avail >> KIB_SHIFT));
}

static void mb2_report_modules(const struct mb2_info *info)
{
	for (unsigned i = 0; i < info->module_count; i++) {
		const struct mb2_module *m = &info->modules[i];

		pr_info("mb2: module %u: 0x%x-0x%x '%s'\n", i, m->start, m->end, m->cmdline);
	}
	if (info->modules_dropped)
		pr_info("mb2: %u more modules dropped (table holds %u)\n", info->modules_dropped,
			MB2_MODULES_MAX);
}

/* "red bits 16-23" for a channel of @size bits at @pos ("red: 0 bits" when empty). */
static void mb2_fb_channel_text(char *buf, size_t len, const char *name,
				struct mb2_fb_channel c)
{
	if (!c.size)
		fmt_snprintf(buf, len, "%s: 0 bits", name);
	else
		fmt_snprintf(buf, len, "%s bits %u-%u", name, c.pos, c.pos + c.size - 1);
}

#define MB2_FB_CHANNEL_TEXT 24

static void mb2_report_fb(const struct mb2_framebuffer *fb)
{
	char r[MB2_FB_CHANNEL_TEXT], g[MB2_FB_CHANNEL_TEXT], b[MB2_FB_CHANNEL_TEXT];

	pr_info("mb2: framebuffer %ux%u, %u bpp, %s, pitch %u at 0x%llx\n", fb->width,
		fb->height, fb->bpp, mb2_fb_type_name(fb->type), fb->pitch,
		(unsigned long long)fb->addr);
	if (fb->type != MB2_FB_RGB)
		return;
	if (!fb->has_rgb) {
		pr_info("mb2: framebuffer tag carries no colour positions\n");
		return;
	}
	mb2_fb_channel_text(r, sizeof(r), "red", fb->red);
	mb2_fb_channel_text(g, sizeof(g), "green", fb->green);
	mb2_fb_channel_text(b, sizeof(b), "blue", fb->blue);
	pr_info("mb2: framebuffer colours: %s, %s, %s\n", r, g, b);
}

static void mb2_report_firmware(const struct mb2_info *info)
{
	const struct mb2_framebuffer *fb = &info->fb;

	if (info->rsdp_v1 || info->rsdp_v2)
		pr_info("mb2: ACPI RSDP found:%s%s\n", info->rsdp_v1 ? " v1 (ACPI 1.0)" : "",
			info->rsdp_v2 ? " v2 (ACPI 2.0+)" : "");
	else
		pr_info("mb2: no ACPI RSDP tag\n");
	if (fb->present)
		mb2_report_fb(fb);
	else
		pr_info("mb2: no framebuffer\n");
	if (info->efi_mmap.present)
		pr_info("mb2: EFI memory map, %u bytes of %u-byte descriptors\n",
			info->efi_mmap.length, info->efi_mmap.desc_size);
	if (info->has_efi64_system_table)
		pr_info("mb2: EFI system table at 0x%llx\n",
			(unsigned long long)info->efi64_system_table);
}

void mb2_report(const struct mb2_info *info)
{
	pr_info("mb2: %u bytes of boot information from '%s'\n", info->total_size,
		info->loader_name ? info->loader_name : "an unnamed loader");
	if (info->cmdline)
		pr_info("mb2: command line '%s'\n", info->cmdline);
	else
		pr_info("mb2: no command line\n");
	if (info->has_meminfo)
		pr_info("mb2: lower memory %u KiB, upper memory %u KiB\n", info->mem_lower,
			info->mem_upper);
	mb2_report_mmap(info);
	mb2_report_modules(info);
	mb2_report_firmware(info);
	if (info->unknown_tags)
		pr_info("mb2: unknown tags skipped: %u\n", info->unknown_tags);
}

/* EFI_MEMORY_TYPE values (UEFI 2.10 Table 7-5) and descriptor offsets. */
#define EFI_LOADER_CODE 1
#define EFI_BOOT_SERVICES_DATA 4
#define EFI_CONVENTIONAL 7
#define EFI_UNUSABLE 8
#define EFI_ACPI_RECLAIM 9
#define EFI_ACPI_NVS 10
#define EFI_DESC_TYPE 0
#define EFI_DESC_START 8
#define EFI_DESC_PAGES 24
#define EFI_PAGE_SIZE 4096ull

static uint32_t efi_type_to_mb2(uint32_t t)
{
	if ((t >= EFI_LOADER_CODE && t <= EFI_BOOT_SERVICES_DATA) || t == EFI_CONVENTIONAL)
		return MB2_MMAP_AVAILABLE;
	if (t == EFI_ACPI_RECLAIM)
		return MB2_MMAP_ACPI_RECLAIMABLE;
	if (t == EFI_ACPI_NVS)
		return MB2_MMAP_ACPI_NVS;
	if (t == EFI_UNUSABLE)
		return MB2_MMAP_BADRAM;
	return MB2_MMAP_RESERVED;
}

unsigned mb2_efi_mmap_regions(const struct mb2_efi_mmap *m, struct mb2_mmap_entry *out,
			      unsigned cap)
{
	const uint8_t *p = m->map;
	unsigned n = 0;

	if (!m->present || !m->desc_size)
		return 0;
	for (uint32_t off = 0; off + m->desc_size <= m->length && n < cap; off += m->desc_size) {
		uint32_t type;
		uint64_t start, pages;

		memcpy(&type, p + off + EFI_DESC_TYPE, sizeof(type));
		memcpy(&start, p + off + EFI_DESC_START, sizeof(start));
		memcpy(&pages, p + off + EFI_DESC_PAGES, sizeof(pages));
		if (!pages || pages > (UINT64_MAX - start) / EFI_PAGE_SIZE)
			continue;
		out[n++] = (struct mb2_mmap_entry){start, pages * EFI_PAGE_SIZE,
						   efi_type_to_mb2(type)};
	}
	return n;
}
