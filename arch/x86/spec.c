/* SPDX-License-Identifier: MIT */
/*
 * The mitigation decisions of arch/x86/spec.h. A CPU is exposed to L1TF
 * unless IA32_ARCH_CAPABILITIES.RDCL_NO, and a hypervisor need not flush
 * the L1D on entry where SKIP_L1DFL_VMENTRY says so; it is exposed to the
 * buffer-sampling family (MDS, TAA, MMIO stale data) unless MDS_NO, TAA_NO,
 * SBDR_SSDP_NO, FBSDP_NO and PSDP_NO all say otherwise, and VERW clears the
 * buffers only where CPUID enumerates MD_CLEAR (SDM Vol. 4 Table 2-2, MSR
 * 10AH; Vol. 2A CPUID leaf 07H).
 */
#include "arch/x86/spec.h"
#include "arch/x86/cpu.h"
#include "lib/printk.h"

#define BUFFER_NO_ALL                                                                              \
	(ARCH_CAP_MDS_NO | ARCH_CAP_TAA_NO | ARCH_CAP_SBDR_SSDP_NO | ARCH_CAP_FBSDP_NO |           \
	 ARCH_CAP_PSDP_NO)

static struct spec_cpu boot_cpu;
static struct spec_policy policy;

static void decide_l1d(const struct spec_cpu *in, struct spec_policy *out)
{
	bool exposed = !(in->arch_caps & ARCH_CAP_RDCL_NO);

	if (!exposed) {
		out->l1d_why = "not needed: ARCH_CAPABILITIES.RDCL_NO";
	} else if (in->arch_caps & ARCH_CAP_SKIP_L1DFL_VMENTRY) {
		out->l1d_why = "not needed: ARCH_CAPABILITIES.SKIP_L1DFL_VMENTRY";
	} else if (in->cpuid7_edx & CPUID_7_EDX_L1D_FLUSH) {
		out->l1d_flush = true;
		out->l1d_why = "on: exposed to L1TF, IA32_FLUSH_CMD before each VM entry";
	} else {
		out->l1tf_open = true;
		out->l1d_why = "OPEN: exposed to L1TF (no RDCL_NO) but no L1D flush command "
			       "(CPUID.7:EDX[28]); update the microcode";
	}
}

static void decide_verw(const struct spec_cpu *in, struct spec_policy *out)
{
	bool exposed = (in->arch_caps & BUFFER_NO_ALL) != BUFFER_NO_ALL;

	if (!exposed)
		out->verw_why = "not needed: MDS_NO, TAA_NO and the MMIO stale data _NO bits";
	else if (out->l1d_flush)
		out->verw_why = "covered by the L1D flush on entry";
	else if (!(in->cpuid7_edx & CPUID_7_EDX_MD_CLEAR))
		out->verw_why = "OPEN: exposed to MDS/TAA/MMIO stale data but VERW does not "
				"clear buffers (no MD_CLEAR); update the microcode";
	else
		out->verw_why = "on: VERW before each VM entry (MD_CLEAR)";
	out->verw = exposed && !out->l1d_flush && (in->cpuid7_edx & CPUID_7_EDX_MD_CLEAR);
}

void spec_decide(const struct spec_cpu *in, struct spec_policy *out)
{
	*out = (struct spec_policy){0};
	out->ibpb = in->cpuid7_edx & CPUID_7_EDX_IBRS_IBPB;
	if (in->cpuid7_edx & CPUID_7_EDX_IBRS_IBPB)
		out->spec_ctrl |= SPEC_CTRL_IBRS;
	if (in->cpuid7_edx & CPUID_7_EDX_STIBP)
		out->spec_ctrl |= SPEC_CTRL_STIBP;
	if (in->cpuid7_edx & CPUID_7_EDX_SSBD)
		out->spec_ctrl |= SPEC_CTRL_SSBD;
	decide_l1d(in, out);
	decide_verw(in, out);
}

void spec_init(void)
{
	struct cpuid_regs r = {0};

	cpu_cpuid(0, 0, &r);
	if (r.eax >= CPUID_LEAF_EXT_FEATURES)
		cpu_cpuid(CPUID_LEAF_EXT_FEATURES, 0, &r);
	else
		r = (struct cpuid_regs){0};
	boot_cpu.cpuid7_edx = r.edx;
	boot_cpu.arch_caps =
	    (r.edx & CPUID_7_EDX_ARCH_CAPS) ? cpu_rdmsr(MSR_IA32_ARCH_CAPABILITIES) : 0;
	spec_decide(&boot_cpu, &policy);
}

const struct spec_policy *spec_policy(void)
{
	return &policy;
}

const struct spec_cpu *spec_cpu(void)
{
	return &boot_cpu;
}

void spec_report(void)
{
	pr_info("  mitigations      CPUID.7:EDX 0x%08x, ARCH_CAPABILITIES 0x%llx\n",
		boot_cpu.cpuid7_edx, (unsigned long long)boot_cpu.arch_caps);
	pr_info("    IBPB between VMs  %s\n", policy.ibpb
						  ? "on: IA32_PRED_CMD when a core changes VM"
						  : "not possible: no IBRS_IBPB (CPUID.7:EDX[26])");
	pr_info("    L1D flush         %s\n", policy.l1d_why);
	pr_info("    VERW on entry     %s\n", policy.verw_why);
	pr_info("    guest SPEC_CTRL   per vCPU, bits 0x%llx%s\n",
		(unsigned long long)policy.spec_ctrl, policy.spec_ctrl ? "" : " (none: #GP)");
}
