UNIT_TESTS += vioapic
vioapic_SRCS := tests/unit/test_vioapic.c dev/vioapic.c dev/iobus.c lib/error.c \
	tests/unit/fake_printk.c tests/unit/fake_irq.c
