/* SPDX-License-Identifier: MIT */
/*
 * INS/OUTS element by element (SDM Vol. 2B INS/INSB/INSW/INSD, OUTS and
 * REP). Each element is checked as the CPU checks it, in the CPU's order:
 * the segment (Vol. 3A 5.3: null selector, type, limit; none in 64-bit
 * mode), then the page walk with the guest's rights (Vol. 3A 4.6), and only
 * then does the port see the access. A fault leaves RIP on the instruction
 * with RSI/RDI and RCX saying how many elements completed, as REP does.
 */
#include "guest/string_io.h"
#include "arch/x86/traps.h"
#include "guest/guest_mem.h"

#define MASK_16 0xffffull
#define MASK_32 0xffffffffull
#define ADDR_BITS_64 64
#define ADDR_BITS_32 32
#define PORT_NOBODY 0xffffffffu

enum step { STEP_DONE, STEP_FAULT, STEP_STOP };

static uint64_t addr_mask(unsigned bits)
{
	if (bits == ADDR_BITS_64)
		return ~0ull;
	return bits == ADDR_BITS_32 ? MASK_32 : MASK_16;
}

/*
 * A register written at the address size: a 16-bit write keeps bits 63:16,
 * a 32-bit one zero-extends (SDM Vol. 1 3.4.1.1).
 */
static void reg_set(uint64_t *reg, uint64_t val, unsigned bits)
{
	uint64_t m = addr_mask(bits);

	*reg = bits == ADDR_BITS_32 || bits == ADDR_BITS_64 ? val & m : (*reg & ~m) | (val & m);
}

/* SDM Vol. 3A 5.3: every byte of [off, off + size) inside the limit. */
static bool within_limit(const struct string_io_seg *s, uint64_t off, unsigned size)
{
	uint64_t last = off + size - 1;

	if (s->expand_down)
		return off > s->limit && last <= (s->big ? MASK_32 : MASK_16);
	return last <= s->limit;
}

/* The segment checks of INS/OUTS outside 64-bit mode: true means #GP/#SS(0). */
static bool seg_fault(const struct string_io *op, uint64_t off)
{
	const struct string_io_seg *s = &op->seg;

	if (op->long_mode)
		return false;
	if (op->protected_mode && (!s->usable || (op->in ? !s->writable : !s->readable)))
		return true;
	return !within_limit(s, off, op->size);
}

static enum step raise(struct vcpu *v, uint8_t vector, uint32_t error)
{
	vcpu_inject_exception(v, vector, true, error);
	return STEP_FAULT;
}

static enum step mem_failed(struct vcpu *v, const struct string_io *op, enum err e,
			    const struct guest_fault *f)
{
	if (e == E_NOENT) {
		vcpu_inject_page_fault(v, f->addr, f->error);
		return STEP_FAULT;
	}
	if (e == E_INVAL) /* non-canonical (SDM Vol. 2B INS: 64-bit mode exceptions) */
		return raise(v, op->seg.is_ss ? X86_TRAP_SS : X86_TRAP_GP, 0);
	vcpu_stop(v, "string I/O on port 0x%x through guest memory 0x%llx the VM does not have",
		  op->port, (unsigned long long)f->addr);
	return STEP_STOP;
}

uint64_t string_io_next_linear(const struct string_io *op, const struct vcpu_regs *r)
{
	uint64_t la = op->seg.base + ((op->in ? r->rdi : r->rsi) & addr_mask(op->addr_bits));

	return op->long_mode ? la : la & MASK_32;
}

/* The port's side: a VM without port handlers reads all ones. */
static enum vcpu_action port(struct vcpu *v, const struct string_io *op, uint32_t *val)
{
	if (v->ops && v->ops->io)
		return v->ops->io(v, op->port, op->size, op->in, val);
	*val = op->in ? PORT_NOBODY : *val;
	return VCPU_RESUME;
}

/* One element at offset off of the segment; *act: what the port said. */
static enum step element(struct vcpu *v, const struct string_io *op, uint64_t off,
			 enum vcpu_action *act)
{
	struct gva_access a = {.write = op->in, .user = op->user, .ac = op->ac};
	uint64_t la = op->long_mode ? op->seg.base + off : (op->seg.base + off) & MASK_32;
	struct guest_span sp;
	struct guest_fault f;
	uint32_t val = 0;
	enum err e;

	if (seg_fault(op, off))
		return raise(v, op->seg.is_ss ? X86_TRAP_SS : X86_TRAP_GP, 0);
	e = guest_mem_map(v, la, op->size, &a, &sp, &f);
	if (e != E_OK)
		return mem_failed(v, op, e, &f);
	if (!op->in)
		guest_span_copy(&sp, &val, false);
	*act = port(v, op, &val);
	if (op->in)
		guest_span_copy(&sp, &val, true);
	return STEP_DONE;
}

enum vcpu_action string_io_run(struct vcpu *v, const struct string_io *op, bool *done)
{
	uint64_t mask = addr_mask(op->addr_bits);
	uint64_t left = op->rep ? v->regs.rcx & mask : 1;
	uint64_t *reg = op->in ? &v->regs.rdi : &v->regs.rsi;
	int64_t step = op->df ? -(int64_t)op->size : (int64_t)op->size;
	enum vcpu_action act = VCPU_RESUME;
	enum step s = STEP_DONE;
	unsigned n;

	unsigned max = op->one ? 1 : STRING_IO_MAX;

	for (n = 0; left && n < max && act == VCPU_RESUME; n++) {
		s = element(v, op, *reg & mask, &act);
		if (s != STEP_DONE)
			break;
		reg_set(reg, (*reg & mask) + (uint64_t)step, op->addr_bits);
		left--;
		if (op->rep)
			reg_set(&v->regs.rcx, left, op->addr_bits);
	}
	*done = s == STEP_DONE && left == 0;
	if (s == STEP_STOP || v->stopped)
		return VCPU_STOP;
	return act;
}
