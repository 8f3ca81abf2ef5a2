/* SPDX-License-Identifier: MIT */
/*
 * CPUID exits: the guest/cpuid_policy.c policy applied for this machine
 * (docs/cpuid.md).
 */
#ifndef VIREO_VMX_CPUID_H
#define VIREO_VMX_CPUID_H

#include "guest/cpuid_policy.h"
#include "vmx/exit.h"
#include "vmx/vcpu.h"

/* Once, on the boot CPU, after the VMX capabilities are known. */
void vmx_cpuid_init(void);
#define VMX_CPUID_NBASIC (CPUID_POLICY_MAX_BASIC + 1)
#define VMX_CPUID_NEXT (CPUID_POLICY_MAX_EXT - CPUID_POLICY_EXT_BASE + 1)
#define VMX_CPUID_NHV (VIREO_CPUID_MAX - VIREO_CPUID_BASE + 1)

/* The answers that are the same for every vCPU, sub-leaf and moment,
 * computed at boot: bit n of static_basic/static_ext says basic[n]/ext[n]
 * holds leaf n's answer. The hypervisor leaves are all there. */
struct vmx_cpuid_cache {
	uint32_t static_basic, static_ext;
	struct cpuid_regs basic[VMX_CPUID_NBASIC];
	struct cpuid_regs ext[VMX_CPUID_NEXT];
	struct cpuid_regs hv[VMX_CPUID_NHV];
};
extern struct vmx_cpuid_cache vmx_cpuid_cache;

/* The answers computed at CPUID time (the guest's CR4, the VM's topology,
 * its XCR0, sub-leaves) and those of leaves out of range. */
void vmx_cpuid_slow(struct vmx_vcpu *v, uint32_t leaf, uint32_t sub, struct cpuid_regs *r);

/* What the guest gets for CPUID with EAX = leaf, ECX = sub: a table read
 * for the leaves that never change (bench-exit times it). */
static inline void vmx_cpuid(struct vmx_vcpu *v, uint32_t leaf, uint32_t sub, struct cpuid_regs *r)
{
	const struct vmx_cpuid_cache *c = &vmx_cpuid_cache;
	uint32_t i = leaf - VIREO_CPUID_BASE, x = leaf - CPUID_POLICY_EXT_BASE;

	if (leaf < VMX_CPUID_NBASIC && (c->static_basic >> leaf & 1))
		*r = c->basic[leaf];
	else if (i < VMX_CPUID_NHV)
		*r = c->hv[i];
	else if (x < VMX_CPUID_NEXT && (c->static_ext >> x & 1))
		*r = c->ext[x];
	else
		vmx_cpuid_slow(v, leaf, sub, r);
}
/* Machine-report line(s): host features guests do not get. */
void vmx_cpuid_report(void);

#endif
