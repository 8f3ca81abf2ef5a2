/* SPDX-License-Identifier: MIT */
/*
 * Framebuffer text console: the character grid in RAM, cursor movement,
 * wrapping and scrolling on it, and glyph drawing of the cells that change,
 * plus the kernel's single screen console that printk mirrors its output to.
 * The framebuffer is only written (mmio_write), never read: scrolling moves
 * the grid and redraws from it. Only pixels inside the visible width are
 * ever written; the padding up to the pitch is left alone.
 */
#include "kernel/fbcon.h"
#include "arch/x86/mmio.h"
#include "lib/printk.h"

#define FBCON_BPP_24 24
#define FBCON_BPP_32 32
#define FBCON_BITS_PER_BYTE 8
#define FBCON_MAX_BYTES_PP (FBCON_BPP_32 / FBCON_BITS_PER_BYTE)
#define FBCON_GLYPH_MSB 0x80u
#define FBCON_FIRST_PRINTABLE 0x20
#define FBCON_LAST_PRINTABLE 0x7e
#define FBCON_UNPRINTABLE '?'
#define FBCON_BLANK ' '
/* Pixels written per store while clearing the screen. */
#define FBCON_CLEAR_CHUNK 64
/* A colour channel is 1..16 bits wide; 8 bits of 0xRRGGBB are scaled to it. */
#define FBCON_CHANNEL_MAX_BITS 16
#define FBCON_COLOUR_BITS 8
#define FBCON_ATTR_BG_SHIFT 4
#define FBCON_ATTR_INDEX_MASK 0xfu
#define FBCON_NO_INDEX FBCON_PALETTE_SIZE

/* Log-level colours, 0xRRGGBB. */
#define FBCON_COLOUR_EMERG 0xff5555u
#define FBCON_COLOUR_ERR 0xd03030u
#define FBCON_COLOUR_WARN 0xe0e040u
#define FBCON_COLOUR_INFO FBCON_DEFAULT_FG
#define FBCON_COLOUR_DEBUG 0x808080u

_Static_assert(FBCON_PALETTE_SIZE <= FBCON_ATTR_INDEX_MASK + 1,
	       "a palette index fits in half of a cell's attribute byte");

static struct fbcon fbcon_kernel;
static struct fbcon_cell fbcon_kernel_cells[FBCON_KERNEL_CELLS];
static bool fbcon_kernel_started;

/* ---- colours ------------------------------------------------------------ */

/* Scale the 8-bit colour value @v to @ch's width and move it to its place. */
static uint32_t fbcon_channel_value(uint8_t v, struct fbcon_channel ch)
{
	uint32_t x;

	if (ch.size <= FBCON_COLOUR_BITS)
		x = (uint32_t)v >> (FBCON_COLOUR_BITS - ch.size);
	else /* widen by repeating the top bits, so 0xff stays full scale */
		x = (uint32_t)v << (ch.size - FBCON_COLOUR_BITS) |
		    (uint32_t)v >> (2 * FBCON_COLOUR_BITS - ch.size);
	return x << ch.pos;
}

uint32_t fbcon_pixel_value(const struct fbcon_layout *layout, uint32_t rgb)
{
	return fbcon_channel_value((uint8_t)(rgb >> 16), layout->red) |
	       fbcon_channel_value((uint8_t)(rgb >> 8), layout->green) |
	       fbcon_channel_value((uint8_t)rgb, layout->blue);
}

static uint32_t fbcon_channel_mask(struct fbcon_channel ch)
{
	return (uint32_t)((1ull << ch.size) - 1) << ch.pos;
}

static bool fbcon_channel_fits(struct fbcon_channel ch, uint8_t bpp)
{
	return ch.size >= 1 && ch.size <= FBCON_CHANNEL_MAX_BITS && ch.pos + ch.size <= bpp;
}

/* Every channel inside the pixel, none overlapping another. */
static bool fbcon_layout_fits(const struct fbcon_layout *l, uint8_t bpp)
{
	uint32_t r, g, b;

	if (!fbcon_channel_fits(l->red, bpp) || !fbcon_channel_fits(l->green, bpp) ||
	    !fbcon_channel_fits(l->blue, bpp))
		return false;
	r = fbcon_channel_mask(l->red);
	g = fbcon_channel_mask(l->green);
	b = fbcon_channel_mask(l->blue);
	return !(r & g) && !(r & b) && !(g & b);
}

/* ---- the palette: colours the cells refer to by index --------------------- */

static unsigned fbcon_fg_index(uint8_t attr)
{
	return attr & FBCON_ATTR_INDEX_MASK;
}

static unsigned fbcon_bg_index(uint8_t attr)
{
	return attr >> FBCON_ATTR_BG_SHIFT;
}

static size_t fbcon_ncells(const struct fbcon *c)
{
	return (size_t)c->cols * c->rows;
}

/* An index no cell uses and that is not @keep, or FBCON_NO_INDEX. */
static unsigned fbcon_palette_unused(const struct fbcon *c, unsigned keep)
{
	uint32_t used = keep < FBCON_PALETTE_SIZE ? 1u << keep : 0;

	for (size_t i = 0; i < fbcon_ncells(c); i++)
		used |= 1u << fbcon_fg_index(c->cells[i].attr) |
			1u << fbcon_bg_index(c->cells[i].attr);
	for (unsigned i = 0; i < FBCON_PALETTE_SIZE; i++) {
		if (!(used & 1u << i))
			return i;
	}
	return FBCON_NO_INDEX;
}

static uint32_t fbcon_colour_distance(uint32_t a, uint32_t b)
{
	uint32_t d = 0;

	for (unsigned shift = 0; shift < 3 * FBCON_COLOUR_BITS; shift += FBCON_COLOUR_BITS) {
		int x = (int)((a >> shift) & 0xff) - (int)((b >> shift) & 0xff);

		d += (uint32_t)(x * x);
	}
	return d;
}

static unsigned fbcon_palette_nearest(const struct fbcon *c, uint32_t rgb)
{
	unsigned best = 0;

	for (unsigned i = 1; i < c->palette_used; i++) {
		if (fbcon_colour_distance(c->palette_rgb[i], rgb) <
		    fbcon_colour_distance(c->palette_rgb[best], rgb))
			best = i;
	}
	return best;
}

/* The palette index of @rgb, added if there is room; @keep must not be replaced. */
static unsigned fbcon_palette_index(struct fbcon *c, uint32_t rgb, unsigned keep)
{
	unsigned i;

	for (i = 0; i < c->palette_used; i++) {
		if (c->palette_rgb[i] == rgb)
			return i;
	}
	if (c->palette_used < FBCON_PALETTE_SIZE)
		i = c->palette_used++;
	else
		i = fbcon_palette_unused(c, keep);
	if (i == FBCON_NO_INDEX)
		return fbcon_palette_nearest(c, rgb);
	c->palette_rgb[i] = rgb;
	c->palette_px[i] = fbcon_pixel_value(&c->layout, rgb);
	return i;
}

void fbcon_set_colour(struct fbcon *c, uint32_t rgb_fg, uint32_t rgb_bg)
{
	unsigned fg = fbcon_palette_index(c, rgb_fg, FBCON_NO_INDEX);
	unsigned bg = fbcon_palette_index(c, rgb_bg, fg);

	c->fg = rgb_fg;
	c->bg = rgb_bg;
	c->attr = (uint8_t)(fg | bg << FBCON_ATTR_BG_SHIFT);
}

/* ---- drawing: framebuffer stores only ------------------------------------ */

static unsigned fbcon_bytes_pp(const struct fbcon *c)
{
	return c->bpp / FBCON_BITS_PER_BYTE;
}

static uint8_t *fbcon_pixel(const struct fbcon *c, uint32_t x, uint32_t y)
{
	return c->base + (size_t)y * c->pitch + (size_t)x * fbcon_bytes_pp(c);
}

/* Put pixel value @px into a RAM buffer, lowest byte first. */
static void fbcon_put_px(uint8_t *p, unsigned bytes_pp, uint32_t px)
{
	for (unsigned i = 0; i < bytes_pp; i++)
		p[i] = (uint8_t)(px >> (i * FBCON_BITS_PER_BYTE));
}

/* Fill every visible pixel with @px, a chunk of pixels per store. */
static void fbcon_clear_screen(struct fbcon *c, uint32_t px)
{
	uint8_t chunk[FBCON_CLEAR_CHUNK * FBCON_MAX_BYTES_PP];
	unsigned bpp = fbcon_bytes_pp(c);

	for (unsigned i = 0; i < FBCON_CLEAR_CHUNK; i++)
		fbcon_put_px(chunk + i * bpp, bpp, px);
	for (uint32_t y = 0; y < c->height; y++) {
		for (uint32_t x = 0; x < c->width; x += FBCON_CLEAR_CHUNK) {
			uint32_t n = c->width - x < FBCON_CLEAR_CHUNK ? c->width - x :
									 FBCON_CLEAR_CHUNK;

			mmio_write(fbcon_pixel(c, x, y), chunk, (size_t)n * bpp);
		}
	}
}

static struct fbcon_cell *fbcon_cell_at(const struct fbcon *c, unsigned col, unsigned row)
{
	return &c->cells[(size_t)row * c->cols + col];
}

/* Draw cell (@col, @row) from the grid, one store per pixel row of the glyph. */
static void fbcon_draw_cell(struct fbcon *c, unsigned col, unsigned row)
{
	const struct fbcon_cell *cell = fbcon_cell_at(c, col, row);
	const uint8_t *glyph = fbcon_font_glyphs[cell->ch];
	uint32_t fg = c->palette_px[fbcon_fg_index(cell->attr)];
	uint32_t bg = c->palette_px[fbcon_bg_index(cell->attr)];
	uint8_t line[FBCON_FONT_WIDTH * FBCON_MAX_BYTES_PP];
	uint8_t *dst = fbcon_pixel(c, col * FBCON_FONT_WIDTH, row * FBCON_FONT_HEIGHT);
	unsigned bpp = fbcon_bytes_pp(c);

	for (unsigned y = 0; y < FBCON_FONT_HEIGHT; y++, dst += c->pitch) {
		for (unsigned x = 0; x < FBCON_FONT_WIDTH; x++)
			fbcon_put_px(line + x * bpp, bpp,
				     glyph[y] & (FBCON_GLYPH_MSB >> x) ? fg : bg);
		mmio_write(dst, line, FBCON_FONT_WIDTH * bpp);
	}
}

/* Same pixels: same character and colours, or blanks on the same background. */
static bool fbcon_cells_look_alike(struct fbcon_cell a, struct fbcon_cell b)
{
	if (a.ch == b.ch && a.attr == b.attr)
		return true;
	return a.ch == FBCON_BLANK && b.ch == FBCON_BLANK &&
	       fbcon_bg_index(a.attr) == fbcon_bg_index(b.attr);
}

/* Give cell (@col, @row) new contents, drawing it only if its pixels change. */
static void fbcon_set_cell(struct fbcon *c, unsigned col, unsigned row, struct fbcon_cell v)
{
	struct fbcon_cell *cell = fbcon_cell_at(c, col, row);

	if (fbcon_cells_look_alike(*cell, v))
		return;
	*cell = v;
	fbcon_draw_cell(c, col, row);
}

/* ---- text: cursor, wrapping, scrolling ------------------------------------- */

/*
 * Move every text row of the grid up by one and blank the last, redrawing
 * only the cells whose pixels change; the framebuffer is never read back.
 */
static void fbcon_scroll(struct fbcon *c)
{
	struct fbcon_cell blank = {FBCON_BLANK, c->attr};

	for (unsigned row = 0; row + 1 < c->rows; row++) {
		for (unsigned col = 0; col < c->cols; col++)
			fbcon_set_cell(c, col, row, *fbcon_cell_at(c, col, row + 1));
	}
	for (unsigned col = 0; col < c->cols; col++)
		fbcon_set_cell(c, col, c->rows - 1, blank);
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
	fbcon_set_cell(c, c->col, c->row, (struct fbcon_cell){ch, c->attr});
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
		fbcon_putc(c, FBCON_BLANK);
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

/* ---- set-up ----------------------------------------------------------------- */

static enum err fbcon_check(const struct fbcon_mode *m, size_t ncells)
{
	const struct fbcon_layout *l = &m->layout;

	if (m->bpp != FBCON_BPP_24 && m->bpp != FBCON_BPP_32) {
		pr_warn("fbcon: framebuffer has %u bits per pixel; the screen console draws only "
			"24 or 32, so output stays on the serial port (pick a 24/32-bit mode, "
			"e.g. GRUB 'set gfxmode=1024x768x32')\n", m->bpp);
		return E_NOTSUP;
	}
	if (!fbcon_layout_fits(l, m->bpp)) {
		pr_warn("fbcon: colour layout red %u:%u, green %u:%u, blue %u:%u (position:bits) "
			"does not fit a %u-bit pixel; screen console off\n", l->red.pos,
			l->red.size, l->green.pos, l->green.size, l->blue.pos, l->blue.size,
			m->bpp);
		return E_NOTSUP;
	}
	if (!m->base) {
		pr_warn("fbcon: framebuffer address is 0; screen console off\n");
		return E_INVAL;
	}
	if (m->width < FBCON_FONT_WIDTH || m->height < FBCON_FONT_HEIGHT ||
	    m->pitch < (uint64_t)m->width * (m->bpp / FBCON_BITS_PER_BYTE)) {
		pr_warn("fbcon: framebuffer %ux%u, %u bpp, pitch %u bytes cannot hold one %ux%u "
			"character with pitch >= width * bytes per pixel; screen console off\n",
			m->width, m->height, m->bpp, m->pitch, FBCON_FONT_WIDTH, FBCON_FONT_HEIGHT);
		return E_INVAL;
	}
	if (!ncells)
		return E_INVAL;
	return E_OK;
}

enum err fbcon_init(struct fbcon *c, const struct fbcon_mode *m, struct fbcon_cell *cells,
		    size_t ncells)
{
	enum err e = fbcon_check(m, cells ? ncells : 0);
	unsigned cols, rows;

	if (e != E_OK)
		return e;
	cols = m->width / FBCON_FONT_WIDTH;
	if (cols > ncells)
		cols = (unsigned)ncells;
	rows = m->height / FBCON_FONT_HEIGHT;
	if (rows > ncells / cols)
		rows = (unsigned)(ncells / cols);
	*c = (struct fbcon){
		.base = m->base,
		.width = m->width,
		.height = m->height,
		.pitch = m->pitch,
		.bpp = m->bpp,
		.layout = m->layout,
		.cols = cols,
		.rows = rows,
		.cells = cells,
	};
	fbcon_set_colour(c, FBCON_DEFAULT_FG, FBCON_DEFAULT_BG);
	for (size_t i = 0; i < fbcon_ncells(c); i++)
		cells[i] = (struct fbcon_cell){FBCON_BLANK, c->attr};
	fbcon_clear_screen(c, c->palette_px[fbcon_bg_index(c->attr)]);
	return E_OK;
}

static struct fbcon_layout fbcon_mb2_layout(const struct mb2_framebuffer *fb)
{
	if (!fb->has_rgb) {
		pr_info("fbcon: the framebuffer tag gives no colour positions; assuming red bits "
			"16-23, green 8-15, blue 0-7\n");
		return FBCON_LAYOUT_XRGB;
	}
	return (struct fbcon_layout){
		.red = {fb->red.pos, fb->red.size},
		.green = {fb->green.pos, fb->green.size},
		.blue = {fb->blue.pos, fb->blue.size},
	};
}

enum err fbcon_start(const struct mb2_framebuffer *fb)
{
	struct fbcon_mode m;
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
	m = (struct fbcon_mode){
		.base = (void *)(uintptr_t)fb->addr,
		.width = fb->width,
		.height = fb->height,
		.pitch = fb->pitch,
		.bpp = fb->bpp,
		.layout = fbcon_mb2_layout(fb),
	};
	e = fbcon_init(&fbcon_kernel, &m, fbcon_kernel_cells, FBCON_KERNEL_CELLS);
	fbcon_kernel_started = e == E_OK;
	if (e == E_OK && (fbcon_kernel.cols < fb->width / FBCON_FONT_WIDTH ||
			  fbcon_kernel.rows < fb->height / FBCON_FONT_HEIGHT))
		pr_info("fbcon: the console uses %u x %u characters of the %ux%u screen (its grid "
			"holds %u)\n", fbcon_kernel.cols, fbcon_kernel.rows, fb->width, fb->height,
			FBCON_KERNEL_CELLS);
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
