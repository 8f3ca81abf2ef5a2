UNIT_TESTS += vrtc
vrtc_SRCS := tests/unit/test_vrtc.c dev/vrtc.c dev/iobus.c lib/error.c \
	tests/unit/fake_printk.c tests/unit/fake_irq.c
