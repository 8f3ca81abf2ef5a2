UNIT_TESTS += vioapic
vioapic_SRCS := tests/unit/test_vioapic.c dev/vioapic.c
