# TSC calibration (arch/x86/tsc.c) against a simulated PIT and ACPI PM timer.
UNIT_TESTS += tsc
tsc_SRCS := tests/unit/test_tsc.c arch/x86/tsc.c tests/unit/fake_printk.c lib/error.c
