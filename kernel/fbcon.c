/* SPDX-License-Identifier: MIT */
/*
 * Framebuffer text console: glyph drawing, cursor movement, wrapping and
 * scrolling on a linear framebuffer, plus the kernel's single screen console
 * that printk mirrors its output to. Only pixels inside the visible width
 * are ever written; the padding up to the pitch is left alone.
 */
#include "kernel/fbcon.h"
#include "kernel/printk.h"
#include "lib/string.h"

#define FBCON_BPP_24 24
#define FBCON_BPP_32 32
#define FBCON_BITS_PER_BYTE 8
#define FBCON_GLYPH_MSB 0x80u
#define FBCON_FIRST_PRINTABLE 0x20
#define FBCON_LAST_PRINTABLE 0x7e
#define FBCON_UNPRINTABLE '?'

/* Log-level colours, 0xRRGGBB. */
#define FBCON_COLOUR_EMERG 0xff5555u
#define FBCON_COLOUR_ERR 0xd03030u
#define FBCON_COLOUR_WARN 0xe0e040u
#define FBCON_COLOUR_INFO FBCON_DEFAULT_FG
#define FBCON_COLOUR_DEBUG 0x808080u

static struct fbcon fbcon_kernel;
static bool fbcon_kernel_started;

static unsigned fbcon_bytes_pp(const struct fbcon *c)
{
	return c->bpp / FBCON_BITS_PER_BYTE;
}

static uint8_t *fbcon_pixel(const struct fbcon *c, uint32_t x, uint32_t y)
{
	return c->base + (size_t)y * c->pitch + (size_t)x * fbcon_bytes_pp(c);
}

/*
 * Store one pixel. Both layouts keep blue in the lowest byte, then green,
 * then red (x86 is little-endian, so 0xRRGGBB stores as B, G, R); the byte
 * above red in a 32-bpp pixel is reserved and written as zero. The pixel
 * may be unaligned when the pitch is odd, hence the byte-wise copy.
 */
static void fbcon_put_pixel(uint8_t *p, unsigned bytes_pp, uint32_t rgb)
{
	if (bytes_pp == FBCON_BPP_32 / FBCON_BITS_PER_BYTE) {
		__builtin_memcpy(p, &rgb, sizeof(rgb));
		return;
	}
	p[0] = (uint8_t)rgb;
	p[1] = (uint8_t)(rgb >> 8);
	p[2] = (uint8_t)(rgb >> 16);
}

static void fbcon_fill_span(struct fbcon *c, uint32_t x, uint32_t y, uint32_t n, uint32_t rgb)
{
	unsigned bpp = fbcon_bytes_pp(c);
	uint8_t *p = fbcon_pixel(c, x, y);

	for (uint32_t i = 0; i < n; i++, p += bpp)
		fbcon_put_pixel(p, bpp, rgb);
}

static void fbcon_draw_glyph(struct fbcon *c, unsigned col, unsigned row, unsigned char ch)
{
	const uint8_t *glyph = fbcon_font_glyphs[ch];
	unsigned bpp = fbcon_bytes_pp(c);
	uint32_t x0 = col * FBCON_FONT_WIDTH;
	uint32_t y0 = row * FBCON_FONT_HEIGHT;

	for (unsigned y = 0; y < FBCON_FONT_HEIGHT; y++) {
		uint8_t *p = fbcon_pixel(c, x0, y0 + y);

		for (unsigned x = 0; x < FBCON_FONT_WIDTH; x++, p += bpp)
			fbcon_put_pixel(p, bpp, glyph[y] & (FBCON_GLYPH_MSB >> x) ? c->fg : c->bg);
	}
}

static void fbcon_clear_text_row(struct fbcon *c, unsigned row)
{
	uint32_t y0 = row * FBCON_FONT_HEIGHT;

	for (uint32_t y = y0; y < y0 + FBCON_FONT_HEIGHT; y++)
		fbcon_fill_span(c, 0, y, c->cols * FBCON_FONT_WIDTH, c->bg);
}

/* Move every text row up by one (pixel row by pixel row) and blank the last. */
static void fbcon_scroll(struct fbcon *c)
{
	size_t span = (size_t)c->cols * FBCON_FONT_WIDTH * fbcon_bytes_pp(c);
	uint32_t text_lines = (c->rows - 1) * FBCON_FONT_HEIGHT;

	for (uint32_t y = 0; y < text_lines; y++)
		memmove(fbcon_pixel(c, 0, y), fbcon_pixel(c, 0, y + FBCON_FONT_HEIGHT), span);
	fbcon_clear_text_row(c, c->rows - 1);
}

static void fbcon_newline(struct fbcon *c)
{
	c->col = 0;
	if (c->row + 1 < c->rows)
		c->row++;
	else
		fbcon_scroll(c);
}

static void fbcon_putc(struct fbcon *c, unsigned char ch)
{
	if (c->col >= c->cols)
		fbcon_newline(c);
	fbcon_draw_glyph(c, c->col, c->row, ch);
	c->col++;
}

static void fbcon_tab(struct fbcon *c)
{
	unsigned stop;

	if (c->col >= c->cols)
		fbcon_newline(c);
	stop = (c->col / FBCON_TAB_WIDTH + 1) * FBCON_TAB_WIDTH;
	if (stop > c->cols)
		stop = c->cols;
	while (c->col < stop)
		fbcon_putc(c, ' ');
}

static void fbcon_emit(struct fbcon *c, unsigned char ch)
{
	switch (ch) {
	case '\n':
		fbcon_newline(c);
		break;
	case '\r':
		c->col = 0;
		break;
	case '\t':
		fbcon_tab(c);
		break;
	case '\b':
		if (c->col > 0)
			c->col--;
		break;
	default:
		if (ch < FBCON_FIRST_PRINTABLE || ch > FBCON_LAST_PRINTABLE)
			ch = FBCON_UNPRINTABLE;
		fbcon_putc(c, ch);
		break;
	}
}

void fbcon_write(struct fbcon *c, const char *s, int len)
{
	for (int i = 0; i < len; i++)
		fbcon_emit(c, (unsigned char)s[i]);
}

void fbcon_set_colour(struct fbcon *c, uint32_t rgb_fg, uint32_t rgb_bg)
{
	c->fg = rgb_fg;
	c->bg = rgb_bg;
}

uint32_t fbcon_level_colour(int level)
{
	if (level < LOG_ERR)
		return FBCON_COLOUR_EMERG;
	if (level == LOG_ERR)
		return FBCON_COLOUR_ERR;
	if (level == LOG_WARN)
		return FBCON_COLOUR_WARN;
	if (level < LOG_DEBUG)
		return FBCON_COLOUR_INFO;
	return FBCON_COLOUR_DEBUG;
}

static enum err fbcon_check(void *base, uint32_t width, uint32_t height, uint32_t pitch,
			    uint8_t bpp)
{
	if (bpp != FBCON_BPP_24 && bpp != FBCON_BPP_32) {
		pr_warn("fbcon: framebuffer has %u bits per pixel; the screen console draws only "
			"24 or 32, so output stays on the serial port (pick a 24/32-bit mode, "
			"e.g. GRUB 'set gfxmode=1024x768x32')\n", bpp);
		return E_NOTSUP;
	}
	if (!base) {
		pr_warn("fbcon: framebuffer address is 0; screen console off\n");
		return E_INVAL;
	}
	if (width < FBCON_FONT_WIDTH || height < FBCON_FONT_HEIGHT ||
	    pitch < (uint64_t)width * (bpp / FBCON_BITS_PER_BYTE)) {
		pr_warn("fbcon: framebuffer %ux%u, %u bpp, pitch %u bytes cannot hold one %ux%u "
			"character with pitch >= width * bytes per pixel; screen console off\n",
			width, height, bpp, pitch, FBCON_FONT_WIDTH, FBCON_FONT_HEIGHT);
		return E_INVAL;
	}
	return E_OK;
}

enum err fbcon_init(struct fbcon *c, void *base, uint32_t width, uint32_t height,
		    uint32_t pitch, uint8_t bpp)
{
	enum err e = fbcon_check(base, width, height, pitch, bpp);

	if (e != E_OK)
		return e;
	*c = (struct fbcon){
		.base = base,
		.width = width,
		.height = height,
		.pitch = pitch,
		.bpp = bpp,
		.cols = width / FBCON_FONT_WIDTH,
		.rows = height / FBCON_FONT_HEIGHT,
		.fg = FBCON_DEFAULT_FG,
		.bg = FBCON_DEFAULT_BG,
	};
	for (uint32_t y = 0; y < height; y++)
		fbcon_fill_span(c, 0, y, width, c->bg);
	return E_OK;
}

enum err fbcon_start(const struct mb2_framebuffer *fb)
{
	enum err e;

	fbcon_kernel_started = false;
	if (!fb->present)
		return E_NOENT;
	/* Multiboot2 spec 3.6 "Framebuffer info": type 1 is direct RGB colour. */
	if (fb->type != MB2_FB_RGB) {
		pr_warn("fbcon: framebuffer type %u is not direct RGB (0 = indexed, 2 = EGA "
			"text); output stays on the serial port (boot by UEFI, or by BIOS with "
			"GRUB 'set gfxpayload=keep' and a 24/32-bit gfxmode)\n", fb->type);
		return E_NOTSUP;
	}
	e = fbcon_init(&fbcon_kernel, (void *)(uintptr_t)fb->addr, fb->width, fb->height,
		       fb->pitch, fb->bpp);
	fbcon_kernel_started = e == E_OK;
	return e;
}

void fbcon_console_write(const char *s, int len)
{
	if (fbcon_kernel_started)
		fbcon_write(&fbcon_kernel, s, len);
}

struct fbcon *fbcon_console(void)
{
	return fbcon_kernel_started ? &fbcon_kernel : NULL;
}
