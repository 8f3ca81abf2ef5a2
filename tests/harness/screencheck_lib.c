/* SPDX-License-Identifier: MIT */
/*
 * Screen-dump checker core (host only): PPM P6 parsing, background colour,
 * per-cell foreground masks and glyph matching on the framebuffer console's
 * 8x16 grid. The console draws from pixel (0,0), so cells are never offset.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness/screencheck_lib.h"

#define PPM_CHANNELS 3u
#define PPM_MAXVAL 255u
#define PPM_NUMBER_MAX 99999999u /* header numbers beyond this are rejected */
#define PPM_MAX_HEADER 4096u	 /* generous bound on header bytes (comments) */
#define RGB(r, g, b) (((uint32_t)(r) << 16) | ((uint32_t)(g) << 8) | (uint32_t)(b))
#define COLOR_HASH_MIN 1024u
#define READ_CHUNK ((size_t)1 << 16)

static enum err fail(enum err e, char *msg, size_t msg_len, const char *fmt, ...)
{
	va_list ap;

	if (msg && msg_len) {
		va_start(ap, fmt);
		vsnprintf(msg, msg_len, fmt, ap);
		va_end(ap);
	}
	return e;
}

/* ---- PPM (netpbm P6): "P6" ws width ws height ws maxval one-ws data ---- */

struct ppm_cursor {
	const uint8_t *buf;
	size_t len;
	size_t pos;
};

static bool ppm_is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Skips whitespace and '#' comments (which run to the end of the line). */
static void ppm_skip_blank(struct ppm_cursor *c)
{
	while (c->pos < c->len) {
		if (ppm_is_space(c->buf[c->pos])) {
			c->pos++;
		} else if (c->buf[c->pos] == '#') {
			while (c->pos < c->len && c->buf[c->pos] != '\n')
				c->pos++;
		} else {
			return;
		}
	}
}

static enum err ppm_number(struct ppm_cursor *c, const char *what, uint32_t *out, char *msg,
			   size_t msg_len)
{
	uint32_t v = 0;
	size_t start;

	ppm_skip_blank(c);
	if (c->pos >= c->len)
		return fail(E_TRUNC, msg, msg_len, "PPM header ends before the %s", what);
	start = c->pos;
	while (c->pos < c->len && c->buf[c->pos] >= '0' && c->buf[c->pos] <= '9') {
		v = v * 10 + (uint32_t)(c->buf[c->pos] - '0');
		if (v > PPM_NUMBER_MAX)
			return fail(E_RANGE, msg, msg_len, "PPM %s has too many digits", what);
		c->pos++;
	}
	if (c->pos == start)
		return fail(E_MALFORMED, msg, msg_len,
			    "PPM header: expected the %s at byte %zu, found 0x%02x", what, start,
			    c->buf[start]);
	*out = v;
	return E_OK;
}

static enum err ppm_magic(const uint8_t *buf, size_t len, char *msg, size_t msg_len)
{
	if (len < 2)
		return fail(E_TRUNC, msg, msg_len, "file has %zu bytes: too short for a PPM", len);
	if (buf[0] == 'P' && buf[1] == '6')
		return E_OK;
	if (buf[0] == 'P' && buf[1] == '3')
		return fail(E_NOTSUP, msg, msg_len,
			    "ASCII PPM (P3) is not supported: need binary P6, as written by "
			    "QEMU's screendump");
	return fail(E_BADSIG, msg, msg_len,
		    "bad magic 0x%02x 0x%02x: not a binary PPM (expected \"P6\"); is it a PNG? "
		    "take the dump with screendump's default format",
		    buf[0], buf[1]);
}

static enum err ppm_header(struct ppm_cursor *c, struct sc_image *img, char *msg, size_t msg_len)
{
	uint32_t maxval;
	enum err e;

	e = ppm_number(c, "width", &img->width, msg, msg_len);
	if (e == E_OK)
		e = ppm_number(c, "height", &img->height, msg, msg_len);
	if (e == E_OK)
		e = ppm_number(c, "maxval", &maxval, msg, msg_len);
	if (e != E_OK)
		return e;
	if (img->width == 0 || img->height == 0 || img->width > SC_MAX_DIM ||
	    img->height > SC_MAX_DIM)
		return fail(E_RANGE, msg, msg_len, "PPM size %ux%u is outside 1..%u per side",
			    img->width, img->height, SC_MAX_DIM);
	if (maxval != PPM_MAXVAL)
		return fail(E_NOTSUP, msg, msg_len,
			    "PPM maxval %u is not supported: need %u (8 bits per channel)", maxval,
			    PPM_MAXVAL);
	if (c->pos >= c->len)
		return fail(E_TRUNC, msg, msg_len, "PPM header ends right after maxval");
	if (!ppm_is_space(c->buf[c->pos]))
		return fail(E_MALFORMED, msg, msg_len,
			    "PPM header: maxval is followed by 0x%02x, not whitespace",
			    c->buf[c->pos]);
	c->pos++;
	return E_OK;
}

enum err sc_ppm_parse(const uint8_t *buf, size_t len, struct sc_image *img, char *msg,
		      size_t msg_len)
{
	struct ppm_cursor c = {.buf = buf, .len = len, .pos = 2};
	size_t need;
	enum err e;

	memset(img, 0, sizeof(*img));
	e = ppm_magic(buf, len, msg, msg_len);
	if (e == E_OK)
		e = ppm_header(&c, img, msg, msg_len);
	if (e != E_OK)
		return e;
	need = (size_t)img->width * img->height * PPM_CHANNELS;
	if (len - c.pos < need)
		return fail(E_TRUNC, msg, msg_len,
			    "PPM pixel data truncated: %zu bytes present, %ux%ux3 = %zu needed",
			    len - c.pos, img->width, img->height, need);
	img->rgb = malloc(need);
	if (!img->rgb)
		return fail(E_NOMEM, msg, msg_len, "no memory for %zu bytes of pixels", need);
	memcpy(img->rgb, buf + c.pos, need);
	return E_OK;
}

/* Reads at most cap bytes of f into a malloc'd buffer; false on a read or memory error. */
static bool read_all(FILE *f, size_t cap, uint8_t **out, size_t *out_len)
{
	size_t size = 0, alloc = READ_CHUNK, n;
	uint8_t *buf = malloc(alloc), *grown;

	while (buf) {
		n = fread(buf + size, 1, alloc - size, f);
		size += n;
		if (n == 0 || size >= cap)
			break;
		if (size == alloc) {
			grown = realloc(buf, alloc * 2);
			if (!grown) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
			alloc *= 2;
		}
	}
	if (!buf || ferror(f)) {
		free(buf);
		return false;
	}
	*out = buf;
	*out_len = size;
	return true;
}

enum err sc_ppm_load(const char *path, struct sc_image *img, char *msg, size_t msg_len)
{
	const size_t cap = PPM_MAX_HEADER + (size_t)SC_MAX_DIM * SC_MAX_DIM * PPM_CHANNELS;
	uint8_t *buf;
	size_t size;
	FILE *f;
	enum err e;

	memset(img, 0, sizeof(*img));
	f = fopen(path, "rb");
	if (!f)
		return fail(E_NOENT, msg, msg_len, "cannot open %s: %s", path, strerror(errno));
	if (!read_all(f, cap, &buf, &size)) {
		e = fail(E_NOENT, msg, msg_len, "cannot read %s: %s", path,
			 errno ? strerror(errno) : "out of memory");
		fclose(f);
		return e;
	}
	fclose(f);
	e = sc_ppm_parse(buf, size, img, msg, msg_len);
	free(buf);
	return e;
}

void sc_image_free(struct sc_image *img)
{
	free(img->rgb);
	img->rgb = NULL;
}

/* ---- background colour: a small open-addressing histogram ---- */

struct color_hist {
	uint32_t *keys; /* colour + 1; 0 = empty slot */
	uint32_t *counts;
	size_t cap; /* power of two */
	size_t used;
};

static size_t color_slot(const struct color_hist *h, uint32_t key)
{
	size_t i = (key * 2654435761u) & (h->cap - 1);

	while (h->keys[i] && h->keys[i] != key)
		i = (i + 1) & (h->cap - 1);
	return i;
}

static bool color_hist_init(struct color_hist *h, size_t cap)
{
	h->cap = cap;
	h->used = 0;
	h->keys = calloc(cap, sizeof(*h->keys));
	h->counts = calloc(cap, sizeof(*h->counts));
	return h->keys && h->counts;
}

static void color_hist_free(struct color_hist *h)
{
	free(h->keys);
	free(h->counts);
}

static bool color_hist_grow(struct color_hist *h)
{
	struct color_hist big;
	size_t i, s;

	if (!color_hist_init(&big, h->cap * 2)) {
		color_hist_free(&big);
		return false;
	}
	for (i = 0; i < h->cap; i++) {
		if (!h->keys[i])
			continue;
		s = color_slot(&big, h->keys[i]);
		big.keys[s] = h->keys[i];
		big.counts[s] = h->counts[i];
	}
	big.used = h->used;
	color_hist_free(h);
	*h = big;
	return true;
}

static bool color_hist_add(struct color_hist *h, uint32_t rgb)
{
	uint32_t key = rgb + 1;
	size_t s;

	if (2 * (h->used + 1) > h->cap && !color_hist_grow(h))
		return false;
	s = color_slot(h, key);
	if (!h->keys[s]) {
		h->keys[s] = key;
		h->used++;
	}
	h->counts[s]++;
	return true;
}

static uint32_t color_hist_mode(const struct color_hist *h)
{
	uint32_t best_key = 0, best_count = 0;
	size_t i;

	for (i = 0; i < h->cap; i++) {
		if (!h->keys[i])
			continue;
		if (h->counts[i] > best_count ||
		    (h->counts[i] == best_count && h->keys[i] < best_key)) {
			best_count = h->counts[i];
			best_key = h->keys[i];
		}
	}
	return best_key - 1;
}

enum err sc_background(const struct sc_image *img, uint32_t *rgb)
{
	size_t i, npix;
	struct color_hist h;
	const uint8_t *p;

	if (!img->rgb || !img->width || !img->height)
		return E_INVAL;
	npix = (size_t)img->width * img->height;
	if (!color_hist_init(&h, COLOR_HASH_MIN)) {
		color_hist_free(&h);
		return E_NOMEM;
	}
	for (i = 0; i < npix; i++) {
		p = img->rgb + i * PPM_CHANNELS;
		if (!color_hist_add(&h, RGB(p[0], p[1], p[2]))) {
			color_hist_free(&h);
			return E_NOMEM;
		}
	}
	*rgb = color_hist_mode(&h);
	color_hist_free(&h);
	return E_OK;
}

/* ---- foreground masks on the cell grid ---- */

static bool mask_bit(const struct sc_mask *mask, uint32_t row, uint32_t col, uint32_t y,
		     uint32_t x)
{
	return mask->cells[(size_t)row * mask->cols + col][y] & (0x80u >> x);
}

static unsigned int channel_diff(uint8_t a, uint32_t b)
{
	return a > b ? a - b : b - a;
}

bool sc_is_foreground(const uint8_t *pixel, uint32_t bg, unsigned int threshold)
{
	return channel_diff(pixel[0], (bg >> 16) & 0xff) > threshold ||
	       channel_diff(pixel[1], (bg >> 8) & 0xff) > threshold ||
	       channel_diff(pixel[2], bg & 0xff) > threshold;
}

static void mask_cell(const struct sc_image *img, uint32_t bg, unsigned int threshold, uint32_t row,
		      uint32_t col, uint8_t *cell)
{
	const uint8_t *p;
	uint32_t y, x;

	for (y = 0; y < SC_CELL_H; y++) {
		p = img->rgb +
		    ((size_t)(row * SC_CELL_H + y) * img->width + col * SC_CELL_W) * PPM_CHANNELS;
		cell[y] = 0;
		for (x = 0; x < SC_CELL_W; x++, p += PPM_CHANNELS) {
			if (sc_is_foreground(p, bg, threshold))
				cell[y] |= (uint8_t)(0x80u >> x);
		}
	}
}

enum err sc_mask_build(const struct sc_image *img, uint32_t bg, unsigned int threshold,
		       struct sc_mask *mask)
{
	uint32_t row, col;

	memset(mask, 0, sizeof(*mask));
	if (!img->rgb)
		return E_INVAL;
	mask->cols = img->width / SC_CELL_W;
	mask->rows = img->height / SC_CELL_H;
	if (!mask->cols || !mask->rows)
		return E_OK;
	mask->cells = calloc((size_t)mask->cols * mask->rows, sizeof(*mask->cells));
	if (!mask->cells)
		return E_NOMEM;
	for (row = 0; row < mask->rows; row++)
		for (col = 0; col < mask->cols; col++)
			mask_cell(img, bg, threshold, row, col,
				  mask->cells[(size_t)row * mask->cols + col]);
	return E_OK;
}

void sc_mask_free(struct sc_mask *mask)
{
	free(mask->cells);
	mask->cells = NULL;
}

/* ---- glyph matching ---- */

unsigned int sc_cell_agreement(const struct sc_mask *mask, uint32_t row, uint32_t col,
			       const uint8_t *glyph)
{
	const uint8_t *cell = mask->cells[(size_t)row * mask->cols + col];
	unsigned int differ = 0, r;

	for (r = 0; r < SC_CELL_H; r++)
		differ += (unsigned int)__builtin_popcount(cell[r] ^ glyph[r]);
	return SC_CELL_PIXELS - differ;
}

bool sc_cell_matches(const struct sc_mask *mask, uint32_t row, uint32_t col, const uint8_t *glyph)
{
	return sc_cell_agreement(mask, row, col, glyph) * 100u >=
	       SC_CELL_MATCH_PCT * SC_CELL_PIXELS;
}

static size_t count_matches(const struct sc_mask *mask, const sc_glyph_t *glyphs,
			    const unsigned char *text, size_t len, uint32_t row, uint32_t col)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += sc_cell_matches(mask, row, col + (uint32_t)i, glyphs[text[i]]);
	return n;
}

void sc_find_text(const struct sc_mask *mask, const sc_glyph_t *glyphs, const char *text,
		  struct sc_match *out)
{
	const unsigned char *t = (const unsigned char *)text;
	uint32_t row, col;
	size_t n;

	memset(out, 0, sizeof(*out));
	out->len = strlen(text);
	out->found = out->len == 0;
	if (!mask->cells || out->len == 0 || out->len > mask->cols)
		return;
	for (row = 0; row < mask->rows; row++) {
		for (col = 0; col + out->len <= mask->cols; col++) {
			n = count_matches(mask, glyphs, t, out->len, row, col);
			if (n <= out->matched)
				continue;
			out->matched = n;
			out->row = row;
			out->col = col;
			if (n == out->len) {
				out->found = true;
				return;
			}
		}
	}
}

/* Adds the foreground pixels of cell (row, col) to h; false when out of memory. */
static bool hist_add_cell(struct color_hist *h, const struct sc_image *img,
			  const struct sc_mask *mask, uint32_t row, uint32_t col, size_t *n)
{
	const uint8_t *p;
	uint32_t y, x;

	for (y = 0; y < SC_CELL_H; y++) {
		for (x = 0; x < SC_CELL_W; x++) {
			if (!mask_bit(mask, row, col, y, x))
				continue;
			p = img->rgb + ((size_t)(row * SC_CELL_H + y) * img->width +
					col * SC_CELL_W + x) * PPM_CHANNELS;
			if (!color_hist_add(h, RGB(p[0], p[1], p[2])))
				return false;
			(*n)++;
		}
	}
	return true;
}

enum err sc_text_colour(const struct sc_image *img, const struct sc_mask *mask,
			const struct sc_match *m, uint32_t *rgb)
{
	struct color_hist h;
	size_t i, n = 0;

	if (!img->rgb || !mask->cells || !m->found || m->row >= mask->rows ||
	    m->col + m->len > mask->cols || img->width / SC_CELL_W != mask->cols ||
	    img->height / SC_CELL_H != mask->rows)
		return E_INVAL;
	if (!color_hist_init(&h, COLOR_HASH_MIN)) {
		color_hist_free(&h);
		return E_NOMEM;
	}
	for (i = 0; i < m->len; i++) {
		if (!hist_add_cell(&h, img, mask, m->row, m->col + (uint32_t)i, &n)) {
			color_hist_free(&h);
			return E_NOMEM;
		}
	}
	if (n)
		*rgb = color_hist_mode(&h);
	color_hist_free(&h);
	return n ? E_OK : E_NOENT;
}

#define SC_PRINTABLE_FIRST 0x20
#define SC_PRINTABLE_LAST 0x7e

static char decode_cell(const struct sc_mask *mask, const sc_glyph_t *glyphs, uint32_t row,
			uint32_t col)
{
	unsigned int best = 0, a;
	int ch, best_ch = '?';

	for (ch = SC_PRINTABLE_FIRST; ch <= SC_PRINTABLE_LAST; ch++) {
		a = sc_cell_agreement(mask, row, col, glyphs[ch]);
		if (a > best) {
			best = a;
			best_ch = ch;
		}
	}
	return best * 100u >= SC_CELL_MATCH_PCT * SC_CELL_PIXELS ? (char)best_ch : '?';
}

void sc_decode_row(const struct sc_mask *mask, const sc_glyph_t *glyphs, uint32_t row, char *buf,
		   size_t buf_len)
{
	size_t n = 0;
	uint32_t col;

	if (!buf_len)
		return;
	for (col = 0; row < mask->rows && col < mask->cols && n + 1 < buf_len; col++)
		buf[n++] = decode_cell(mask, glyphs, row, col);
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
}
