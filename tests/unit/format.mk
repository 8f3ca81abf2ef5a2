UNIT_TESTS += format
format_SRCS := tests/unit/test_format.c lib/format.c
