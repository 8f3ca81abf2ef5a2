/* SPDX-License-Identifier: MIT */
/*
 * Host tests for kernel/fbcon.c: renders into framebuffers with padded,
 * unaligned pitches at 24 and 32 bpp in x86 (XRGB), reversed (XBGR) and
 * 10-bit channel layouts and checks every pixel of the affected cells
 * against the generated font, the cursor rules, scrolling from the RAM grid,
 * the palette, and that the padding past the visible width is never
 * written. The console gets an address with no access rights at all: its
 * only way to the pixels is mmio_write(), faked here, so any read of the
 * framebuffer (or a store around mmio_write) crashes the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>
#include "arch/x86/mmio.h"
#include "kernel/fbcon.h"
#include "lib/printk.h"
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
#define CELL_PIXELS (FBCON_FONT_WIDTH * FBCON_FONT_HEIGHT)

#define LAYOUT_XBGR ((struct fbcon_layout){{0, 8}, {8, 8}, {16, 8}})
#define LAYOUT_X2R10G10B10 ((struct fbcon_layout){{20, 10}, {10, 10}, {0, 10}})

/* One framebuffer layout under test, with FG's pixel bytes in memory order. */
struct layout {
	uint8_t bpp;
	uint32_t pad;
	struct fbcon_layout rgb;
	uint8_t fg_bytes[4];
};

static const struct layout layout_32 = {32, 64, FBCON_LAYOUT_XRGB, {0x56, 0x34, 0x12, 0}};
static const struct layout layout_32_unaligned = {32, 6, FBCON_LAYOUT_XRGB,
						  {0x56, 0x34, 0x12, 0}};
static const struct layout layout_24 = {24, 13, FBCON_LAYOUT_XRGB, {0x56, 0x34, 0x12}};
static const struct layout layout_32_bgr = {32, 10, LAYOUT_XBGR, {0x12, 0x34, 0x56, 0}};
static const struct layout layout_24_bgr = {24, 7, LAYOUT_XBGR, {0x12, 0x34, 0x56}};
/* 0x12 -> 0x048, 0x34 -> 0x0d0, 0x56 -> 0x159: 0x04834159. */
static const struct layout layout_32_10bit = {32, 0, LAYOUT_X2R10G10B10,
					      {0x59, 0x41, 0x83, 0x04}};

/*
 * The framebuffer: @dev is what the console is given (no access rights),
 * @mem the RAM behind it that mmio_write() fills and the test inspects.
 */
struct fb {
	uint8_t *mem;
	uint8_t *dev;
	size_t size;
	uint32_t pitch;
	unsigned bytes_pp;
	const struct layout *l;
	struct fbcon_cell *cells;
	struct fbcon con;
};

static struct {
	const uint8_t *dev;
	uint8_t *mem;
	size_t size;
	size_t stores, bytes;
} fake_fb;

void mmio_write(void *dst, const void *src, size_t len)
{
	const uint8_t *d = dst;

	assert_non_null(fake_fb.dev);
	assert_true(d >= fake_fb.dev && len <= fake_fb.size &&
		    (size_t)(d - fake_fb.dev) <= fake_fb.size - len);
	memcpy(fake_fb.mem + (d - fake_fb.dev), src, len);
	fake_fb.stores++;
	fake_fb.bytes += len;
}

static void fake_fb_count_reset(void)
{
	fake_fb.stores = 0;
	fake_fb.bytes = 0;
}

static struct fbcon_mode fb_mode(const struct fb *f, uint32_t width, uint32_t height,
				 uint32_t pitch, uint8_t bpp)
{
	return (struct fbcon_mode){f->dev, width, height, pitch, bpp, f->l->rgb};
}

static enum err fb_init_cells(struct fb *f, struct fbcon *c, uint32_t width, uint32_t height,
			      uint32_t pitch, uint8_t bpp, size_t ncells)
{
	struct fbcon_mode m = fb_mode(f, width, height, pitch, bpp);

	return fbcon_init(c, &m, f->cells, ncells);
}

static enum err fb_init(struct fb *f, struct fbcon *c, uint32_t width, uint32_t height,
			uint32_t pitch, uint8_t bpp)
{
	return fb_init_cells(f, c, width, height, pitch, bpp, FB_COLS * FB_ROWS);
}

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

/* A framebuffer of @width x @height pixels in layout @l; pixel rows padded by l->pad. */
static struct fb fb_new_size(const struct layout *l, uint32_t width, uint32_t height)
{
	struct fb f = {.bytes_pp = l->bpp / 8, .l = l};

	f.pitch = width * f.bytes_pp + l->pad;
	f.size = (size_t)f.pitch * height;
	f.mem = malloc(f.size);
	assert_non_null(f.mem);
	for (uint32_t y = 0; y < height; y++)
		memset(f.mem + (size_t)y * f.pitch, canary(y), f.pitch);
	f.dev = mmap(NULL, f.size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(f.dev != MAP_FAILED);
	f.cells = calloc((size_t)(width / FBCON_FONT_WIDTH) * (height / FBCON_FONT_HEIGHT) + 1,
			 sizeof(*f.cells));
	assert_non_null(f.cells);
	fake_fb.dev = f.dev;
	fake_fb.mem = f.mem;
	fake_fb.size = f.size;
	fake_fb_count_reset();
	return f;
}

static struct fb fb_new(const struct layout *l)
{
	return fb_new_size(l, FB_WIDTH, FB_HEIGHT);
}

static struct fb fb_start(const struct layout *l)
{
	struct fb f = fb_new(l);

	assert_int_equal(fb_init(&f, &f.con, FB_WIDTH, FB_HEIGHT, f.pitch, l->bpp), E_OK);
	fbcon_set_colour(&f.con, FG, BG);
	return f;
}

/* The top 8 bits of channel @ch of pixel value @v. */
static uint32_t channel8(uint32_t v, struct fbcon_channel ch)
{
	uint32_t x = (v >> ch.pos) & ((1u << ch.size) - 1);

	return ch.size >= 8 ? x >> (ch.size - 8) : x << (8 - ch.size);
}

/* Pixel (x, y) as 0xRRGGBB; the bits outside the three channels must be zero. */
static uint32_t pixel_at(const uint8_t *mem, uint32_t pitch, const struct layout *l, uint32_t x,
			 uint32_t y)
{
	unsigned bytes_pp = l->bpp / 8;
	const uint8_t *p = mem + (size_t)y * pitch + (size_t)x * bytes_pp;
	const struct fbcon_layout *c = &l->rgb;
	uint32_t v = 0, used;

	for (unsigned i = 0; i < bytes_pp; i++)
		v |= (uint32_t)p[i] << (8 * i);
	used = ((1u << c->red.size) - 1) << c->red.pos |
	       ((1u << c->green.size) - 1) << c->green.pos |
	       ((1u << c->blue.size) - 1) << c->blue.pos;
	assert_int_equal(v & ~used, 0);
	return channel8(v, c->red) << 16 | channel8(v, c->green) << 8 | channel8(v, c->blue);
}

static uint32_t pixel(const struct fb *f, uint32_t x, uint32_t y)
{
	return pixel_at(f->mem, f->pitch, f->l, x, y);
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
	munmap(f->dev, f->size);
	free(f->mem);
	free(f->cells);
	fake_fb.dev = NULL;
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

	assert_int_equal(fb_init(&f, &f.con, FB_WIDTH, FB_HEIGHT, f.pitch,
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
	const struct layout *l = *state;
	struct fb f = fb_start(l);
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
	/* The bytes in memory follow the layout: B, G, R(, 0) for XRGB, R, G, B for XBGR. */
	while (!(fbcon_font_glyphs['A'][y] & 0x80 >> 1))
		y++;
	p = f.mem + (size_t)y * f.pitch + f.bytes_pp;
	assert_memory_equal(p, l->fg_bytes, f.bytes_pp);
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
		assert_int_equal(fb_init(&f, &c, FB_WIDTH, FB_HEIGHT, f.pitch, depths[i]),
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

	struct fbcon_mode null_base = fb_mode(&f, FB_WIDTH, FB_HEIGHT, f.pitch, 24);

	null_base.base = NULL;
	assert_int_equal(fb_init(&f, &c, FB_WIDTH, FB_HEIGHT, FB_WIDTH * 3 - 1, 24), E_INVAL);
	assert_int_equal(fb_init(&f, &c, FBCON_FONT_WIDTH - 1, FB_HEIGHT, f.pitch, 24), E_INVAL);
	assert_int_equal(fb_init(&f, &c, FB_WIDTH, FBCON_FONT_HEIGHT - 1, f.pitch, 24), E_INVAL);
	assert_int_equal(fbcon_init(&c, &null_base, f.cells, FB_COLS * FB_ROWS), E_INVAL);
	assert_int_equal(fb_init_cells(&f, &c, FB_WIDTH, FB_HEIGHT, f.pitch, 24, 0), E_INVAL);
	null_base.base = f.dev;
	assert_int_equal(fbcon_init(&c, &null_base, NULL, FB_COLS * FB_ROWS), E_INVAL);
	assert_untouched(&f);
	assert_int_equal(fake_fb.stores, 0);
	/* The smallest screen: one cell, every character scrolls. */
	assert_int_equal(fb_init(&f, &c, FBCON_FONT_WIDTH, FBCON_FONT_HEIGHT, f.pitch, 24), E_OK);
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
		.addr = (uintptr_t)f.dev,
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
	assert_ptr_equal(fbcon_console()->base, f.dev);
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

static void test_kernel_console_colour_layout(void **state)
{
	struct fb f = fb_new(&layout_32_bgr);
	struct mb2_framebuffer mb = {
		.present = true,
		.addr = (uintptr_t)f.dev,
		.pitch = f.pitch,
		.width = FB_WIDTH,
		.height = FB_HEIGHT,
		.bpp = 32,
		.type = MB2_FB_RGB,
		.has_rgb = true,
		.red = {0, 8},
		.green = {8, 8},
		.blue = {16, 8},
	};
	const uint8_t *p;
	unsigned y = 0;

	/* The tag's positions are used: red is the lowest byte here. */
	assert_int_equal(fbcon_start(&mb), E_OK);
	fbcon_set_colour(fbcon_console(), FG, BG);
	fbcon_console_write("A", 1);
	assert_cell(&f, 0, 0, 'A', FG, BG);
	while (!(fbcon_font_glyphs['A'][y] & 0x80 >> 1))
		y++;
	p = f.mem + (size_t)y * f.pitch + 4;
	assert_memory_equal(p, layout_32_bgr.fg_bytes, 4);

	/* No positions in the tag: the x86 layout, and the log says so. */
	mb.has_rgb = false;
	fake_printk_clear();
	assert_int_equal(fbcon_start(&mb), E_OK);
	assert_true(fake_printk_contains("assuming red bits 16-23, green 8-15, blue 0-7"));
	fbcon_set_colour(fbcon_console(), FG, BG);
	fbcon_console_write("A", 1);
	assert_int_equal(pixel_at(f.mem, f.pitch, &layout_32, 1, y), FG);
	assert_memory_equal(p, layout_32.fg_bytes, 4);

	/* Positions that make no sense switch the console off. */
	mb.has_rgb = true;
	mb.green.pos = 4;
	fake_printk_clear();
	fake_fb_count_reset();
	assert_int_equal(fbcon_start(&mb), E_NOTSUP);
	assert_true(fake_printk_contains("green 4:8"));
	assert_null(fbcon_console());
	assert_int_equal(fake_fb.stores, 0);
	fb_free(&f);
}

static void test_pixel_values(void **state)
{
	static const struct fbcon_layout rgb565 = {{11, 5}, {5, 6}, {0, 5}};
	static const struct fbcon_layout xrgb = FBCON_LAYOUT_XRGB;
	static const struct fbcon_layout xbgr = LAYOUT_XBGR;
	static const struct fbcon_layout x2r10 = LAYOUT_X2R10G10B10;

	assert_int_equal(fbcon_pixel_value(&xrgb, FG), 0x123456);
	assert_int_equal(fbcon_pixel_value(&xbgr, FG), 0x563412);
	assert_int_equal(fbcon_pixel_value(&x2r10, FG), 0x04834159);
	assert_int_equal(fbcon_pixel_value(&x2r10, 0xffffff), 0x3fffffff);
	assert_int_equal(fbcon_pixel_value(&x2r10, 0), 0);
	assert_int_equal(fbcon_pixel_value(&rgb565, 0xffffff), 0xffff);
	assert_int_equal(fbcon_pixel_value(&rgb565, FG), 2u << 11 | 13u << 5 | 10u);
	assert_int_equal(fbcon_pixel_value(&xbgr, 0xff0000), 0x0000ff);
}

static void test_bad_layouts_refused(void **state)
{
	static const struct {
		uint8_t bpp;
		struct fbcon_layout rgb;
		const char *says;
	} bad[] = {
		{32, {{16, 8}, {12, 8}, {0, 8}}, "green 12:8"},	  /* overlaps red */
		{32, {{0, 8}, {8, 8}, {0, 8}}, "blue 0:8"},	  /* red and blue alike */
		{24, {{24, 8}, {8, 8}, {0, 8}}, "red 24:8"},	  /* outside a 24-bit pixel */
		{32, {{16, 8}, {8, 0}, {0, 8}}, "green 8:0"},	  /* no green at all */
		{32, {{15, 17}, {8, 7}, {0, 8}}, "red 15:17"},	  /* wider than 16 bits */
		{32, {{200, 8}, {8, 8}, {0, 8}}, "red 200:8"},
	};
	struct fb f = fb_new(&layout_32);
	struct fbcon c;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fbcon_mode m = fb_mode(&f, FB_WIDTH, FB_HEIGHT, f.pitch, bad[i].bpp);

		m.layout = bad[i].rgb;
		fake_printk_clear();
		assert_int_equal(fbcon_init(&c, &m, f.cells, FB_COLS * FB_ROWS), E_NOTSUP);
		assert_true(fake_printk_contains(bad[i].says));
		assert_true(fake_printk_contains("does not fit"));
	}
	assert_int_equal(fake_fb.stores, 0);
	assert_untouched(&f);
	fb_free(&f);
}

/* Fill every row with @line (cursor left on the last row, after the text). */
static void fill_rows(struct fb *f, const char *line)
{
	for (unsigned r = 0; r < FB_ROWS; r++) {
		if (r)
			write_str(f, "\n");
		write_str(f, line);
	}
}

/*
 * The grid decides what is drawn: a scroll stores only the cells whose
 * pixels change, rewriting a cell with what it shows stores nothing, and
 * blank lines scroll for free. (The framebuffer has no access rights at
 * all, so reaching this point also means nothing was read from it.)
 */
static void test_scroll_stores_only_changed_cells(void **state)
{
	struct fb f = fb_start(*state);
	size_t cell_bytes = (size_t)CELL_PIXELS * f.bytes_pp;

	fbcon_set_colour(&f.con, FG, FBCON_DEFAULT_BG);
	fill_rows(&f, "abc");
	fake_fb_count_reset();
	write_str(&f, "\nabc");
	/* Rows 0..n-2 stay "abc"; the last row loses "abc" and gets it back. */
	assert_int_equal(fake_fb.bytes, 6 * cell_bytes);
	assert_int_equal(fake_fb.stores, 6 * FBCON_FONT_HEIGHT);
	for (unsigned r = 0; r < FB_ROWS; r++)
		assert_cell(&f, 2, r, 'c', FG, FBCON_DEFAULT_BG);

	fake_fb_count_reset();
	write_str(&f, "\rabc");
	assert_int_equal(fake_fb.bytes, 0);

	for (unsigned r = 0; r < FB_ROWS; r++)
		write_str(&f, "\n");
	fake_fb_count_reset();
	for (unsigned i = 0; i < 3 * FB_ROWS; i++)
		write_str(&f, "\n");
	assert_int_equal(fake_fb.bytes, 0);
	for (unsigned r = 0; r < FB_ROWS; r++)
		assert_text_row_blank(&f, r, FBCON_DEFAULT_BG);
	assert_padding_intact(&f);
	fb_free(&f);
}

/* The same cell in ever new colours: unused palette entries are recycled. */
static void test_palette_recycles_unused_colours(void **state)
{
	struct fb f = fb_start(&layout_32);

	for (uint32_t i = 0; i < 4 * FBCON_PALETTE_SIZE; i++) {
		uint32_t fg = 0x010203u * (i + 1), bg = 0xffffffu - 0x030201u * i;

		fbcon_set_colour(&f.con, fg, bg);
		write_str(&f, "\rW");
		assert_cell(&f, 0, 0, 'W', fg, bg);
		assert_int_equal(f.con.fg, fg);
		assert_int_equal(f.con.bg, bg);
	}
	assert_true(f.con.palette_used <= FBCON_PALETTE_SIZE);
	fb_free(&f);
}

/* With every entry on screen a new colour is drawn as the nearest one. */
static void test_palette_full_uses_nearest(void **state)
{
	struct fb f = fb_start(&layout_32);
	uint32_t colours[FB_COLS * FB_ROWS];
	unsigned exact = 0;

	/* Blank cells keep the initial pair; FG and BG from fb_start() are unused. */
	for (unsigned i = 0; i + 2 < FBCON_PALETTE_SIZE; i++) {
		colours[i] = 0x100000u * (i + 1) + 0x40;
		fbcon_set_colour(&f.con, colours[i], FBCON_DEFAULT_BG);
		write_str(&f, "M");
		exact++;
	}
	for (unsigned i = 0; i < exact; i++)
		assert_cell(&f, i % FB_COLS, i / FB_COLS, 'M', colours[i], FBCON_DEFAULT_BG);
	assert_int_equal(f.con.palette_used, FBCON_PALETTE_SIZE);
	fbcon_set_colour(&f.con, colours[3] + 1, FBCON_DEFAULT_BG);
	write_str(&f, "N");
	assert_cell(&f, exact % FB_COLS, exact / FB_COLS, 'N', colours[3], FBCON_DEFAULT_BG);
	for (unsigned i = 0; i < exact; i++)
		assert_cell(&f, i % FB_COLS, i / FB_COLS, 'M', colours[i], FBCON_DEFAULT_BG);

	/* Scrolled off the screen, the colours are free again. */
	for (unsigned r = 0; r < FB_ROWS; r++)
		write_str(&f, "\n");
	fbcon_set_colour(&f.con, 0x0badf0u, BG2);
	write_str(&f, "Z");
	assert_cell(&f, 0, FB_ROWS - 1, 'Z', 0x0badf0u, BG2);
	fb_free(&f);
}

/* A grid smaller than the screen limits the console to its top-left corner. */
static void test_grid_limits_console(void **state)
{
	struct fb f = fb_new(*state);
	uint8_t bpp = ((const struct layout *)*state)->bpp;

	assert_int_equal(fb_init_cells(&f, &f.con, FB_WIDTH, FB_HEIGHT, f.pitch, bpp, 5), E_OK);
	assert_int_equal(f.con.cols, 5);
	assert_int_equal(f.con.rows, 1);
	fbcon_set_colour(&f.con, FG, BG);
	write_str(&f, "abcdefg\nxy");
	assert_cell(&f, 0, 0, 'x', FG, BG);
	assert_cell(&f, 1, 0, 'y', FG, BG);
	assert_cell(&f, 2, 0, ' ', FG, BG);
	for (uint32_t y = 0; y < FB_HEIGHT; y++)
		for (uint32_t x = 0; x < FB_WIDTH; x++)
			if (x >= 5 * FBCON_FONT_WIDTH || y >= FBCON_FONT_HEIGHT)
				assert_int_equal(pixel(&f, x, y), FBCON_DEFAULT_BG);

	assert_int_equal(fb_init_cells(&f, &f.con, FB_WIDTH, FB_HEIGHT, f.pitch, bpp,
				       2 * FB_COLS + 1), E_OK);
	assert_int_equal(f.con.cols, FB_COLS);
	assert_int_equal(f.con.rows, 2);
	assert_padding_intact(&f);
	fb_free(&f);
}

#define UHD_WIDTH 3840
#define UHD_HEIGHT 2160
#define UHD_LINES 150
#define LOG_LINE_LEN 80

/*
 * A 4K screen full of 80-column log lines: what one scroll costs in
 * framebuffer stores, against the 33 MB that copying the pixels would read
 * and write again.
 */
static void test_uhd_scroll_cost(void **state)
{
	static const struct layout l = {32, 0, FBCON_LAYOUT_XRGB, {0}};
	struct fb f = fb_new_size(&l, UHD_WIDTH, UHD_HEIGHT);
	struct fbcon_mode m = fb_mode(&f, UHD_WIDTH, UHD_HEIGHT, f.pitch, 32);
	size_t cell_bytes = (size_t)CELL_PIXELS * 4, frame = (size_t)UHD_WIDTH * UHD_HEIGHT * 4;
	size_t before, scrolls = 0, worst = 0;
	char line[LOG_LINE_LEN + 2];

	assert_int_equal(fbcon_init(&f.con, &m, f.cells, (UHD_WIDTH / 8) * (UHD_HEIGHT / 16)),
			 E_OK);
	assert_int_equal(fake_fb.bytes, frame);
	for (unsigned i = 0; i < UHD_LINES; i++) {
		for (unsigned k = 0; k < LOG_LINE_LEN; k++)
			line[k] = (char)('!' + (i * 7 + k * 3) % 90);
		line[LOG_LINE_LEN] = '\n';
		before = fake_fb.bytes;
		fbcon_write(&f.con, line, LOG_LINE_LEN + 1);
		if (i >= f.con.rows) {
			size_t spent = fake_fb.bytes - before - LOG_LINE_LEN * cell_bytes;

			worst = spent > worst ? spent : worst;
			scrolls++;
		}
	}
	print_message("  4K, %u x %u cells: worst scroll stored %zu bytes (%zu cells), a "
		      "frame is %zu\n", f.con.cols, f.con.rows, worst, worst / cell_bytes, frame);
	assert_true(scrolls > 0);
	assert_true(worst <= ((size_t)f.con.rows * LOG_LINE_LEN + LOG_LINE_LEN) * cell_bytes);
	assert_true(worst * 4 < frame);
	fb_free(&f);
}

#define PER_LAYOUT(t)                                                                  \
	cmocka_unit_test_prestate(t, (void *)&layout_32),                             \
	cmocka_unit_test_prestate(t, (void *)&layout_32_unaligned),                   \
	cmocka_unit_test_prestate(t, (void *)&layout_24),                             \
	cmocka_unit_test_prestate(t, (void *)&layout_32_bgr),                         \
	cmocka_unit_test_prestate(t, (void *)&layout_24_bgr),                         \
	cmocka_unit_test_prestate(t, (void *)&layout_32_10bit)

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
		cmocka_unit_test(test_kernel_console_colour_layout),
		cmocka_unit_test(test_pixel_values),
		cmocka_unit_test(test_bad_layouts_refused),
		PER_LAYOUT(test_scroll_stores_only_changed_cells),
		cmocka_unit_test(test_palette_recycles_unused_colours),
		cmocka_unit_test(test_palette_full_uses_nearest),
		PER_LAYOUT(test_grid_limits_console),
		cmocka_unit_test(test_uhd_scroll_cost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
