/* SPDX-License-Identifier: MIT */
/*
 * I/O instruction exits: IN and OUT go to the VM's port handlers; INS and
 * OUTS are described from the VMCS (exit qualification, SDM Vol. 3C 28.2.1
 * Table 28-5; the INS/OUTS form of the VM-exit instruction-information
 * field, 28.2.5, or the instruction's own prefixes on a CPU that does not
 * report it, IA32_VMX_BASIC bit 54, Vol. 3D A.1) and carried out by
 * guest/string_io.c as the CPU would.
 */
#include "vmx/exit.h"
#include "arch/x86/x86_regs.h"
#include "guest/guest_mem.h"
#include "guest/insn_decode.h"
#include "guest/io_bp.h"
#include "guest/string_io.h"
#include "vmx/caps.h"
#include "vmx/exit_insn.h"
#include "vmx/insn_debug.h"
#include "vmx/percpu.h"

#define IO_QUAL_SIZE_MASK 0x7u
#define IO_QUAL_IN (1u << 3)
#define IO_QUAL_STRING (1u << 4)
#define IO_QUAL_REP (1u << 5)
#define IO_QUAL_PORT_SHIFT 16
#define IO_INFO_ADDR_SHIFT 7 /* bits 9:7: 0 = 16-bit, 1 = 32-bit, 2 = 64-bit */
#define IO_INFO_ADDR_MASK 0x7u
#define IO_INFO_SEG_SHIFT 15 /* bits 17:15: ES, CS, SS, DS, FS, GS (OUTS only) */
#define IO_INFO_SEG_MASK 0x7u
#define ADDR_BITS_16 16
#define SEG_FIELD_STRIDE 2 /* guest ES..GS selector fields: 0x800 + 2n (SDM 3D B.1.2) */
#define INSN_SEG_FS 4
#define AR_TYPE_CODE (1u << 3)
#define AR_TYPE_DOWN (1u << 2) /* data: expand-down */
#define AR_TYPE_RW (1u << 1)   /* data: writable; code: readable */
#define AR_DPL_SHIFT 5
#define CPL_USER 3
#define WORD_MASK(size) ((size) == 4 ? 0xffffffffull : (1ull << ((size)*8)) - 1)

static enum vcpu_action io_one(struct vmx_vcpu *v, uint16_t port, unsigned size, bool in,
			       uint32_t *val)
{
	if (!v->vcpu.ops || !v->vcpu.ops->io) {
		if (in)
			*val = 0xffffffffu;
		return VCPU_RESUME;
	}
	return v->vcpu.ops->io(&v->vcpu, port, size, in, val);
}

/* Address size (bits) and segment of the memory operand (SDM numbering). */
static void operand_of(struct vmx_vcpu *v, bool in, const struct vcpu_code_state *cs,
		       unsigned *addr_bits, unsigned *seg)
{
	uint32_t info = (uint32_t)vmcs_rd(VMCS_EXIT_INSTRUCTION_INFO);
	struct insn_string_io d = {.addr_size = (unsigned)cs->bits / 8, .seg = INSN_SEG_DS};
	uint8_t bytes[INSN_MAX_LEN];
	unsigned len = (unsigned)vmcs_rd(VMCS_EXIT_INSTRUCTION_LEN);

	if (vmx_percpu_caps()->ins_outs_info) {
		*addr_bits = ADDR_BITS_16 << ((info >> IO_INFO_ADDR_SHIFT) & IO_INFO_ADDR_MASK);
		*seg = in ? INSN_SEG_ES : (info >> IO_INFO_SEG_SHIFT) & IO_INFO_SEG_MASK;
		return;
	}
	if (len > INSN_MAX_LEN ||
	    guest_mem_read(&v->vcpu, cs->cs_base + cs->rip, bytes, len) != E_OK ||
	    insn_decode_string_io(bytes, len, insn_mode_of(cs->bits, cs->protected_mode), &d) !=
		E_OK)
		d = (struct insn_string_io){.addr_size = (unsigned)cs->bits / 8,
					    .seg = INSN_SEG_DS};
	*addr_bits = d.addr_size * 8;
	*seg = in ? INSN_SEG_ES : d.seg;
}

static void describe_seg(unsigned n, bool long_mode, struct string_io_seg *out)
{
	struct vmx_seg s;
	unsigned type;

	vmx_vcpu_read_seg(VMCS_GUEST_ES_SELECTOR + n * SEG_FIELD_STRIDE, &s);
	type = s.ar & VMX_AR_TYPE_MASK;
	*out = (struct string_io_seg){
	    .base = long_mode && n < INSN_SEG_FS ? 0 : s.base,
	    .limit = s.limit,
	    .usable = !(s.ar & VMX_AR_UNUSABLE),
	    .writable = !(type & AR_TYPE_CODE) && (type & AR_TYPE_RW),
	    .readable = !(type & AR_TYPE_CODE) || (type & AR_TYPE_RW),
	    .expand_down = !(type & AR_TYPE_CODE) && (type & AR_TYPE_DOWN),
	    .big = s.ar & VMX_AR_DB,
	    .is_ss = n == INSN_SEG_SS,
	};
}

static void describe(struct vmx_vcpu *v, uint64_t q, struct string_io *op)
{
	uint64_t rflags = vmcs_rd(VMCS_GUEST_RFLAGS);
	unsigned cpl = (unsigned)(vmcs_rd(VMCS_GUEST_SS_AR) >> AR_DPL_SHIFT) & VMX_AR_DPL_MASK;
	struct vcpu_code_state cs;
	unsigned seg;

	vmx_vcpu_code_state(&cs);
	*op = (struct string_io){
	    .port = (uint16_t)(q >> IO_QUAL_PORT_SHIFT),
	    .size = (unsigned)(q & IO_QUAL_SIZE_MASK) + 1,
	    .in = q & IO_QUAL_IN,
	    .rep = q & IO_QUAL_REP,
	    .df = rflags & RFLAGS_DF,
	    .long_mode = cs.bits == 64,
	    .protected_mode = cs.protected_mode,
	    .user = cpl == CPL_USER,
	    .ac = rflags & RFLAGS_AC,
	};
	operand_of(v, op->in, &cs, &op->addr_bits, &seg);
	describe_seg(seg, op->long_mode, &op->seg);
}

/*
 * A debug trap follows each iteration of a string instruction (single step,
 * an I/O breakpoint on its port, a data breakpoint on its memory operand:
 * SDM Vol. 3B 18.3.1.2-18.3.1.4): then one element per exit, and each
 * element that completed without a fault raises the traps it hit, at the
 * REP instruction itself while elements are left. *bp: the I/O breakpoints;
 * a completed instruction's traps are left there, with its data
 * breakpoints, for vmx_exit_io (skip_insn adds the single step).
 */
static enum vcpu_action string_io(struct vmx_vcpu *v, uint64_t q, uint64_t *bp, bool *done)
{
	bool step = vmx_insn_single_step(), data = vmx_insn_data_bp_armed();
	struct string_io op;
	enum vcpu_action act;
	uint64_t la;

	describe(v, q, &op);
	op.one = step || *bp || data;
	la = string_io_next_linear(&op, &v->vcpu.regs);
	act = string_io_run(&v->vcpu, &op, done);
	if (act == VCPU_STOP || !op.one || (vmcs_rd(VMCS_VM_ENTRY_INTR_INFO) & VMX_INTR_INFO_VALID))
		return act;
	if (data)
		*bp |= vmx_insn_data_bp(v, la, op.size, op.in);
	if (!*done)
		vmx_insn_debug_pend(*bp | (step ? DBG_PENDING_BS : 0));
	return act;
}

enum vcpu_action vmx_exit_io(struct vmx_vcpu *v)
{
	uint64_t q = vmcs_rd(VMCS_EXIT_QUALIFICATION);
	unsigned size = (unsigned)(q & IO_QUAL_SIZE_MASK) + 1;
	uint16_t port = (uint16_t)(q >> IO_QUAL_PORT_SHIFT);
	uint64_t bp = vmx_insn_io_bp(v, port, size);
	bool in = q & IO_QUAL_IN, done = true;
	enum vcpu_action act;
	uint32_t val;

	if (__builtin_expect(q & IO_QUAL_STRING, 0)) {
		act = string_io(v, q, &bp, &done);
	} else {
		val = (uint32_t)v->vcpu.regs.rax;
		act = io_one(v, port, size, in, &val);
		if (in)
			v->vcpu.regs.rax = size == 4 ? val
						     : (v->vcpu.regs.rax & ~WORD_MASK(size)) |
							   (val & WORD_MASK(size));
	}
	if (act != VCPU_STOP && done) {
		skip_insn();
		if (__builtin_expect(bp != 0, 0))
			vmx_insn_debug_pend(bp);
	}
	return act;
}
