# The framebuffer console's font is generated from a Debian console font
# (package console-setup-linux) by tools/mkfont.sh; see docs/fbcon.md.
FONT ?= /usr/share/consolefonts/Lat15-VGA16.psf.gz
FBCON_FONT_C := $(BUILD)/k/fbcon_font.c

$(FBCON_FONT_C): tools/mkfont.sh $(wildcard $(FONT))
	@mkdir -p $(@D)
	bash tools/mkfont.sh $(FONT) > $@.tmp && mv $@.tmp $@

UNIT_TESTS += fbcon
fbcon_SRCS := tests/unit/test_fbcon.c kernel/fbcon.c $(FBCON_FONT_C) lib/error.c \
	tests/unit/fake_printk.c
