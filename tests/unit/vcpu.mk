UNIT_TESTS += vcpu
vcpu_SRCS := tests/unit/test_vcpu.c guest/vcpu.c guest/guest_mem.c guest/gva.c lib/format.c \
	lib/error.c
