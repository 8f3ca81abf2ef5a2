UNIT_TESTS += gva
gva_SRCS := tests/unit/test_gva.c vmx/gva.c
