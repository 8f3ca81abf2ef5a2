/* SPDX-License-Identifier: MIT */
/*
 * The guest's MSR model (vmx/msr.c): one table of every MSR a guest can
 * reach and what it gets (passed through and switched per vCPU, kept in the
 * VMCS, emulated per vCPU, read-only, the VM's platform, or #GP), the
 * per-vCPU state of the emulated ones (vmx/msr_emul.c) and their reset.
 * docs/msr.md lists the same table; tests/unit/test_msr_model.c checks both
 * agree.
 */
#ifndef VIREO_VMX_MSR_H
#define VIREO_VMX_MSR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "guest/vcpu.h"

struct vmx_vcpu;

/* MTRRs (SDM Vol. 3A 12.11): variable ranges offered in IA32_MTRRCAP.VCNT. */
#define VMX_MTRR_VAR_COUNT 8
#define VMX_MTRR_FIXED_COUNT 11
/* Machine-check banks offered in IA32_MCG_CAP.Count (SDM Vol. 3B 16.3.1.1). */
#define VMX_MC_BANKS 2

/* The power-up IA32_PAT: WB, WT, UC-, UC twice (SDM Vol. 3A 12.12.4). */
#define VMX_MSR_PAT_RESET 0x0007040600070406ull

/* The emulated MSRs of one vCPU (the VMCS holds TSC offset, PAT, EFER,
 * SYSENTER_*; vmx/spec.c SPEC_CTRL; the platform APIC_BASE). */
struct vmx_msr_state {
	uint64_t tsc_adjust;
	uint64_t pat; /* also in the VMCS guest PAT field; kept across INIT */
	uint64_t misc_enable;
	uint64_t mtrr_def_type;
	uint64_t mtrr_fixed[VMX_MTRR_FIXED_COUNT];
	uint64_t mtrr_var[2 * VMX_MTRR_VAR_COUNT]; /* PHYSBASEn, PHYSMASKn */
	uint64_t mcg_status;
	uint64_t mc_ctl[VMX_MC_BANKS];
};

/* What the guest gets for an MSR (the "Guest gets" column of docs/msr.md). */
enum vmx_msr_kind {
	VMX_MSR_PASS,	   /* no exit: the guest's value switched per vCPU */
	VMX_MSR_PASS_READ, /* reads do not exit; writes are checked and emulated */
	VMX_MSR_VMCS,	   /* kept in the VMCS guest-state area */
	VMX_MSR_EMULATED,  /* Vireo's value, writes checked */
	VMX_MSR_READ_ONLY, /* Vireo's value, writes raise #GP */
	VMX_MSR_PLATFORM,  /* the VM's platform (vLAPIC) */
	VMX_MSR_GP,	   /* not offered: #GP (listed to name why) */
	VMX_MSR_KINDS
};

typedef enum vcpu_msr_result (*vmx_msr_fn)(struct vmx_vcpu *v, uint32_t msr, bool write,
					   uint64_t *val);

struct vmx_msr_entry {
	uint32_t first, last; /* an index range, both ends included */
	const char *name;
	enum vmx_msr_kind kind;
	vmx_msr_fn fn; /* NULL: #GP */
};

/* Features of the host the model follows (computed by vmx_msr_init()). */
struct vmx_msr_host {
	unsigned maxphyaddr;
	bool tsc_adjust; /* CPUID.(7,0):EBX[1] */
	bool nx, lm, syscall;
};

/* Read the host's CPUID once, before any guest runs (and in unit tests). */
void vmx_msr_init(void);
const struct vmx_msr_host *vmx_msr_host(void);
/* The table, sorted by index, and the entry for msr (NULL: not listed). */
const struct vmx_msr_entry *vmx_msr_table(size_t *count);
const struct vmx_msr_entry *vmx_msr_lookup(uint32_t msr);
const char *vmx_msr_kind_name(enum vmx_msr_kind k);
/* RDMSR or WRMSR by the guest: VCPU_MSR_OK or VCPU_MSR_GP, never UNHANDLED. */
enum vcpu_msr_result vmx_msr_access(struct vmx_vcpu *v, uint32_t msr, bool write, uint64_t *val);
/* Power-on values (vCPU creation; the VMCS must be current). INIT keeps
 * them (SDM Vol. 3A 10.1.1, Table 10-1: MTRRs, PAT, TSC, MCA unchanged). */
void vmx_msr_reset(struct vmx_vcpu *v);
/* Clear the bitmap's exit bits for the PASS and PASS_READ entries. */
void vmx_msr_bitmap_setup(uint8_t *bitmap);

/*
 * CPUID bits the model agrees with, for the CPUID policy: true when the
 * MSRs behind the bit are handled (MTRR, MCE/MCA, PAT, TSC_ADJUST), false
 * when they are not (PDCM: IA32_PERF_CAPABILITIES raises #GP).
 */
enum vmx_msr_feature {
	VMX_MSR_FEAT_MTRR,
	VMX_MSR_FEAT_MCE,
	VMX_MSR_FEAT_MCA,
	VMX_MSR_FEAT_PAT,
	VMX_MSR_FEAT_TSC_ADJUST,
	VMX_MSR_FEAT_PDCM,
	VMX_MSR_FEAT_MONITOR,
};
bool vmx_msr_offers(enum vmx_msr_feature f);

/* The emulated MSRs (vmx/msr_emul.c): validation and per-vCPU state. */
bool vmx_msr_pat_valid(uint64_t pat);
/* Power-on values, with the MTRRs as PC firmware programs them. */
void vmx_msr_emul_reset(struct vmx_msr_state *s, unsigned maxphyaddr);
enum vcpu_msr_result vmx_msr_mtrr(struct vmx_msr_state *s, unsigned maxphyaddr, uint32_t msr,
				  bool write, uint64_t *val);
enum vcpu_msr_result vmx_msr_mca(struct vmx_msr_state *s, uint32_t msr, bool write, uint64_t *val);
enum vcpu_msr_result vmx_msr_misc_enable(struct vmx_msr_state *s, bool write, uint64_t *val);

#endif
