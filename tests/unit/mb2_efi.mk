UNIT_TESTS += mb2_efi
mb2_efi_SRCS := tests/unit/test_mb2_efi.c boot/mb2.c lib/format.c lib/error.c tests/unit/fake_printk.c
