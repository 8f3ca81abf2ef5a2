UNIT_TESTS += acpi_gen
acpi_gen_SRCS := tests/unit/test_acpi_gen.c loader/acpi_gen.c arch/x86/acpi.c lib/error.c \
	tests/unit/fake_printk.c
