/* SPDX-License-Identifier: MIT */
/*
 * Framebuffer text console: draws printk output with a built-in 8x16 bitmap
 * font into a linear 24- or 32-bpp framebuffer of any RGB channel layout,
 * with wrapping and scrolling. The text lives in a character grid in RAM;
 * the framebuffer is only ever written, never read. The rendering works on
 * any memory, so host tests drive it directly.
 */
#ifndef VIREO_KERNEL_FBCON_H
#define VIREO_KERNEL_FBCON_H

#include <stddef.h>
#include <stdint.h>
#include "boot/mb2.h"
#include "lib/error.h"

#define FBCON_FONT_GLYPHS 256
#define FBCON_FONT_WIDTH 8
#define FBCON_FONT_HEIGHT 16
#define FBCON_TAB_WIDTH 8

/* Default colours (0xRRGGBB): light grey on black. */
#define FBCON_DEFAULT_FG 0xc0c0c0u
#define FBCON_DEFAULT_BG 0x000000u

/* Distinct colours a console holds at once (a cell stores two 4-bit indexes). */
#define FBCON_PALETTE_SIZE 16

/*
 * Cells of the kernel console's grid: a 5120x2880 (5K) screen with this
 * font, 225 KiB. A larger screen gets a console of this many cells in its
 * top-left corner.
 */
#define FBCON_KERNEL_MAX_WIDTH 5120
#define FBCON_KERNEL_MAX_HEIGHT 2880
#define FBCON_KERNEL_COLS (FBCON_KERNEL_MAX_WIDTH / FBCON_FONT_WIDTH)
#define FBCON_KERNEL_ROWS (FBCON_KERNEL_MAX_HEIGHT / FBCON_FONT_HEIGHT)
#define FBCON_KERNEL_CELLS (FBCON_KERNEL_COLS * FBCON_KERNEL_ROWS)

/*
 * The font, generated at build time by tools/mkfont.sh from a PSF file:
 * one byte per pixel row, most significant bit leftmost, indexed by ASCII
 * code. Only 0x20..0x7e are defined; other entries are blank.
 */
extern const uint8_t fbcon_font_glyphs[FBCON_FONT_GLYPHS][FBCON_FONT_HEIGHT];
extern const unsigned int fbcon_font_width;
extern const unsigned int fbcon_font_height;

/* One colour of a pixel: its lowest bit and its width in bits. */
struct fbcon_channel {
	uint8_t pos;
	uint8_t size;
};

/* Where red, green and blue sit in a pixel read as a little-endian integer. */
struct fbcon_layout {
	struct fbcon_channel red, green, blue;
};

/* The usual x86 layout, 0x00RRGGBB: bytes B, G, R (and X at 32 bpp). */
#define FBCON_LAYOUT_XRGB ((struct fbcon_layout){{16, 8}, {8, 8}, {0, 8}})

/* A framebuffer as the boot loader describes it. */
struct fbcon_mode {
	void *base;
	uint32_t width, height, pitch;
	uint8_t bpp;
	struct fbcon_layout layout;
};

/* One text cell: its character and the palette indexes of its colours. */
struct fbcon_cell {
	uint8_t ch;
	uint8_t attr; /* foreground index in bits 0-3, background in bits 4-7 */
};

/*
 * One console on one framebuffer. @col may equal @cols: the cursor is past
 * the last column and the next printable character wraps to a new line.
 * @fg and @bg are the colours (0xRRGGBB) of the text that follows. @cells
 * (@cols * @rows, row-major) is what the screen shows; drawing compares with
 * it and writes only the cells that change.
 */
struct fbcon {
	uint8_t *base;
	uint32_t width, height, pitch;
	uint8_t bpp;
	struct fbcon_layout layout;
	unsigned cols, rows, col, row;
	uint32_t fg, bg;
	uint8_t attr;
	struct fbcon_cell *cells;
	unsigned palette_used;
	uint32_t palette_rgb[FBCON_PALETTE_SIZE];
	uint32_t palette_px[FBCON_PALETTE_SIZE]; /* the same colours as pixel values */
};

/*
 * Set up @c on the framebuffer @m with the grid @cells of @ncells cells, and
 * clear the screen to the background colour. The console has
 * min(width / 8, ncells) columns and as many rows as fit both the screen and
 * the grid. Returns E_NOTSUP (with a warning that says why) for a depth
 * other than 24 or 32 bpp or a colour layout that does not fit the pixel,
 * E_INVAL for a null base, a pitch shorter than a pixel row, a screen smaller
 * than one character or no grid.
 */
enum err fbcon_init(struct fbcon *c, const struct fbcon_mode *m, struct fbcon_cell *cells,
		    size_t ncells);

/*
 * Draw @len bytes of @s at the cursor. Handles \n (to the start of the next
 * line), \r, \t (blanks up to the next multiple of 8 columns) and \b (one
 * column left, not past column 0). Wraps after the last column, scrolls up
 * one text row at the bottom. Other bytes outside 0x20..0x7e show as '?'.
 */
void fbcon_write(struct fbcon *c, const char *s, int len);

/*
 * Colours for the following text, 0xRRGGBB each. Up to FBCON_PALETTE_SIZE
 * colours are kept exactly; past that a colour no cell shows any more is
 * replaced, and if every one is on screen the nearest one is used.
 */
void fbcon_set_colour(struct fbcon *c, uint32_t rgb_fg, uint32_t rgb_bg);

/* The pixel value of @rgb (0xRRGGBB) in @layout, whose channels are 0..16 bits inside 32. */
uint32_t fbcon_pixel_value(const struct fbcon_layout *layout, uint32_t rgb);

/* The foreground colour (0xRRGGBB) for a message of log level @level. */
uint32_t fbcon_level_colour(int level);

/*
 * The kernel's screen console. fbcon_start() draws on the framebuffer that
 * Multiboot2 reported, with the colour positions of its tag (the x86 layout
 * when the tag has none); it maps nothing (the caller maps the range first,
 * write-combining or uncached) and registers nothing with printk. Returns
 * E_NOENT when there is no framebuffer, E_NOTSUP for a non-RGB type, an
 * unsupported depth or colour layout, E_INVAL for impossible geometry.
 */
enum err fbcon_start(const struct mb2_framebuffer *fb);

/* Write to the kernel's screen console; does nothing until it has started. */
void fbcon_console_write(const char *s, int len);

/* The kernel's screen console, or NULL when it has not started. */
struct fbcon *fbcon_console(void);

#endif
