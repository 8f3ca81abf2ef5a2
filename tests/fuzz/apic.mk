FUZZ_TARGETS += apic
fuzz_apic_SRCS := tests/fuzz/fuzz_apic.c dev/vlapic.c dev/vioapic.c lib/string.c \
	dev/iobus.c lib/error.c tests/unit/fake_irq.c tests/unit/fake_printk.c
