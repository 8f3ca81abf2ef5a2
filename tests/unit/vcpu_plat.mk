UNIT_TESTS += vcpu_plat
vcpu_plat_SRCS := tests/unit/test_vcpu_plat.c vm/vcpu_plat.c vm/vm_io.c vm/restart.c vm/console.c dev/vlapic.c \
	dev/vioapic.c dev/iobus.c dev/vuart.c dev/vpic.c dev/fw_cfg.c dev/vrtc.c dev/vpci.c \
	dev/vpit.c dev/acpi_pm.c dev/reset_ctl.c dev/i8042.c dev/debug_exit.c guest/insn_decode.c lib/format.c lib/error.c \
	tests/unit/fake_vcpu.c tests/unit/fake_printk.c tests/unit/fake_irq.c
