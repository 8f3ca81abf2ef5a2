UNIT_TESTS += mb2
mb2_SRCS := tests/unit/test_mb2.c boot/mb2.c lib/format.c lib/error.c tests/unit/fake_printk.c
