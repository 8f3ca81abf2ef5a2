/* SPDX-License-Identifier: MIT */
/*
 * Mitigations on the VT-x paths (policy: arch/x86/spec.c).
 * - IBPB (IA32_PRED_CMD) when a core makes current a VMCS of another VM
 *   than the last guest it ran, so one VM's branch history cannot steer
 *   another's indirect branches.
 * - L1D flush (IA32_FLUSH_CMD) before each entry, or VERW with a writable
 *   selector just before VMLAUNCH/VMRESUME (vmx/entry.asm) on MD_CLEAR
 *   microcode, where the CPU needs them.
 * - IA32_SPEC_CTRL: each vCPU has its own value, loaded before it runs;
 *   the guest may set the bits the CPU has (IBRS, STIBP, SSBD), others #GP.
 * - PRED_CMD and FLUSH_CMD writes are carried out for the guest where the
 *   CPU has them; ARCH_CAPABILITIES reads give the CPU's _NO bits, RSBA
 *   (a guest must know its RETs may be predicted otherwise) and
 *   SKIP_L1DFL_VMENTRY (Vireo flushes before entering the guest, so a
 *   hypervisor inside it need not). Without the CPUID bit, each is #GP,
 *   as on a CPU without it.
 */
#include "vmx/spec.h"
#include "arch/x86/gdt.h"
#include "vmx/percpu.h"

#define ARCH_CAP_GUEST                                                                             \
	(ARCH_CAP_RDCL_NO | ARCH_CAP_IBRS_ALL | ARCH_CAP_RSBA | ARCH_CAP_SSB_NO | ARCH_CAP_MDS_NO | \
	 ARCH_CAP_PSCHANGE_MC_NO | ARCH_CAP_TAA_NO | ARCH_CAP_SBDR_SSDP_NO | ARCH_CAP_FBSDP_NO |   \
	 ARCH_CAP_PSDP_NO | ARCH_CAP_FB_CLEAR)

uint8_t vmx_spec_entry;
const uint16_t vmx_spec_verw_sel = GDT_KERNEL_DS;

void vmx_spec_init(void)
{
	vmx_spec_entry = (spec_policy()->l1d_flush ? SPEC_ENTRY_L1D_FLUSH : 0) |
			 (spec_policy()->verw ? SPEC_ENTRY_VERW : 0);
}

void vmx_spec_switch_in(struct vmx_vcpu *v)
{
	struct vmx_percpu *p = vmx_percpu_this();

	if (p->last_vm == v->vcpu.owner)
		return;
	p->last_vm = v->vcpu.owner;
	if (spec_policy()->ibpb) {
		cpu_wrmsr(MSR_IA32_PRED_CMD, PRED_CMD_IBPB);
		p->ibpbs++;
	}
}

void vmx_spec_run(struct vmx_vcpu *v)
{
	struct vmx_percpu *p = vmx_percpu_this();

	if (spec_policy()->spec_ctrl && p->spec_ctrl_hw != v->spec_ctrl) {
		cpu_wrmsr(MSR_IA32_SPEC_CTRL, v->spec_ctrl);
		p->spec_ctrl_hw = v->spec_ctrl;
	}
}

static enum vcpu_msr_result spec_ctrl(struct vmx_vcpu *v, bool write, uint64_t *val)
{
	uint64_t allowed = spec_policy()->spec_ctrl;

	if (!allowed || (write && (*val & ~allowed)))
		return VCPU_MSR_GP;
	if (!write) {
		*val = v->spec_ctrl;
		return VCPU_MSR_OK;
	}
	v->spec_ctrl = *val;
	vmx_spec_run(v);
	return VCPU_MSR_OK;
}

/* A write-only command MSR: bit 0 does the command, other bits #GP. */
static enum vcpu_msr_result command(uint32_t msr, bool offered, bool write, uint64_t val)
{
	if (!offered || !write || (val & ~1ull))
		return VCPU_MSR_GP;
	if (val)
		cpu_wrmsr(msr, val);
	return VCPU_MSR_OK;
}

enum vcpu_msr_result vmx_spec_msr(struct vmx_vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	const struct spec_cpu *c = spec_cpu();

	switch (msr) {
	case MSR_IA32_SPEC_CTRL:
		return spec_ctrl(v, write, val);
	case MSR_IA32_PRED_CMD:
		return command(msr, spec_policy()->ibpb, write, *val);
	case MSR_IA32_FLUSH_CMD:
		return command(msr, c->cpuid7_edx & CPUID_7_EDX_L1D_FLUSH, write, *val);
	case MSR_IA32_ARCH_CAPABILITIES:
		if (write || !(c->cpuid7_edx & CPUID_7_EDX_ARCH_CAPS))
			return VCPU_MSR_GP;
		*val = (c->arch_caps & ARCH_CAP_GUEST) | ARCH_CAP_SKIP_L1DFL_VMENTRY;
		return VCPU_MSR_OK;
	default:
		return VCPU_MSR_UNHANDLED;
	}
}

/* Every mitigation bit is backed by the MSRs above; CORE_CAPABILITIES is not. */
uint32_t vmx_spec_cpuid7_edx(uint32_t host_edx)
{
	return host_edx & ~CPUID_7_EDX_CORE_CAPS;
}
