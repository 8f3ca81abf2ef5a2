FUZZ_TARGETS += pmm
fuzz_pmm_SRCS := tests/fuzz/fuzz_pmm.c mm/pmm.c lib/error.c tests/unit/fake_printk.c \
	tests/unit/fake_panic.c tests/unit/fake_irq.c
