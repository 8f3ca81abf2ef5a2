UNIT_TESTS += vmcs
vmcs_SRCS := tests/unit/test_vmcs.c vmx/vmcs.c vmx/vmcs_fields.c lib/error.c lib/format.c \
	tests/unit/fake_printk.c tests/unit/fake_pmm.c tests/unit/fake_vmcs.c
