/* SPDX-License-Identifier: MIT */
/*
 * Debug traps after an instruction Vireo completes for the guest. An
 * instruction that exits does not finish on the CPU, so the CPU reports
 * neither its single-step trap nor its I/O breakpoints, nor the data
 * breakpoints of memory Vireo accesses for it (SDM Vol. 3B 18.3.1 "Debug
 * Exception Conditions"): when the exit handler completes it, they
 * go into the guest's pending debug exceptions (SDM Vol. 3C 25.4.2 Table
 * 25-4), which the CPU delivers as a #DB right after the next VM entry,
 * with the priority of a trap on the previous instruction (SDM Vol. 3C
 * 27.7.3). The #DB then exits (it is intercepted) and vmx/exit.c sets the
 * same bits in the guest's DR6 as it reflects it, so the guest sees DR6.BS
 * or DR6.Bn as after the instruction on the bare CPU.
 *
 * RF (SDM Vol. 3B 18.3.1.1) is cleared by the CPU when an instruction
 * completes: an instruction completed here clears it too, so the next
 * instruction's own breakpoint is not suppressed.
 */
#include "vmx/insn_debug.h"
#include "arch/x86/x86_regs.h"
#include "guest/io_bp.h"
#include "vmx/debugreg.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_fast.h"

#define DEBUGCTL_BTF (1ull << 1) /* single step on branches only */
#define INTERRUPTIBILITY_STI_MOVSS 0x3ull

bool vmx_insn_single_step(void)
{
	return (vmcs_rd(VMCS_GUEST_RFLAGS) & RFLAGS_TF) &&
	       !(vmcs_rd(VMCS_GUEST_IA32_DEBUGCTL) & DEBUGCTL_BTF);
}

void vmx_insn_debug_pend(uint64_t bits)
{
	vmcs_wr(VMCS_GUEST_PENDING_DBG_EXCEPTIONS,
		vmcs_rd(VMCS_GUEST_PENDING_DBG_EXCEPTIONS) | bits);
}

/*
 * SDM Vol. 3B 18.3.1.4: with TF set at the start of an instruction, a
 * single-step trap follows it (none of the instructions Vireo completes
 * changes TF). With IA32_DEBUGCTL.BTF the trap waits for a branch, which
 * none of them is (18.4.3).
 */
void vmx_insn_debug_done(uint64_t rflags)
{
	if (rflags & RFLAGS_RF)
		vmcs_wr(VMCS_GUEST_RFLAGS, rflags & ~RFLAGS_RF);
	if (vmx_insn_single_step())
		vmx_insn_debug_pend(DBG_PENDING_BS);
}

/*
 * A #DB going back to the guest in an STI or MOV-SS shadow with TF set (a
 * breakpoint or single step at that boundary): VM entry requires BS in the
 * pending debug exceptions then (SDM Vol. 3C 27.3.1.5), which the #DB's own
 * exit left clear; the injected #DB takes its place (27.7.3).
 */
void vmx_insn_debug_shadow(void)
{
	if ((vmcs_rd(VMCS_GUEST_INTERRUPTIBILITY) & INTERRUPTIBILITY_STI_MOVSS) &&
	    vmx_insn_single_step())
		vmx_insn_debug_pend(DBG_PENDING_BS);
}

/* The CR4 the guest sees: its read shadow for the bits the host owns. */
static bool guest_cr4_de(void)
{
	uint64_t mask = vmcs_rd(VMCS_CR4_GUEST_HOST_MASK);
	uint64_t cr4 = (vmcs_rd(VMCS_GUEST_CR4) & ~mask) | (vmcs_rd(VMCS_CR4_READ_SHADOW) & mask);

	return cr4 & CR4_DE;
}

static void guest_drs(struct vmx_vcpu *v, uint64_t dr[DR_BREAKPOINTS])
{
	for (unsigned i = 0; i < DR_BREAKPOINTS; i++)
		dr[i] = vmx_dr_get(v, i);
}

uint64_t vmx_insn_io_bp(struct vmx_vcpu *v, uint16_t port, unsigned size)
{
	uint64_t dr7 = vmcs_rd(VMCS_GUEST_DR7), dr[DR_BREAKPOINTS];

	if (!(dr7 & DR7_ENABLE_MASK))
		return 0;
	guest_drs(v, dr);
	return io_bp_hits(dr7, guest_cr4_de(), dr, port, size);
}

bool vmx_insn_data_bp_armed(void)
{
	return data_bp_armed(vmcs_rd(VMCS_GUEST_DR7));
}

uint64_t vmx_insn_data_bp(struct vmx_vcpu *v, uint64_t la, unsigned size, bool write)
{
	uint64_t dr[DR_BREAKPOINTS];

	guest_drs(v, dr);
	return data_bp_hits(vmcs_rd(VMCS_GUEST_DR7), dr, la, size, write);
}
