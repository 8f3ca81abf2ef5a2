/* SPDX-License-Identifier: MIT */
/*
 * INS and OUTS, with or without REP, carried out for the guest as the CPU
 * would (SDM Vol. 2B INS/OUTS and REP; Vol. 3A 3.4.5 and 5.3 segments;
 * Vol. 3A 4.6 page rights): segment base and limit, the address size,
 * the guest's page permissions, and #GP, #SS or #PF (with CR2 and the
 * error code) where the instruction faults. Backend-neutral: the backend
 * describes the instruction, this file moves the data.
 */
#ifndef VIREO_GUEST_STRING_IO_H
#define VIREO_GUEST_STRING_IO_H

#include <stdbool.h>
#include <stdint.h>
#include "guest/vcpu.h"

/* The segment of the memory operand: ES for INS, DS or an override for OUTS. */
struct string_io_seg {
	uint64_t base;
	uint32_t limit;
	bool usable;	  /* not a null selector (protected mode) */
	bool writable;	  /* data: W; code: never */
	bool readable;	  /* data: always; code: R */
	bool expand_down; /* data: E */
	bool big;	  /* D/B: an expand-down segment's upper bound is 4 GiB - 1 */
	bool is_ss;	  /* a limit violation is #SS, not #GP */
};

/*
 * One INS/OUTS exit. addr_bits: the address size, 16, 32 or 64; long_mode:
 * 64-bit code (no limit checks; seg.base is 0 but for FS and GS); protected:
 * CR0.PE (segment type checks apply); user: CPL 3; ac: RFLAGS.AC; df:
 * RFLAGS.DF (addresses go down).
 */
struct string_io {
	uint16_t port;
	unsigned size;
	bool in, rep, df;
	unsigned addr_bits;
	bool long_mode, protected_mode, user, ac;
	bool one; /* one element only: a debug trap follows each iteration */
	struct string_io_seg seg;
};

/* Elements moved per exit at most: bounds the time one exit holds the CPU
 * (1 with op->one). */
#define STRING_IO_MAX 1024

/*
 * Move up to STRING_IO_MAX elements, updating RSI/RDI and (REP) RCX as each
 * completes. *done: the instruction completed (advance RIP); otherwise RIP
 * stays (elements left, or a fault was injected). A paging structure or
 * operand in memory the VM does not have stops the VM.
 */
enum vcpu_action string_io_run(struct vcpu *v, const struct string_io *op, bool *done);
/* The linear address of the next element's memory operand (ES:RDI for INS,
 * seg:RSI for OUTS, at the address size). */
uint64_t string_io_next_linear(const struct string_io *op, const struct vcpu_regs *r);

#endif
