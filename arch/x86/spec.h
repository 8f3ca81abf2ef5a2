/* SPDX-License-Identifier: MIT */
/*
 * Transient-execution mitigations for running guests: which ones this CPU
 * needs, decided from CPUID.(EAX=7,ECX=0):EDX and IA32_ARCH_CAPABILITIES
 * (SDM Vol. 2A CPUID leaf 07H; Vol. 4 Table 2-2; Intel's "Speculative
 * Execution Side Channel Mitigations" and L1TF/MDS guidance), once at boot,
 * and the register bits involved. The VT-x side applies them (vmx/spec.c).
 */
#ifndef VIREO_ARCH_X86_SPEC_H
#define VIREO_ARCH_X86_SPEC_H

#include <stdbool.h>
#include <stdint.h>

/* CPUID.(EAX=7,ECX=0):EDX */
#define CPUID_7_EDX_MD_CLEAR (1u << 10)
#define CPUID_7_EDX_IBRS_IBPB (1u << 26)
#define CPUID_7_EDX_STIBP (1u << 27)
#define CPUID_7_EDX_L1D_FLUSH (1u << 28)
#define CPUID_7_EDX_ARCH_CAPS (1u << 29)
#define CPUID_7_EDX_CORE_CAPS (1u << 30)
#define CPUID_7_EDX_SSBD (1u << 31)

/* MSRs (SDM Vol. 4 Table 2-2) */
#define MSR_IA32_SPEC_CTRL 0x48
#define SPEC_CTRL_IBRS (1ull << 0)
#define SPEC_CTRL_STIBP (1ull << 1)
#define SPEC_CTRL_SSBD (1ull << 2)
#define MSR_IA32_PRED_CMD 0x49
#define PRED_CMD_IBPB (1ull << 0)
#define MSR_IA32_ARCH_CAPABILITIES 0x10a
#define ARCH_CAP_RDCL_NO (1ull << 0)
#define ARCH_CAP_IBRS_ALL (1ull << 1)
#define ARCH_CAP_RSBA (1ull << 2) /* RET may use other predictors when the RSB is empty */
#define ARCH_CAP_SKIP_L1DFL_VMENTRY (1ull << 3)
#define ARCH_CAP_SSB_NO (1ull << 4)
#define ARCH_CAP_MDS_NO (1ull << 5)
#define ARCH_CAP_PSCHANGE_MC_NO (1ull << 6)
#define ARCH_CAP_TAA_NO (1ull << 8)
#define ARCH_CAP_SBDR_SSDP_NO (1ull << 13)
#define ARCH_CAP_FBSDP_NO (1ull << 14)
#define ARCH_CAP_PSDP_NO (1ull << 15)
#define ARCH_CAP_FB_CLEAR (1ull << 17)
#define MSR_IA32_FLUSH_CMD 0x10b
#define FLUSH_CMD_L1D (1ull << 0)

/* What the CPU says of itself. */
struct spec_cpu {
	uint32_t cpuid7_edx;
	uint64_t arch_caps; /* 0 when CPUID does not enumerate the MSR */
};

/*
 * What Vireo does about it, with the reason for each in words:
 * - ibpb: IBPB (IA32_PRED_CMD) when a core switches to another VM's vCPU;
 * - l1d_flush: IA32_FLUSH_CMD before every VM entry (L1TF);
 * - l1tf_open: the CPU is exposed to L1TF but offers no L1D flush command;
 * - verw: VERW before every VM entry (MDS, TAA, MMIO stale data), not
 *   needed where the L1D flush runs (it clears the same buffers);
 * - spec_ctrl: the IA32_SPEC_CTRL bits a guest may set, kept per vCPU.
 */
struct spec_policy {
	bool ibpb, l1d_flush, l1tf_open, verw;
	uint64_t spec_ctrl;
	const char *l1d_why, *verw_why;
};

/* Pure: the policy for a CPU that reports *in. */
void spec_decide(const struct spec_cpu *in, struct spec_policy *out);
/* Read the boot CPU and decide (every CPU is assumed alike). */
void spec_init(void);
const struct spec_policy *spec_policy(void);
const struct spec_cpu *spec_cpu(void);
/* The machine report's lines: what is applied and why. */
void spec_report(void);

#endif
