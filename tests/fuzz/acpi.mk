FUZZ_TARGETS += acpi
fuzz_acpi_SRCS := tests/fuzz/fuzz_acpi.c arch/x86/acpi.c lib/error.c tests/unit/fake_printk.c
