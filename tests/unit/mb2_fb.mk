# The Multiboot2 framebuffer tag's colour positions (boot/mb2.c).
UNIT_TESTS += mb2_fb
mb2_fb_SRCS := tests/unit/test_mb2_fb.c boot/mb2.c lib/format.c lib/error.c \
	tests/unit/fake_printk.c
