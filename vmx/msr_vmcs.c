/* SPDX-License-Identifier: MIT */
/*
 * Guest MSRs whose state lives in the VMCS guest-state area (SDM Vol. 3C
 * 25.4.1): IA32_SYSENTER_CS, _ESP and _EIP are read and written there, so
 * they follow the vCPU between cores with its VMCS. A non-canonical
 * SYSENTER_ESP/EIP raises #GP, as WRMSR does on the CPU (SDM Vol. 2B WRMSR,
 * Vol. 4 Table 2-2); so would a VM entry with one (27.3.1.1).
 * IA32_DEBUGCTL is loaded and saved with DR7 by the debug-controls VM-entry
 * and VM-exit controls (vmx/debugreg.c).
 */
#include "vmx/msr_vmcs.h"
#include "arch/x86/cpu.h"
#include "vmx/vmcs.h"

#define CPUID_ADDR_SIZES 0x80000008u
#define LINADDR_WIDTH_SHIFT 8
#define WIDTH_MASK 0xffu
#define DEFAULT_LINADDR_WIDTH 48
/* IA32_DEBUGCTL (SDM Vol. 3B 17.4.1): single-step on branches is offered;
 * LBR, BTS and the freeze bits need MSRs guests do not get (their CPUID
 * bits are hidden: docs/cpuid.md), so setting them raises #GP. */
#define DEBUGCTL_BTF (1ull << 1)

static unsigned linaddr_width(void)
{
	static unsigned width;
	struct cpuid_regs r;

	if (width)
		return width;
	cpu_cpuid(CPUID_ADDR_SIZES & ~0xffu, 0, &r);
	width = DEFAULT_LINADDR_WIDTH;
	if (r.eax >= CPUID_ADDR_SIZES) {
		cpu_cpuid(CPUID_ADDR_SIZES, 0, &r);
		width = (r.eax >> LINADDR_WIDTH_SHIFT) & WIDTH_MASK;
	}
	return width;
}

static bool canonical(uint64_t v)
{
	unsigned shift = 64 - linaddr_width();

	return (uint64_t)((int64_t)(v << shift) >> shift) == v;
}

static uint32_t field_of(uint32_t msr)
{
	if (msr == MSR_IA32_SYSENTER_CS)
		return VMCS_GUEST_IA32_SYSENTER_CS;
	return msr == MSR_IA32_SYSENTER_ESP ? VMCS_GUEST_IA32_SYSENTER_ESP
					    : VMCS_GUEST_IA32_SYSENTER_EIP;
}

enum vcpu_msr_result vmx_msr_vmcs(uint32_t msr, bool write, uint64_t *val)
{
	if (msr < MSR_IA32_SYSENTER_CS || msr > MSR_IA32_SYSENTER_EIP)
		return VCPU_MSR_UNHANDLED;
	if (!write) {
		*val = vmcs_read_or(field_of(msr), 0);
		return VCPU_MSR_OK;
	}
	if (msr != MSR_IA32_SYSENTER_CS && !canonical(*val))
		return VCPU_MSR_GP;
	vmcs_write(field_of(msr), msr == MSR_IA32_SYSENTER_CS ? (uint32_t)*val : *val);
	return VCPU_MSR_OK;
}

enum vcpu_msr_result vmx_msr_debugctl(bool write, uint64_t *val)
{
	if (!write) {
		*val = vmcs_read_or(VMCS_GUEST_IA32_DEBUGCTL, 0);
		return VCPU_MSR_OK;
	}
	if (*val & ~DEBUGCTL_BTF)
		return VCPU_MSR_GP;
	vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, *val);
	return VCPU_MSR_OK;
}
