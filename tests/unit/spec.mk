# The transient-execution mitigation decisions (arch/x86/spec.c).
UNIT_TESTS += spec
spec_SRCS := tests/unit/test_spec.c arch/x86/spec.c tests/unit/fake_cpu.c \
	tests/unit/fake_printk.c lib/error.c lib/format.c
