UNIT_TESTS += vpit
vpit_SRCS := tests/unit/test_vpit.c dev/vpit.c dev/iobus.c lib/error.c \
	tests/unit/fake_printk.c tests/unit/fake_irq.c
