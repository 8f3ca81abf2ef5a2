/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the framebuffer tag of boot/mb2.c: the colour positions of
 * a direct RGB framebuffer laid out as GRUB writes them (struct
 * multiboot_tag_framebuffer_common, u16 reserved, then six u8), in the x86
 * and the reversed order, tags without them, and the boot-log summary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "boot/mb2.h"
#include "lib/bytes.h"
#include "tests/unit/fake_printk.h"

#define BLOCK_MAX 256
#define FB_COMMON_SIZE 32
#define FB_RGB_SIZE (FB_COMMON_SIZE + 6)
#define FB_INDEXED_PALETTE 2

static _Alignas(8) uint8_t block[BLOCK_MAX];
static struct mb2_info info;

/* One block: the fixed part, a framebuffer tag of @size bytes from @tag, the end tag. */
static size_t build(const uint8_t *tag, uint32_t size)
{
	size_t off = MB2_INFO_HEADER_SIZE, padded = (size + 7u) & ~7u;

	memset(block, 0, sizeof(block));
	memcpy(block + off, tag, size);
	le32_put(block + off, MB2_TAG_FRAMEBUFFER);
	le32_put(block + off + 4, size);
	off += padded;
	le32_put(block + off, MB2_TAG_END);
	le32_put(block + off + 4, MB2_END_TAG_SIZE);
	off += MB2_END_TAG_SIZE;
	le32_put(block, (uint32_t)off);
	return off;
}

/* The common part of a 1024x768 framebuffer tag at 0xfd000000. */
static void fb_common(uint8_t *t, uint8_t bpp, uint8_t type)
{
	memset(t, 0, FB_RGB_SIZE + FB_INDEXED_PALETTE * 3);
	le64_put(t + 8, 0xfd000000ull);
	le32_put(t + 16, 1024 * bpp / 8);
	le32_put(t + 20, 1024);
	le32_put(t + 24, 768);
	t[28] = bpp;
	t[29] = type;
}

static void fb_rgb(uint8_t *t, uint8_t bpp, uint8_t rp, uint8_t rs, uint8_t gp, uint8_t gs,
		   uint8_t bp, uint8_t bs)
{
	const uint8_t c[] = {rp, rs, gp, gs, bp, bs};

	fb_common(t, bpp, MB2_FB_RGB);
	memcpy(t + FB_COMMON_SIZE, c, sizeof(c));
}

static void parse(const uint8_t *tag, uint32_t size)
{
	size_t len = build(tag, size);

	assert_int_equal(mb2_parse(block, len, &info), E_OK);
	assert_true(info.fb.present);
}

static void test_xrgb_positions(void **state)
{
	uint8_t t[FB_RGB_SIZE + 8];

	fb_rgb(t, 32, 16, 8, 8, 8, 0, 8);
	parse(t, FB_RGB_SIZE);
	assert_true(info.fb.has_rgb);
	assert_int_equal(info.fb.bpp, 32);
	assert_int_equal(info.fb.pitch, 4096);
	assert_int_equal(info.fb.red.pos, 16);
	assert_int_equal(info.fb.red.size, 8);
	assert_int_equal(info.fb.green.pos, 8);
	assert_int_equal(info.fb.green.size, 8);
	assert_int_equal(info.fb.blue.pos, 0);
	assert_int_equal(info.fb.blue.size, 8);
}

static void test_xbgr_and_wide_positions(void **state)
{
	uint8_t t[FB_RGB_SIZE + 8];

	fb_rgb(t, 24, 0, 8, 8, 8, 16, 8);
	parse(t, FB_RGB_SIZE);
	assert_true(info.fb.has_rgb);
	assert_int_equal(info.fb.red.pos, 0);
	assert_int_equal(info.fb.blue.pos, 16);
	assert_int_equal(info.fb.bpp, 24);

	fb_rgb(t, 32, 20, 10, 10, 10, 0, 10);
	parse(t, FB_RGB_SIZE);
	assert_int_equal(info.fb.red.pos, 20);
	assert_int_equal(info.fb.red.size, 10);
	assert_int_equal(info.fb.green.size, 10);
	assert_int_equal(info.fb.blue.size, 10);
}

/* Shorter RGB tags parse as before, only without the positions. */
static void test_rgb_without_positions(void **state)
{
	uint8_t t[FB_RGB_SIZE + 8];

	for (uint32_t size = 30; size < FB_RGB_SIZE; size++) {
		fb_rgb(t, 32, 16, 8, 8, 8, 0, 8);
		parse(t, size);
		assert_false(info.fb.has_rgb);
		assert_int_equal(info.fb.red.size, 0);
		assert_int_equal(info.fb.type, MB2_FB_RGB);
	}
}

/* An indexed framebuffer's colour info is a palette, not positions. */
static void test_indexed_has_no_positions(void **state)
{
	uint8_t t[FB_RGB_SIZE + 8];

	fb_common(t, 8, MB2_FB_INDEXED);
	le16_put(t + FB_COMMON_SIZE, FB_INDEXED_PALETTE);
	memset(t + FB_COMMON_SIZE + 2, 0x10, FB_INDEXED_PALETTE * 3);
	parse(t, FB_COMMON_SIZE + 2 + FB_INDEXED_PALETTE * 3);
	assert_false(info.fb.has_rgb);
	assert_int_equal(info.fb.type, MB2_FB_INDEXED);
}

static void test_report(void **state)
{
	uint8_t t[FB_RGB_SIZE + 8];

	fb_rgb(t, 32, 0, 8, 8, 8, 16, 8);
	parse(t, FB_RGB_SIZE);
	fake_printk_clear();
	mb2_report(&info);
	assert_true(fake_printk_contains("framebuffer 1024x768, 32 bpp, RGB, pitch 4096"));
	assert_true(fake_printk_contains(
	    "framebuffer colours: red bits 0-7, green bits 8-15, blue bits 16-23"));

	fb_rgb(t, 32, 16, 0, 8, 8, 0, 8);
	parse(t, FB_RGB_SIZE);
	fake_printk_clear();
	mb2_report(&info);
	assert_true(fake_printk_contains("red: 0 bits, green bits 8-15"));

	parse(t, FB_COMMON_SIZE);
	fake_printk_clear();
	mb2_report(&info);
	assert_true(fake_printk_contains("framebuffer tag carries no colour positions"));

	fb_common(t, 8, MB2_FB_INDEXED);
	parse(t, FB_COMMON_SIZE);
	fake_printk_clear();
	mb2_report(&info);
	assert_false(fake_printk_contains("colour"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_xrgb_positions),
	    cmocka_unit_test(test_xbgr_and_wide_positions),
	    cmocka_unit_test(test_rgb_without_positions),
	    cmocka_unit_test(test_indexed_has_no_positions),
	    cmocka_unit_test(test_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
