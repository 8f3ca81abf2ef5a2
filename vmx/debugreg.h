/* SPDX-License-Identifier: MIT */
/*
 * A vCPU's debug registers DR0-DR3 and DR6: kept in struct vmx_vcpu and in
 * the CPU's registers only while the guest may use them (vmx/debugreg.c).
 * DR7 and IA32_DEBUGCTL live in the VMCS guest-state area.
 */
#ifndef VIREO_VMX_DEBUGREG_H
#define VIREO_VMX_DEBUGREG_H

#include "vmx/vcpu.h"

/* The architectural reset values (INIT, STARTUP IPI, creation). */
void vmx_dr_reset(struct vmx_vcpu *v);
/* Give the guest the CPU's DR0-DR3/DR6 for the rest of this run: load its
 * values, MOV-DR exiting off. The VMCS must be current here. */
void vmx_dr_load(struct vmx_vcpu *v);
/* The guest's DRi (0 <= i < DR_BREAKPOINTS), wherever it is. */
uint64_t vmx_dr_get(struct vmx_vcpu *v, unsigned i);
/* At the start of a run: load them if the guest's DR7 enables a breakpoint. */
void vmx_dr_before_run(struct vmx_vcpu *v);
/* At the end of a run: save the guest's values, restore the host's, MOV-DR
 * exiting on again. */
void vmx_dr_after_run(struct vmx_vcpu *v);

#endif
