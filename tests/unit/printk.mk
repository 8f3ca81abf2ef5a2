UNIT_TESTS += printk
printk_SRCS := tests/unit/test_printk.c kernel/printk.c lib/format.c
printk_CFLAGS := -UVIREO_HOST_TEST
