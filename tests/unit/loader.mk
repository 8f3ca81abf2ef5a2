UNIT_TESTS += loader
loader_SRCS := tests/unit/test_loader.c vm/loader.c vm/mbinfo.c boot/mb2.c lib/format.c lib/error.c tests/unit/fake_printk.c
