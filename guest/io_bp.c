/* SPDX-License-Identifier: MIT */
/*
 * I/O breakpoint matching for the port instructions Vireo completes itself
 * (guest/io_bp.h). On the CPU, an IN or OUT that causes a VM exit never
 * finishes there, so the CPU reports no I/O breakpoint for it: the exit
 * handler asks here and sets the bits in the guest's pending debug
 * exceptions.
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

uint64_t io_bp_hits(uint64_t dr7, bool cr4_de, const uint64_t dr[DR_BREAKPOINTS], uint16_t port,
		    unsigned size)
{
	uint64_t hits = 0;

	if (!cr4_de)
		return 0; /* R/W = 10B is undefined without CR4.DE */
	for (unsigned n = 0; n < DR_BREAKPOINTS; n++) {
		unsigned rw = (dr7 >> (DR7_RW_SHIFT + n * DR7_FIELD_STRIDE)) & DR7_FIELD_MASK;
		unsigned len = bp_len(dr7, n);
		uint64_t start = dr[n] & ~(uint64_t)(len - 1) & (PORT_SPACE - 1);

		if (!((dr7 >> (2 * n)) & DR7_ENABLE_PAIR) || rw != DR7_RW_IO)
			continue;
		if (port < start + len && start < (uint64_t)port + size)
			hits |= 1ull << n;
	}
	return hits ? hits | DBG_PENDING_ENABLED_BP : 0;
}
