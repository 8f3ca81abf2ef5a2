# The screen checker's text colour (sc_text_colour), used by the screen tests'
# -C checks that red, green and blue reach the screen in their places.
UNIT_TESTS += screencheck_colour
screencheck_colour_SRCS := tests/unit/test_screencheck_colour.c tests/harness/screencheck_lib.c \
	lib/error.c $(BUILD)/k/fbcon_font.c
