FUZZ_TARGETS += mb2
fuzz_mb2_SRCS := tests/fuzz/fuzz_mb2.c boot/mb2.c lib/format.c lib/error.c tests/unit/fake_printk.c
