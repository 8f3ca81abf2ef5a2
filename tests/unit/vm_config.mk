UNIT_TESTS += vm_config
vm_config_SRCS := tests/unit/test_vm_config.c vm/config.c lib/format.c lib/error.c
