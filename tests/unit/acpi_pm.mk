UNIT_TESTS += acpi_pm
acpi_pm_SRCS := tests/unit/test_acpi_pm.c dev/acpi_pm.c dev/iobus.c lib/error.c \
	tests/unit/fake_printk.c tests/unit/fake_irq.c
