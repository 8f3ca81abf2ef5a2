UNIT_TESTS += debug_exit
debug_exit_SRCS := tests/unit/test_debug_exit.c dev/debug_exit.c dev/iobus.c lib/error.c \
	tests/unit/fake_printk.c tests/unit/fake_irq.c
