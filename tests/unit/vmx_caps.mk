UNIT_TESTS += vmx_caps
vmx_caps_SRCS := tests/unit/test_vmx_caps.c vmx/caps.c lib/error.c lib/format.c \
	tests/unit/fake_printk.c tests/unit/fake_cpu.c
