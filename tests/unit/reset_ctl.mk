UNIT_TESTS += reset_ctl
reset_ctl_SRCS := tests/unit/test_reset_ctl.c dev/reset_ctl.c dev/i8042.c dev/vpci.c \
	dev/iobus.c lib/error.c tests/unit/fake_printk.c tests/unit/fake_irq.c
