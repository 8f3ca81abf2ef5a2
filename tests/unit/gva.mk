UNIT_TESTS += gva
gva_SRCS := tests/unit/test_gva.c guest/gva.c
