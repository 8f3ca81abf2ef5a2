UNIT_TESTS += loader
loader_SRCS := tests/unit/test_loader.c loader/loader.c guest/vcpu.c loader/mbinfo.c boot/mb2.c lib/format.c lib/error.c tests/unit/fake_printk.c
