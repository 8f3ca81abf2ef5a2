/* SPDX-License-Identifier: MIT */
/*
 * MMIO instruction decoder: legacy and REX prefixes, ModRM/SIB/displacement
 * length for 16-, 32- and 64-bit addressing (SDM 2A 2.1-2.2, Tables 2-1 to
 * 2-3), and the MOV/MOVZX opcodes that load or store memory; the prefixes
 * of INS/OUTS, for CPUs that do not report them on a VM exit.
 */
#include "guest/insn_decode.h"
#include "lib/string.h"

/* Prefixes (SDM 2A 2.1.1, 2.2.1) */
#define PFX_OPSIZE 0x66
#define PFX_ADDRSIZE 0x67
#define PFX_LOCK 0xF0
#define PFX_REPNE 0xF2
#define PFX_REP 0xF3
#define PFX_ES 0x26
#define PFX_CS 0x2E
#define PFX_SS 0x36
#define PFX_DS 0x3E
#define PFX_FS 0x64
#define PFX_GS 0x65
#define REX_MASK 0xF0
#define REX_BASE 0x40
#define REX_W 0x08
#define REX_R 0x04

/* Opcodes (SDM 2B MOV, MOVZX) */
#define OP_MOV_RM8_R8 0x88
#define OP_MOV_RM_R 0x89
#define OP_MOV_R8_RM8 0x8A
#define OP_MOV_R_RM 0x8B
#define OP_MOV_AL_MOFFS 0xA0
#define OP_MOV_AX_MOFFS 0xA1
#define OP_MOV_MOFFS_AL 0xA2
#define OP_MOV_MOFFS_AX 0xA3
#define OP_MOV_RM8_IMM8 0xC6
#define OP_MOV_RM_IMM 0xC7
#define OP_TWO_BYTE 0x0F
#define OP2_MOVZX_8 0xB6
#define OP2_MOVZX_16 0xB7
#define OP_INSB 0x6C /* SDM 2B INS, OUTS: 6C INSB .. 6F OUTSD */
#define OP_OUTSD 0x6F

/* ModRM / SIB fields */
#define MODRM_MOD(m) ((m) >> 6)
#define MODRM_REG(m) (((m) >> 3) & 7u)
#define MODRM_RM(m) ((m)&7u)
#define MOD_NO_DISP 0
#define MOD_DISP8 1
#define MOD_DISP_FULL 2
#define MOD_REGISTER 3
#define RM_SIB 4
#define RM_DISP32 5   /* mod 00: disp32 (RIP-relative in 64-bit mode) */
#define RM16_DISP16 6 /* 16-bit addressing, mod 00: disp16 */
#define SIB_BASE_NONE 5
#define REG_HIGH_BYTE_FIRST 4 /* AH without REX */
#define REG_EXT 8

#define BYTE_BITS 8
#define SIGN_BIT32 0x80000000ull
#define SIGN_EXT32 0xFFFFFFFF00000000ull

struct cursor {
	const uint8_t *bytes;
	unsigned avail;
	unsigned pos;
};

struct prefixes {
	bool opsize;
	bool addrsize;
	uint8_t rex;
};

static enum err take(struct cursor *c, uint8_t *b)
{
	if (c->pos >= INSN_MAX_LEN)
		return E_INVAL;
	if (c->pos >= c->avail)
		return E_TRUNC;
	*b = c->bytes[c->pos++];
	return E_OK;
}

/* Little-endian value of the next n bytes (n <= 8). */
static enum err take_le(struct cursor *c, unsigned n, uint64_t *val)
{
	uint64_t v = 0;
	unsigned i;
	uint8_t b;
	enum err e;

	for (i = 0; i < n; i++) {
		e = take(c, &b);
		if (e)
			return e;
		v |= (uint64_t)b << (i * BYTE_BITS);
	}
	*val = v;
	return E_OK;
}

static bool is_segment(uint8_t b)
{
	return b == PFX_ES || b == PFX_CS || b == PFX_SS || b == PFX_DS || b == PFX_FS ||
	       b == PFX_GS;
}

/* Consume prefixes; *op is the first opcode byte. A REX not directly before it is ignored. */
static enum err parse_prefixes(struct cursor *c, enum insn_cpu_mode mode, struct prefixes *p,
			       uint8_t *op)
{
	enum err e;
	uint8_t b;

	for (;;) {
		e = take(c, &b);
		if (e)
			return e;
		if (b == PFX_LOCK)
			return E_INVAL;
		if (b == PFX_REP || b == PFX_REPNE)
			return E_NOTSUP;
		if (mode == INSN_MODE_LONG64 && (b & REX_MASK) == REX_BASE) {
			p->rex = b;
			continue;
		}
		if (b == PFX_OPSIZE)
			p->opsize = true;
		else if (b == PFX_ADDRSIZE)
			p->addrsize = true;
		else if (!is_segment(b))
			break;
		p->rex = 0;
	}
	*op = b;
	return E_OK;
}

static unsigned operand_size(enum insn_cpu_mode mode, const struct prefixes *p)
{
	if (mode == INSN_MODE_LONG64)
		return (p->rex & REX_W) ? 8 : p->opsize ? 2 : 4;
	if (mode == INSN_MODE_PROT32)
		return p->opsize ? 2 : 4;
	return p->opsize ? 4 : 2;
}

static unsigned address_size(enum insn_cpu_mode mode, const struct prefixes *p)
{
	if (mode == INSN_MODE_LONG64)
		return p->addrsize ? 4 : 8;
	if (mode == INSN_MODE_PROT32)
		return p->addrsize ? 2 : 4;
	return p->addrsize ? 4 : 2;
}

static unsigned disp_len16(uint8_t mod, uint8_t rm)
{
	if (mod == MOD_DISP8)
		return 1;
	if (mod == MOD_DISP_FULL || rm == RM16_DISP16)
		return 2;
	return 0;
}

/* Consume ModRM, SIB and displacement; *reg gets ModRM.reg (without REX.R). */
static enum err parse_modrm(struct cursor *c, unsigned addr_size, uint8_t *reg)
{
	uint8_t modrm, sib, mod, rm;
	unsigned disp;
	uint64_t skip;
	enum err e;

	e = take(c, &modrm);
	if (e)
		return e;
	mod = MODRM_MOD(modrm);
	rm = MODRM_RM(modrm);
	*reg = MODRM_REG(modrm);
	if (mod == MOD_REGISTER)
		return E_INVAL;
	if (addr_size == 2)
		return take_le(c, disp_len16(mod, rm), &skip);
	disp = mod == MOD_DISP8 ? 1 : mod == MOD_DISP_FULL ? 4 : 0;
	if (rm == RM_SIB) {
		e = take(c, &sib);
		if (e)
			return e;
		if (mod == MOD_NO_DISP && MODRM_RM(sib) == SIB_BASE_NONE)
			disp = 4;
	} else if (mod == MOD_NO_DISP && rm == RM_DISP32) {
		disp = 4;
	}
	return take_le(c, disp, &skip);
}

static void set_reg(struct insn_mmio *out, const struct prefixes *p, uint8_t reg, bool byte_op)
{
	out->reg = reg | ((p->rex & REX_R) ? REG_EXT : 0);
	out->zero_extend_byte_reg_high = byte_op && !p->rex && reg >= REG_HIGH_BYTE_FIRST;
}

/* 88/89/8A/8B: MOV between a register and memory. */
static enum err decode_mov_rm(struct cursor *c, uint8_t op, unsigned opsize, unsigned asize,
			      const struct prefixes *p, struct insn_mmio *out)
{
	bool byte_op = op == OP_MOV_RM8_R8 || op == OP_MOV_R8_RM8;
	uint8_t reg;
	enum err e;

	e = parse_modrm(c, asize, &reg);
	if (e)
		return e;
	out->write = op == OP_MOV_RM8_R8 || op == OP_MOV_RM_R;
	out->size = byte_op ? 1 : opsize;
	out->dest_size = out->size;
	set_reg(out, p, reg, byte_op);
	return E_OK;
}

/* C6 /0 and C7 /0: MOV memory, immediate. */
static enum err decode_mov_imm(struct cursor *c, uint8_t op, unsigned opsize, unsigned asize,
			       struct insn_mmio *out)
{
	unsigned imm_len;
	uint8_t reg;
	enum err e;

	e = parse_modrm(c, asize, &reg);
	if (e)
		return e;
	if (reg != 0)
		return E_INVAL;
	out->write = true;
	out->has_imm = true;
	out->size = op == OP_MOV_RM8_IMM8 ? 1 : opsize;
	out->dest_size = out->size;
	imm_len = out->size == 8 ? 4 : out->size;
	e = take_le(c, imm_len, &out->imm);
	if (e)
		return e;
	if (out->size == 8 && (out->imm & SIGN_BIT32))
		out->imm |= SIGN_EXT32;
	return E_OK;
}

/* A0-A3: MOV between rAX and a memory offset of the address size. */
static enum err decode_moffs(struct cursor *c, uint8_t op, unsigned opsize, unsigned asize,
			     struct insn_mmio *out)
{
	uint64_t offset;

	out->write = op == OP_MOV_MOFFS_AL || op == OP_MOV_MOFFS_AX;
	out->size = (op == OP_MOV_AL_MOFFS || op == OP_MOV_MOFFS_AL) ? 1 : opsize;
	out->dest_size = out->size;
	out->reg = 0;
	return take_le(c, asize, &offset);
}

/* 0F B6 / 0F B7: MOVZX register, memory. */
static enum err decode_two_byte(struct cursor *c, unsigned opsize, unsigned asize,
				const struct prefixes *p, struct insn_mmio *out)
{
	uint8_t op2, reg;
	enum err e;

	e = take(c, &op2);
	if (e)
		return e;
	if (op2 != OP2_MOVZX_8 && op2 != OP2_MOVZX_16)
		return E_NOTSUP;
	e = parse_modrm(c, asize, &reg);
	if (e)
		return e;
	out->movzx = true;
	out->size = op2 == OP2_MOVZX_8 ? 1 : 2;
	out->dest_size = opsize;
	set_reg(out, p, reg, false);
	return E_OK;
}

static enum err decode_opcode(struct cursor *c, uint8_t op, enum insn_cpu_mode mode,
			      const struct prefixes *p, struct insn_mmio *out)
{
	unsigned opsize = operand_size(mode, p), asize = address_size(mode, p);

	switch (op) {
	case OP_MOV_RM8_R8:
	case OP_MOV_RM_R:
	case OP_MOV_R8_RM8:
	case OP_MOV_R_RM:
		return decode_mov_rm(c, op, opsize, asize, p, out);
	case OP_MOV_RM8_IMM8:
	case OP_MOV_RM_IMM:
		return decode_mov_imm(c, op, opsize, asize, out);
	case OP_MOV_AL_MOFFS:
	case OP_MOV_AX_MOFFS:
	case OP_MOV_MOFFS_AL:
	case OP_MOV_MOFFS_AX:
		return decode_moffs(c, op, opsize, asize, out);
	case OP_TWO_BYTE:
		return decode_two_byte(c, opsize, asize, p, out);
	default:
		return E_NOTSUP;
	}
}

enum err insn_decode_mmio(const uint8_t *bytes, unsigned avail, enum insn_cpu_mode mode,
			  struct insn_mmio *out)
{
	struct cursor c = {.bytes = bytes, .avail = avail, .pos = 0};
	struct prefixes p = {0};
	uint8_t op;
	enum err e;

	memset(out, 0, sizeof(*out));
	if (mode > INSN_MODE_LONG64)
		return E_INVAL;
	e = parse_prefixes(&c, mode, &p, &op);
	if (!e)
		e = decode_opcode(&c, op, mode, &p, out);
	if (e) {
		memset(out, 0, sizeof(*out));
		return e;
	}
	out->len = c.pos;
	return E_OK;
}

/* The segment register a prefix names, in the SDM's encoding (ES = 0 .. GS = 5). */
static unsigned segment_number(uint8_t b)
{
	static const uint8_t order[INSN_SEGMENTS] = {PFX_ES, PFX_CS, PFX_SS,
						     PFX_DS, PFX_FS, PFX_GS};
	unsigned i;

	for (i = 0; i < INSN_SEGMENTS && order[i] != b; i++)
		;
	return i;
}

enum err insn_decode_string_io(const uint8_t *bytes, unsigned avail, enum insn_cpu_mode mode,
			       struct insn_string_io *out)
{
	struct cursor c = {.bytes = bytes, .avail = avail};
	struct prefixes p = {0};
	enum err e;
	uint8_t b;

	out->seg = INSN_SEG_DS;
	for (;;) {
		e = take(&c, &b);
		if (e)
			return e;
		if (b == PFX_ADDRSIZE)
			p.addrsize = true;
		else if (is_segment(b))
			out->seg = segment_number(b);
		else if (b != PFX_OPSIZE && b != PFX_REP && b != PFX_REPNE && b != PFX_LOCK &&
			 !(mode == INSN_MODE_LONG64 && (b & REX_MASK) == REX_BASE))
			break;
	}
	if (b < OP_INSB || b > OP_OUTSD)
		return E_NOTSUP;
	out->addr_size = address_size(mode, &p);
	return E_OK;
}
