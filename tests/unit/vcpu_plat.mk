UNIT_TESTS += vcpu_plat
vcpu_plat_SRCS := tests/unit/test_vcpu_plat.c vm/vcpu_plat.c dev/vlapic.c dev/vioapic.c \
	guest/insn_decode.c lib/format.c lib/error.c tests/unit/fake_vcpu.c \
	tests/unit/fake_printk.c tests/unit/fake_irq.c
