# MOV to CR0/CR4 checks (guest/cr_check.c).
UNIT_TESTS += cr_check
cr_check_SRCS := tests/unit/test_cr_check.c guest/cr_check.c
