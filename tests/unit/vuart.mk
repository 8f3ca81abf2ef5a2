UNIT_TESTS += vuart
vuart_SRCS := tests/unit/test_vuart.c dev/vuart.c dev/iobus.c lib/error.c \
	tests/unit/fake_printk.c tests/unit/fake_irq.c
