# Screen-dump checker: its host unit test, and build/screencheck, the tool the
# screen tests run on QEMU screendumps. Both link the console's generated glyph
# table, $(BUILD)/k/fbcon_font.c (its rule is in tests/unit/fbcon.mk).
SCREENCHECK_SRCS := tests/harness/screencheck_lib.c lib/error.c $(BUILD)/k/fbcon_font.c

UNIT_TESTS += screencheck
screencheck_SRCS := tests/unit/test_screencheck.c $(SCREENCHECK_SRCS)

$(BUILD)/screencheck: tests/harness/screencheck.c $(SCREENCHECK_SRCS) \
		tests/harness/screencheck_lib.h kernel/fbcon.h lib/error.h
	@mkdir -p $(@D)
	$(HOSTCC) -std=gnu11 -O2 -g -I. -Wall -Wextra -Werror -Wno-unused-parameter \
		$(filter %.c,$^) -o $@
