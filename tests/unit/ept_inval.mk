UNIT_TESTS += ept_inval
ept_inval_SRCS := tests/unit/test_ept_inval.c vmx/ept.c lib/error.c tests/unit/fake_printk.c \
	tests/unit/fake_pmm.c tests/unit/fake_ept_tables.c
