UNIT_TESTS += cmdline
cmdline_SRCS := tests/unit/test_cmdline.c kernel/cmdline.c lib/format.c lib/error.c tests/unit/fake_printk.c
