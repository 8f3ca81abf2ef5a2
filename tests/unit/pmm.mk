UNIT_TESTS += pmm
pmm_SRCS := tests/unit/test_pmm.c mm/pmm.c lib/error.c tests/unit/fake_printk.c \
	tests/unit/fake_panic.c tests/unit/fake_irq.c
