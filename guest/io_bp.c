/* SPDX-License-Identifier: MIT */
/*
 * Breakpoint matching for what Vireo does for the guest (guest/io_bp.h). On
 * the CPU, an IN or OUT that causes a VM exit never finishes there, and the
 * memory operand of an INS or OUTS Vireo carries out is accessed by the
 * host, so the CPU reports neither breakpoint: the exit handler asks here
 * and sets the bits in the guest's pending debug exceptions.
 */
#include "guest/io_bp.h"

#define DR7_RW_SHIFT 16
#define DR7_LEN_SHIFT 18
#define DR7_FIELD_STRIDE 4
#define DR7_FIELD_MASK 0x3u
#define DR7_RW_IO 0x2u
#define DR7_ENABLE_PAIR 0x3u /* Ln and Gn */
#define PORT_SPACE 0x10000u

/* LENn encoding (SDM Vol. 3B 18.2.5): 00B 1, 01B 2, 10B 8, 11B 4 bytes. */
static unsigned bp_len(uint64_t dr7, unsigned n)
{
	static const unsigned len[] = {1, 2, 8, 4};

	return len[(dr7 >> (DR7_LEN_SHIFT + n * DR7_FIELD_STRIDE)) & DR7_FIELD_MASK];
}

#define DR7_RW_WRITE 0x1u
#define DR7_RW_READ_WRITE 0x3u
#define RW_SET(rw) (1u << (rw))

static unsigned bp_rw(uint64_t dr7, unsigned n)
{
	return (dr7 >> (DR7_RW_SHIFT + n * DR7_FIELD_STRIDE)) & DR7_FIELD_MASK;
}

/* Bn for each enabled breakpoint whose R/W is in rw_set and whose range
 * (DRn & space, aligned down to LENn) overlaps [addr, addr + size). */
static uint64_t bp_match(uint64_t dr7, const uint64_t dr[DR_BREAKPOINTS], uint64_t addr,
			 unsigned size, unsigned rw_set, uint64_t space)
{
	uint64_t hits = 0;

	for (unsigned n = 0; n < DR_BREAKPOINTS; n++) {
		unsigned len = bp_len(dr7, n);
		uint64_t start = dr[n] & ~(uint64_t)(len - 1) & space;

		if (!((dr7 >> (2 * n)) & DR7_ENABLE_PAIR) || !(RW_SET(bp_rw(dr7, n)) & rw_set))
			continue;
		if (addr < start + len && start < addr + size)
			hits |= 1ull << n;
	}
	return hits ? hits | DBG_PENDING_ENABLED_BP : 0;
}

uint64_t io_bp_hits(uint64_t dr7, bool cr4_de, const uint64_t dr[DR_BREAKPOINTS], uint16_t port,
		    unsigned size)
{
	if (!cr4_de)
		return 0; /* R/W = 10B is undefined without CR4.DE */
	return bp_match(dr7, dr, port, size, RW_SET(DR7_RW_IO), PORT_SPACE - 1);
}

bool data_bp_armed(uint64_t dr7)
{
	for (unsigned n = 0; n < DR_BREAKPOINTS; n++) {
		unsigned rw = bp_rw(dr7, n);

		if (((dr7 >> (2 * n)) & DR7_ENABLE_PAIR) &&
		    (rw == DR7_RW_WRITE || rw == DR7_RW_READ_WRITE))
			return true;
	}
	return false;
}

uint64_t data_bp_hits(uint64_t dr7, const uint64_t dr[DR_BREAKPOINTS], uint64_t la, unsigned size,
		      bool write)
{
	unsigned rw_set = RW_SET(DR7_RW_READ_WRITE) | (write ? RW_SET(DR7_RW_WRITE) : 0);

	return bp_match(dr7, dr, la, size, rw_set, ~0ull);
}
