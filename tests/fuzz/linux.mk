FUZZ_TARGETS += linux
fuzz_linux_SRCS := tests/fuzz/fuzz_linux.c loader/linux.c loader/loader.c guest/vcpu.c lib/format.c lib/error.c tests/unit/fake_printk.c
