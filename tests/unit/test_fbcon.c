/* SPDX-License-Identifier: MIT */
/*
 * Host tests for kernel/fbcon.c: renders into malloc'd framebuffers with
 * padded, unaligned pitches at 24 and 32 bpp and checks every pixel of the
 * affected cells against the generated font, the cursor rules, scrolling,
 * and that the padding past the visible width is never written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "kernel/fbcon.h"
#include "kernel/printk.h"
#include "tests/unit/fake_printk.h"

/* Padding bytes differ per pixel row, so a row copied over another shows. */
#define CANARY 0xa5
/* Not multiples of the cell size, so partial cells exist on both axes. */
#define FB_WIDTH 100
#define FB_HEIGHT 70
#define FB_COLS (FB_WIDTH / FBCON_FONT_WIDTH)
#define FB_ROWS (FB_HEIGHT / FBCON_FONT_HEIGHT)
#define FG 0x123456u
#define BG 0xabcdefu
#define BG2 0x0000ffu

/* One framebuffer layout under test. */
struct layout {
	uint8_t bpp;
	uint32_t pad;
};

static const struct layout layout_32 = {32, 64};
static const struct layout layout_32_unaligned = {32, 6};
static const struct layout layout_24 = {24, 13};

struct fb {
	uint8_t *mem;
	uint32_t pitch;
	unsigned bytes_pp;
	struct fbcon con;
};

static uint8_t canary(uint32_t y)
{
	return (uint8_t)(CANARY + y);
}

static void assert_untouched(const struct fb *f)
{
	for (uint32_t y = 0; y < FB_HEIGHT; y++)
		for (uint32_t i = 0; i < f->pitch; i++)
			assert_int_equal(f->mem[(size_t)y * f->pitch + i], canary(y));
}

static struct fb fb_new(const struct layout *l)
{
	struct fb f = {.bytes_pp = l->bpp / 8};

	f.pitch = FB_WIDTH * f.bytes_pp + l->pad;
	f.mem = malloc((size_t)f.pitch * FB_HEIGHT);
	assert_non_null(f.mem);
	for (uint32_t y = 0; y < FB_HEIGHT; y++)
		memset(f.mem + (size_t)y * f.pitch, canary(y), f.pitch);
	return f;
}

static struct fb fb_start(const struct layout *l)
{
	struct fb f = fb_new(l);

	assert_int_equal(fbcon_init(&f.con, f.mem, FB_WIDTH, FB_HEIGHT, f.pitch, l->bpp), E_OK);
	fbcon_set_colour(&f.con, FG, BG);
	return f;
}

static uint32_t pixel(const struct fb *f, uint32_t x, uint32_t y)
{
	const uint8_t *p = f->mem + (size_t)y * f->pitch + (size_t)x * f->bytes_pp;
	uint32_t v = p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;

	if (f->bytes_pp == 4)
		assert_int_equal(p[3], 0);
	return v;
}

static void assert_padding_intact(const struct fb *f)
{
	for (uint32_t y = 0; y < FB_HEIGHT; y++)
		for (uint32_t i = FB_WIDTH * f->bytes_pp; i < f->pitch; i++)
			assert_int_equal(f->mem[(size_t)y * f->pitch + i], canary(y));
}

/* Every pixel of cell (@col, @row) is @fg where the glyph has a bit, else @bg. */
static void assert_cell(const struct fb *f, unsigned col, unsigned row, unsigned char ch,
			uint32_t fg, uint32_t bg)
{
	for (unsigned y = 0; y < FBCON_FONT_HEIGHT; y++) {
		for (unsigned x = 0; x < FBCON_FONT_WIDTH; x++) {
			bool set = fbcon_font_glyphs[ch][y] & (0x80 >> x);
			uint32_t px = pixel(f, col * FBCON_FONT_WIDTH + x,
					    row * FBCON_FONT_HEIGHT + y);

			assert_int_equal(px, set ? fg : bg);
		}
	}
}

static void assert_text_row_blank(const struct fb *f, unsigned row, uint32_t bg)
{
	for (unsigned col = 0; col < FB_COLS; col++)
		assert_cell(f, col, row, ' ', FG, bg);
}

static void fb_free(struct fb *f)
{
	free(f->mem);
}

static void write_str(struct fb *f, const char *s)
{
	fbcon_write(&f->con, s, (int)strlen(s));
}

static void test_font_is_generated(void **state)
{
	int lit = 0;

	assert_int_equal(fbcon_font_width, FBCON_FONT_WIDTH);
	assert_int_equal(fbcon_font_height, FBCON_FONT_HEIGHT);
	for (unsigned y = 0; y < FBCON_FONT_HEIGHT; y++) {
		assert_int_equal(fbcon_font_glyphs[' '][y], 0);
		assert_int_equal(fbcon_font_glyphs[0x80][y], 0);
		lit += fbcon_font_glyphs['A'][y] != 0;
	}
	assert_true(lit > 4);
	assert_memory_not_equal(fbcon_font_glyphs['A'], fbcon_font_glyphs['B'], FBCON_FONT_HEIGHT);
}

static void test_init_clears_screen_not_padding(void **state)
{
	struct fb f = fb_new(*state);

	assert_int_equal(fbcon_init(&f.con, f.mem, FB_WIDTH, FB_HEIGHT, f.pitch,
				    ((const struct layout *)*state)->bpp), E_OK);
	assert_int_equal(f.con.cols, FB_COLS);
	assert_int_equal(f.con.rows, FB_ROWS);
	assert_int_equal(f.con.col, 0);
	assert_int_equal(f.con.row, 0);
	assert_int_equal(f.con.fg, FBCON_DEFAULT_FG);
	for (uint32_t y = 0; y < FB_HEIGHT; y++)
		for (uint32_t x = 0; x < FB_WIDTH; x++)
			assert_int_equal(pixel(&f, x, y), FBCON_DEFAULT_BG);
	assert_padding_intact(&f);
	fb_free(&f);
}

static void test_glyph_pixels_and_byte_order(void **state)
{
	struct fb f = fb_start(*state);
	const uint8_t *p;
	unsigned y = 0;

	fbcon_set_colour(&f.con, FG, BG2);
	write_str(&f, "A");
	fbcon_set_colour(&f.con, FG, BG);
	write_str(&f, "hi");
	assert_cell(&f, 0, 0, 'A', FG, BG2);
	assert_cell(&f, 1, 0, 'h', FG, BG);
	assert_cell(&f, 2, 0, 'i', FG, BG);
	assert_int_equal(f.con.col, 3);
	/* Blue is the lowest byte in memory, then green, then red. */
	while (!(fbcon_font_glyphs['A'][y] & 0x80 >> 1))
		y++;
	p = f.mem + (size_t)y * f.pitch + f.bytes_pp;
	assert_int_equal(p[0], 0x56);
	assert_int_equal(p[1], 0x34);
	assert_int_equal(p[2], 0x12);
	assert_padding_intact(&f);
	fb_free(&f);
}

static void test_newline_and_carriage_return(void **state)
{
	struct fb f = fb_start(*state);

	write_str(&f, "ab\ncd");
	assert_cell(&f, 0, 1, 'c', FG, BG);
	assert_cell(&f, 1, 1, 'd', FG, BG);
	assert_int_equal(f.con.row, 1);
	assert_int_equal(f.con.col, 2);
	write_str(&f, "\rX");
	assert_cell(&f, 0, 1, 'X', FG, BG);
	assert_cell(&f, 1, 1, 'd', FG, BG);
	assert_int_equal(f.con.col, 1);
	fb_free(&f);
}

static void test_tab_blanks_to_next_stop(void **state)
{
	struct fb f = fb_start(*state);

	write_str(&f, "a\tb");
	assert_cell(&f, 0, 0, 'a', FG, BG);
	for (unsigned col = 1; col < FBCON_TAB_WIDTH; col++)
		assert_cell(&f, col, 0, ' ', FG, BG);
	assert_cell(&f, FBCON_TAB_WIDTH, 0, 'b', FG, BG);
	/* From column 9 the next stop (16) is past the last column: wrap pending. */
	write_str(&f, "\t");
	assert_int_equal(f.con.row, 0);
	assert_int_equal(f.con.col, FB_COLS);
	write_str(&f, "z");
	assert_cell(&f, 0, 1, 'z', FG, BG);
	write_str(&f, "\t");
	assert_int_equal(f.con.col, FBCON_TAB_WIDTH);
	fb_free(&f);
}

static void test_backspace(void **state)
{
	struct fb f = fb_start(*state);

	write_str(&f, "ab\bX");
	assert_cell(&f, 0, 0, 'a', FG, BG);
	assert_cell(&f, 1, 0, 'X', FG, BG);
	assert_int_equal(f.con.col, 2);
	write_str(&f, "\b\b\b\b");
	assert_int_equal(f.con.col, 0);
	assert_int_equal(f.con.row, 0);
	fb_free(&f);
}

static void test_wrap_after_last_column(void **state)
{
	struct fb f = fb_start(*state);
	char line[FB_COLS + 1];

	for (unsigned i = 0; i < FB_COLS; i++)
		line[i] = (char)('a' + i);
	line[FB_COLS] = '\0';
	write_str(&f, line);
	assert_cell(&f, FB_COLS - 1, 0, (unsigned char)line[FB_COLS - 1], FG, BG);
	assert_int_equal(f.con.row, 0);
	write_str(&f, "Z");
	assert_cell(&f, 0, 1, 'Z', FG, BG);
	assert_int_equal(f.con.col, 1);
	/* A full line followed by \n gives no empty line. */
	write_str(&f, "\r");
	write_str(&f, line);
	write_str(&f, "\nQ");
	assert_cell(&f, 0, 2, 'Q', FG, BG);
	/* The partial cell right of the last column is never drawn into. */
	for (uint32_t y = 0; y < FB_HEIGHT; y++)
		for (uint32_t x = FB_COLS * FBCON_FONT_WIDTH; x < FB_WIDTH; x++)
			assert_int_equal(pixel(&f, x, y), FBCON_DEFAULT_BG);
	assert_padding_intact(&f);
	fb_free(&f);
}

static void test_unprintable_shows_question_mark(void **state)
{
	struct fb f = fb_start(*state);

	fbcon_write(&f.con, "\x01\x7f\x80\xff\0", 5);
	for (unsigned col = 0; col < 5; col++)
		assert_cell(&f, col, 0, '?', FG, BG);
	assert_int_equal(f.con.col, 5);
	fb_free(&f);
}

static void test_scroll_moves_rows_up_and_clears_last(void **state)
{
	struct fb f = fb_start(*state);
	char text[2 * FB_ROWS + 1];

	for (unsigned r = 0; r < FB_ROWS; r++) {
		text[2 * r] = (char)('A' + r);
		text[2 * r + 1] = '\n';
	}
	/* The last \n is at the bottom row: one scroll, in the new background. */
	text[2 * FB_ROWS - 1] = '\0';
	write_str(&f, text);
	assert_cell(&f, 0, FB_ROWS - 1, (unsigned char)('A' + FB_ROWS - 1), FG, BG);
	fbcon_set_colour(&f.con, FG, BG2);
	write_str(&f, "\n");
	for (unsigned r = 0; r + 1 < FB_ROWS; r++) {
		assert_cell(&f, 0, r, (unsigned char)('B' + r), FG, BG);
		assert_cell(&f, 1, r, ' ', FG, FBCON_DEFAULT_BG);
	}
	assert_text_row_blank(&f, FB_ROWS - 1, BG2);
	assert_int_equal(f.con.row, FB_ROWS - 1);
	assert_int_equal(f.con.col, 0);
	/* Pixel rows below the last full text row are not part of the scroll. */
	for (uint32_t y = FB_ROWS * FBCON_FONT_HEIGHT; y < FB_HEIGHT; y++)
		for (uint32_t x = 0; x < FB_WIDTH; x++)
			assert_int_equal(pixel(&f, x, y), FBCON_DEFAULT_BG);
	assert_padding_intact(&f);
	fb_free(&f);
}

static void test_wrap_at_bottom_scrolls(void **state)
{
	struct fb f = fb_start(*state);

	for (unsigned r = 0; r + 1 < FB_ROWS; r++)
		write_str(&f, "\n");
	for (unsigned i = 0; i < FB_COLS; i++)
		write_str(&f, "x");
	write_str(&f, "y");
	assert_cell(&f, FB_COLS - 1, FB_ROWS - 2, 'x', FG, BG);
	assert_cell(&f, 0, FB_ROWS - 1, 'y', FG, BG);
	assert_cell(&f, 1, FB_ROWS - 1, ' ', FG, BG);
	assert_int_equal(f.con.row, FB_ROWS - 1);
	fb_free(&f);
}

/* Much text with every byte value: many scrolls, padding still untouched. */
static void test_long_output_keeps_padding(void **state)
{
	struct fb f = fb_start(*state);
	char all[256];

	for (unsigned i = 0; i < sizeof(all); i++)
		all[i] = (char)i;
	for (unsigned i = 0; i < 40; i++)
		fbcon_write(&f.con, all, sizeof(all));
	assert_true(f.con.row < FB_ROWS);
	assert_true(f.con.col <= FB_COLS);
	assert_padding_intact(&f);
	fb_free(&f);
}

static void test_unsupported_depth_refused(void **state)
{
	static const uint8_t depths[] = {0, 1, 4, 8, 15, 16, 31, 48};
	struct fb f = fb_new(&layout_32);
	struct fbcon c;

	for (unsigned i = 0; i < sizeof(depths); i++) {
		fake_printk_clear();
		assert_int_equal(fbcon_init(&c, f.mem, FB_WIDTH, FB_HEIGHT, f.pitch, depths[i]),
				 E_NOTSUP);
		assert_true(fake_printk_contains("bits per pixel"));
	}
	assert_true(fake_printk_contains("48 bits per pixel"));
	assert_untouched(&f);
	fb_free(&f);
}

static void test_bad_geometry_refused(void **state)
{
	struct fb f = fb_new(&layout_24);
	struct fbcon c;

	assert_int_equal(fbcon_init(&c, f.mem, FB_WIDTH, FB_HEIGHT, FB_WIDTH * 3 - 1, 24), E_INVAL);
	assert_int_equal(fbcon_init(&c, f.mem, FBCON_FONT_WIDTH - 1, FB_HEIGHT, f.pitch, 24),
			 E_INVAL);
	assert_int_equal(fbcon_init(&c, f.mem, FB_WIDTH, FBCON_FONT_HEIGHT - 1, f.pitch, 24),
			 E_INVAL);
	assert_int_equal(fbcon_init(&c, NULL, FB_WIDTH, FB_HEIGHT, f.pitch, 24), E_INVAL);
	assert_untouched(&f);
	/* The smallest screen: one cell, every character scrolls. */
	assert_int_equal(fbcon_init(&c, f.mem, FBCON_FONT_WIDTH, FBCON_FONT_HEIGHT, f.pitch, 24),
			 E_OK);
	fbcon_write(&c, "abc", 3);
	assert_int_equal(c.cols, 1);
	assert_int_equal(c.rows, 1);
	assert_int_equal(c.col, 1);
	assert_int_equal(c.row, 0);
	fb_free(&f);
}

static void test_level_colours(void **state)
{
	uint32_t emerg = fbcon_level_colour(LOG_EMERG);
	uint32_t err = fbcon_level_colour(LOG_ERR);
	uint32_t warn = fbcon_level_colour(LOG_WARN);
	uint32_t info = fbcon_level_colour(LOG_INFO);
	uint32_t debug = fbcon_level_colour(LOG_DEBUG);

	assert_int_equal(info, FBCON_DEFAULT_FG);
	assert_int_not_equal(emerg, err);
	assert_int_not_equal(err, warn);
	assert_int_not_equal(warn, info);
	assert_int_not_equal(info, debug);
	assert_int_not_equal(emerg, info);
	/* Red dominates the error colours, yellow has red and green, no blue. */
	assert_true((err >> 16) > ((err >> 8) & 0xff) && (err >> 16) > (err & 0xff));
	assert_true((emerg >> 16) == 0xff);
	assert_true((warn >> 16) > 0x80 && ((warn >> 8) & 0xff) > 0x80 && (warn & 0xff) < 0x80);
	assert_true(debug < info);
	assert_int_equal(fbcon_level_colour(1), emerg);
	assert_int_equal(fbcon_level_colour(5), info);
	assert_int_equal(fbcon_level_colour(LOG_DEBUG + 3), debug);
}

static void test_kernel_console(void **state)
{
	struct fb f = fb_new(&layout_32);
	struct mb2_framebuffer mb = {
		.present = false,
		.addr = (uintptr_t)f.mem,
		.pitch = f.pitch,
		.width = FB_WIDTH,
		.height = FB_HEIGHT,
		.bpp = 32,
		.type = MB2_FB_RGB,
	};

	assert_int_equal(fbcon_start(&mb), E_NOENT);
	assert_null(fbcon_console());
	fbcon_console_write("A", 1);
	assert_untouched(&f);

	mb.present = true;
	mb.type = MB2_FB_EGA_TEXT;
	fake_printk_clear();
	assert_int_equal(fbcon_start(&mb), E_NOTSUP);
	assert_true(fake_printk_contains("type 2 is not direct RGB"));
	assert_null(fbcon_console());

	mb.type = MB2_FB_RGB;
	assert_int_equal(fbcon_start(&mb), E_OK);
	assert_ptr_equal(fbcon_console()->base, f.mem);
	fbcon_set_colour(fbcon_console(), FG, BG);
	fbcon_console_write("A", 1);
	assert_cell(&f, 0, 0, 'A', FG, BG);

	/* A failed restart leaves no console behind, whatever the failure. */
	mb.type = MB2_FB_INDEXED;
	assert_int_equal(fbcon_start(&mb), E_NOTSUP);
	assert_null(fbcon_console());
	mb.type = MB2_FB_RGB;
	assert_int_equal(fbcon_start(&mb), E_OK);
	mb.bpp = 16;
	assert_int_equal(fbcon_start(&mb), E_NOTSUP);
	assert_null(fbcon_console());
	mb.bpp = 32;
	assert_int_equal(fbcon_start(&mb), E_OK);
	mb.present = false;
	assert_int_equal(fbcon_start(&mb), E_NOENT);
	assert_null(fbcon_console());
	assert_padding_intact(&f);
	fb_free(&f);
}

#define PER_LAYOUT(t)                                                                  \
	cmocka_unit_test_prestate(t, (void *)&layout_32),                             \
	cmocka_unit_test_prestate(t, (void *)&layout_32_unaligned),                   \
	cmocka_unit_test_prestate(t, (void *)&layout_24)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_font_is_generated),
		PER_LAYOUT(test_init_clears_screen_not_padding),
		PER_LAYOUT(test_glyph_pixels_and_byte_order),
		PER_LAYOUT(test_newline_and_carriage_return),
		PER_LAYOUT(test_tab_blanks_to_next_stop),
		PER_LAYOUT(test_backspace),
		PER_LAYOUT(test_wrap_after_last_column),
		PER_LAYOUT(test_unprintable_shows_question_mark),
		PER_LAYOUT(test_scroll_moves_rows_up_and_clears_last),
		PER_LAYOUT(test_wrap_at_bottom_scrolls),
		PER_LAYOUT(test_long_output_keeps_padding),
		cmocka_unit_test(test_unsupported_depth_refused),
		cmocka_unit_test(test_bad_geometry_refused),
		cmocka_unit_test(test_level_colours),
		cmocka_unit_test(test_kernel_console),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
