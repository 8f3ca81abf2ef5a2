/* SPDX-License-Identifier: MIT */
/*
 * MOV to CR0/CR4 checks (guest/cr_check.h). Each rule names where the SDM
 * states it; every one of them raises #GP(0) and leaves the register as it
 * was.
 */
#include "guest/cr_check.h"
#include <stddef.h>
#include "arch/x86/x86_regs.h"

#define CR_HIGH_SHIFT 32
#define CR3_PCID_MASK 0xfffull

/* SDM Vol. 2B MOV to CR0 (#GP(0) list), Vol. 3A 2.5, 4.10.1, 10.8.5. */
const char *cr_check_cr0(const struct cr_state *s, uint64_t val)
{
	if (val >> CR_HIGH_SHIFT)
		return "CR0 bits 63:32 are reserved";
	if ((val & CR0_PG) && !(val & CR0_PE))
		return "CR0.PG set with CR0.PE clear";
	if ((val & CR0_NW) && !(val & CR0_CD))
		return "CR0.NW set with CR0.CD clear";
	if ((val & CR0_PG) && !(s->cr0 & CR0_PG) && (s->efer & EFER_LME) && !(s->cr4 & CR4_PAE))
		return "IA-32e mode activated (CR0.PG, EFER.LME) with CR4.PAE clear";
	if (!(val & CR0_PG) && s->long_mode)
		return "CR0.PG cleared in 64-bit mode";
	if (!(val & CR0_PG) && (s->cr4 & CR4_PCIDE))
		return "CR0.PG cleared with CR4.PCIDE set";
	if (!(val & CR0_WP) && (s->cr4 & CR4_CET))
		return "CR0.WP cleared with CR4.CET set";
	return NULL;
}

/* SDM Vol. 2B MOV to CR4 (#GP(0) list), Vol. 3A 2.5, 4.10.1. */
const char *cr_check_cr4(const struct cr_state *s, uint64_t val)
{
	bool lma = s->efer & EFER_LMA;

	if (val & ~s->cr4_allowed)
		return "CR4 reserved bit (a feature this CPU does not offer)";
	if (lma && !(val & CR4_PAE))
		return "CR4.PAE cleared in IA-32e mode";
	if (lma && ((val ^ s->cr4) & CR4_LA57))
		return "CR4.LA57 changed in IA-32e mode";
	if ((val & CR4_PCIDE) && !(s->cr4 & CR4_PCIDE) && (!lma || (s->cr3 & CR3_PCID_MASK)))
		return "CR4.PCIDE set outside IA-32e mode or with CR3[11:0] not 0";
	if ((val & CR4_CET) && !(s->cr0 & CR0_WP))
		return "CR4.CET set with CR0.WP clear";
	return NULL;
}
