/* SPDX-License-Identifier: MIT */
/*
 * Builds Multiboot 1 (spec 0.6.96 section 3.3) and Multiboot2 (spec 3.6) boot
 * information in guest memory. Each builder runs twice: a dry pass that only
 * measures, then (if everything fits) the pass that writes.
 */
#include "loader/mbinfo.h"
#include "arch/x86/acpi_tables.h"
#include "lib/string.h"

#define KIB 1024ull
#define MBI_LOWER_END MBINFO_HOLE_START
#define MBI_UPPER_START MBINFO_HOLE_END
#define MBI_4G (1ull << 32)
#define MBI_DERIVED_MAX 3

/* Multiboot 0.6.96 section 3.3: field offsets of the information structure. */
#define MB1_INFO_SIZE 116
#define MB1_INFO_ALIGN 4
#define MB1_I_FLAGS 0
#define MB1_I_MEM_LOWER 4
#define MB1_I_MEM_UPPER 8
#define MB1_I_CMDLINE 16
#define MB1_I_MODS_COUNT 20
#define MB1_I_MODS_ADDR 24
#define MB1_I_MMAP_LENGTH 44
#define MB1_I_MMAP_ADDR 48
#define MB1_I_LOADER_NAME 64
#define MB1_F_MEM (1u << 0)
#define MB1_F_CMDLINE (1u << 2)
#define MB1_F_MODS (1u << 3)
#define MB1_F_MMAP (1u << 6)
#define MB1_F_LOADER_NAME (1u << 9)
/* Module entry: mod_start, mod_end, string, reserved. */
#define MB1_MOD_SIZE 16
/* Memory map entry: u32 size (of the rest), u64 base_addr, u64 length, u32 type. */
#define MB1_MMAP_ENTRY 24
#define MB1_MMAP_SIZE_FIELD 20
#define MB1_MMAP_E_BASE 4
#define MB1_MMAP_E_LENGTH 12
#define MB1_MMAP_E_TYPE 20
#define MB1_MOD_START 0
#define MB1_MOD_END 4
#define MB1_MOD_STRING 8

/* Multiboot2 spec 3.6: tag layouts. */
#define MB2_MEMINFO_TAG_SIZE 16
#define MB2_MODULE_HDR 16
#define MB2_MMAP_HDR 16
#define MB2_MMAP_ENTRY 24
#define MB2_MMAP_VERSION 0
#define MB2_MMAP_VERSION_OFF 12
#define MB2_MMAP_E_BASE 0
#define MB2_MMAP_E_LENGTH 8
#define MB2_MMAP_E_TYPE 16
#define MB2_MMAP_E_RESERVED 20
#define MB2_MOD_START 8
#define MB2_MOD_END 12
#define MB2_MEMINFO_LOWER 8
#define MB2_MEMINFO_UPPER 12

/* Measures (buf == NULL) or writes the block; offsets are relative to its start. */
struct mbi_writer {
	uint8_t *buf;
	uint64_t addr;
	uint64_t pos;
};

static uint64_t mbi_alloc(struct mbi_writer *w, uint64_t n, uint64_t align)
{
	uint64_t off = (w->pos + align - 1) & ~(align - 1);

	w->pos = off + n;
	return off;
}

static void mbi_put(struct mbi_writer *w, uint64_t off, const void *src, uint64_t n)
{
	if (w->buf)
		memcpy(w->buf + off, src, n);
}

static void mbi_put32(struct mbi_writer *w, uint64_t off, uint32_t v)
{
	uint8_t b[sizeof(v)];

	for (unsigned i = 0; i < sizeof(v); i++)
		b[i] = (uint8_t)(v >> (8 * i));
	mbi_put(w, off, b, sizeof(b));
}

static void mbi_put64(struct mbi_writer *w, uint64_t off, uint64_t v)
{
	mbi_put32(w, off, (uint32_t)v);
	mbi_put32(w, off + sizeof(uint32_t), (uint32_t)(v >> 32));
}

/* Place a NUL-terminated string and return its guest-physical address. */
static uint32_t mbi_string(struct mbi_writer *w, const char *s)
{
	uint64_t n = strlen(s) + 1;
	uint64_t off = mbi_alloc(w, n, 1);

	mbi_put(w, off, s, n);
	return (uint32_t)(w->addr + off); /* the block lies below 4 GiB once written */
}

/* [0, 640K) available, [640K, 1M) reserved, [1M, size) available, clipped to size. */
static unsigned mbi_derive_mmap(uint64_t size, struct mb2_mmap_entry *m)
{
	static const struct {
		uint64_t start, end;
		uint32_t type;
	} pc[MBI_DERIVED_MAX] = {
	    {0, MBI_LOWER_END, MB2_MMAP_AVAILABLE},
	    {MBI_LOWER_END, MBI_UPPER_START, MB2_MMAP_RESERVED},
	    {MBI_UPPER_START, UINT64_MAX, MB2_MMAP_AVAILABLE},
	};
	unsigned n = 0;

	for (unsigned i = 0; i < MBI_DERIVED_MAX && pc[i].start < size; i++) {
		uint64_t end = pc[i].end < size ? pc[i].end : size;

		m[n].base = pc[i].start;
		m[n].length = end - pc[i].start;
		m[n].type = pc[i].type;
		n++;
	}
	return n;
}

/* End of the run of available memory that starts at @start (== start if none). */
static uint64_t mbi_avail_end(const struct mb2_mmap_entry *m, unsigned n, uint64_t start)
{
	uint64_t cur = start;

	for (unsigned pass = 0; pass < n; pass++) {
		bool moved = false;

		for (unsigned i = 0; i < n; i++) {
			uint64_t end = m[i].length > UINT64_MAX - m[i].base
					   ? UINT64_MAX
					   : m[i].base + m[i].length;

			if (m[i].type == MB2_MMAP_AVAILABLE && m[i].base <= cur && cur < end) {
				cur = end;
				moved = true;
			}
		}
		if (!moved)
			break;
	}
	return cur;
}

/* mem_lower / mem_upper in KiB (MB1 section 3.3, MB2 section 3.6 "Basic memory information"). */
static void mbi_meminfo(const struct mb2_mmap_entry *m, unsigned n, uint32_t *lower,
			uint32_t *upper)
{
	uint64_t lo = mbi_avail_end(m, n, 0);
	uint64_t hi = mbi_avail_end(m, n, MBI_UPPER_START) - MBI_UPPER_START;

	if (lo > MBI_LOWER_END)
		lo = MBI_LOWER_END;
	hi /= KIB;
	*lower = (uint32_t)(lo / KIB);
	*upper = hi > UINT32_MAX ? UINT32_MAX : (uint32_t)hi;
}

/* Resolved parameters shared by both builders. */
struct mbi_input {
	const struct mbinfo_params *p;
	const struct mb2_mmap_entry *mmap;
	unsigned mmap_count;
	struct mb2_mmap_entry derived[MBI_DERIVED_MAX];
	const char *cmdline;
	const char *loader_name;
	uint32_t mem_lower, mem_upper;
};

static enum err mbi_resolve(const struct mbinfo_params *p, struct mbi_input *in)
{
	if (!p || (p->mmap_count && !p->mmap) || (p->module_count && !p->modules) ||
	    (p->rsdp && p->rsdp_len < ACPI_RSDP_V1_LEN))
		return E_INVAL;
	for (unsigned i = 0; i < p->module_count; i++)
		if (p->modules[i].start > p->modules[i].end)
			return E_INVAL;
	in->p = p;
	in->mmap = p->mmap;
	in->mmap_count = p->mmap_count;
	if (!p->mmap) {
		in->mmap = in->derived;
		in->mmap_count = mbi_derive_mmap(p->mem_size, in->derived);
	}
	in->cmdline = p->cmdline ? p->cmdline : "";
	in->loader_name = p->loader_name ? p->loader_name : MBINFO_LOADER_NAME;
	mbi_meminfo(in->mmap, in->mmap_count, &in->mem_lower, &in->mem_upper);
	return E_OK;
}

static void mb1_write(struct mbi_writer *w, const struct mbi_input *in)
{
	const struct mbinfo_params *p = in->p;
	uint64_t info = mbi_alloc(w, MB1_INFO_SIZE, MB1_INFO_ALIGN);
	uint64_t mmap = mbi_alloc(w, (uint64_t)in->mmap_count * MB1_MMAP_ENTRY, MB1_INFO_ALIGN);
	uint64_t mods = mbi_alloc(w, (uint64_t)p->module_count * MB1_MOD_SIZE, MB1_INFO_ALIGN);

	mbi_put32(w, info + MB1_I_FLAGS,
		  MB1_F_MEM | MB1_F_CMDLINE | MB1_F_MODS | MB1_F_MMAP | MB1_F_LOADER_NAME);
	mbi_put32(w, info + MB1_I_MEM_LOWER, in->mem_lower);
	mbi_put32(w, info + MB1_I_MEM_UPPER, in->mem_upper);
	mbi_put32(w, info + MB1_I_CMDLINE, mbi_string(w, in->cmdline));
	mbi_put32(w, info + MB1_I_LOADER_NAME, mbi_string(w, in->loader_name));
	mbi_put32(w, info + MB1_I_MODS_COUNT, p->module_count);
	mbi_put32(w, info + MB1_I_MODS_ADDR, (uint32_t)(w->addr + mods));
	mbi_put32(w, info + MB1_I_MMAP_LENGTH, in->mmap_count * MB1_MMAP_ENTRY);
	mbi_put32(w, info + MB1_I_MMAP_ADDR, (uint32_t)(w->addr + mmap));
	for (unsigned i = 0; i < in->mmap_count; i++) {
		uint64_t e = mmap + (uint64_t)i * MB1_MMAP_ENTRY;

		mbi_put32(w, e, MB1_MMAP_SIZE_FIELD);
		mbi_put64(w, e + MB1_MMAP_E_BASE, in->mmap[i].base);
		mbi_put64(w, e + MB1_MMAP_E_LENGTH, in->mmap[i].length);
		mbi_put32(w, e + MB1_MMAP_E_TYPE, in->mmap[i].type);
	}
	for (unsigned i = 0; i < p->module_count; i++) {
		const struct mbinfo_module *m = &p->modules[i];
		uint64_t e = mods + (uint64_t)i * MB1_MOD_SIZE;

		mbi_put32(w, e + MB1_MOD_START, m->start);
		mbi_put32(w, e + MB1_MOD_END, m->end);
		mbi_put32(w, e + MB1_MOD_STRING, mbi_string(w, m->string ? m->string : ""));
	}
}

/* Reserve a tag of @size bytes (header included), write its header, return its offset. */
static uint64_t mb2_tag(struct mbi_writer *w, uint32_t type, uint64_t size)
{
	uint64_t off = mbi_alloc(w, size, MB2_TAG_ALIGN);

	mbi_put32(w, off, type);
	mbi_put32(w, off + sizeof(uint32_t), (uint32_t)size);
	return off;
}

static void mb2_string_tag(struct mbi_writer *w, uint32_t type, const char *s)
{
	uint64_t n = strlen(s) + 1;
	uint64_t off = mb2_tag(w, type, MB2_TAG_HEADER_SIZE + n);

	mbi_put(w, off + MB2_TAG_HEADER_SIZE, s, n);
}

static void mb2_write_mmap(struct mbi_writer *w, const struct mbi_input *in)
{
	uint64_t off =
	    mb2_tag(w, MB2_TAG_MMAP, MB2_MMAP_HDR + (uint64_t)in->mmap_count * MB2_MMAP_ENTRY);

	mbi_put32(w, off + MB2_TAG_HEADER_SIZE, MB2_MMAP_ENTRY);
	mbi_put32(w, off + MB2_MMAP_VERSION_OFF, MB2_MMAP_VERSION);
	for (unsigned i = 0; i < in->mmap_count; i++) {
		uint64_t e = off + MB2_MMAP_HDR + (uint64_t)i * MB2_MMAP_ENTRY;

		mbi_put64(w, e + MB2_MMAP_E_BASE, in->mmap[i].base);
		mbi_put64(w, e + MB2_MMAP_E_LENGTH, in->mmap[i].length);
		mbi_put32(w, e + MB2_MMAP_E_TYPE, in->mmap[i].type);
		mbi_put32(w, e + MB2_MMAP_E_RESERVED, 0);
	}
}

static void mb2_write(struct mbi_writer *w, const struct mbi_input *in)
{
	const struct mbinfo_params *p = in->p;
	uint64_t off;

	mbi_alloc(w, MB2_INFO_HEADER_SIZE, MB2_INFO_ALIGN);
	mb2_string_tag(w, MB2_TAG_CMDLINE, in->cmdline);
	mb2_string_tag(w, MB2_TAG_LOADER_NAME, in->loader_name);
	for (unsigned i = 0; i < p->module_count; i++) {
		const struct mbinfo_module *m = &p->modules[i];
		const char *s = m->string ? m->string : "";
		uint64_t n = strlen(s) + 1;

		off = mb2_tag(w, MB2_TAG_MODULE, MB2_MODULE_HDR + n);
		mbi_put32(w, off + MB2_MOD_START, m->start);
		mbi_put32(w, off + MB2_MOD_END, m->end);
		mbi_put(w, off + MB2_MODULE_HDR, s, n);
	}
	off = mb2_tag(w, MB2_TAG_BASIC_MEMINFO, MB2_MEMINFO_TAG_SIZE);
	mbi_put32(w, off + MB2_MEMINFO_LOWER, in->mem_lower);
	mbi_put32(w, off + MB2_MEMINFO_UPPER, in->mem_upper);
	mb2_write_mmap(w, in);
	if (p->rsdp) {
		off = mb2_tag(w, MB2_TAG_ACPI_OLD, MB2_TAG_HEADER_SIZE + ACPI_RSDP_V1_LEN);
		mbi_put(w, off + MB2_TAG_HEADER_SIZE, p->rsdp, ACPI_RSDP_V1_LEN);
	}
	if (p->rsdp && p->rsdp_len >= ACPI_RSDP_V2_LEN) {
		off = mb2_tag(w, MB2_TAG_ACPI_NEW, MB2_TAG_HEADER_SIZE + (uint64_t)p->rsdp_len);
		mbi_put(w, off + MB2_TAG_HEADER_SIZE, p->rsdp, p->rsdp_len);
	}
	mb2_tag(w, MB2_TAG_END, MB2_END_TAG_SIZE);
	mbi_put32(w, 0, (uint32_t)w->pos);
	mbi_put32(w, sizeof(uint32_t), 0);
}

typedef void (*mbi_write_fn)(struct mbi_writer *w, const struct mbi_input *in);

/* Measure, check the result fits (limit, guest memory, 4 GiB), then write. */
static enum err mbi_build(const struct guest_mem_view *mem, uint64_t addr, uint64_t limit,
			  const struct mbinfo_params *p, uint64_t *used, uint64_t align,
			  mbi_write_fn write)
{
	struct mbi_input in;
	struct mbi_writer w = {NULL, addr, 0};
	enum err e;

	if (!mem || (!mem->base && mem->size) || !used)
		return E_INVAL;
	*used = 0;
	e = mbi_resolve(p, &in);
	if (e != E_OK)
		return e;
	if (addr % align)
		return E_ALIGN;
	write(&w, &in);
	*used = w.pos;
	if (w.pos > limit)
		return E_TRUNC;
	if (addr > mem->size || w.pos > mem->size - addr || addr + w.pos > MBI_4G)
		return E_RANGE;
	w.buf = mem->base + addr;
	w.pos = 0;
	memset(w.buf, 0, *used);
	write(&w, &in);
	return E_OK;
}

enum err mbinfo_build_mb1(const struct guest_mem_view *mem, uint64_t addr, uint64_t limit,
			  const struct mbinfo_params *p, uint64_t *used)
{
	return mbi_build(mem, addr, limit, p, used, MB1_INFO_ALIGN, mb1_write);
}

enum err mbinfo_build_mb2(const struct guest_mem_view *mem, uint64_t addr, uint64_t limit,
			  const struct mbinfo_params *p, uint64_t *used)
{
	return mbi_build(mem, addr, limit, p, used, MB2_INFO_ALIGN, mb2_write);
}
