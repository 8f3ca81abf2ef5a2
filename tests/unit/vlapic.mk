UNIT_TESTS += vlapic
vlapic_SRCS := tests/unit/test_vlapic.c dev/vlapic.c
