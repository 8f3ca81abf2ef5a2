UNIT_TESTS += vmx_percpu
vmx_percpu_SRCS := tests/unit/test_vmx_percpu.c vmx/percpu.c vmx/caps.c lib/error.c lib/format.c \
	tests/unit/fake_printk.c tests/unit/fake_cpu.c tests/unit/fake_pmm.c
