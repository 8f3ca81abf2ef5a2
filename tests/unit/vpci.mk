UNIT_TESTS += vpci
vpci_SRCS := tests/unit/test_vpci.c dev/vpci.c dev/iobus.c lib/error.c \
	tests/unit/fake_printk.c tests/unit/fake_irq.c
