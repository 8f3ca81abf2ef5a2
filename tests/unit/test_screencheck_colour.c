/* SPDX-License-Identifier: MIT */
/*
 * Host tests for sc_text_colour() in tests/harness/screencheck_lib.c: the
 * colour a line found on a screen dump is drawn in, with the console's own
 * glyphs drawn in several colours on one image.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "kernel/fbcon.h"
#include "tests/harness/screencheck_lib.h"

#define COLS 20
#define ROWS 3
#define BG 0x101010u
#define RED 0xd03030u
#define BLUE 0x3030d0u

static struct sc_image image(void)
{
	struct sc_image img = {COLS * SC_CELL_W, ROWS * SC_CELL_H, NULL};

	img.rgb = malloc((size_t)img.width * img.height * 3);
	assert_non_null(img.rgb);
	for (size_t i = 0; i < (size_t)img.width * img.height; i++) {
		img.rgb[3 * i] = (uint8_t)(BG >> 16);
		img.rgb[3 * i + 1] = (uint8_t)(BG >> 8);
		img.rgb[3 * i + 2] = (uint8_t)BG;
	}
	return img;
}

/* Draw @s at cell (@row, @col) in @rgb, as the console does. */
static void draw(struct sc_image *img, uint32_t row, uint32_t col, const char *s, uint32_t rgb)
{
	for (; *s; s++, col++) {
		for (uint32_t y = 0; y < SC_CELL_H; y++) {
			for (uint32_t x = 0; x < SC_CELL_W; x++) {
				uint8_t *p;

				if (!(fbcon_font_glyphs[(unsigned char)*s][y] & (0x80u >> x)))
					continue;
				p = img->rgb + ((size_t)(row * SC_CELL_H + y) * img->width +
						col * SC_CELL_W + x) *
						   3;
				p[0] = (uint8_t)(rgb >> 16);
				p[1] = (uint8_t)(rgb >> 8);
				p[2] = (uint8_t)rgb;
			}
		}
	}
}

static void test_text_colours(void **state)
{
	struct sc_image img = image();
	struct sc_mask mask;
	struct sc_match m;
	uint32_t rgb = 0;

	draw(&img, 0, 0, "vmx: not usable", RED);
	draw(&img, 1, 2, "swapped", BLUE);
	/* One stray pixel of another colour does not outvote the glyphs. */
	img.rgb[0] = 0xff;
	assert_int_equal(sc_mask_build(&img, BG, SC_DEFAULT_THRESHOLD, &mask), E_OK);

	sc_find_text(&mask, fbcon_font_glyphs, "vmx: not usable", &m);
	assert_true(m.found);
	assert_int_equal(sc_text_colour(&img, &mask, &m, &rgb), E_OK);
	assert_int_equal(rgb, RED);

	sc_find_text(&mask, fbcon_font_glyphs, "swapped", &m);
	assert_true(m.found);
	assert_int_equal(sc_text_colour(&img, &mask, &m, &rgb), E_OK);
	assert_int_equal(rgb, BLUE);

	/* Blanks have no foreground pixel; a text not found has no colour. */
	sc_find_text(&mask, fbcon_font_glyphs, "   ", &m);
	assert_true(m.found);
	assert_int_equal(sc_text_colour(&img, &mask, &m, &rgb), E_NOENT);
	sc_find_text(&mask, fbcon_font_glyphs, "absent", &m);
	assert_false(m.found);
	assert_int_equal(sc_text_colour(&img, &mask, &m, &rgb), E_INVAL);
	sc_mask_free(&mask);
	sc_image_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_colours),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
