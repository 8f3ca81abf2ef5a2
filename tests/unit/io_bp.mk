# I/O breakpoint matching (guest/io_bp.c).
UNIT_TESTS += io_bp
io_bp_SRCS := tests/unit/test_io_bp.c guest/io_bp.c
