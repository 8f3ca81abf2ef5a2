UNIT_TESTS += serial_opt
serial_opt_SRCS := tests/unit/test_serial_opt.c kernel/serial_opt.c lib/error.c
