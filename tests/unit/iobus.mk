UNIT_TESTS += iobus
iobus_SRCS := tests/unit/test_iobus.c dev/iobus.c dev/vioapic.c dev/vpic.c dev/vuart.c \
	lib/error.c tests/unit/fake_printk.c tests/unit/fake_irq.c
