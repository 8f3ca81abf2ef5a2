UNIT_TESTS += pt
pt_SRCS := tests/unit/test_pt.c mm/pt.c lib/error.c
