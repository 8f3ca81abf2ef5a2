FUZZ_TARGETS += cmdline
fuzz_cmdline_SRCS := tests/fuzz/fuzz_cmdline.c kernel/cmdline.c lib/format.c lib/error.c
