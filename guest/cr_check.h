/* SPDX-License-Identifier: MIT */
/*
 * The checks MOV to CR0 and MOV to CR4 make before they change anything
 * (SDM Vol. 2B "MOV - Move to/from Control Registers", Vol. 3A 2.5
 * "Control Registers", 4.10.1, 10.8.5), for the writes Vireo completes
 * after an exit. Pure functions of the guest's current state, so host
 * tests can check every rule.
 */
#ifndef VIREO_GUEST_CR_CHECK_H
#define VIREO_GUEST_CR_CHECK_H

#include <stdbool.h>
#include <stdint.h>

/* The guest's view before the write (the values the guest reads). */
struct cr_state {
	uint64_t cr0, cr3, cr4, efer;
	bool long_mode;	      /* 64-bit mode: EFER.LMA and CS.L */
	uint64_t cr4_allowed; /* CR4 bits the guest's CPU has: the rest are reserved */
};

/* NULL when MOV to CR0 of val succeeds; else the rule it breaks (#GP(0)). */
const char *cr_check_cr0(const struct cr_state *s, uint64_t val);
/* NULL when MOV to CR4 of val succeeds; else the rule it breaks (#GP(0)). */
const char *cr_check_cr4(const struct cr_state *s, uint64_t val);

#endif
