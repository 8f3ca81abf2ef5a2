# The MSR model (vmx/msr.c, vmx/msr_emul.c) and its agreement with docs/msr.md.
UNIT_TESTS += msr_model
msr_model_SRCS := tests/unit/test_msr_model.c vmx/msr.c vmx/msr_emul.c vmx/msr_vmcs.c \
	dev/vlapic.c tests/unit/fake_cpu.c tests/unit/fake_printk.c tests/unit/fake_pmm.c \
	lib/error.c lib/format.c
