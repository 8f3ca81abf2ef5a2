FUZZ_TARGETS += loader
fuzz_loader_SRCS := tests/fuzz/fuzz_loader.c loader/loader.c guest/vcpu.c loader/mbinfo.c boot/mb2.c lib/format.c lib/error.c tests/unit/fake_printk.c
