UNIT_TESTS += vuart
vuart_SRCS := tests/unit/test_vuart.c dev/vuart.c
