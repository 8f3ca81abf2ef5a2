/* SPDX-License-Identifier: MIT */
/*
 * Linux x86 boot protocol (Documentation/arch/x86/boot.rst, 2.12+): the
 * setup header check, the placement plan (kernel, command line, initrd,
 * low boot area), the zero page (Documentation/arch/x86/zero-page.rst)
 * with its e820 map, the boot GDT, the 64-bit entry's identity mapping and
 * the boot vCPU state. Everything is checked before guest memory is written.
 */
#include <stdarg.h>
#include "loader/linux.h"
#include "lib/bytes.h"
#include "lib/format.h"
#include "lib/string.h"

/* boot.rst "The Real-Mode Kernel Header": offsets in the image and the zero page. */
#define LX_OFF_SETUP_SECTS 0x1F1
#define LX_OFF_SYSSIZE 0x1F4
#define LX_OFF_BOOT_FLAG 0x1FE
#define LX_OFF_JUMP_LEN 0x201 /* second byte of the jump: header length past 0x202 */
#define LX_OFF_HEADER 0x202
#define LX_OFF_VERSION 0x206
#define LX_OFF_TYPE_OF_LOADER 0x210
#define LX_OFF_LOADFLAGS 0x211
#define LX_OFF_CODE32_START 0x214
#define LX_OFF_RAMDISK_IMAGE 0x218
#define LX_OFF_RAMDISK_SIZE 0x21C
#define LX_OFF_CMD_LINE_PTR 0x228
#define LX_OFF_INITRD_ADDR_MAX 0x22C
#define LX_OFF_KERNEL_ALIGNMENT 0x230
#define LX_OFF_RELOCATABLE 0x234
#define LX_OFF_XLOADFLAGS 0x236
#define LX_OFF_CMDLINE_SIZE 0x238
#define LX_OFF_PREF_ADDRESS 0x258
#define LX_OFF_INIT_SIZE 0x260
#define LX_HEADER_MIN_END (LX_OFF_INIT_SIZE + sizeof(uint32_t))
/* zero-page.rst: the fields outside the setup header. */
#define LX_ZP_ACPI_RSDP 0x070
#define LX_ZP_EXT_RAMDISK_IMAGE 0x0C0
#define LX_ZP_EXT_RAMDISK_SIZE 0x0C4
#define LX_ZP_EXT_CMD_LINE_PTR 0x0C8
#define LX_ZP_E820_ENTRIES 0x1E8
#define LX_ZP_E820_TABLE 0x2D0
#define LX_E820_ENTRY_SIZE 20
#define LX_E820_OFF_SIZE 8
#define LX_E820_OFF_TYPE 16

#define LX_BOOT_FLAG 0xAA55u
#define LX_HDRS_MAGIC 0x53726448u /* "HdrS" */
#define LX_SECTOR 512u
#define LX_DEFAULT_SETUP_SECTS 4u /* boot.rst: setup_sects 0 means 4 */
#define LX_SYSSIZE_UNIT 16u
#define LX_LOADED_HIGH (1u << 0)
#define LX_XLF_KERNEL_64 (1u << 0)
#define LX_LOADER_UNDEFINED 0xFFu /* type_of_loader: "undefined" boot loader */

/* Guest-physical landmarks. */
#define LX_LOW_PAGE 0x1000ull	  /* real-mode IVT/BDA: Linux reads the BDA */
#define LX_LEGACY_HOLE 0x9F000ull /* EBDA, VGA, option ROMs, BIOS: reserved */
#define LX_HIGH_MEM 0x100000ull	  /* 1 MiB */
#define LX_RELOC_MIN 0x1000000ull /* 16 MiB: where a relocated kernel goes */
#define LX_4G (1ull << 32)

/* Descriptors (SDM Vol. 3A 3.4.5): flat, P, DPL 0, S, accessed; 64-bit
 * code has L set and D clear (SDM Vol. 3A 5.2.1 "Code-Segment Descriptor
 * in 64-bit Mode"). */
#define LX_GDT_CODE32 0x00cf9b000000ffffull
#define LX_GDT_CODE64 0x00af9b000000ffffull
#define LX_GDT_DATA 0x00cf93000000ffffull

/* 4-level paging (SDM Vol. 3A 4.5): present, writable, 2 MiB page (PS). */
#define LX_PTE_P (1ull << 0)
#define LX_PTE_RW (1ull << 1)
#define LX_PTE_PS (1ull << 7)
#define LX_PTE_ENTRIES 512u
#define LX_2M (1ull << 21)

__attribute__((format(printf, 3, 4))) static enum err lx_fail(struct linux_result *out, enum err e,
							      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	e = loader_why(out->why_buf, &out->why, e, fmt, ap);
	va_end(ap);
	return e;
}

static uint64_t lx_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* boot.rst "The Real-Mode Kernel Header": the signatures and the version. */
static enum err lx_parse_magic(const uint8_t *img, uint64_t len, struct linux_result *out)
{
	uint16_t v;

	if (len < LX_HEADER_MIN_END)
		return lx_fail(out, E_TRUNC,
			       "the %llu-byte image is too short for a Linux setup header "
			       "(0x%x bytes)",
			       (unsigned long long)len, (unsigned)LX_HEADER_MIN_END);
	if (le16_get(img + LX_OFF_BOOT_FLAG) != LX_BOOT_FLAG)
		return lx_fail(out, E_BADSIG,
			       "no boot flag 0xAA55 at 0x1FE (found 0x%x): not a Linux bzImage",
			       le16_get(img + LX_OFF_BOOT_FLAG));
	if (le32_get(img + LX_OFF_HEADER) != LX_HDRS_MAGIC)
		return lx_fail(out, E_BADSIG,
			       "no \"HdrS\" at 0x202 (found 0x%x): not a Linux bzImage, or one "
			       "older than boot protocol 2.00",
			       le32_get(img + LX_OFF_HEADER));
	v = le16_get(img + LX_OFF_VERSION);
	out->hdr.version = v;
	if (v < LINUX_MIN_PROTOCOL)
		return lx_fail(out, E_NOTSUP,
			       "boot protocol %u.%02u is older than 2.12, the oldest Vireo "
			       "supports (Linux 3.8 or later)",
			       v >> LINUX_VERSION_MAJOR_SHIFT, v & LINUX_VERSION_MINOR_MASK);
	out->hdr.header_end = LX_OFF_HEADER + img[LX_OFF_JUMP_LEN];
	if (out->hdr.header_end < LX_HEADER_MIN_END)
		return lx_fail(out, E_MALFORMED,
			       "the setup header ends at 0x%x (byte 0x%x at 0x201), before "
			       "init_size, which protocol 2.12 has at 0x260",
			       out->hdr.header_end, img[LX_OFF_JUMP_LEN]);
	return E_OK;
}

/* boot.rst "Loading The Rest of The Kernel": setup part, then the kernel proper. */
static enum err lx_parse_layout(const uint8_t *img, uint64_t len, struct linux_result *out)
{
	struct linux_header *h = &out->hdr;
	uint8_t sects = img[LX_OFF_SETUP_SECTS];

	h->setup_sects = sects ? sects : LX_DEFAULT_SETUP_SECTS;
	/* The header (at most 0x202 + 0xFF) always lies within the >= 0x400-byte setup part. */
	h->pm_offset = ((uint64_t)h->setup_sects + 1) * LX_SECTOR;
	if (len <= h->pm_offset)
		return lx_fail(out, E_TRUNC,
			       "the image (%llu bytes) ends within its 0x%llx-byte setup part "
			       "(setup_sects %u): no protected-mode kernel; truncated?",
			       (unsigned long long)len, (unsigned long long)h->pm_offset, sects);
	h->pm_size = len - h->pm_offset;
	h->syssize = le32_get(img + LX_OFF_SYSSIZE);
	if ((uint64_t)h->syssize * LX_SYSSIZE_UNIT > h->pm_size)
		return lx_fail(out, E_TRUNC,
			       "the protected-mode kernel should be 0x%llx bytes (syssize 0x%x) "
			       "but the image holds 0x%llx after the setup part: truncated",
			       (unsigned long long)h->syssize * LX_SYSSIZE_UNIT, h->syssize,
			       (unsigned long long)h->pm_size);
	return E_OK;
}

/* boot.rst "Details of Header Fields": the fields placement depends on. */
static enum err lx_parse_fields(const uint8_t *img, struct linux_result *out)
{
	struct linux_header *h = &out->hdr;

	h->loadflags = img[LX_OFF_LOADFLAGS];
	h->xloadflags = le16_get(img + LX_OFF_XLOADFLAGS);
	h->kernel_alignment = le32_get(img + LX_OFF_KERNEL_ALIGNMENT);
	h->relocatable = img[LX_OFF_RELOCATABLE] != 0;
	h->pref_address = le64_get(img + LX_OFF_PREF_ADDRESS);
	h->init_size = le32_get(img + LX_OFF_INIT_SIZE);
	h->cmdline_size = le32_get(img + LX_OFF_CMDLINE_SIZE);
	h->initrd_addr_max = le32_get(img + LX_OFF_INITRD_ADDR_MAX);
	if (!(h->loadflags & LX_LOADED_HIGH))
		return lx_fail(out, E_NOTSUP,
			       "loadflags 0x%x lack LOADED_HIGH: a zImage, loaded at 0x10000, "
			       "which Vireo does not support; build a bzImage",
			       h->loadflags);
	if (h->relocatable &&
	    (!h->kernel_alignment || (h->kernel_alignment & (h->kernel_alignment - 1))))
		return lx_fail(out, E_MALFORMED,
			       "relocatable kernel with kernel_alignment 0x%x, not a power of two",
			       h->kernel_alignment);
	if (!h->init_size)
		return lx_fail(out, E_MALFORMED, "init_size is 0");
	return E_OK;
}

enum err linux_parse(const void *image, uint64_t len, struct linux_result *out)
{
	enum err e;

	if (!out)
		return E_INVAL;
	memset(out, 0, sizeof(*out));
	if (!image)
		return lx_fail(out, E_INVAL, "Linux loader called without an image");
	e = lx_parse_magic(image, len, out);
	if (e == E_OK)
		e = lx_parse_layout(image, len, out);
	if (e == E_OK)
		e = lx_parse_fields(image, out);
	return e;
}

static const struct loader_range *lx_hit(uint64_t a, uint64_t n, const struct loader_range *r,
					 unsigned nr)
{
	for (unsigned i = 0; i < nr; i++)
		if (loader_overlap(a, n, r[i].base, r[i].size))
			return &r[i];
	return NULL;
}

/* Does [a, a + n) fit in [LX_HIGH_MEM, limit) clear of every reserved range? */
static bool lx_fits(const struct linux_boot_input *in, uint64_t a, uint64_t n, uint64_t limit)
{
	return a >= LX_HIGH_MEM && n <= limit && a <= limit - n &&
	       !lx_hit(a, n, in->reserved, in->nreserved);
}

/* The low area: page-aligned, above the BDA, below the legacy hole, not reserved. */
static enum err lx_plan_area(const struct linux_boot_input *in, const struct guest_mem_view *mem,
			     struct linux_result *out)
{
	const struct loader_range *r;

	if (in->area % LINUX_BOOT_AREA_ALIGN || in->area < LX_LOW_PAGE ||
	    in->area > LX_LEGACY_HOLE - LINUX_AREA_SIZE || in->area + LINUX_AREA_SIZE > mem->size)
		return lx_fail(out, E_RANGE,
			       "the boot area at 0x%llx (0x%llx bytes) must be page-aligned "
			       "between 0x%llx and 0x%llx and inside the VM's memory",
			       (unsigned long long)in->area, LINUX_AREA_SIZE, LX_LOW_PAGE,
			       LX_LEGACY_HOLE);
	r = lx_hit(in->area, LINUX_AREA_SIZE, in->reserved, in->nreserved);
	if (r)
		return lx_fail(
		    out, E_BUSY,
		    "the boot area at 0x%llx overlaps reserved guest memory 0x%llx+0x%llx",
		    (unsigned long long)in->area, (unsigned long long)r->base,
		    (unsigned long long)r->size);
	out->zero_page = in->area + LINUX_AREA_ZERO_PAGE;
	out->gdt_addr = in->area + LINUX_AREA_GDT;
	out->cmdline_addr = in->area + LINUX_AREA_CMDLINE;
	out->pml4_addr = in->entry == LINUX_ENTRY_64 ? in->area + LINUX_AREA_PML4 : 0;
	return E_OK;
}

/*
 * The bytes a kernel loaded at @load occupies: its image, and init_size from
 * its runtime start, which boot.rst "Details of Header Fields" (init_size)
 * defines as pref_address for a kernel that is not relocatable, else the
 * load address (at least pref_address) rounded up to kernel_alignment.
 * Callers load at pref_address or above, so the runtime start is never
 * below @load.
 */
static uint64_t lx_span(const struct linux_header *h, uint64_t load)
{
	uint64_t slack = 0;

	if (h->relocatable)
		slack = (0 - load) & ((uint64_t)h->kernel_alignment - 1);
	if ((uint64_t)h->init_size + slack < h->pm_size)
		return h->pm_size;
	return h->init_size + slack;
}

/*
 * boot.rst "Details of Header Fields" (pref_address, relocatable_kernel,
 * kernel_alignment, init_size): at pref_address if the kernel fits there,
 * else, if relocatable, at the first kernel_alignment boundary from 16 MiB
 * (and from pref_address, below which it would not run) clear of reserved
 * memory. Below 4 GiB either way: the 32-bit entry runs with paging off and
 * the 64-bit entry's identity map covers 4 GiB.
 */
static enum err lx_plan_kernel(const struct linux_boot_input *in, const struct guest_mem_view *mem,
			       struct linux_result *out)
{
	const struct linux_header *h = &out->hdr;
	uint64_t limit = lx_min(mem->size, LX_4G);
	uint64_t pref = h->pref_address;
	uint64_t span = lx_span(h, pref);
	uint64_t a;

	if (lx_fits(in, pref, span, limit)) {
		out->kernel_addr = pref;
		out->kernel_span = span;
		return E_OK;
	}
	if (!h->relocatable)
		return lx_fail(out, E_RANGE,
			       "the kernel is not relocatable and its 0x%llx bytes (init_size) do "
			       "not fit at pref_address 0x%llx in the VM's 0x%llx bytes of memory",
			       (unsigned long long)span, (unsigned long long)pref,
			       (unsigned long long)mem->size);
	span = lx_span(h, 0);
	a = loader_next_free(pref > LX_RELOC_MIN ? pref : LX_RELOC_MIN, span, h->kernel_alignment,
			     in->reserved, in->nreserved);
	if (a == UINT64_MAX || !lx_fits(in, a, span, limit))
		return lx_fail(
		    out, E_RANGE,
		    "the kernel (init_size 0x%llx) fits neither at pref_address 0x%llx "
		    "nor 0x%x-aligned from 16 MiB in 0x%llx bytes: give the VM more memory",
		    (unsigned long long)span, (unsigned long long)pref, h->kernel_alignment,
		    (unsigned long long)mem->size);
	out->kernel_addr = a;
	out->kernel_span = span;
	return E_OK;
}

/* boot.rst "The Kernel Command Line": NUL-terminated, at most cmdline_size bytes before it. */
static enum err lx_plan_cmdline(const struct linux_boot_input *in, struct linux_result *out)
{
	uint64_t n = in->cmdline_len ? strnlen(in->cmdline, in->cmdline_len) : 0;

	if (n > out->hdr.cmdline_size)
		return lx_fail(out, E_RANGE,
			       "the command line is %llu bytes; this kernel takes at most %u "
			       "(cmdline_size)",
			       (unsigned long long)n, out->hdr.cmdline_size);
	if (n >= LINUX_CMDLINE_AREA_MAX)
		return lx_fail(out, E_RANGE,
			       "the command line is %llu bytes; the loader holds at most %llu",
			       (unsigned long long)n, LINUX_CMDLINE_AREA_MAX - 1);
	return E_OK;
}

/* Highest page-aligned [a, a + n) below @limit, from 1 MiB, clear of @r and the kernel. */
static uint64_t lx_place_high(const struct linux_boot_input *in, const struct linux_result *out,
			      uint64_t n, uint64_t limit)
{
	struct loader_range kernel = {out->kernel_addr, out->kernel_span};
	uint64_t a;

	if (n > limit || limit - n < LX_HIGH_MEM)
		return UINT64_MAX;
	a = (limit - n) & ~(LINUX_PAGE - 1);
	/* Each move goes below one range for good: at most nreserved + 1 moves. */
	for (unsigned pass = 0; pass <= in->nreserved + 1; pass++) {
		const struct loader_range *r = lx_hit(a, n, in->reserved, in->nreserved);

		if (!r && !loader_overlap(a, n, kernel.base, kernel.size))
			return a >= LX_HIGH_MEM ? a : UINT64_MAX;
		if (!r)
			r = &kernel;
		if (r->base < n || r->base - n < LX_HIGH_MEM)
			return UINT64_MAX;
		a = (r->base - n) & ~(LINUX_PAGE - 1);
	}
	return UINT64_MAX;
}

/* boot.rst "Details of Header Fields" (initrd_addr_max: the highest byte it may occupy). */
static enum err lx_plan_initrd(const struct linux_boot_input *in, const struct guest_mem_view *mem,
			       struct linux_result *out)
{
	uint64_t limit = lx_min(lx_min(mem->size, LX_4G), (uint64_t)out->hdr.initrd_addr_max + 1);
	uint64_t a;

	if (!in->initrd_len)
		return E_OK;
	a = lx_place_high(in, out, in->initrd_len, limit);
	if (a == UINT64_MAX)
		return lx_fail(out, E_RANGE,
			       "the initrd (%llu bytes) does not fit below 0x%llx (initrd_addr_max "
			       "0x%x, VM memory 0x%llx) beside the kernel at 0x%llx-0x%llx",
			       (unsigned long long)in->initrd_len, (unsigned long long)limit,
			       out->hdr.initrd_addr_max, (unsigned long long)mem->size,
			       (unsigned long long)out->kernel_addr,
			       (unsigned long long)(out->kernel_addr + out->kernel_span));
	out->initrd_addr = a;
	return E_OK;
}

static enum err lx_check_args(const struct linux_boot_input *in, const struct guest_mem_view *mem,
			      struct linux_result *out)
{
	if (!mem || (!mem->base && mem->size) || (in->cmdline_len && !in->cmdline) ||
	    (in->initrd_len && !in->initrd) || (in->nreserved && !in->reserved))
		return lx_fail(out, E_INVAL,
			       "Linux loader called without guest memory, command line, initrd "
			       "or reserved list");
	if (in->nreserved > LINUX_E820_MAX_RESERVED)
		return lx_fail(out, E_INVAL, "%u reserved ranges; the loader takes at most %u",
			       in->nreserved, LINUX_E820_MAX_RESERVED);
	if (in->entry != LINUX_ENTRY_64 && in->entry != LINUX_ENTRY_32)
		return lx_fail(out, E_INVAL, "unknown Linux entry %d", (int)in->entry);
	return E_OK;
}

static enum err lx_plan(const struct linux_boot_input *in, const struct guest_mem_view *mem,
			struct linux_result *out)
{
	enum err e;

	out->entry = in->entry;
	if (in->entry == LINUX_ENTRY_64 && !(out->hdr.xloadflags & LX_XLF_KERNEL_64))
		return lx_fail(
		    out, E_NOTSUP,
		    "the kernel has no 64-bit entry (xloadflags 0x%x lack XLF_KERNEL_64): "
		    "a 32-bit kernel; use the 32-bit entry",
		    out->hdr.xloadflags);
	if (in->entry == LINUX_ENTRY_64 && out->hdr.pm_size <= LINUX_ENTRY64_OFFSET)
		return lx_fail(out, E_TRUNC,
			       "the protected-mode kernel is 0x%llx bytes; its 64-bit entry is at "
			       "0x%x",
			       (unsigned long long)out->hdr.pm_size, LINUX_ENTRY64_OFFSET);
	e = lx_plan_area(in, mem, out);
	if (e == E_OK)
		e = lx_plan_kernel(in, mem, out);
	if (e == E_OK)
		e = lx_plan_cmdline(in, out);
	if (e == E_OK)
		e = lx_plan_initrd(in, mem, out);
	if (e == E_OK && linux_e820_build(mem->size, in->reserved, in->nreserved, NULL,
					  LINUX_E820_MAX, &out->e820_count) != E_OK)
		e = lx_fail(out, E_RANGE,
			    "the VM's memory map needs %u e820 entries; the zero page holds %u",
			    out->e820_count, LINUX_E820_MAX);
	return e;
}

enum err linux_check(const struct linux_boot_input *in, const struct guest_mem_view *mem,
		     struct linux_result *out)
{
	enum err e;

	if (!out)
		return E_INVAL;
	if (!in) {
		memset(out, 0, sizeof(*out));
		return lx_fail(out, E_INVAL, "Linux loader called without input");
	}
	e = linux_parse(in->image, in->image_len, out);
	if (e == E_OK)
		e = lx_check_args(in, mem, out);
	if (e == E_OK)
		e = lx_plan(in, mem, out);
	return e;
}

/*
 * The e820 map as a sweep over the boundaries of every range: each piece
 * runs from one boundary to the next; reserved wins over RAM, RAM is what
 * lies below ram_size, and neither is a hole (left out of the map).
 */
struct lx_e820_sweep {
	uint64_t ram_size;
	const struct loader_range *reserved;
	unsigned nreserved;
};

static uint32_t lx_e820_type(const struct lx_e820_sweep *s, uint64_t p)
{
	if (p >= LX_LEGACY_HOLE && p < LX_HIGH_MEM)
		return LINUX_E820_RESERVED;
	if (lx_hit(p, 1, s->reserved, s->nreserved))
		return LINUX_E820_RESERVED;
	return p < s->ram_size ? LINUX_E820_RAM : 0;
}

static uint64_t lx_e820_next(const struct lx_e820_sweep *s, uint64_t p)
{
	uint64_t fixed[] = {LX_LEGACY_HOLE, LX_HIGH_MEM, s->ram_size};
	uint64_t next = UINT64_MAX;

	for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (fixed[i] > p && fixed[i] < next)
			next = fixed[i];
	for (unsigned i = 0; i < s->nreserved; i++) {
		const struct loader_range *r = &s->reserved[i];
		uint64_t end = loader_range_end(r->base, r->size);

		if (!r->size)
			continue;
		if (r->base > p && r->base < next)
			next = r->base;
		if (end > p && end < next)
			next = end;
	}
	return next;
}

/* The piece starting at or after *pos: false when the map is complete. */
static bool lx_e820_piece(const struct lx_e820_sweep *s, uint64_t *pos,
			  struct linux_e820_entry *ent)
{
	uint64_t p = *pos, next;
	uint32_t type;

	while ((type = lx_e820_type(s, p)) == 0) {
		if (p == UINT64_MAX || (p = lx_e820_next(s, p)) == UINT64_MAX)
			return false;
	}
	next = lx_e820_next(s, p);
	while (next != UINT64_MAX && lx_e820_type(s, next) == type)
		next = lx_e820_next(s, next);
	*ent = (struct linux_e820_entry){p, next - p, type};
	*pos = next;
	return next != p;
}

enum err linux_e820_build(uint64_t ram_size, const struct loader_range *reserved,
			  unsigned nreserved, struct linux_e820_entry *map, unsigned max,
			  unsigned *count)
{
	struct lx_e820_sweep s = {ram_size, reserved, nreserved};
	struct linux_e820_entry ent;
	uint64_t pos = 0;
	unsigned n = 0;

	if (!count || (nreserved && !reserved) || nreserved > LINUX_E820_MAX_RESERVED)
		return E_INVAL;
	while (pos != UINT64_MAX && lx_e820_piece(&s, &pos, &ent)) {
		if (map && n < max)
			map[n] = ent;
		n++;
	}
	*count = n;
	return n > max ? E_RANGE : E_OK;
}

static void lx_write_e820(const struct linux_boot_input *in, uint64_t ram_size, uint8_t *zp)
{
	struct lx_e820_sweep s = {ram_size, in->reserved, in->nreserved};
	struct linux_e820_entry ent;
	uint64_t pos = 0;
	unsigned n = 0;

	while (n < LINUX_E820_MAX && pos != UINT64_MAX && lx_e820_piece(&s, &pos, &ent)) {
		uint8_t *p = zp + LX_ZP_E820_TABLE + n * LX_E820_ENTRY_SIZE;

		le64_put(p, ent.addr);
		le64_put(p + LX_E820_OFF_SIZE, ent.size);
		le32_put(p + LX_E820_OFF_TYPE, ent.type);
		n++;
	}
	zp[LX_ZP_E820_ENTRIES] = (uint8_t)n;
}

/*
 * boot.rst "64-bit Boot Protocol": the zero page starts as zeroes, the setup
 * header is copied in from 0x1F1 to 0x202 + the byte at 0x201, then the
 * loader's fields are filled (zero-page.rst for those outside the header).
 */
static void lx_write_zero_page(const struct linux_boot_input *in, const struct guest_mem_view *mem,
			       const struct linux_result *r)
{
	uint8_t *zp = mem->base + r->zero_page;
	const uint8_t *img = in->image;

	memset(zp, 0, LINUX_PAGE);
	memcpy(zp + LX_OFF_SETUP_SECTS, img + LX_OFF_SETUP_SECTS,
	       r->hdr.header_end - LX_OFF_SETUP_SECTS);
	zp[LX_OFF_TYPE_OF_LOADER] = LX_LOADER_UNDEFINED;
	le32_put(zp + LX_OFF_CODE32_START, (uint32_t)r->kernel_addr);
	le32_put(zp + LX_OFF_CMD_LINE_PTR, (uint32_t)r->cmdline_addr);
	le32_put(zp + LX_ZP_EXT_CMD_LINE_PTR, (uint32_t)(r->cmdline_addr >> 32));
	le32_put(zp + LX_OFF_RAMDISK_IMAGE, (uint32_t)r->initrd_addr);
	le32_put(zp + LX_ZP_EXT_RAMDISK_IMAGE, (uint32_t)(r->initrd_addr >> 32));
	le32_put(zp + LX_OFF_RAMDISK_SIZE, (uint32_t)in->initrd_len);
	le32_put(zp + LX_ZP_EXT_RAMDISK_SIZE, (uint32_t)(in->initrd_len >> 32));
	le64_put(zp + LX_ZP_ACPI_RSDP, in->acpi_rsdp);
	lx_write_e820(in, mem->size, zp);
}

/* boot.rst "32-bit Boot Protocol" / "64-bit Boot Protocol": __BOOT_CS, __BOOT_DS. */
static void lx_write_gdt(const struct guest_mem_view *mem, const struct linux_result *r)
{
	uint64_t code = r->entry == LINUX_ENTRY_64 ? LX_GDT_CODE64 : LX_GDT_CODE32;
	uint8_t *g = mem->base + r->gdt_addr;

	memset(g, 0, LINUX_GDT_SIZE);
	le64_put(g + VCPU_BOOT_CS, code);
	le64_put(g + LINUX_BOOT_CS, code);
	le64_put(g + LINUX_BOOT_DS, LX_GDT_DATA);
}

/* The 64-bit entry's identity map of the first 4 GiB: PML4 -> PDPT -> 4 PDs of 2 MiB pages. */
static void lx_write_page_tables(const struct guest_mem_view *mem, const struct linux_result *r)
{
	uint64_t pdpt = r->pml4_addr - LINUX_AREA_PML4 + LINUX_AREA_PDPT;
	uint64_t pd = r->pml4_addr - LINUX_AREA_PML4 + LINUX_AREA_PD;

	memset(mem->base + r->pml4_addr, 0, LINUX_PAGE);
	memset(mem->base + pdpt, 0, LINUX_PAGE);
	le64_put(mem->base + r->pml4_addr, pdpt | LX_PTE_P | LX_PTE_RW);
	for (unsigned d = 0; d < LINUX_IDENT_PDS; d++) {
		uint8_t *t = mem->base + pd + d * LINUX_PAGE;

		le64_put(mem->base + pdpt + d * sizeof(uint64_t),
			 (pd + d * LINUX_PAGE) | LX_PTE_P | LX_PTE_RW);
		for (unsigned i = 0; i < LX_PTE_ENTRIES; i++)
			le64_put(t + i * sizeof(uint64_t),
				 ((uint64_t)d * LX_PTE_ENTRIES + i) * LX_2M | LX_PTE_P | LX_PTE_RW |
				     LX_PTE_PS);
	}
}

enum err linux_load(const struct linux_boot_input *in, const struct guest_mem_view *mem,
		    struct linux_result *out)
{
	enum err e = linux_check(in, mem, out);
	const uint8_t *img;
	uint64_t n;

	if (e != E_OK)
		return e;
	img = in->image;
	memcpy(mem->base + out->kernel_addr, img + out->hdr.pm_offset, out->hdr.pm_size);
	n = in->cmdline_len ? strnlen(in->cmdline, in->cmdline_len) : 0;
	if (n)
		memcpy(mem->base + out->cmdline_addr, in->cmdline, n);
	mem->base[out->cmdline_addr + n] = 0;
	if (in->initrd_len)
		memcpy(mem->base + out->initrd_addr, in->initrd, in->initrd_len);
	lx_write_zero_page(in, mem, out);
	lx_write_gdt(mem, out);
	if (out->entry == LINUX_ENTRY_64)
		lx_write_page_tables(mem, out);
	return E_OK;
}

void linux_boot_state(const struct linux_result *r, struct vcpu_boot_state *bs)
{
	bool lm = r->entry == LINUX_ENTRY_64;

	/* Both entries: interrupts off (the backend's boot RFLAGS has IF
	 * clear), ESI/RSI = the zero page, EBP, EDI and EBX zero. */
	vcpu_boot_state_init(bs, lm ? VCPU_MODE_LONG : VCPU_MODE_PROTECTED32);
	bs->rip = lm ? r->kernel_addr + LINUX_ENTRY64_OFFSET : r->kernel_addr;
	bs->gpr[VCPU_RSI] = r->zero_page;
	bs->gpr[VCPU_RSP] = r->gdt_addr - LINUX_AREA_GDT + LINUX_AREA_STACK_TOP;
	bs->cr3 = r->pml4_addr;
	bs->gdt_base = r->gdt_addr;
	bs->gdt_limit = LINUX_GDT_SIZE - 1;
	bs->code_sel = LINUX_BOOT_CS;
	bs->data_sel = LINUX_BOOT_DS;
	/* Caches on, as PC firmware leaves them: the 64-bit entry keeps CR0.CD
	 * and NW, and Linux clears CD alone when it programs the MTRRs. */
	bs->cache = VCPU_CACHE_ON;
}
