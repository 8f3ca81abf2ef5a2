/* SPDX-License-Identifier: MIT */
/*
 * Host tests for boot/mb2.c: builds Multiboot2 information blocks in memory
 * with a small builder and checks what the parser accepts, rejects and reports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "boot/mb2.h"
#include "tests/unit/fake_printk.h"

#define BUILD_WORDS 2048
#define PAYLOAD_MAX 8192
#define TAG_UNKNOWN_A 22
#define TAG_UNKNOWN_B 0xfffffff0u
#define MMAP_ENTRY 24
#define EFI_DESC 48

/* An 8-byte-aligned information block under construction. */
struct builder {
	uint64_t words[BUILD_WORDS];
	size_t len;
};

/* A tag payload (the bytes after the 8-byte tag header). */
struct payload {
	uint8_t b[PAYLOAD_MAX];
	size_t n;
};

static struct builder bld;
static struct payload pl;
static struct mb2_info info;

static uint8_t *b_bytes(struct builder *b)
{
	return (uint8_t *)b->words;
}

static void b_put32(struct builder *b, size_t off, uint32_t v)
{
	memcpy(b_bytes(b) + off, &v, sizeof(v));
}

static void b_init(struct builder *b)
{
	memset(b, 0, sizeof(*b));
	b->len = MB2_INFO_HEADER_SIZE;
}

/* Append a tag whose size field says @size (normally 8 + payload length). */
static size_t b_tag_sized(struct builder *b, uint32_t type, uint32_t size, const void *data,
			  size_t n)
{
	size_t off = b->len;

	assert_true(off + MB2_TAG_HEADER_SIZE + n <= sizeof(b->words));
	b_put32(b, off, type);
	b_put32(b, off + 4, size);
	if (n)
		memcpy(b_bytes(b) + off + MB2_TAG_HEADER_SIZE, data, n);
	b->len = (off + MB2_TAG_HEADER_SIZE + n + 7) & ~(size_t)7;
	return off;
}

static size_t b_tag(struct builder *b, uint32_t type, const struct payload *p)
{
	return b_tag_sized(b, type, (uint32_t)(MB2_TAG_HEADER_SIZE + p->n), p->b, p->n);
}

static size_t b_tag_str(struct builder *b, uint32_t type, const char *s)
{
	return b_tag_sized(b, type, (uint32_t)(MB2_TAG_HEADER_SIZE + strlen(s) + 1), s,
			   strlen(s) + 1);
}

/* Close the block: end tag, then total_size in the fixed part. */
static size_t b_finish(struct builder *b)
{
	b_tag_sized(b, MB2_TAG_END, MB2_END_TAG_SIZE, NULL, 0);
	b_put32(b, 0, (uint32_t)b->len);
	return b->len;
}

static void p_init(struct payload *p)
{
	p->n = 0;
}

static void p_bytes(struct payload *p, const void *d, size_t n)
{
	assert_true(p->n + n <= sizeof(p->b));
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

static void p_u8(struct payload *p, uint8_t v)
{
	p_bytes(p, &v, sizeof(v));
}

static void p_u32(struct payload *p, uint32_t v)
{
	p_bytes(p, &v, sizeof(v));
}

static void p_u64(struct payload *p, uint64_t v)
{
	p_bytes(p, &v, sizeof(v));
}

static void p_mmap_entry(struct payload *p, uint64_t base, uint64_t len, uint32_t type)
{
	p_u64(p, base);
	p_u64(p, len);
	p_u32(p, type);
	p_u32(p, 0);
}

static void add_mmap(struct builder *b, unsigned n)
{
	p_init(&pl);
	p_u32(&pl, MMAP_ENTRY);
	p_u32(&pl, 0);
	for (unsigned i = 0; i < n; i++)
		p_mmap_entry(&pl, (uint64_t)i << 20, 1u << 20, MB2_MMAP_AVAILABLE);
	b_tag(b, MB2_TAG_MMAP, &pl);
}

static void add_module(struct builder *b, uint32_t start, uint32_t end, const char *s)
{
	p_init(&pl);
	p_u32(&pl, start);
	p_u32(&pl, end);
	p_bytes(&pl, s, strlen(s) + 1);
	b_tag(b, MB2_TAG_MODULE, &pl);
}

static enum err parse_built(void)
{
	return mb2_parse(bld.words, sizeof(bld.words), &info);
}

static void assert_fails(enum err want, const char *why_part, uint32_t offset)
{
	enum err e = parse_built();

	assert_int_equal(e, want);
	assert_non_null(info.why);
	if (!strstr(info.why, why_part))
		fail_msg("why '%s' lacks '%s'", info.why, why_part);
	assert_int_equal(info.err_offset, offset);
}

static void build_full(void)
{
	static const char rsdp1[20] = "RSD PTR v1 copy.....";
	static const char rsdp2[36] = "RSD PTR v2 copy.....................";

	b_init(&bld);
	b_tag_str(&bld, MB2_TAG_CMDLINE, "/boot/vireo.elf vireo.log=debug");
	b_tag_str(&bld, MB2_TAG_LOADER_NAME, "GRUB 2.12");
	p_init(&pl);
	p_u32(&pl, 639);
	p_u32(&pl, 523264);
	b_tag(&bld, MB2_TAG_BASIC_MEMINFO, &pl);
	p_init(&pl);
	p_u32(&pl, MMAP_ENTRY);
	p_u32(&pl, 0);
	p_mmap_entry(&pl, 0, 0x9fc00, MB2_MMAP_AVAILABLE);
	p_mmap_entry(&pl, 0x9fc00, 0x400, MB2_MMAP_RESERVED);
	p_mmap_entry(&pl, 0x100000, 0x1ff00000, MB2_MMAP_AVAILABLE);
	p_mmap_entry(&pl, 0x1fff0000, 0x10000, MB2_MMAP_ACPI_RECLAIMABLE);
	b_tag(&bld, MB2_TAG_MMAP, &pl);
	add_module(&bld, 0x200000, 0x201000, "guest.bin mem=64M");
	add_module(&bld, 0x300000, 0x300000, "");
	b_tag_sized(&bld, MB2_TAG_ACPI_OLD, 8 + sizeof(rsdp1), rsdp1, sizeof(rsdp1));
	b_tag_sized(&bld, MB2_TAG_ACPI_NEW, 8 + sizeof(rsdp2), rsdp2, sizeof(rsdp2));
	p_init(&pl);
	p_u64(&pl, 0xfd000000);
	p_u32(&pl, 4096);
	p_u32(&pl, 1024);
	p_u32(&pl, 768);
	p_u8(&pl, 32);
	p_u8(&pl, MB2_FB_RGB);
	p_u8(&pl, 0);
	p_u8(&pl, 0);
	b_tag(&bld, MB2_TAG_FRAMEBUFFER, &pl);
	p_init(&pl);
	p_u32(&pl, EFI_DESC);
	p_u32(&pl, 1);
	for (int i = 0; i < 2 * EFI_DESC; i++)
		p_u8(&pl, (uint8_t)i);
	b_tag(&bld, MB2_TAG_EFI_MMAP, &pl);
	p_init(&pl);
	p_u64(&pl, 0x7fe01018);
	b_tag(&bld, MB2_TAG_EFI64, &pl);
	p_init(&pl);
	p_u32(&pl, 0x80);
	p_u32(&pl, 0);
	p_u32(&pl, 0);
	b_tag(&bld, MB2_TAG_BOOTDEV, &pl);
	b_tag_str(&bld, TAG_UNKNOWN_A, "future tag");
	b_finish(&bld);
}

static void test_valid_all_tags(void **state)
{
	build_full();
	assert_int_equal(parse_built(), E_OK);
	assert_null(info.why);
	assert_int_equal(info.total_size, bld.len);
	assert_string_equal(info.cmdline, "/boot/vireo.elf vireo.log=debug");
	assert_string_equal(info.loader_name, "GRUB 2.12");
	assert_true(info.has_meminfo);
	assert_int_equal(info.mem_lower, 639);
	assert_int_equal(info.mem_upper, 523264);
	assert_int_equal(info.mmap_count, 4);
	assert_int_equal(info.mmap_dropped, 0);
	assert_int_equal(info.mmap[2].base, 0x100000);
	assert_int_equal(info.mmap[2].length, 0x1ff00000);
	assert_int_equal(info.mmap[3].type, MB2_MMAP_ACPI_RECLAIMABLE);
	assert_int_equal(info.module_count, 2);
	assert_int_equal(info.modules[0].start, 0x200000);
	assert_int_equal(info.modules[0].end, 0x201000);
	assert_string_equal(info.modules[0].cmdline, "guest.bin mem=64M");
	assert_string_equal(info.modules[1].cmdline, "");
	assert_non_null(info.rsdp_v1);
	assert_int_equal(info.rsdp_v1_len, 20);
	assert_memory_equal(info.rsdp_v1, "RSD PTR v1", 10);
	assert_int_equal(info.rsdp_v2_len, 36);
	assert_memory_equal(info.rsdp_v2, "RSD PTR v2", 10);
	assert_true(info.fb.present);
	assert_int_equal(info.fb.addr, 0xfd000000);
	assert_int_equal(info.fb.pitch, 4096);
	assert_int_equal(info.fb.width, 1024);
	assert_int_equal(info.fb.height, 768);
	assert_int_equal(info.fb.bpp, 32);
	assert_int_equal(info.fb.type, MB2_FB_RGB);
	assert_true(info.efi_mmap.present);
	assert_int_equal(info.efi_mmap.desc_size, EFI_DESC);
	assert_int_equal(info.efi_mmap.desc_version, 1);
	assert_int_equal(info.efi_mmap.length, 2 * EFI_DESC);
	assert_int_equal(((const uint8_t *)info.efi_mmap.map)[5], 5);
	assert_true(info.has_efi64_system_table);
	assert_int_equal(info.efi64_system_table, 0x7fe01018);
	assert_int_equal(info.unknown_tags, 1);
}

static void test_report(void **state)
{
	build_full();
	assert_int_equal(parse_built(), E_OK);
	fake_printk_clear();
	mb2_report(&info);
	assert_true(fake_printk_contains("'GRUB 2.12'"));
	assert_true(fake_printk_contains("vireo.log=debug"));
	assert_true(fake_printk_contains("4 entries"));
	assert_true(fake_printk_contains("+0x0001ff00000 available"));
	assert_true(fake_printk_contains("ACPI reclaimable"));
	assert_true(fake_printk_contains("module 0: 0x200000-0x201000 'guest.bin mem=64M'"));
	assert_true(fake_printk_contains("RSDP found: v1 (ACPI 1.0) v2 (ACPI 2.0+)"));
	assert_true(fake_printk_contains("framebuffer 1024x768, 32 bpp, RGB"));
	assert_true(fake_printk_contains("unknown tags skipped: 1"));
}

static void test_report_empty(void **state)
{
	b_init(&bld);
	b_finish(&bld);
	assert_int_equal(parse_built(), E_OK);
	assert_null(info.cmdline);
	assert_null(info.rsdp_v1);
	assert_false(info.fb.present);
	fake_printk_clear();
	mb2_report(&info);
	assert_true(fake_printk_contains("no ACPI RSDP tag"));
	assert_true(fake_printk_contains("no framebuffer"));
	assert_true(fake_printk_contains("no command line"));
	assert_true(fake_printk_contains("no memory map from the loader"));
}

static void test_truncated_block(void **state)
{
	size_t total;

	build_full();
	total = bld.len;
	assert_int_equal(mb2_parse(bld.words, total - 8, &info), E_TRUNC);
	assert_non_null(strstr(info.why, "readable"));
	assert_int_equal(mb2_parse(bld.words, 4, &info), E_TRUNC);
	assert_non_null(strstr(info.why, "fixed part needs 8"));
	assert_int_equal(mb2_parse(bld.words, total, &info), E_OK);
}

/* The exact-size heap copy makes ASan flag any read past total_size. */
static void test_reads_stay_inside_total_size(void **state)
{
	uint8_t *copy;

	build_full();
	copy = malloc(bld.len);
	assert_non_null(copy);
	memcpy(copy, bld.words, bld.len);
	assert_int_equal(mb2_parse(copy, SIZE_MAX, &info), E_OK);
	assert_int_equal(info.mmap_count, 4);
	free(copy);
}

static void test_total_size_too_small(void **state)
{
	b_init(&bld);
	b_finish(&bld);
	b_put32(&bld, 0, 8);
	assert_fails(E_MALFORMED, "total_size is 8", 0);
	b_put32(&bld, 0, 0);
	assert_fails(E_MALFORMED, "total_size is 0", 0);
}

static void test_tag_past_end(void **state)
{
	size_t off;

	b_init(&bld);
	b_tag_str(&bld, MB2_TAG_CMDLINE, "x");
	off = b_tag_sized(&bld, MB2_TAG_LOADER_NAME, 4096, "GRUB", 5);
	b_finish(&bld);
	assert_fails(E_TRUNC, "runs past total_size", (uint32_t)off);

	/* One byte too long: the tag would swallow the end tag and one byte more. */
	b_init(&bld);
	off = b_tag_str(&bld, MB2_TAG_CMDLINE, "abc");
	b_finish(&bld);
	b_put32(&bld, off + 4, (uint32_t)(bld.len - off + 1));
	assert_fails(E_TRUNC, "of 25 bytes runs past total_size 32", (uint32_t)off);
	b_put32(&bld, off + 4, (uint32_t)(bld.len - off));
	assert_fails(E_MALFORMED, "no end tag", 32);
}

static void test_zero_length_tag(void **state)
{
	size_t off;

	b_init(&bld);
	off = b_tag_sized(&bld, MB2_TAG_CMDLINE, 0, NULL, 0);
	b_finish(&bld);
	assert_fails(E_MALFORMED, "size 0", (uint32_t)off);
	b_put32(&bld, off + 4, 7);
	assert_fails(E_MALFORMED, "size 7", (uint32_t)off);
}

static void test_unaligned_tag_sizes(void **state)
{
	b_init(&bld);
	b_tag_str(&bld, MB2_TAG_CMDLINE, "abcd");
	b_tag_str(&bld, MB2_TAG_LOADER_NAME, "GRUB");
	b_finish(&bld);
	assert_int_equal(b_bytes(&bld)[8 + 4], 13);
	assert_int_equal(parse_built(), E_OK);
	assert_string_equal(info.cmdline, "abcd");
	assert_string_equal(info.loader_name, "GRUB");
	assert_int_equal((const uint8_t *)info.loader_name - b_bytes(&bld), 32);
}

static void test_padding_runs_past_total(void **state)
{
	b_init(&bld);
	b_tag_str(&bld, MB2_TAG_CMDLINE, "abcd");
	b_put32(&bld, 0, 8 + 13 + 4);
	assert_fails(E_TRUNC, "tag header at offset 24 crosses total_size 25", 24);
}

static void test_unaligned_info_pointer(void **state)
{
	build_full();
	assert_int_equal(mb2_parse(b_bytes(&bld) + 4, sizeof(bld.words) - 4, &info), E_ALIGN);
	assert_non_null(strstr(info.why, "8-byte aligned"));
}

static void test_null_arguments(void **state)
{
	assert_int_equal(mb2_parse(NULL, 64, &info), E_INVAL);
	assert_non_null(info.why);
	assert_int_equal(mb2_parse(bld.words, 64, NULL), E_INVAL);
}

static void test_unknown_tags_counted(void **state)
{
	b_init(&bld);
	b_tag_str(&bld, TAG_UNKNOWN_A, "something new");
	b_tag_sized(&bld, TAG_UNKNOWN_B, 8, NULL, 0);
	b_tag_str(&bld, MB2_TAG_SMBIOS, "ignored but known");
	b_tag_str(&bld, MB2_TAG_CMDLINE, "after");
	b_finish(&bld);
	assert_int_equal(parse_built(), E_OK);
	assert_int_equal(info.unknown_tags, 2);
	assert_string_equal(info.cmdline, "after");
}

static void test_missing_end_tag(void **state)
{
	static const uint8_t zeros[8];
	size_t off;

	b_init(&bld);
	b_tag_str(&bld, MB2_TAG_CMDLINE, "x");
	b_put32(&bld, 0, (uint32_t)bld.len);
	assert_fails(E_MALFORMED, "no end tag", (uint32_t)bld.len);
	off = b_tag_sized(&bld, MB2_TAG_END, 16, zeros, sizeof(zeros));
	b_put32(&bld, 0, (uint32_t)bld.len);
	assert_fails(E_MALFORMED, "end tag has size 16", (uint32_t)off);
}

static void test_mmap_bad_entry_size(void **state)
{
	static const uint32_t bad[] = {0, 16, 20, 28};
	size_t off;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b_init(&bld);
		p_init(&pl);
		p_u32(&pl, bad[i]);
		p_u32(&pl, 0);
		p_mmap_entry(&pl, 0, 4096, MB2_MMAP_AVAILABLE);
		p_u32(&pl, 0);
		off = b_tag(&bld, MB2_TAG_MMAP, &pl);
		b_finish(&bld);
		assert_fails(E_MALFORMED, "entry_size", (uint32_t)off);
	}
}

static void test_mmap_partial_entry(void **state)
{
	size_t off;

	b_init(&bld);
	p_init(&pl);
	p_u32(&pl, MMAP_ENTRY);
	p_u32(&pl, 0);
	p_mmap_entry(&pl, 0, 4096, MB2_MMAP_AVAILABLE);
	p_u64(&pl, 0x1000);
	off = b_tag(&bld, MB2_TAG_MMAP, &pl);
	b_finish(&bld);
	assert_fails(E_MALFORMED, "not whole", (uint32_t)off);
}

static void test_mmap_larger_entries(void **state)
{
	b_init(&bld);
	p_init(&pl);
	p_u32(&pl, 32);
	p_u32(&pl, 0);
	p_mmap_entry(&pl, 0x1000, 0x2000, MB2_MMAP_ACPI_NVS);
	p_u64(&pl, 0xdead);
	p_mmap_entry(&pl, 0x5000, 0x6000, MB2_MMAP_BADRAM);
	p_u64(&pl, 0xbeef);
	b_tag(&bld, MB2_TAG_MMAP, &pl);
	b_finish(&bld);
	assert_int_equal(parse_built(), E_OK);
	assert_int_equal(info.mmap_count, 2);
	assert_int_equal(info.mmap[1].base, 0x5000);
	assert_int_equal(info.mmap[1].type, MB2_MMAP_BADRAM);
}

static void test_unterminated_strings(void **state)
{
	size_t off;

	b_init(&bld);
	off = b_tag_sized(&bld, MB2_TAG_CMDLINE, 8 + 4, "abcd", 4);
	b_finish(&bld);
	assert_fails(E_MALFORMED, "command line tag (12 bytes) has no NUL", (uint32_t)off);

	b_init(&bld);
	off = b_tag_sized(&bld, MB2_TAG_LOADER_NAME, 8, NULL, 0);
	b_finish(&bld);
	assert_fails(E_MALFORMED, "boot loader name tag", (uint32_t)off);

	b_init(&bld);
	p_init(&pl);
	p_u32(&pl, 0x1000);
	p_u32(&pl, 0x2000);
	p_bytes(&pl, "mod", 3);
	off = b_tag(&bld, MB2_TAG_MODULE, &pl);
	b_finish(&bld);
	assert_fails(E_MALFORMED, "module tag", (uint32_t)off);
}

static void test_module_start_above_end(void **state)
{
	size_t off;

	b_init(&bld);
	add_module(&bld, 0x1000, 0x1000, "ok");
	off = bld.len;
	add_module(&bld, 0x2001, 0x2000, "bad");
	b_finish(&bld);
	assert_fails(E_MALFORMED, "mod_start 0x2001 is above mod_end 0x2000", (uint32_t)off);
}

static void test_mmap_cap(void **state)
{
	b_init(&bld);
	add_mmap(&bld, 200);
	add_mmap(&bld, 100);
	b_finish(&bld);
	assert_int_equal(parse_built(), E_OK);
	assert_int_equal(info.mmap_count, MB2_MMAP_MAX);
	assert_int_equal(info.mmap_dropped, 300 - MB2_MMAP_MAX);
	assert_int_equal(info.mmap[MB2_MMAP_MAX - 1].base, (uint64_t)55 << 20);
	fake_printk_clear();
	mb2_report(&info);
	assert_true(fake_printk_contains("44 more entries dropped"));
}

static void test_module_cap(void **state)
{
	b_init(&bld);
	for (unsigned i = 0; i < MB2_MODULES_MAX + 3; i++)
		add_module(&bld, i * 0x1000, i * 0x1000 + 0x800, "m");
	b_finish(&bld);
	assert_int_equal(parse_built(), E_OK);
	assert_int_equal(info.module_count, MB2_MODULES_MAX);
	assert_int_equal(info.modules_dropped, 3);
}

static void test_short_fixed_tags(void **state)
{
	static const struct {
		uint32_t type;
		uint32_t size;
		const char *why;
	} cases[] = {
	    {MB2_TAG_FRAMEBUFFER, 20, "framebuffer tag (type 8) is 20 bytes"},
	    {MB2_TAG_ACPI_OLD, 8 + 19, "ACPI old RSDP"},
	    {MB2_TAG_ACPI_NEW, 8 + 20, "ACPI new RSDP"},
	    {MB2_TAG_BASIC_MEMINFO, 12, "basic memory info"},
	    {MB2_TAG_EFI64, 12, "EFI 64-bit"},
	    {MB2_TAG_MMAP, 12, "memory map"},
	    {MB2_TAG_MODULE, 12, "module"},
	    {MB2_TAG_EFI_MMAP, 12, "EFI memory map"},
	};
	static const uint8_t zeros[64];
	size_t off;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b_init(&bld);
		off = b_tag_sized(&bld, cases[i].type, cases[i].size, zeros,
				  cases[i].size - MB2_TAG_HEADER_SIZE);
		b_finish(&bld);
		assert_fails(E_MALFORMED, cases[i].why, (uint32_t)off);
	}
}

static void test_efi_mmap_bad_descriptor(void **state)
{
	size_t off;

	b_init(&bld);
	p_init(&pl);
	p_u32(&pl, 0);
	p_u32(&pl, 1);
	off = b_tag(&bld, MB2_TAG_EFI_MMAP, &pl);
	b_finish(&bld);
	assert_fails(E_MALFORMED, "descriptor size is 0", (uint32_t)off);
}

static void test_mmap_type_names(void **state)
{
	assert_string_equal(mb2_mmap_type_name(MB2_MMAP_AVAILABLE), "available");
	assert_string_equal(mb2_mmap_type_name(MB2_MMAP_RESERVED), "reserved");
	assert_string_equal(mb2_mmap_type_name(MB2_MMAP_ACPI_RECLAIMABLE), "ACPI reclaimable");
	assert_string_equal(mb2_mmap_type_name(MB2_MMAP_ACPI_NVS), "ACPI NVS");
	assert_string_equal(mb2_mmap_type_name(MB2_MMAP_BADRAM), "defective RAM");
	assert_string_equal(mb2_mmap_type_name(0), "reserved");
	assert_string_equal(mb2_mmap_type_name(77), "reserved");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_all_tags),
	    cmocka_unit_test(test_report),
	    cmocka_unit_test(test_report_empty),
	    cmocka_unit_test(test_truncated_block),
	    cmocka_unit_test(test_reads_stay_inside_total_size),
	    cmocka_unit_test(test_total_size_too_small),
	    cmocka_unit_test(test_tag_past_end),
	    cmocka_unit_test(test_zero_length_tag),
	    cmocka_unit_test(test_unaligned_tag_sizes),
	    cmocka_unit_test(test_padding_runs_past_total),
	    cmocka_unit_test(test_unaligned_info_pointer),
	    cmocka_unit_test(test_null_arguments),
	    cmocka_unit_test(test_unknown_tags_counted),
	    cmocka_unit_test(test_missing_end_tag),
	    cmocka_unit_test(test_mmap_bad_entry_size),
	    cmocka_unit_test(test_mmap_partial_entry),
	    cmocka_unit_test(test_mmap_larger_entries),
	    cmocka_unit_test(test_unterminated_strings),
	    cmocka_unit_test(test_module_start_above_end),
	    cmocka_unit_test(test_mmap_cap),
	    cmocka_unit_test(test_module_cap),
	    cmocka_unit_test(test_short_fixed_tags),
	    cmocka_unit_test(test_efi_mmap_bad_descriptor),
	    cmocka_unit_test(test_mmap_type_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
