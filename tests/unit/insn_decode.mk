UNIT_TESTS += insn_decode
insn_decode_SRCS := tests/unit/test_insn_decode.c guest/insn_decode.c
