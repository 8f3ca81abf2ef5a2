UNIT_TESTS += guest_check
guest_check_SRCS := tests/unit/test_guest_check.c vmx/guest_check.c vmx/caps.c lib/error.c \
	lib/format.c tests/unit/fake_printk.c tests/unit/fake_cpu.c
