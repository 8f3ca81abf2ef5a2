UNIT_TESTS += xstate
xstate_SRCS := tests/unit/test_xstate.c guest/xstate.c lib/error.c tests/unit/fake_cpu.c \
	tests/unit/fake_pmm.c tests/unit/fake_printk.c
