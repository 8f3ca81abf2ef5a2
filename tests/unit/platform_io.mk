UNIT_TESTS += platform_io
platform_io_SRCS := tests/unit/test_platform_io.c dev/platform_io.c lib/error.c \
	tests/unit/fake_printk.c
