/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for loader/linux.c. The first byte picks the test:
 * even: a bzImage (the bytes after a small control block) with a command
 * line and initrd cut from the input is loaded into an exact-size 4 MiB
 * guest (ASan catches any write outside it); a refused image must leave the
 * guest unchanged, an accepted one must hold its kernel, initrd, command
 * line and setup header where the plan says, with nothing overlapping.
 * odd: the e820 builder over ranges from the input, checked against a
 * point-by-point definition of the map.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "loader/linux.h"

#define GUEST_SIZE (4u << 20)
#define GUEST_FILL 0x5A
#define AREA 0x10000u
#define CTRL 8
#define CTRL_ENTRY 1
#define CTRL_CMDLINE 2 /* u16: command line length, cut from the image bytes */
#define CTRL_INITRD 4  /* u32: initrd length, cut from the image bytes */
#define RESERVED_BASE (GUEST_SIZE - 0x4000)
#define E820_RANGES 16
#define E820_RANGE_BYTES 16
#define LEGACY_HOLE 0x9F000u
#define HIGH_MEM 0x100000u
#define HDR_COPY_START 0x1F1
#define TYPE_OF_LOADER 0x210
#define CODE32_START 0x214
#define CODE32_END 0x220 /* code32_start, ramdisk_image, ramdisk_size */
#define CMD_LINE_PTR 0x228
#define CMD_LINE_PTR_END 0x22C

static uint8_t *guest;
static uint8_t *pristine;
static struct linux_result res;
static const struct loader_range reserved[] = {{RESERVED_BASE, 0x1000}};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static bool overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return an && bn && a < b + bn && b < a + an;
}

/* The setup header copy, apart from the fields the loader fills itself. */
static void check_header_copy(const uint8_t *img)
{
	const uint8_t *zp = guest + res.zero_page;

	for (uint32_t o = HDR_COPY_START; o < res.hdr.header_end; o++) {
		if (o == TYPE_OF_LOADER || (o >= CODE32_START && o < CODE32_END) ||
		    (o >= CMD_LINE_PTR && o < CMD_LINE_PTR_END))
			continue;
		if (zp[o] != img[o])
			__builtin_trap();
	}
	if (zp[TYPE_OF_LOADER] != 0xFF || rd32(zp + CODE32_START) != res.kernel_addr)
		__builtin_trap();
}

static void check_loaded(const struct linux_boot_input *in)
{
	const uint8_t *img = in->image;
	uint64_t k = res.kernel_addr, ks = res.kernel_span;

	if (res.why || k < HIGH_MEM || ks > GUEST_SIZE || k > GUEST_SIZE - ks ||
	    ks < res.hdr.pm_size || overlap(k, ks, RESERVED_BASE, 0x1000))
		__builtin_trap();
	if (memcmp(guest + k, img + res.hdr.pm_offset, res.hdr.pm_size))
		__builtin_trap();
	if (in->initrd_len) {
		uint64_t i = res.initrd_addr;

		if (i < HIGH_MEM || i % LINUX_PAGE || i + in->initrd_len > GUEST_SIZE ||
		    i + in->initrd_len - 1 > res.hdr.initrd_addr_max ||
		    overlap(i, in->initrd_len, k, ks) ||
		    overlap(i, in->initrd_len, RESERVED_BASE, 0x1000) ||
		    memcmp(guest + i, in->initrd, in->initrd_len))
			__builtin_trap();
	}
	if (strnlen((const char *)guest + res.cmdline_addr, res.hdr.cmdline_size + 1) >
	    res.hdr.cmdline_size)
		__builtin_trap();
	check_header_copy(img);
	if (guest[RESERVED_BASE] != GUEST_FILL)
		__builtin_trap();
}

static void fuzz_load(const uint8_t *data, size_t size)
{
	struct guest_mem_view mem = {guest, GUEST_SIZE};
	struct linux_boot_input in = {0};
	const uint8_t *img = data + CTRL;
	size_t len = size - CTRL;
	size_t cl = data[CTRL_CMDLINE] | (size_t)data[CTRL_CMDLINE + 1] << 8;
	size_t il = rd32(data + CTRL_INITRD);
	enum err e;

	in.image = img;
	in.image_len = len;
	in.cmdline = (const char *)img;
	in.cmdline_len = cl < len ? cl : len;
	in.initrd = img;
	in.initrd_len = il < len ? il : len;
	in.reserved = reserved;
	in.nreserved = 1;
	in.area = AREA;
	in.entry = data[CTRL_ENTRY] & 1 ? LINUX_ENTRY_32 : LINUX_ENTRY_64;
	e = linux_load(&in, &mem, &res);
	if (e != E_OK) {
		if (!res.why || !res.why[0] || strlen(res.why) >= LOADER_WHY_MAX ||
		    memcmp(guest, pristine, GUEST_SIZE))
			__builtin_trap();
		return;
	}
	check_loaded(&in);
	memcpy(guest, pristine, GUEST_SIZE);
}

/* The map at point p by definition: reserved wins, then RAM below ram_size. */
static uint32_t type_at(uint64_t ram, const struct loader_range *r, unsigned n, uint64_t p)
{
	if (p >= LEGACY_HOLE && p < HIGH_MEM)
		return LINUX_E820_RESERVED;
	for (unsigned i = 0; i < n; i++)
		if (r[i].size && p >= r[i].base && p - r[i].base < r[i].size)
			return LINUX_E820_RESERVED;
	return p < ram ? LINUX_E820_RAM : 0;
}

/* One type throughout [a, a + size): the same at every range boundary inside it. */
static bool uniform(uint64_t ram, const struct loader_range *r, unsigned n,
		    const struct linux_e820_entry *m)
{
	uint64_t pts[] = {LEGACY_HOLE, HIGH_MEM, ram};

	for (unsigned i = 0; i < sizeof(pts) / sizeof(pts[0]); i++)
		if (pts[i] > m->addr && pts[i] - m->addr < m->size &&
		    type_at(ram, r, n, pts[i]) != m->type)
			return false;
	for (unsigned i = 0; i < n; i++) {
		uint64_t end = r[i].base + r[i].size;

		if (r[i].base > m->addr && r[i].base - m->addr < m->size &&
		    type_at(ram, r, n, r[i].base) != m->type)
			return false;
		if (end >= r[i].base && end > m->addr && end - m->addr < m->size &&
		    type_at(ram, r, n, end) != m->type)
			return false;
	}
	return true;
}

/* Nothing typed between @from and @to (exclusive): checked at the ends and every boundary. */
static bool gap_empty(uint64_t ram, const struct loader_range *r, unsigned n, uint64_t from,
		      uint64_t to)
{
	struct linux_e820_entry g = {from, to - from, 0};

	return to <= from || (type_at(ram, r, n, from) == 0 && uniform(ram, r, n, &g));
}

static void fuzz_e820(const uint8_t *data, size_t size)
{
	struct loader_range r[E820_RANGES];
	struct linux_e820_entry map[LINUX_E820_MAX];
	uint64_t ram = rd32(data + 1) * (uint64_t)LINUX_PAGE;
	unsigned n = 0, count = 0;
	enum err e;

	for (size_t o = CTRL; o + E820_RANGE_BYTES <= size && n < E820_RANGES;
	     o += E820_RANGE_BYTES, n++)
		r[n] = (struct loader_range){rd64(data + o) >> (data[o] & 31),
					     rd64(data + o + 8) >> (data[o + 8] & 31)};
	e = linux_e820_build(ram, r, n, map, LINUX_E820_MAX, &count);
	if (e != (count > LINUX_E820_MAX ? E_RANGE : E_OK))
		__builtin_trap();
	for (unsigned i = 0; i < count && i < LINUX_E820_MAX; i++) {
		const struct linux_e820_entry *m = &map[i];
		uint64_t last = m->addr + m->size - 1;

		uint64_t prev_end = i ? map[i - 1].addr + map[i - 1].size : 0;

		if (!m->size || last < m->addr || type_at(ram, r, n, m->addr) != m->type ||
		    type_at(ram, r, n, last) != m->type || !uniform(ram, r, n, m) ||
		    !gap_empty(ram, r, n, prev_end, m->addr))
			__builtin_trap();
		if (i &&
		    (map[i - 1].addr + map[i - 1].size > m->addr ||
		     (map[i - 1].addr + map[i - 1].size == m->addr && map[i - 1].type == m->type)))
			__builtin_trap();
	}
	if (count && count <= LINUX_E820_MAX &&
	    !gap_empty(ram, r, n, map[count - 1].addr + map[count - 1].size, UINT64_MAX))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!guest) {
		guest = malloc(GUEST_SIZE);
		pristine = malloc(GUEST_SIZE);
		memset(guest, GUEST_FILL, GUEST_SIZE);
		memset(pristine, GUEST_FILL, GUEST_SIZE);
	}
	if (size < CTRL)
		return 0;
	if (data[0] & 1)
		fuzz_e820(data, size);
	else
		fuzz_load(data, size);
	return 0;
}
