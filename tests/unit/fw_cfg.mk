UNIT_TESTS += fw_cfg
fw_cfg_SRCS := tests/unit/test_fw_cfg.c dev/fw_cfg.c dev/iobus.c lib/error.c \
	tests/unit/fake_printk.c tests/unit/fake_irq.c
