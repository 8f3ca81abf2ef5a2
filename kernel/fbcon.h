/* SPDX-License-Identifier: MIT */
/*
 * Framebuffer text console: draws printk output with a built-in 8x16 bitmap
 * font into a linear 24- or 32-bpp framebuffer, with wrapping and scrolling.
 * The rendering works on any memory buffer, so host tests drive it directly.
 */
#ifndef VIREO_KERNEL_FBCON_H
#define VIREO_KERNEL_FBCON_H

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

/*
 * The font, generated at build time by tools/mkfont.sh from a PSF file:
 * one byte per pixel row, most significant bit leftmost, indexed by ASCII
 * code. Only 0x20..0x7e are defined; other entries are blank.
 */
extern const uint8_t fbcon_font_glyphs[FBCON_FONT_GLYPHS][FBCON_FONT_HEIGHT];
extern const unsigned int fbcon_font_width;
extern const unsigned int fbcon_font_height;

/*
 * One console on one framebuffer. @col may equal @cols: the cursor is past
 * the last column and the next printable character wraps to a new line.
 * @fg and @bg are 0xRRGGBB, which is also the pixel value in the supported
 * layouts (blue in the lowest byte, then green, then red).
 */
struct fbcon {
	uint8_t *base;
	uint32_t width, height, pitch;
	uint8_t bpp;
	unsigned cols, rows, col, row;
	uint32_t fg, bg;
};

/*
 * Set up @c on the framebuffer at @base (@pitch bytes per pixel row) and
 * clear it to the background colour. Returns E_NOTSUP (with a warning that
 * says why) for a depth other than 24 or 32 bpp, E_INVAL for a null base,
 * a pitch shorter than a pixel row or a screen smaller than one character.
 */
enum err fbcon_init(struct fbcon *c, void *base, uint32_t width, uint32_t height,
		    uint32_t pitch, uint8_t bpp);

/*
 * Draw @len bytes of @s at the cursor. Handles \n (to the start of the next
 * line), \r, \t (blanks up to the next multiple of 8 columns) and \b (one
 * column left, not past column 0). Wraps after the last column, scrolls up
 * one text row at the bottom. Other bytes outside 0x20..0x7e show as '?'.
 */
void fbcon_write(struct fbcon *c, const char *s, int len);

/* Colours for the following text, 0xRRGGBB each. */
void fbcon_set_colour(struct fbcon *c, uint32_t rgb_fg, uint32_t rgb_bg);

/* The foreground colour (0xRRGGBB) for a message of log level @level. */
uint32_t fbcon_level_colour(int level);

/*
 * The kernel's screen console. fbcon_start() draws on the framebuffer that
 * Multiboot2 reported; it maps nothing (the caller maps the range first,
 * write-combining or uncached) and registers nothing with printk. Returns
 * E_NOENT when there is no framebuffer, E_NOTSUP for a non-RGB type or an
 * unsupported depth, E_INVAL for impossible geometry.
 */
enum err fbcon_start(const struct mb2_framebuffer *fb);

/* Write to the kernel's screen console; does nothing until it has started. */
void fbcon_console_write(const char *s, int len);

/* The kernel's screen console, or NULL when it has not started. */
struct fbcon *fbcon_console(void);

#endif
