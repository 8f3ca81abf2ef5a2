FUZZ_TARGETS += insn
fuzz_insn_SRCS := tests/fuzz/fuzz_insn.c guest/insn_decode.c
