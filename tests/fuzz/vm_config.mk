FUZZ_TARGETS += vm_config
fuzz_vm_config_SRCS := tests/fuzz/fuzz_vm_config.c vm/config.c lib/format.c lib/error.c
