/* SPDX-License-Identifier: MIT */
/*
 * Host tests for loader/loader.c and loader/mbinfo.c: builds real ELF32/ELF64 and
 * a.out-kludge Multiboot images in memory, loads them into a fake guest, checks
 * every refusal leaves guest memory untouched, and reads boot info back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "boot/mb2.h"
#include "loader/loader.h"
#include "loader/mbinfo.h"
#include "vm/vm.h"

#define IMG_MAX 0x10000
#define GUEST_SIZE (4u << 20)
#define GUEST_FILL 0xAA
#define MB1_MAGIC 0x1BADB002u
#define MB2_MAGIC 0xE85250D6u
#define HDR_OFF 0x100
#define MB1_AOUT_BYTES 32
/* The standard two-segment kernel: text at 1 MiB, data + BSS after it. */
#define TEXT_OFF 0x1000
#define TEXT_PA 0x100000
#define TEXT_SZ 0x800
#define DATA_OFF 0x2000
#define DATA_PA 0x102000
#define DATA_FILESZ 0x100
#define DATA_MEMSZ 0x1000
#define STD_LEN 0x2100
#define ENTRY_DELTA 0x10
#define HIGH_HALF 0xC0000000u
#define EM_386 3
#define EM_X86_64 62
#define PT_LOAD 1
#define PT_NOTE 4

static uint8_t img[IMG_MAX];
static size_t img_len;
static uint8_t *guest;
static uint8_t *snap;
static struct guest_mem_view mem;
static struct loader_result res;

struct tagbuf {
	uint8_t b[512];
	size_t n;
};

static struct tagbuf tags;

static void w16(size_t off, uint16_t v)
{
	memcpy(img + off, &v, sizeof(v));
}

static void w32(size_t off, uint32_t v)
{
	memcpy(img + off, &v, sizeof(v));
}

static void w64(size_t off, uint64_t v)
{
	memcpy(img + off, &v, sizeof(v));
}

static void wword(int cls, size_t off, uint64_t v)
{
	if (cls == 64)
		w64(off, v);
	else
		w32(off, (uint32_t)v);
}

/* ELF header (System V gABI) with program headers right after it. */
static void elf_header(int cls, uint16_t type, uint16_t machine, uint64_t entry, uint16_t phnum)
{
	bool is64 = cls == 64;

	memcpy(img,
	       "\x7f"
	       "ELF",
	       4);
	img[4] = is64 ? 2 : 1;
	img[5] = 1;
	img[6] = 1;
	w16(16, type);
	w16(18, machine);
	w32(20, 1);
	wword(cls, 24, entry);
	wword(cls, is64 ? 32 : 28, is64 ? 64 : 52);
	w16(is64 ? 52 : 40, is64 ? 64 : 52);
	w16(is64 ? 54 : 42, is64 ? 56 : 32);
	w16(is64 ? 56 : 44, phnum);
}

static size_t phdr_at(int cls, unsigned i)
{
	return cls == 64 ? 64 + 56 * i : 52 + 32 * i;
}

static void elf_phdr(int cls, unsigned i, uint32_t type, uint64_t off, uint64_t vaddr,
		     uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
	size_t p = phdr_at(cls, i);
	bool is64 = cls == 64;

	w32(p, type);
	wword(cls, p + (is64 ? 8 : 4), off);
	wword(cls, p + (is64 ? 16 : 8), vaddr);
	wword(cls, p + (is64 ? 24 : 12), paddr);
	wword(cls, p + (is64 ? 32 : 16), filesz);
	wword(cls, p + (is64 ? 40 : 20), memsz);
}

static void fill_pattern(size_t off, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		img[off + i] = (uint8_t)(seed + i * 7 + 1);
}

/* Two PT_LOAD segments; @vbias shifts virtual addresses (higher-half kernels). */
static void std_elf(int cls, uint64_t vbias)
{
	memset(img, 0, sizeof(img));
	elf_header(cls, 2, cls == 64 ? EM_X86_64 : EM_386, TEXT_PA + vbias + ENTRY_DELTA, 2);
	elf_phdr(cls, 0, PT_LOAD, TEXT_OFF, TEXT_PA + vbias, TEXT_PA, TEXT_SZ, TEXT_SZ);
	elf_phdr(cls, 1, PT_LOAD, DATA_OFF, DATA_PA + vbias, DATA_PA, DATA_FILESZ, DATA_MEMSZ);
	fill_pattern(TEXT_OFF, TEXT_SZ, 3);
	fill_pattern(DATA_OFF, DATA_FILESZ, 9);
	img_len = STD_LEN;
}

static void mb1_header(size_t off, uint32_t flags)
{
	w32(off, MB1_MAGIC);
	w32(off + 4, flags);
	w32(off + 8, -(MB1_MAGIC + flags));
}

static void mb1_aout(size_t off, uint32_t hdr, uint32_t load, uint32_t load_end, uint32_t bss,
		     uint32_t entry)
{
	mb1_header(off, (1u << 16) | 3);
	w32(off + 12, hdr);
	w32(off + 16, load);
	w32(off + 20, load_end);
	w32(off + 24, bss);
	w32(off + 28, entry);
}

static void tag_reset(void)
{
	tags.n = 0;
}

static void tag_add_sized(uint16_t type, uint16_t flags, uint32_t size, const void *p, size_t n)
{
	uint8_t *t = tags.b + tags.n;

	memcpy(t, &type, 2);
	memcpy(t + 2, &flags, 2);
	memcpy(t + 4, &size, 4);
	if (n)
		memcpy(t + 8, p, n);
	tags.n = (tags.n + 8 + n + 7) & ~(size_t)7;
}

static void tag_add(uint16_t type, uint16_t flags, const void *p, size_t n)
{
	tag_add_sized(type, flags, (uint32_t)(8 + n), p, n);
}

static void mb2_set(size_t off, uint32_t arch, uint32_t hlen)
{
	w32(off, MB2_MAGIC);
	w32(off + 4, arch);
	w32(off + 8, hlen);
	w32(off + 12, -(MB2_MAGIC + arch + hlen));
}

/* Header at @off: fixed part, the tags collected so far, an end tag. */
static void mb2_header(size_t off)
{
	memcpy(img + off + 16, tags.b, tags.n);
	memset(img + off + 16 + tags.n, 0, 8);
	w16(off + 16 + tags.n + 4, 0);
	w32(off + 16 + tags.n + 4, 8);
	mb2_set(off, 0, (uint32_t)(16 + tags.n + 8));
}

static void build_mb1_elf32(void)
{
	std_elf(32, 0);
	mb1_header(HDR_OFF, 3);
}

static void build_mb2_elf(int cls)
{
	static const uint32_t req[] = {1, 6};

	std_elf(cls, 0);
	tag_reset();
	tag_add(1, 0, req, sizeof(req));
	tag_add(6, 0, NULL, 0);
	mb2_header(HDR_OFF);
}

static void build_mb2_elf64(void)
{
	build_mb2_elf(64);
}

/* A flat binary loaded at 1 MiB with the header 0x40 bytes in. */
#define AOUT_HDR 0x40
#define AOUT_LEN 0x400
#define AOUT_BSS 0x1000
static void build_mb1_aout(void)
{
	memset(img, 0, sizeof(img));
	fill_pattern(0, AOUT_LEN, 5);
	mb1_aout(AOUT_HDR, TEXT_PA + AOUT_HDR, TEXT_PA, TEXT_PA + AOUT_LEN,
		 TEXT_PA + AOUT_LEN + AOUT_BSS, TEXT_PA + 0x80);
	img_len = AOUT_LEN;
}

static void build_mb2_aout(uint32_t load_addr)
{
	uint32_t addr[4] = {TEXT_PA + AOUT_HDR, load_addr, 0, TEXT_PA + AOUT_LEN + AOUT_BSS};
	uint32_t entry = TEXT_PA + 0x80;

	memset(img, 0, sizeof(img));
	fill_pattern(0, AOUT_LEN, 5);
	tag_reset();
	tag_add(2, 0, addr, sizeof(addr));
	tag_add(3, 0, &entry, sizeof(entry));
	mb2_header(AOUT_HDR);
	img_len = AOUT_LEN;
}

static int guest_setup(void **state)
{
	guest = malloc(GUEST_SIZE);
	snap = malloc(GUEST_SIZE);
	if (!guest || !snap)
		return -1;
	memset(guest, GUEST_FILL, GUEST_SIZE);
	memcpy(snap, guest, GUEST_SIZE);
	mem.base = guest;
	mem.size = GUEST_SIZE;
	return 0;
}

static int guest_teardown(void **state)
{
	free(guest);
	free(snap);
	return 0;
}

static enum err load(void)
{
	return loader_load(img, img_len, &mem, NULL, 0, &res);
}

static void assert_untouched(size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (guest[i] != GUEST_FILL)
			fail_msg("guest byte 0x%zx changed to 0x%x", i, guest[i]);
}

static void assert_zero(size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (guest[i])
			fail_msg("BSS byte 0x%zx is 0x%x, not zero", i, guest[i]);
}

static void assert_std_loaded(void)
{
	assert_memory_equal(guest + TEXT_PA, img + TEXT_OFF, TEXT_SZ);
	assert_memory_equal(guest + DATA_PA, img + DATA_OFF, DATA_FILESZ);
	assert_zero(DATA_PA + DATA_FILESZ, DATA_PA + DATA_MEMSZ);
	assert_untouched(0, TEXT_PA);
	assert_untouched(TEXT_PA + TEXT_SZ, DATA_PA);
	assert_untouched(DATA_PA + DATA_MEMSZ, GUEST_SIZE);
	assert_int_equal(res.load_start, TEXT_PA);
	assert_int_equal(res.load_end, DATA_PA + DATA_MEMSZ);
	assert_int_equal(res.entry, TEXT_PA + ENTRY_DELTA);
	assert_int_equal(res.segment_count, 2);
	assert_null(res.why);
}

static void test_mb1_elf32(void **state)
{
	build_mb1_elf32();
	assert_int_equal(load(), E_OK);
	assert_std_loaded();
	assert_int_equal(res.flavour, LOADER_MB1);
	assert_int_equal(res.format, LOADER_FMT_ELF32);
	assert_int_equal(res.header_offset, HDR_OFF);
	assert_int_equal(res.mb1_flags, 3);
	assert_true(res.modules_page_aligned);
	assert_string_equal(loader_flavour_name(res.flavour), "Multiboot 1");
	assert_string_equal(loader_format_name(res.format), "ELF32");
}

static void test_mb1_elf32_higher_half(void **state)
{
	std_elf(32, HIGH_HALF);
	mb1_header(HDR_OFF, 2);
	assert_int_equal(load(), E_OK);
	assert_std_loaded();
	assert_false(res.modules_page_aligned);
}

static void test_mb1_skips_empty_and_other_phdrs(void **state)
{
	build_mb1_elf32();
	elf_header(32, 2, EM_386, TEXT_PA + ENTRY_DELTA, 4);
	elf_phdr(32, 2, PT_NOTE, 0, 0, 0, 0x10, 0x10);
	elf_phdr(32, 3, PT_LOAD, 0, 0, 0, 0, 0);
	assert_int_equal(load(), E_OK);
	assert_std_loaded();
}

static void test_mb1_aout(void **state)
{
	build_mb1_aout();
	assert_int_equal(load(), E_OK);
	assert_memory_equal(guest + TEXT_PA, img, AOUT_LEN);
	assert_zero(TEXT_PA + AOUT_LEN, TEXT_PA + AOUT_LEN + AOUT_BSS);
	assert_untouched(TEXT_PA + AOUT_LEN + AOUT_BSS, GUEST_SIZE);
	assert_untouched(0, TEXT_PA);
	assert_int_equal(res.format, LOADER_FMT_AOUT_KLUDGE);
	assert_int_equal(res.entry, TEXT_PA + 0x80);
	assert_int_equal(res.load_end, TEXT_PA + AOUT_LEN + AOUT_BSS);
}

/* load_end_addr 0 loads to the end of the file; bss_end_addr 0 means no BSS. */
static void test_mb1_aout_to_file_end(void **state)
{
	build_mb1_aout();
	mb1_aout(AOUT_HDR, TEXT_PA + AOUT_HDR, TEXT_PA + 0x20, 0, 0, TEXT_PA + 0x80);
	assert_int_equal(load(), E_OK);
	assert_memory_equal(guest + TEXT_PA + 0x20, img + 0x20, AOUT_LEN - 0x20);
	assert_untouched(0, TEXT_PA + 0x20);
	assert_untouched(TEXT_PA + AOUT_LEN, GUEST_SIZE);
	assert_int_equal(res.load_end, TEXT_PA + AOUT_LEN);
}

/* An ELF file with flags bit 16 is loaded by its address fields, not its phdrs. */
static void test_mb1_aout_wins_over_elf(void **state)
{
	std_elf(32, 0);
	mb1_aout(HDR_OFF, 0x200000 + HDR_OFF, 0x200000, 0x200000 + STD_LEN, 0, 0x200000);
	assert_int_equal(load(), E_OK);
	assert_int_equal(res.format, LOADER_FMT_AOUT_KLUDGE);
	assert_memory_equal(guest + 0x200000, img, STD_LEN);
	assert_untouched(TEXT_PA, 0x200000);
}

static void test_mb2_elf64(void **state)
{
	build_mb2_elf64();
	assert_int_equal(load(), E_OK);
	assert_std_loaded();
	assert_int_equal(res.flavour, LOADER_MB2);
	assert_int_equal(res.format, LOADER_FMT_ELF64);
	assert_int_equal(res.mb2_requests, (1u << 1) | (1u << 6));
	assert_true(res.modules_page_aligned);
	assert_string_equal(loader_format_name(res.format), "ELF64");
}

static void test_mb2_elf32_entry_tag(void **state)
{
	uint32_t entry = DATA_PA + 4;

	std_elf(32, HIGH_HALF);
	tag_reset();
	tag_add(3, 0, &entry, sizeof(entry));
	mb2_header(HDR_OFF);
	assert_int_equal(load(), E_OK);
	assert_int_equal(res.format, LOADER_FMT_ELF32);
	assert_int_equal(res.entry, DATA_PA + 4);
	assert_false(res.modules_page_aligned);
}

/* Optional tags Vireo lacks, an optional request and a relocatable tag are accepted. */
static void test_mb2_optional_tags(void **state)
{
	static const uint32_t fb[3] = {1024, 768, 32};
	static const uint32_t req[] = {8, 21};
	static const uint32_t reloc[4] = {0x100000, 0x1000000, 0x1000, 0};

	std_elf(64, 0);
	tag_reset();
	tag_add(5, 1, fb, sizeof(fb));
	tag_add(1, 1, req, sizeof(req));
	tag_add(7, 1, NULL, 0);
	tag_add(10, 0, reloc, sizeof(reloc));
	tag_add(99, 1, NULL, 0);
	mb2_header(HDR_OFF);
	assert_int_equal(load(), E_OK);
	assert_std_loaded();
	assert_int_equal(res.mb2_requests, (1u << 8) | (1u << 21));
}

static void test_mb2_aout(void **state)
{
	build_mb2_aout(TEXT_PA);
	assert_int_equal(load(), E_OK);
	assert_memory_equal(guest + TEXT_PA, img, AOUT_LEN);
	assert_zero(TEXT_PA + AOUT_LEN, TEXT_PA + AOUT_LEN + AOUT_BSS);
	assert_int_equal(res.flavour, LOADER_MB2);
	assert_int_equal(res.format, LOADER_FMT_AOUT_KLUDGE);
	assert_int_equal(res.entry, TEXT_PA + 0x80);
}

/* Multiboot2 3.1.5: load_addr -1 loads the file from its beginning. */
static void test_mb2_aout_load_from_start(void **state)
{
	build_mb2_aout(0xFFFFFFFFu);
	assert_int_equal(load(), E_OK);
	assert_memory_equal(guest + TEXT_PA, img, AOUT_LEN);
	assert_int_equal(res.load_start, TEXT_PA);
}

static void test_prefers_mb2(void **state)
{
	build_mb2_elf64();
	std_elf(32, 0);
	mb2_header(HDR_OFF);
	mb1_header(0x80, 3);
	assert_int_equal(load(), E_OK);
	assert_int_equal(res.flavour, LOADER_MB2);
	assert_int_equal(res.format, LOADER_FMT_ELF32);
}

/* A magic with a bad checksum is skipped when a good header follows. */
static void test_skips_bad_checksum_magic(void **state)
{
	build_mb1_elf32();
	w32(0x80, MB1_MAGIC);
	assert_int_equal(load(), E_OK);
	assert_int_equal(res.header_offset, HDR_OFF);
}

/* Reserved ranges that only touch the kernel are fine, even when they saturate. */
static void test_reserved_adjacent(void **state)
{
	const struct loader_range r[] = {
	    {TEXT_PA - 0x1000, 0x1000},
	    {TEXT_PA + TEXT_SZ, DATA_PA - TEXT_PA - TEXT_SZ},
	    {DATA_PA + DATA_MEMSZ, UINT64_MAX},
	};

	build_mb1_elf32();
	assert_int_equal(loader_load(img, img_len, &mem, r, 3, &res), E_OK);
	assert_std_loaded();
}

static void test_check_writes_nothing(void **state)
{
	build_mb2_elf64();
	assert_int_equal(loader_check(img, img_len, &mem, NULL, 0, &res), E_OK);
	assert_int_equal(res.segment_count, 2);
	assert_memory_equal(guest, snap, GUEST_SIZE);
}

static void test_bad_arguments(void **state)
{
	struct guest_mem_view nobase = {NULL, GUEST_SIZE};

	build_mb1_elf32();
	assert_int_equal(loader_load(img, img_len, NULL, NULL, 0, &res), E_INVAL);
	assert_int_equal(loader_load(img, img_len, &nobase, NULL, 0, &res), E_INVAL);
	assert_int_equal(loader_load(NULL, img_len, &mem, NULL, 0, &res), E_INVAL);
	assert_int_equal(loader_load(img, img_len, &mem, NULL, 1, &res), E_INVAL);
	assert_non_null(res.why);
	assert_int_equal(loader_load(img, img_len, &mem, NULL, 0, NULL), E_INVAL);
	assert_memory_equal(guest, snap, GUEST_SIZE);
	assert_string_equal(loader_flavour_name(LOADER_NONE), "none");
}

/* ---- refusals: each breaks one thing; guest memory must stay as it was ---- */

struct bad_case {
	const char *name;
	void (*build)(void);
	enum err err;
	const char *why;
	const struct loader_range *reserved;
	uint64_t mem_size;
};

static const struct loader_range reserved_mid = {DATA_PA + 0x800, 0x100};
static const struct loader_range reserved_all = {0, UINT64_MAX};

static void bad_no_header(void)
{
	std_elf(32, 0);
}

static void bad_mb1_checksum(void)
{
	build_mb1_elf32();
	w32(HDR_OFF + 8, 0);
}

static void bad_mb1_too_far(void)
{
	std_elf(32, 0);
	mb1_header(8192 - 8, 3);
	img_len = 8192 + 0x100;
}

static void bad_mb2_misaligned(void)
{
	build_mb2_elf64();
	memmove(img + HDR_OFF + 4, img + HDR_OFF, 64);
	memset(img + HDR_OFF, 0, 4);
}

static void bad_mb1_video(void)
{
	std_elf(32, 0);
	mb1_header(HDR_OFF, 7);
}

static void bad_mb1_unknown_required(void)
{
	std_elf(32, 0);
	mb1_header(HDR_OFF, 3 | 1u << 5);
}

static void bad_mb1_elf64(void)
{
	std_elf(64, 0);
	mb1_header(HDR_OFF, 3);
}

static void bad_mb1_not_elf(void)
{
	build_mb1_elf32();
	img[1] = 'X';
}

static void bad_elf_truncated_ehdr(void)
{
	std_elf(64, 0);
	tag_reset();
	mb2_header(0x10); /* a tag-less header that ends inside the ELF header */
	img_len = 0x28;
}

static void bad_elf_class(void)
{
	build_mb2_elf64();
	img[4] = 3;
}

static void bad_elf_endian(void)
{
	build_mb1_elf32();
	img[5] = 2;
}

static void bad_elf_type(void)
{
	build_mb1_elf32();
	w16(16, 3);
}

static void bad_elf_machine(void)
{
	build_mb2_elf64();
	w16(18, EM_386);
}

static void bad_elf_phoff(void)
{
	build_mb1_elf32();
	w32(28, 0x20F0);
}

static void bad_elf_phoff_huge(void)
{
	build_mb2_elf64();
	w64(32, UINT64_MAX - 8);
}

static void bad_elf_phnum_zero(void)
{
	build_mb1_elf32();
	w16(44, 0);
}

static void bad_elf_phnum_xnum(void)
{
	build_mb1_elf32();
	w16(44, 0xFFFF);
}

static void bad_elf_phentsize(void)
{
	build_mb2_elf64();
	w16(54, 32);
}

static void bad_elf_no_load(void)
{
	build_mb1_elf32();
	w32(phdr_at(32, 0), PT_NOTE);
	w32(phdr_at(32, 1), PT_NOTE);
}

static void bad_seg_outside_file(void)
{
	build_mb1_elf32();
	elf_phdr(32, 1, PT_LOAD, DATA_OFF, DATA_PA, DATA_PA, 0x200, DATA_MEMSZ);
}

static void bad_seg_offset_wraps(void)
{
	build_mb2_elf64();
	elf_phdr(64, 1, PT_LOAD, UINT64_MAX - 0x10, DATA_PA, DATA_PA, 0x100, DATA_MEMSZ);
}

static void bad_seg_filesz_gt_memsz(void)
{
	build_mb1_elf32();
	elf_phdr(32, 1, PT_LOAD, DATA_OFF, DATA_PA, DATA_PA, DATA_FILESZ, DATA_FILESZ - 1);
}

static void bad_seg_too_big(void)
{
	build_mb1_elf32();
	elf_phdr(32, 1, PT_LOAD, DATA_OFF, DATA_PA, DATA_PA, DATA_FILESZ, GUEST_SIZE);
}

static void bad_seg_addr_wraps(void)
{
	build_mb2_elf64();
	elf_phdr(64, 1, PT_LOAD, DATA_OFF, 0, UINT64_MAX - 0xFFF, DATA_FILESZ, DATA_MEMSZ);
}

static void bad_seg_overlap(void)
{
	build_mb1_elf32();
	elf_phdr(32, 1, PT_LOAD, DATA_OFF, DATA_PA, TEXT_PA + 0x7FF, DATA_FILESZ, DATA_MEMSZ);
}

static void bad_entry_outside(void)
{
	build_mb1_elf32();
	w32(24, 0x300000);
}

static void bad_too_many_segments(void)
{
	std_elf(32, 0);
	elf_header(32, 2, EM_386, TEXT_PA, LOADER_MAX_SEGMENTS + 1);
	for (unsigned i = 0; i <= LOADER_MAX_SEGMENTS; i++)
		elf_phdr(32, i, PT_LOAD, TEXT_OFF, TEXT_PA + i * 0x10, TEXT_PA + i * 0x10, 0x10,
			 0x10);
	mb1_header(0x800, 3);
}

static void bad_second_seg_fails(void)
{
	build_mb2_elf64();
	elf_phdr(64, 1, PT_LOAD, DATA_OFF, DATA_PA, GUEST_SIZE - 0x10, DATA_FILESZ, DATA_MEMSZ);
}

static void bad_aout_load_above_header(void)
{
	build_mb1_aout();
	mb1_aout(AOUT_HDR, TEXT_PA, TEXT_PA + 0x10, 0, 0, TEXT_PA + 0x80);
}

static void bad_aout_before_file(void)
{
	build_mb1_aout();
	mb1_aout(AOUT_HDR, TEXT_PA + 0x1000, TEXT_PA, 0, 0, TEXT_PA + 0x80);
}

static void bad_aout_load_end(void)
{
	build_mb1_aout();
	mb1_aout(AOUT_HDR, TEXT_PA + AOUT_HDR, TEXT_PA, TEXT_PA, 0, TEXT_PA);
}

static void bad_aout_past_file(void)
{
	build_mb1_aout();
	mb1_aout(AOUT_HDR, TEXT_PA + AOUT_HDR, TEXT_PA, TEXT_PA + AOUT_LEN + 1, 0, TEXT_PA);
}

static void bad_aout_bss(void)
{
	build_mb1_aout();
	mb1_aout(AOUT_HDR, TEXT_PA + AOUT_HDR, TEXT_PA, TEXT_PA + AOUT_LEN, TEXT_PA + 0x10,
		 TEXT_PA);
}

static void bad_aout_entry(void)
{
	build_mb1_aout();
	mb1_aout(AOUT_HDR, TEXT_PA + AOUT_HDR, TEXT_PA, 0, 0, TEXT_PA - 1);
}

static void bad_aout_header_cut(void)
{
	build_mb1_aout();
	memset(img + AOUT_HDR, 0, MB1_AOUT_BYTES);
	mb1_aout(AOUT_LEN - 16, TEXT_PA, TEXT_PA, 0, 0, TEXT_PA);
}

static void bad_aout_high(void)
{
	build_mb1_aout();
	mb1_aout(AOUT_HDR, 0xFFFFFF00u + AOUT_HDR, 0xFFFFFF00u, 0, 0, 0xFFFFFF00u);
}

static void bad_mb2_checksum(void)
{
	build_mb2_elf64();
	w32(HDR_OFF + 12, 0);
}

static void bad_mb2_arch(void)
{
	build_mb2_elf64();
	mb2_set(HDR_OFF, 4, (uint32_t)(16 + tags.n + 8));
}

static void bad_mb2_length_small(void)
{
	build_mb2_elf64();
	mb2_set(HDR_OFF, 0, 16);
}

static void bad_mb2_length_past_file(void)
{
	build_mb2_elf64();
	mb2_set(HDR_OFF, 0, STD_LEN);
}

static void bad_mb2_no_end_tag(void)
{
	build_mb2_elf64();
	mb2_set(HDR_OFF, 0, (uint32_t)(16 + tags.n));
}

static void bad_mb2_tag_size_small(void)
{
	build_mb2_elf64();
	w32(HDR_OFF + 16 + 4, 4);
}

static void bad_mb2_tag_past_header(void)
{
	build_mb2_elf64();
	w32(HDR_OFF + 16 + 4, 0x1000);
}

static void bad_mb2_unknown_required(void)
{
	std_elf(64, 0);
	tag_reset();
	tag_add(99, 0, NULL, 0);
	mb2_header(HDR_OFF);
}

static void bad_mb2_request_unsupported(void)
{
	static const uint32_t req[] = {1, 8};

	std_elf(64, 0);
	tag_reset();
	tag_add(1, 0, req, sizeof(req));
	mb2_header(HDR_OFF);
}

static void bad_mb2_framebuffer(void)
{
	static const uint32_t fb[3] = {1024, 768, 32};

	std_elf(64, 0);
	tag_reset();
	tag_add(5, 0, fb, sizeof(fb));
	mb2_header(HDR_OFF);
}

static void bad_mb2_console_required(void)
{
	uint32_t flags = 1;

	std_elf(64, 0);
	tag_reset();
	tag_add(4, 0, &flags, sizeof(flags));
	mb2_header(HDR_OFF);
}

static void bad_mb2_efi_entry(void)
{
	uint32_t entry = TEXT_PA;

	std_elf(64, 0);
	tag_reset();
	tag_add(9, 0, &entry, sizeof(entry));
	mb2_header(HDR_OFF);
}

static void bad_mb2_address_short(void)
{
	uint32_t addr[2] = {TEXT_PA, TEXT_PA};

	std_elf(64, 0);
	tag_reset();
	tag_add(2, 0, addr, sizeof(addr));
	mb2_header(HDR_OFF);
}

static void bad_mb2_address_no_entry(void)
{
	uint32_t addr[4] = {TEXT_PA + AOUT_HDR, TEXT_PA, 0, 0};

	build_mb2_aout(TEXT_PA);
	tag_reset();
	tag_add(2, 0, addr, sizeof(addr));
	mb2_header(AOUT_HDR);
}

static void bad_mb2_load_from_start(void)
{
	uint32_t addr[4] = {0x10, 0xFFFFFFFFu, 0, 0};
	uint32_t entry = 0;

	build_mb2_aout(0xFFFFFFFFu);
	tag_reset();
	tag_add(2, 0, addr, sizeof(addr));
	tag_add(3, 0, &entry, sizeof(entry));
	mb2_header(AOUT_HDR);
}

static void bad_mb2_entry_tag_outside(void)
{
	uint32_t entry = 0x300000;

	std_elf(64, 0);
	tag_reset();
	tag_add(3, 0, &entry, sizeof(entry));
	mb2_header(HDR_OFF);
}

#define BAD(fn, e, w)                                                                              \
	{                                                                                          \
#fn, fn, e, w, NULL, 0                                                             \
	}
static const struct bad_case bad_cases[] = {
    BAD(bad_no_header, E_BADSIG, "no Multiboot header"),
    BAD(bad_mb1_checksum, E_CHECKSUM, "checksum"),
    BAD(bad_mb1_too_far, E_BADSIG, "no Multiboot header"),
    BAD(bad_mb2_misaligned, E_BADSIG, "no Multiboot header"),
    BAD(bad_mb1_video, E_NOTSUP, "video"),
    BAD(bad_mb1_unknown_required, E_NOTSUP, "0x20"),
    BAD(bad_mb1_elf64, E_NOTSUP, "ELF32"),
    BAD(bad_mb1_not_elf, E_BADSIG, "not ELF"),
    BAD(bad_elf_truncated_ehdr, E_TRUNC, "ELF64 header needs 64"),
    BAD(bad_elf_class, E_MALFORMED, "class 3"),
    BAD(bad_elf_endian, E_MALFORMED, "encoding 2"),
    BAD(bad_elf_type, E_NOTSUP, "type 3"),
    BAD(bad_elf_machine, E_NOTSUP, "machine 3"),
    BAD(bad_elf_phoff, E_TRUNC, "e_phoff 0x20f0"),
    BAD(bad_elf_phoff_huge, E_TRUNC, "e_phoff 0xfffffffffffffff7"),
    BAD(bad_elf_phnum_zero, E_MALFORMED, "e_phnum is 0"),
    BAD(bad_elf_phnum_xnum, E_MALFORMED, "e_phnum is 65535"),
    BAD(bad_elf_phentsize, E_MALFORMED, "e_phentsize 32"),
    BAD(bad_elf_no_load, E_MALFORMED, "no PT_LOAD"),
    BAD(bad_seg_outside_file, E_TRUNC, "program header 1: bytes 0x2000+0x200"),
    BAD(bad_seg_offset_wraps, E_TRUNC, "past the end"),
    BAD(bad_seg_filesz_gt_memsz, E_MALFORMED, "file size 0x100 exceeds memory size 0xff"),
    BAD(bad_seg_too_big, E_RANGE, "give the VM more memory"),
    BAD(bad_seg_addr_wraps, E_RANGE, "0xfffffffffffff000+0x1000"),
    BAD(bad_seg_overlap, E_MALFORMED, "overlaps an earlier segment"),
    BAD(bad_entry_outside, E_MALFORMED, "entry point 0x300000"),
    BAD(bad_too_many_segments, E_NOTSUP, "more than 16"),
    BAD(bad_second_seg_fails, E_RANGE, "program header 1"),
    BAD(bad_aout_load_above_header, E_MALFORMED, "above header_addr"),
    BAD(bad_aout_before_file, E_MALFORMED, "before the image"),
    BAD(bad_aout_load_end, E_MALFORMED, "load_end_addr 0x100000"),
    BAD(bad_aout_past_file, E_TRUNC, "past the end"),
    BAD(bad_aout_bss, E_MALFORMED, "bss_end_addr 0x100010"),
    BAD(bad_aout_entry, E_MALFORMED, "entry point 0xfffff"),
    BAD(bad_aout_header_cut, E_TRUNC, "needs 32 bytes"),
    BAD(bad_aout_high, E_RANGE, "does not fit"),
    BAD(bad_mb2_checksum, E_CHECKSUM, "Multiboot2 magic at offset 0x100"),
    BAD(bad_mb2_arch, E_NOTSUP, "architecture 4"),
    BAD(bad_mb2_length_small, E_MALFORMED, "header_length 16"),
    BAD(bad_mb2_length_past_file, E_MALFORMED, "header_length 8448"),
    BAD(bad_mb2_no_end_tag, E_TRUNC, "before its end tag"),
    BAD(bad_mb2_tag_size_small, E_MALFORMED, "has size 4"),
    BAD(bad_mb2_tag_past_header, E_MALFORMED, "has size 4096"),
    BAD(bad_mb2_unknown_required, E_NOTSUP, "tag 99"),
    BAD(bad_mb2_request_unsupported, E_NOTSUP, "tag type 8"),
    BAD(bad_mb2_framebuffer, E_NOTSUP, "framebuffer"),
    BAD(bad_mb2_console_required, E_NOTSUP, "console flags"),
    BAD(bad_mb2_efi_entry, E_NOTSUP, "EFI amd64 entry"),
    BAD(bad_mb2_address_short, E_MALFORMED, "address tag is 16 bytes"),
    BAD(bad_mb2_address_no_entry, E_MALFORMED, "without an entry address tag"),
    BAD(bad_mb2_load_from_start, E_MALFORMED, "below the header's file offset"),
    BAD(bad_mb2_entry_tag_outside, E_MALFORMED, "entry point 0x300000"),
    {"bad_reserved_mid", build_mb1_elf32, E_BUSY, "overlaps reserved guest memory 0x102800+0x100",
     &reserved_mid, 0},
    {"bad_reserved_all", build_mb2_elf64, E_BUSY, "overlaps reserved", &reserved_all, 0},
    {"bad_small_vm_elf", build_mb1_elf32, E_RANGE, "VM's 0x102000 bytes", NULL, DATA_PA},
    {"bad_small_vm_aout", build_mb1_aout, E_RANGE, "0x100000+0x1400", NULL, TEXT_PA + 0x13ff},
};

/* Within 32-bit protected mode nothing past 4 GiB is reachable, however big the VM. */
static void test_refuse_above_4g(void **state)
{
	struct guest_mem_view big = {guest, 8ull << 30};

	build_mb2_elf64();
	elf_phdr(64, 1, PT_LOAD, DATA_OFF, DATA_PA, 0xFFFFF000u, DATA_FILESZ, DATA_MEMSZ + 1);
	assert_int_equal(loader_check(img, img_len, &big, NULL, 0, &res), E_RANGE);
	assert_non_null(strstr(res.why, "above 4 GiB"));
	assert_memory_equal(guest, snap, GUEST_SIZE);
}

static void test_refusal(void **state)
{
	const struct bad_case *c = *state;
	struct guest_mem_view m = {guest, c->mem_size ? c->mem_size : GUEST_SIZE};
	enum err e;

	c->build();
	e = loader_load(img, img_len, &m, c->reserved, c->reserved ? 1 : 0, &res);
	if (e != c->err || !res.why || !strstr(res.why, c->why))
		fail_msg("got %s \"%s\", want %s containing \"%s\"", err_name(e),
			 res.why ? res.why : "(none)", err_name(c->err), c->why);
	assert_int_equal(res.segment_count, 0);
	assert_true(strlen(res.why) < LOADER_WHY_MAX);
	assert_memory_equal(guest, snap, GUEST_SIZE);
}

/* ---- boot information ---- */

#define INFO_ADDR 0x9000
#define INFO_LIMIT 0x1000
#define RSDP_LEN 36

static const struct mbinfo_module mods[] = {
    {0x400000, 0x401000, "initrd one"},
    {0x401000, 0x401800, ""},
};

static uint8_t rsdp[RSDP_LEN];

static struct mbinfo_params std_params(void)
{
	struct mbinfo_params p = {.mem_size = GUEST_SIZE,
				  .cmdline = "console=ttyS0 quiet",
				  .modules = mods,
				  .module_count = 2};

	for (unsigned i = 0; i < RSDP_LEN; i++)
		rsdp[i] = (uint8_t)(0x40 + i);
	return p;
}

static uint32_t g32(uint64_t addr)
{
	uint32_t v;

	memcpy(&v, guest + addr, sizeof(v));
	return v;
}

static uint64_t g64(uint64_t addr)
{
	uint64_t v;

	memcpy(&v, guest + addr, sizeof(v));
	return v;
}

static void assert_mmap_entry(const struct mb2_mmap_entry *m, uint64_t base, uint64_t len,
			      uint32_t type)
{
	assert_int_equal(m->base, base);
	assert_int_equal(m->length, len);
	assert_int_equal(m->type, type);
}

static void test_mb2_info_roundtrip(void **state)
{
	static struct mb2_info info;
	struct mbinfo_params p = std_params();
	uint64_t used;

	p.rsdp = rsdp;
	p.rsdp_len = RSDP_LEN;
	assert_int_equal(mbinfo_build_mb2(&mem, INFO_ADDR, INFO_LIMIT, &p, &used), E_OK);
	assert_int_equal(mb2_parse(guest + INFO_ADDR, used, &info), E_OK);
	assert_int_equal(info.total_size, used);
	assert_string_equal(info.cmdline, "console=ttyS0 quiet");
	assert_string_equal(info.loader_name, "Vireo");
	assert_true(info.has_meminfo);
	assert_int_equal(info.mem_lower, 640);
	assert_int_equal(info.mem_upper, (GUEST_SIZE - TEXT_PA) / 1024);
	assert_int_equal(info.mmap_count, 3);
	assert_mmap_entry(&info.mmap[0], 0, 0xA0000, MB2_MMAP_AVAILABLE);
	assert_mmap_entry(&info.mmap[1], 0xA0000, 0x60000, MB2_MMAP_RESERVED);
	assert_mmap_entry(&info.mmap[2], TEXT_PA, GUEST_SIZE - TEXT_PA, MB2_MMAP_AVAILABLE);
	assert_int_equal(info.module_count, 2);
	assert_int_equal(info.modules[0].start, 0x400000);
	assert_int_equal(info.modules[0].end, 0x401000);
	assert_string_equal(info.modules[0].cmdline, "initrd one");
	assert_string_equal(info.modules[1].cmdline, "");
	assert_int_equal(info.rsdp_v1_len, 20);
	assert_memory_equal(info.rsdp_v1, rsdp, 20);
	assert_int_equal(info.rsdp_v2_len, RSDP_LEN);
	assert_memory_equal(info.rsdp_v2, rsdp, RSDP_LEN);
	assert_int_equal(info.unknown_tags, 0);
	assert_untouched(0, INFO_ADDR);
	assert_untouched(INFO_ADDR + used, GUEST_SIZE);
}

/* A caller-given map: upper memory stops at the first hole above 1 MiB. */
static void test_mb2_info_given_mmap(void **state)
{
	static struct mb2_info info;
	static const struct mb2_mmap_entry map[] = {
	    {0, 0x9F000, MB2_MMAP_AVAILABLE},
	    {0x9F000, 0x61000, MB2_MMAP_RESERVED},
	    {0x200000, 0x100000, MB2_MMAP_AVAILABLE},
	    {TEXT_PA, 0x100000, MB2_MMAP_AVAILABLE},
	    {0x300000, 0x10000, MB2_MMAP_ACPI_RECLAIMABLE},
	};
	struct mbinfo_params p = {
	    .mem_size = GUEST_SIZE, .mmap = map, .mmap_count = 5, .loader_name = "other"};
	uint64_t used;

	assert_int_equal(mbinfo_build_mb2(&mem, INFO_ADDR, INFO_LIMIT, &p, &used), E_OK);
	assert_int_equal(mb2_parse(guest + INFO_ADDR, used, &info), E_OK);
	assert_int_equal(info.mem_lower, 0x9F000 / 1024);
	assert_int_equal(info.mem_upper, 0x200000 / 1024);
	assert_int_equal(info.mmap_count, 5);
	assert_mmap_entry(&info.mmap[4], 0x300000, 0x10000, MB2_MMAP_ACPI_RECLAIMABLE);
	assert_string_equal(info.cmdline, "");
	assert_string_equal(info.loader_name, "other");
	assert_null(info.rsdp_v1);
	assert_null(info.rsdp_v2);
	assert_int_equal(info.module_count, 0);
}

/* An ACPI 1.0 RSDP (20 bytes) gets only the old-RSDP tag. */
static void test_mb2_info_rsdp_v1(void **state)
{
	static struct mb2_info info;
	struct mbinfo_params p = std_params();
	uint64_t used;

	p.rsdp = rsdp;
	p.rsdp_len = 20;
	assert_int_equal(mbinfo_build_mb2(&mem, INFO_ADDR, INFO_LIMIT, &p, &used), E_OK);
	assert_int_equal(mb2_parse(guest + INFO_ADDR, used, &info), E_OK);
	assert_non_null(info.rsdp_v1);
	assert_null(info.rsdp_v2);
}

static void test_mb1_info_fields(void **state)
{
	struct mbinfo_params p = std_params();
	uint64_t used, mods_addr, mmap_addr;

	assert_int_equal(mbinfo_build_mb1(&mem, INFO_ADDR, INFO_LIMIT, &p, &used), E_OK);
	assert_int_equal(g32(INFO_ADDR), (1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9));
	assert_int_equal(g32(INFO_ADDR + 4), 640);
	assert_int_equal(g32(INFO_ADDR + 8), (GUEST_SIZE - TEXT_PA) / 1024);
	assert_int_equal(g32(INFO_ADDR + 12), 0);
	assert_string_equal((char *)guest + g32(INFO_ADDR + 16), "console=ttyS0 quiet");
	assert_int_equal(g32(INFO_ADDR + 20), 2);
	mods_addr = g32(INFO_ADDR + 24);
	assert_int_equal(g32(mods_addr), 0x400000);
	assert_int_equal(g32(mods_addr + 4), 0x401000);
	assert_string_equal((char *)guest + g32(mods_addr + 8), "initrd one");
	assert_int_equal(g32(mods_addr + 16), 0x401000);
	assert_int_equal(g32(mods_addr + 20), 0x401800);
	assert_string_equal((char *)guest + g32(mods_addr + 24), "");
	assert_int_equal(g32(INFO_ADDR + 44), 3 * 24);
	mmap_addr = g32(INFO_ADDR + 48);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(g32(mmap_addr + 24 * i), 20);
	assert_int_equal(g64(mmap_addr + 4), 0);
	assert_int_equal(g64(mmap_addr + 12), 0xA0000);
	assert_int_equal(g32(mmap_addr + 20), MB2_MMAP_AVAILABLE);
	assert_int_equal(g64(mmap_addr + 24 + 4), 0xA0000);
	assert_int_equal(g32(mmap_addr + 24 + 20), MB2_MMAP_RESERVED);
	assert_int_equal(g64(mmap_addr + 48 + 4), TEXT_PA);
	assert_int_equal(g64(mmap_addr + 48 + 12), GUEST_SIZE - TEXT_PA);
	assert_string_equal((char *)guest + g32(INFO_ADDR + 64), "Vireo");
	for (unsigned off = 28; off < 116; off += 4)
		if (off != 44 && off != 48 && off != 64)
			assert_int_equal(g32(INFO_ADDR + off), 0);
	assert_true(mods_addr >= INFO_ADDR && mods_addr < INFO_ADDR + used);
	assert_true(mmap_addr >= INFO_ADDR + 116 && mmap_addr < INFO_ADDR + used);
	assert_untouched(INFO_ADDR + used, GUEST_SIZE);
}

/* Below 640 KiB of RAM the derived map is one entry and there is no upper memory. */
static void test_mb1_info_small_guest(void **state)
{
	struct mbinfo_params p = {.mem_size = 0x80000};
	uint64_t used;

	assert_int_equal(mbinfo_build_mb1(&mem, INFO_ADDR, INFO_LIMIT, &p, &used), E_OK);
	assert_int_equal(g32(INFO_ADDR + 4), 0x80000 / 1024);
	assert_int_equal(g32(INFO_ADDR + 8), 0);
	assert_int_equal(g32(INFO_ADDR + 44), 24);
	assert_int_equal(g32(INFO_ADDR + 20), 0);
	assert_string_equal((char *)guest + g32(INFO_ADDR + 16), "");
}

static void test_info_refusals(void **state)
{
	struct mbinfo_params p = std_params();
	struct mbinfo_module bad_mod = {0x2000, 0x1000, "x"};
	struct guest_mem_view small = {guest, INFO_ADDR + 0x40};
	uint64_t used, need;

	assert_int_equal(mbinfo_build_mb2(&mem, INFO_ADDR, INFO_LIMIT, &p, &need), E_OK);
	memset(guest, GUEST_FILL, GUEST_SIZE);
	assert_int_equal(mbinfo_build_mb2(&mem, INFO_ADDR, need - 1, &p, &used), E_TRUNC);
	assert_int_equal(used, need);
	assert_int_equal(mbinfo_build_mb1(&mem, INFO_ADDR, 64, &p, &used), E_TRUNC);
	assert_int_equal(mbinfo_build_mb2(&small, INFO_ADDR, INFO_LIMIT, &p, &used), E_RANGE);
	assert_int_equal(mbinfo_build_mb1(&mem, GUEST_SIZE + 8, INFO_LIMIT, &p, &used), E_RANGE);
	assert_int_equal(mbinfo_build_mb2(&mem, INFO_ADDR + 4, INFO_LIMIT, &p, &used), E_ALIGN);
	assert_int_equal(mbinfo_build_mb1(&mem, INFO_ADDR + 2, INFO_LIMIT, &p, &used), E_ALIGN);
	assert_int_equal(mbinfo_build_mb1(&mem, INFO_ADDR + 4, INFO_LIMIT, &p, &used), E_OK);
	memset(guest, GUEST_FILL, GUEST_SIZE);
	p.rsdp = rsdp;
	p.rsdp_len = 19;
	assert_int_equal(mbinfo_build_mb2(&mem, INFO_ADDR, INFO_LIMIT, &p, &used), E_INVAL);
	p.rsdp = NULL;
	p.modules = &bad_mod;
	p.module_count = 1;
	assert_int_equal(mbinfo_build_mb1(&mem, INFO_ADDR, INFO_LIMIT, &p, &used), E_INVAL);
	assert_int_equal(mbinfo_build_mb1(&mem, INFO_ADDR, INFO_LIMIT, NULL, &used), E_INVAL);
	assert_int_equal(mbinfo_build_mb1(NULL, INFO_ADDR, INFO_LIMIT, &p, &used), E_INVAL);
	assert_memory_equal(guest, snap, GUEST_SIZE);
}

/* Above 4 GiB a 32-bit EBX cannot point at the block. */
static void test_info_above_4g(void **state)
{
	struct mbinfo_params p = std_params();
	struct guest_mem_view big = {guest, 8ull << 30};
	uint64_t used;

	assert_int_equal(mbinfo_build_mb1(&big, (4ull << 30) - 0x40, INFO_LIMIT, &p, &used),
			 E_RANGE);
	assert_memory_equal(guest, snap, GUEST_SIZE);
}

/* The entry state a Multiboot kernel gets (loader_boot_state): 32-bit
 * protected mode at the entry, the flavour's magic in EAX, info in EBX. */
static void test_boot_state(void **state)
{
	struct loader_result r = {.flavour = LOADER_MB1, .entry = 0x100123};
	struct vcpu_boot_state bs;

	memset(&bs, 0xa5, sizeof(bs));
	loader_boot_state(&r, 0x10000, 0xDF000, &bs);
	assert_int_equal(bs.mode, VCPU_MODE_PROTECTED32);
	assert_int_equal(bs.rip, 0x100123);
	assert_int_equal(bs.gpr[VCPU_RAX], LOADER_MB1_BOOT_MAGIC);
	assert_int_equal(bs.gpr[VCPU_RBX], 0x10000);
	for (unsigned n = 0; n < VCPU_GPRS; n++)
		if (n != VCPU_RAX && n != VCPU_RBX)
			assert_int_equal(bs.gpr[n], 0);
	assert_int_equal(bs.cr0 | bs.cr3 | bs.cr4 | bs.efer, 0);
	assert_int_equal(bs.gdt_base, 0xDF000);
	assert_int_equal(bs.gdt_limit, 3 * 8 - 1);
	assert_int_equal(bs.idt_limit, LOADER_MB_TABLE_LIMIT);
	r.flavour = LOADER_MB2;
	loader_boot_state(&r, 0x10000, 0xDF000, &bs);
	assert_int_equal(bs.gpr[VCPU_RAX], LOADER_MB2_BOOT_MAGIC);
}

/* The boot GDT: null, flat 32-bit code at the boot CS, flat data at the boot
 * DS, byte for byte (SDM Vol. 3A 3.4.5); nothing else written. */
static void test_boot_gdt(void **state)
{
	static const uint8_t want[] = {
	    0,	  0,	0, 0, 0, 0,    0,    0,	   /* null */
	    0xff, 0xff, 0, 0, 0, 0x9b, 0xcf, 0x00, /* 0x08 code: base 0, 4 GiB, 32-bit, XR */
	    0xff, 0xff, 0, 0, 0, 0x93, 0xcf, 0x00, /* 0x10 data: base 0, 4 GiB, RW */
	};

	assert_int_equal(VCPU_BOOT_CS, 0x08);
	assert_int_equal(VCPU_BOOT_DS, 0x10);
	assert_int_equal(LOADER_BOOT_GDT_SIZE, sizeof(want));
	assert_int_equal(loader_write_boot_gdt(&mem, 0xDF000), E_OK);
	assert_memory_equal(guest + 0xDF000, want, sizeof(want));
	assert_untouched(0, 0xDF000);
	assert_untouched(0xDF000 + sizeof(want), GUEST_SIZE);
}

/* A misplaced boot GDT is refused and writes nothing. */
static void test_boot_gdt_refused(void **state)
{
	struct guest_mem_view none = {NULL, 0};

	assert_int_equal(loader_write_boot_gdt(NULL, 0xDF000), E_INVAL);
	assert_int_equal(loader_write_boot_gdt(&none, 0), E_INVAL);
	assert_int_equal(loader_write_boot_gdt(&mem, 0xDF004), E_ALIGN);
	assert_int_equal(loader_write_boot_gdt(&mem, GUEST_SIZE - 16), E_RANGE);
	assert_int_equal(loader_write_boot_gdt(&mem, GUEST_SIZE), E_RANGE);
	assert_int_equal(loader_write_boot_gdt(&mem, UINT64_MAX - 7), E_RANGE);
	assert_untouched(0, GUEST_SIZE);
}

/* Is [base, base + len) inside one entry of type @type, and does no
 * available entry meet it? */
static bool mmap_holds(const struct mb2_mmap_entry *m, unsigned n, uint64_t base, uint64_t len,
		       uint32_t type)
{
	bool inside = false;

	for (unsigned i = 0; i < n; i++) {
		bool meets = base < m[i].base + m[i].length && m[i].base < base + len;

		if (meets && m[i].type == MB2_MMAP_AVAILABLE)
			return false;
		if (m[i].type == type && base >= m[i].base && base + len <= m[i].base + m[i].length)
			inside = true;
	}
	return inside;
}

/* Where a Multiboot VM's boot GDT goes (VM_KERNEL_GDT) is reserved in the
 * memory map the guest gets, MB2 tag and MB1 mmap alike, for any guest with
 * memory past 1 MiB; and not where the other boot data go. */
static void test_boot_gdt_reserved(void **state)
{
	static struct mb2_info info;
	static const uint64_t sizes[] = {2u << 20, GUEST_SIZE};
	struct mb2_mmap_entry m1[4];
	uint64_t used;

	assert_false(VM_KERNEL_GDT < VM_KERNEL_INFO + VM_KERNEL_INFO_MAX &&
		     VM_KERNEL_INFO < VM_KERNEL_GDT + VM_KERNEL_GDT_MAX);
	assert_true(VM_KERNEL_GDT + VM_KERNEL_GDT_MAX <= VM_KERNEL_ACPI);
	for (unsigned k = 0; k < 2; k++) {
		struct mbinfo_params p = {.mem_size = sizes[k]};
		uint64_t mmap;
		unsigned n;

		assert_int_equal(mbinfo_build_mb2(&mem, INFO_ADDR, INFO_LIMIT, &p, &used), E_OK);
		assert_int_equal(mb2_parse(guest + INFO_ADDR, used, &info), E_OK);
		assert_true(mmap_holds(info.mmap, info.mmap_count, VM_KERNEL_GDT, VM_KERNEL_GDT_MAX,
				       MB2_MMAP_RESERVED));
		assert_int_equal(mbinfo_build_mb1(&mem, INFO_ADDR, INFO_LIMIT, &p, &used), E_OK);
		n = g32(INFO_ADDR + 44) / 24;
		mmap = g32(INFO_ADDR + 48);
		assert_true(n > 0 && n <= 4);
		for (unsigned i = 0; i < n; i++)
			m1[i] = (struct mb2_mmap_entry){.base = g64(mmap + 24 * i + 4),
							.length = g64(mmap + 24 * i + 12),
							.type = g32(mmap + 24 * i + 20)};
		assert_true(mmap_holds(m1, n, VM_KERNEL_GDT, VM_KERNEL_GDT_MAX, MB2_MMAP_RESERVED));
	}
}

/* loader_next_free(): aligned, past every reserved range it would meet,
 * ranges in any order, and no wrap at the top of the address space. */
static void test_next_free(void **state)
{
	static const struct loader_range r[] = {
	    {0x30000, 0x1000}, {0x10000, 0x10000}, {0x20000, 0x800}, {0xF0000, 0x10000}};

	assert_int_equal(loader_next_free(0x8000, 0x1000, 0x1000, r, 4), 0x8000);
	assert_int_equal(loader_next_free(0x8000, 0x9000, 0x1000, r, 4), 0x21000);
	assert_int_equal(loader_next_free(0x8001, 0x100, 0x1000, r, 4), 0x9000);
	assert_int_equal(loader_next_free(0x20000, 0x10000, 0x1000, r, 4), 0x31000);
	assert_int_equal(loader_next_free(0x1FFFF, 1, 1, r, 4), 0x20800);
	assert_int_equal(loader_next_free(0xF1000, 0x100, 0x1000, r, 4), 0x100000);
	assert_int_equal(loader_next_free(0x40000, 0x1000, 0x1000, NULL, 0), 0x40000);
	assert_int_equal(loader_next_free(UINT64_MAX - 0x10, 1, 0x1000, r, 4), UINT64_MAX);
}

static int reset_guest(void **state)
{
	memset(guest, GUEST_FILL, GUEST_SIZE);
	return 0;
}

#define T(fn) cmocka_unit_test_setup(fn, reset_guest)

int main(void)
{
	struct CMUnitTest tests[] = {
	    T(test_mb1_elf32),
	    T(test_mb1_elf32_higher_half),
	    T(test_mb1_skips_empty_and_other_phdrs),
	    T(test_mb1_aout),
	    T(test_mb1_aout_to_file_end),
	    T(test_mb1_aout_wins_over_elf),
	    T(test_mb2_elf64),
	    T(test_mb2_elf32_entry_tag),
	    T(test_mb2_optional_tags),
	    T(test_mb2_aout),
	    T(test_mb2_aout_load_from_start),
	    T(test_prefers_mb2),
	    T(test_skips_bad_checksum_magic),
	    T(test_reserved_adjacent),
	    T(test_check_writes_nothing),
	    T(test_bad_arguments),
	    T(test_refuse_above_4g),
	    T(test_mb2_info_roundtrip),
	    T(test_mb2_info_given_mmap),
	    T(test_mb2_info_rsdp_v1),
	    T(test_mb1_info_fields),
	    T(test_mb1_info_small_guest),
	    T(test_info_refusals),
	    T(test_info_above_4g),
	    T(test_boot_state),
	    T(test_boot_gdt),
	    T(test_boot_gdt_refused),
	    T(test_boot_gdt_reserved),
	    T(test_next_free),
	};
	enum { NFIXED = sizeof(tests) / sizeof(tests[0]) };
	enum { NBAD = sizeof(bad_cases) / sizeof(bad_cases[0]) };
	static struct CMUnitTest all[NFIXED + NBAD];

	memcpy(all, tests, sizeof(tests));
	for (unsigned i = 0; i < NBAD; i++)
		all[NFIXED + i] = (struct CMUnitTest){bad_cases[i].name, test_refusal, reset_guest,
						      NULL, (void *)&bad_cases[i]};
	return _cmocka_run_group_tests("loader", all, NFIXED + NBAD, guest_setup, guest_teardown);
}
