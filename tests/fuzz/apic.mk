FUZZ_TARGETS += apic
fuzz_apic_SRCS := tests/fuzz/fuzz_apic.c vm/vlapic.c vm/vioapic.c lib/string.c
