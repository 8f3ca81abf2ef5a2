/* SPDX-License-Identifier: MIT */
/*
 * The transient-execution mitigations of arch/x86/spec.h applied to VT-x
 * guests: IBPB when a core changes VM, the L1D flush and VERW before VM
 * entry, a per-vCPU IA32_SPEC_CTRL, and the mitigation MSRs a guest sees
 * (SPEC_CTRL, PRED_CMD, FLUSH_CMD, ARCH_CAPABILITIES) agreeing with the
 * CPUID bits it is given.
 */
#ifndef VIREO_VMX_SPEC_H
#define VIREO_VMX_SPEC_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/spec.h"
#include "arch/x86/cpu.h"
#include "guest/vcpu.h"
#include "vmx/vcpu.h"

/*
 * Read by vmx/entry.asm before every VM entry: 0 on CPUs that need neither,
 * else SPEC_ENTRY_L1D_FLUSH (IA32_FLUSH_CMD) or SPEC_ENTRY_VERW, never both
 * (spec_decide() asks for VERW only where the L1D flush does not run).
 */
#define SPEC_ENTRY_L1D_FLUSH 1
#define SPEC_ENTRY_VERW 2
extern uint8_t vmx_spec_entry;

/* Set the entry flags from the policy (once, before any guest runs). */
void vmx_spec_init(void);
/* v's VMCS became current on this CPU: IBPB if the last guest here was another VM's. */
void vmx_spec_switch_in(struct vmx_vcpu *v);
/* Before a run: this CPU's IA32_SPEC_CTRL becomes v's. */
void vmx_spec_run(struct vmx_vcpu *v);
/* The mitigation MSRs: VCPU_MSR_UNHANDLED for any other index. */
enum vcpu_msr_result vmx_spec_msr(struct vmx_vcpu *v, uint32_t msr, bool write, uint64_t *val);
/* CPUID.(7,0):EDX as the guest sees it. */
uint32_t vmx_spec_cpuid7_edx(uint32_t host_edx);

#endif
