/* SPDX-License-Identifier: MIT */
/*
 * screencheck: host tool that says whether lines of text are visible on a
 * QEMU screen dump (PPM P6). Linked with the console's generated glyph table
 * (build/k/fbcon_font.c), so it compares against the very glyphs drawn.
 * usage: screencheck [-t THRESHOLD] [-p] [-C RRGGBB=TEXT]... DUMP.ppm TEXT [TEXT...]
 * exit: 0 all found (in the colours asked), 1 some text missing or in another
 * colour, 2 bad usage or unreadable dump.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/fbcon.h"
#include "tests/harness/screencheck_lib.h"

#define EXIT_FOUND 0
#define EXIT_MISSING 1
#define EXIT_USAGE 2
#define MAX_THRESHOLD 254ul
#define ROW_TEXT_MAX (SC_MAX_DIM / SC_CELL_W + 1)
#define COLOUR_CHECKS_MAX 16
#define RGB_HEX_DIGITS 6

_Static_assert(FBCON_FONT_WIDTH == SC_CELL_W && FBCON_FONT_HEIGHT == SC_CELL_H,
	       "the checker's cell grid is the console's font size");

/* -C: a text that must be on the screen, drawn in one colour. */
struct colour_check {
	uint32_t rgb;
	const char *text;
};

struct options {
	unsigned int threshold;
	bool print;
	const char *dump;
	char **texts;
	int ntexts;
	struct colour_check colours[COLOUR_CHECKS_MAX];
	int ncolours;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: screencheck [-t THRESHOLD] [-p] [-C RRGGBB=TEXT]... DUMP.ppm TEXT "
		"[TEXT...]\n"
		"  Finds each TEXT (one line each) on the 8x16 text grid of a binary PPM\n"
		"  screen dump, using the framebuffer console's own font.\n"
		"  -t N  a pixel is foreground when a channel differs from the background\n"
		"        (the most common colour) by more than N (0..%lu, default %u)\n"
		"  -p    print every non-blank screen row as decoded text\n"
		"  -C RRGGBB=TEXT  TEXT must also be drawn in colour RRGGBB (hex), each\n"
		"        channel within the threshold (up to %d of these)\n"
		"  exit: 0 all found, 1 some text missing or in another colour,\n"
		"        2 bad usage or unreadable dump\n",
		MAX_THRESHOLD, SC_DEFAULT_THRESHOLD, COLOUR_CHECKS_MAX);
}

static bool parse_threshold(const char *s, unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > MAX_THRESHOLD) {
		fprintf(stderr, "screencheck: threshold '%s' is not a number in 0..%lu\n", s,
			MAX_THRESHOLD);
		return false;
	}
	*out = (unsigned int)v;
	return true;
}

/* "RRGGBB=TEXT" into a colour check. */
static bool parse_colour_check(const char *s, struct options *o)
{
	char *end;
	unsigned long v;

	if (o->ncolours == COLOUR_CHECKS_MAX) {
		fprintf(stderr, "screencheck: more than %d -C checks\n", COLOUR_CHECKS_MAX);
		return false;
	}
	errno = 0;
	v = strtoul(s, &end, 16);
	if (errno || end != s + RGB_HEX_DIGITS || *end != '=' || !end[1] ||
	    strchr(end + 1, '\n')) {
		fprintf(stderr, "screencheck: -C '%s' is not RRGGBB=TEXT (six hex digits, '=', "
			"one non-empty line)\n", s);
		return false;
	}
	o->colours[o->ncolours++] = (struct colour_check){(uint32_t)v, end + 1};
	return true;
}

static bool parse_args(int argc, char **argv, struct options *o)
{
	int i = 1;

	o->threshold = SC_DEFAULT_THRESHOLD;
	o->print = false;
	o->ncolours = 0;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "-p")) {
			o->print = true;
		} else if (!strcmp(argv[i], "-C")) {
			if (i + 1 == argc) {
				fprintf(stderr, "screencheck: -C needs RRGGBB=TEXT\n");
				return false;
			}
			if (!parse_colour_check(argv[++i], o))
				return false;
		} else if (!strcmp(argv[i], "-t")) {
			if (i + 1 == argc) {
				fprintf(stderr, "screencheck: -t needs a threshold value\n");
				return false;
			}
			if (!parse_threshold(argv[++i], &o->threshold))
				return false;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			fprintf(stderr, "screencheck: unknown option '%s'\n", argv[i]);
			usage();
			return false;
		}
	}
	if (argc - i < 2) {
		usage();
		return false;
	}
	o->dump = argv[i];
	o->texts = argv + i + 1;
	o->ntexts = argc - i - 1;
	for (i = 0; i < o->ntexts; i++) {
		if (!o->texts[i][0] || strchr(o->texts[i], '\n')) {
			fprintf(stderr,
				"screencheck: text %d is empty or has a newline: give one "
				"non-empty line per argument\n",
				i + 1);
			return false;
		}
	}
	return true;
}

static void print_screen(const struct sc_mask *mask)
{
	char line[ROW_TEXT_MAX];
	uint32_t row;

	for (row = 0; row < mask->rows; row++) {
		sc_decode_row(mask, fbcon_font_glyphs, row, line, sizeof(line));
		if (line[0])
			printf("%3u| %s\n", row, line);
	}
}

static bool check_text(const struct sc_mask *mask, const char *text, struct sc_match *out)
{
	char line[ROW_TEXT_MAX];
	struct sc_match m;

	sc_find_text(mask, fbcon_font_glyphs, text, &m);
	*out = m;
	if (m.found) {
		printf("screencheck: found \"%s\" at row %u, column %u\n", text, m.row, m.col);
		return true;
	}
	if (m.len > mask->cols) {
		fprintf(stderr,
			"screencheck: missing \"%s\": %zu characters do not fit in the "
			"screen's %u columns\n",
			text, m.len, mask->cols);
		return false;
	}
	fprintf(stderr,
		"screencheck: missing \"%s\"; best partial match: row %u, column %u, %zu of %zu "
		"characters matched\n",
		text, m.row, m.col, m.matched, m.len);
	sc_decode_row(mask, fbcon_font_glyphs, m.row, line, sizeof(line));
	fprintf(stderr, "screencheck:   row %u reads \"%s\"\n", m.row, line);
	return false;
}

static unsigned int channel_diff(uint32_t a, uint32_t b, unsigned int shift)
{
	unsigned int x = (a >> shift) & 0xff, y = (b >> shift) & 0xff;

	return x > y ? x - y : y - x;
}

/* The text of @c is on the screen, drawn in @c->rgb give or take the threshold. */
static bool check_colour(const struct sc_image *img, const struct sc_mask *mask,
			 const struct colour_check *c, unsigned int threshold)
{
	struct sc_match m;
	uint32_t rgb;
	enum err e;

	if (!check_text(mask, c->text, &m))
		return false;
	e = sc_text_colour(img, mask, &m, &rgb);
	if (e != E_OK) {
		fprintf(stderr, "screencheck: \"%s\": no colour found (%s)\n", c->text,
			err_text(e));
		return false;
	}
	if (channel_diff(rgb, c->rgb, 16) > threshold || channel_diff(rgb, c->rgb, 8) > threshold ||
	    channel_diff(rgb, c->rgb, 0) > threshold) {
		fprintf(stderr, "screencheck: \"%s\" is drawn in #%06x, expected #%06x (red, green "
			"and blue swapped or scaled?)\n", c->text, rgb, c->rgb);
		return false;
	}
	printf("screencheck: \"%s\" is drawn in #%06x\n", c->text, rgb);
	return true;
}

static int load_mask(const struct options *o, struct sc_image *img, struct sc_mask *mask)
{
	char msg[SC_MSG_LEN];
	uint32_t bg;
	enum err e;

	e = sc_ppm_load(o->dump, img, msg, sizeof(msg));
	if (e != E_OK) {
		fprintf(stderr, "screencheck: %s: %s (%s)\n", o->dump, msg, err_name(e));
		return EXIT_USAGE;
	}
	e = sc_background(img, &bg);
	if (e == E_OK)
		e = sc_mask_build(img, bg, o->threshold, mask);
	if (e != E_OK) {
		fprintf(stderr, "screencheck: %s: analysing %ux%u pixels failed: %s\n", o->dump,
			img->width, img->height, err_text(e));
		sc_image_free(img);
		return EXIT_USAGE;
	}
	printf("screencheck: %s: %ux%u pixels, background #%06x, %ux%u text cells\n", o->dump,
	       img->width, img->height, bg, mask->cols, mask->rows);
	return EXIT_FOUND;
}

int main(int argc, char **argv)
{
	static struct options o;
	struct sc_image img;
	struct sc_mask mask;
	struct sc_match m;
	int i, rc, missing = 0;

	if (!parse_args(argc, argv, &o))
		return EXIT_USAGE;
	rc = load_mask(&o, &img, &mask);
	if (rc != EXIT_FOUND)
		return rc;
	if (o.print)
		print_screen(&mask);
	for (i = 0; i < o.ntexts; i++)
		missing += !check_text(&mask, o.texts[i], &m);
	for (i = 0; i < o.ncolours; i++)
		missing += !check_colour(&img, &mask, &o.colours[i], o.threshold);
	sc_mask_free(&mask);
	sc_image_free(&img);
	if (missing)
		fprintf(stderr, "screencheck: %d of %d checks failed on %s\n", missing,
			o.ntexts + o.ncolours, o.dump);
	return missing ? EXIT_MISSING : EXIT_FOUND;
}
