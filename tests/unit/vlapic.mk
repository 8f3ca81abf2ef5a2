UNIT_TESTS += vlapic
vlapic_SRCS := tests/unit/test_vlapic.c vm/vlapic.c
