UNIT_TESTS += vpic
vpic_SRCS := tests/unit/test_vpic.c dev/vpic.c dev/iobus.c lib/error.c \
	tests/unit/fake_printk.c tests/unit/fake_irq.c
