UNIT_TESTS += vuart
vuart_SRCS := tests/unit/test_vuart.c vm/vuart.c
