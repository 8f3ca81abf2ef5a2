FUZZ_TARGETS += insn
fuzz_insn_SRCS := tests/fuzz/fuzz_insn.c vm/insn_decode.c
