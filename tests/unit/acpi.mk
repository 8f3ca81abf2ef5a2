UNIT_TESTS += acpi
acpi_SRCS := tests/unit/test_acpi.c arch/x86/acpi.c lib/error.c tests/unit/fake_printk.c
