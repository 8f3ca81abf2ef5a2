/* SPDX-License-Identifier: MIT */
/*
 * Decoder for the few x86 instructions a guest uses to touch an emulated MMIO
 * page (MOV forms and MOVZX), enough to learn the length, direction, size,
 * register and immediate of the access after an EPT violation (SDM 2A ch. 2).
 */
#ifndef VIREO_GUEST_INSN_DECODE_H
#define VIREO_GUEST_INSN_DECODE_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/error.h"

#define INSN_MAX_LEN 15 /* SDM 2A 2.3.11 */

enum insn_cpu_mode { INSN_MODE_REAL16, INSN_MODE_PROT16, INSN_MODE_PROT32, INSN_MODE_LONG64 };

/* The mode of code whose default operand size is bits (16, 32, 64). */
static inline enum insn_cpu_mode insn_mode_of(unsigned bits, bool protected_mode)
{
	if (bits == 64)
		return INSN_MODE_LONG64;
	if (bits == 32)
		return INSN_MODE_PROT32;
	return protected_mode ? INSN_MODE_PROT16 : INSN_MODE_REAL16;
}

/*
 * One decoded memory access.
 * - len: instruction length in bytes (add to RIP when emulated).
 * - write: true for a store to memory; size: bytes accessed (1, 2, 4, 8).
 * - has_imm/imm: the stored value comes from the immediate (C6/C7); for C7
 *   with REX.W, imm is the sign-extended 64-bit value.
 * - reg: the GPR (0-15, SDM order rax..r15) stored from or loaded into;
 *   0 (rAX) for the moffs forms A0-A3.
 * - zero_extend_byte_reg_high: reg is 4-7 without a REX prefix, so the byte
 *   operand is AH, CH, DH or BH: bits 15:8 of GPR reg - 4.
 * - movzx: a load zero-extended into a `dest_size`-byte register.
 * - dest_size: bytes of the register operand; a 4-byte load in 64-bit mode
 *   clears bits 63:32 of the register, 1- and 2-byte loads keep the rest.
 */
struct insn_mmio {
	unsigned len;
	bool write;
	unsigned size;
	bool has_imm;
	uint64_t imm;
	unsigned reg;
	bool zero_extend_byte_reg_high;
	bool movzx;
	unsigned dest_size;
};

/*
 * Decode the instruction at bytes[0..avail). Returns E_TRUNC when avail ends
 * before the instruction does, E_NOTSUP for an opcode outside the set above,
 * E_INVAL for LOCK, a register-direct ModRM, a bad /digit, or more than 15
 * bytes. Never reads past avail.
 */
enum err insn_decode_mmio(const uint8_t *bytes, unsigned avail, enum insn_cpu_mode mode,
			  struct insn_mmio *out);

/* Segment registers as the SDM numbers them (VM-exit instruction information). */
#define INSN_SEGMENTS 6
#define INSN_SEG_ES 0
#define INSN_SEG_SS 2
#define INSN_SEG_DS 3

/* INS/OUTS: the address size in bytes (2, 4, 8) and the memory segment of OUTS. */
struct insn_string_io {
	unsigned addr_size;
	unsigned seg;
};

/*
 * The prefixes of the INS/OUTS (opcodes 6C-6F) at bytes[0..avail): address
 * size and segment override (DS when none; INS always uses ES). E_NOTSUP
 * when the opcode is not INS/OUTS, E_TRUNC/E_INVAL as insn_decode_mmio().
 */
enum err insn_decode_string_io(const uint8_t *bytes, unsigned avail, enum insn_cpu_mode mode,
			       struct insn_string_io *out);

#endif
