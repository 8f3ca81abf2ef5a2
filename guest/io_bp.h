/* SPDX-License-Identifier: MIT */
/*
 * Breakpoints on the accesses Vireo makes for the guest (SDM Vol. 3B 18.2.4
 * "Debug Control Register (DR7)", 18.2.5 "Breakpoint Field Recognition",
 * 18.3.1.2-18.3.1.3): which of DR0-DR3 an IN, OUT, INS or OUTS to a port
 * range hits, and which an emulated memory access hits. Pure: the caller
 * passes the guest's debug registers and CR4.DE, so host tests can check
 * them.
 */
#ifndef VIREO_GUEST_IO_BP_H
#define VIREO_GUEST_IO_BP_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/x86_regs.h"

/* Pending-debug-exception bits, also the DR6 layout (SDM Vol. 3C 25.4.2
 * Table 25-4; Vol. 3B 18.2.3): B0-B3, enabled breakpoint, single step. */
#define DBG_PENDING_B_MASK 0xfull
#define DBG_PENDING_ENABLED_BP (1ull << 12)
#define DBG_PENDING_BS (1ull << 14)

/*
 * The pending-debug-exception bits for an access to ports port ..
 * port + size - 1: Bn for each breakpoint n enabled in DR7 (Ln or Gn) as an
 * I/O breakpoint (R/Wn = 10B, defined only with CR4.DE set) whose range
 * (DRn aligned down to LENn bytes) overlaps the access, and the
 * enabled-breakpoint bit when any hit. 0: no breakpoint hit.
 */
uint64_t io_bp_hits(uint64_t dr7, bool cr4_de, const uint64_t dr[DR_BREAKPOINTS], uint16_t port,
		    unsigned size);

/* True when DR7 enables a data breakpoint (R/W = 01B or 11B). */
bool data_bp_armed(uint64_t dr7);
/*
 * The pending-debug-exception bits for a data access of size bytes at linear
 * address la (write: a write, else a read): Bn for each enabled breakpoint n
 * with R/W = 11B (read or write), or 01B (write) for a write, whose range
 * overlaps it, and the enabled-breakpoint bit when any hit.
 */
uint64_t data_bp_hits(uint64_t dr7, const uint64_t dr[DR_BREAKPOINTS], uint64_t la, unsigned size,
		      bool write);

#endif
