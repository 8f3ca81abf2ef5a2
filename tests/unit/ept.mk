UNIT_TESTS += ept
ept_SRCS := tests/unit/test_ept.c vmx/ept.c lib/error.c tests/unit/fake_printk.c \
	tests/unit/fake_pmm.c tests/unit/fake_ept_tables.c
