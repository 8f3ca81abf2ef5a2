/* SPDX-License-Identifier: MIT */
/*
 * Completing an emulated instruction from an exit handler: RIP past it and
 * the end of an STI or MOV-SS shadow. Inline: it is on every instruction
 * exit's path.
 */
#ifndef VIREO_VMX_EXIT_INSN_H
#define VIREO_VMX_EXIT_INSN_H

#include "vmx/vmcs.h"
#include "vmx/vmcs_fast.h"
#include "vmx/insn_debug.h"
#include "arch/x86/x86_regs.h"

#define INTERRUPTIBILITY_BLOCKING 0x3u

/*
 * The shadow of STI/MOV SS covers only the instruction after it (SDM Vol.
 * 3C 25.4.2, Table 25-3). Left set, it would keep the interrupt window
 * closed at the next entry, e.g. after the HLT of "sti; hlt". A single step
 * held back by MOV SS stays in the pending debug exceptions, which the CPU
 * saved at the exit, and comes with this instruction's own (one #DB, as on
 * the CPU). RF and TF: vmx/insn_debug.c.
 */
static inline __attribute__((always_inline)) void complete_insn(unsigned n)
{
	uint64_t intr = vmcs_rd(VMCS_GUEST_INTERRUPTIBILITY);
	uint64_t rflags = vmcs_rd(VMCS_GUEST_RFLAGS);

	vmcs_wr(VMCS_GUEST_RIP, vmcs_rd(VMCS_GUEST_RIP) + n);
	if (__builtin_expect(intr & INTERRUPTIBILITY_BLOCKING, 0))
		vmcs_wr(VMCS_GUEST_INTERRUPTIBILITY, intr & ~(uint64_t)INTERRUPTIBILITY_BLOCKING);
	if (__builtin_expect(rflags & (RFLAGS_TF | RFLAGS_RF), 0))
		vmx_insn_debug_done(rflags);
}

static inline __attribute__((always_inline)) void skip_insn(void)
{
	complete_insn((unsigned)vmcs_rd(VMCS_EXIT_INSTRUCTION_LEN));
}

#endif
