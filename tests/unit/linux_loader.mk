UNIT_TESTS += linux_loader
linux_loader_SRCS := tests/unit/test_linux_loader.c loader/linux.c loader/loader.c guest/vcpu.c lib/format.c lib/error.c tests/unit/fake_printk.c
