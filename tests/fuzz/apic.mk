FUZZ_TARGETS += apic
fuzz_apic_SRCS := tests/fuzz/fuzz_apic.c dev/vlapic.c dev/vioapic.c lib/string.c
