UNIT_TESTS += console
console_SRCS := tests/unit/test_console.c vm/console.c lib/format.c \
	tests/unit/fake_printk.c tests/unit/fake_irq.c
