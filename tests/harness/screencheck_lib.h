/* SPDX-License-Identifier: MIT */
/*
 * Host-side screen checker: loads a binary PPM screen dump (QEMU monitor
 * `screendump`), splits it into foreground/background pixels on the 8x16
 * text-cell grid of the framebuffer console, and finds text lines on it by
 * comparing cells with the console's own glyph table, and tells the colour a
 * line is drawn in. No OCR: exact glyphs.
 */
#ifndef VIREO_TESTS_SCREENCHECK_LIB_H
#define VIREO_TESTS_SCREENCHECK_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

#define SC_CELL_W 8
#define SC_CELL_H 16
#define SC_CELL_PIXELS (SC_CELL_W * SC_CELL_H)
#define SC_MAX_DIM 8192u	 /* largest width or height accepted */
#define SC_CELL_MATCH_PCT 95	 /* a cell matches when this % of its pixels agree */
#define SC_DEFAULT_THRESHOLD 48u /* max per-channel difference still "background" */
#define SC_MSG_LEN 256

/* One glyph: row r is byte r, bit 7 is the leftmost pixel. */
typedef uint8_t sc_glyph_t[SC_CELL_H];

struct sc_image {
	uint32_t width;
	uint32_t height;
	uint8_t *rgb; /* width * height * 3 bytes, row-major, R G B; owned */
};

/* The thresholded screen: one glyph-shaped bitmap per full text cell. */
struct sc_mask {
	uint32_t cols;
	uint32_t rows;
	sc_glyph_t *cells; /* rows * cols cells, row-major; set bit = foreground */
};

/* Where a text line was found, or its best partial match when it was not. */
struct sc_match {
	bool found;
	uint32_t row;	/* cell row (0-based) of the best position */
	uint32_t col;	/* cell column (0-based) of the best position */
	size_t matched; /* characters that matched there */
	size_t len;	/* characters in the text */
};

/*
 * Parses a binary PPM (P6, maxval 255) held in buf. On failure returns
 * E_BADSIG, E_NOTSUP, E_MALFORMED, E_RANGE, E_TRUNC or E_NOMEM and writes
 * a sentence into msg (msg_len bytes; may be NULL).
 */
enum err sc_ppm_parse(const uint8_t *buf, size_t len, struct sc_image *img, char *msg,
		      size_t msg_len);
/* Reads and parses a PPM file; E_NOENT when it cannot be opened or read. */
enum err sc_ppm_load(const char *path, struct sc_image *img, char *msg, size_t msg_len);
void sc_image_free(struct sc_image *img);

/* The most common colour (0xRRGGBB; lowest value on ties). E_NOMEM or E_INVAL. */
enum err sc_background(const struct sc_image *img, uint32_t *rgb);
/* True when the pixel differs from bg by more than threshold in any channel. */
bool sc_is_foreground(const uint8_t *pixel, uint32_t bg, unsigned int threshold);

/* Thresholds every full 8x16 cell; partial cells at the right/bottom edge are dropped. */
enum err sc_mask_build(const struct sc_image *img, uint32_t bg, unsigned int threshold,
		       struct sc_mask *mask);
void sc_mask_free(struct sc_mask *mask);

/* Pixels (0..128) of cell (row, col) that agree with glyph. */
unsigned int sc_cell_agreement(const struct sc_mask *mask, uint32_t row, uint32_t col,
			       const uint8_t *glyph);
bool sc_cell_matches(const struct sc_mask *mask, uint32_t row, uint32_t col, const uint8_t *glyph);

/*
 * Searches every cell position for text (one line, no newlines). out gets the
 * first full match in row-major order, else the first position with the most
 * matching characters. Empty text counts as found at (0,0).
 */
void sc_find_text(const struct sc_mask *mask, const sc_glyph_t *glyphs, const char *text,
		  struct sc_match *out);

/*
 * The most common colour (0xRRGGBB) of the foreground pixels in the cells of
 * a found match m: the colour the text is drawn in. E_INVAL when m was not
 * found or lies outside the mask, E_NOENT when its cells have no foreground
 * pixel, E_NOMEM.
 */
enum err sc_text_colour(const struct sc_image *img, const struct sc_mask *mask,
			const struct sc_match *m, uint32_t *rgb);

/*
 * Writes row `row` as text into buf (at most buf_len - 1 characters): each
 * cell becomes the printable ASCII character whose glyph matches it best,
 * or '?' when none matches. For diagnostics only.
 */
void sc_decode_row(const struct sc_mask *mask, const sc_glyph_t *glyphs, uint32_t row, char *buf,
		   size_t buf_len);

#endif
