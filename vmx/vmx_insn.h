/* SPDX-License-Identifier: MIT */
/*
 * Thin accessors for the VMX instructions. Each returns how the instruction
 * completed (SDM Vol. 3C 31.2 "Conventions": VMsucceed, VMfailInvalid with
 * CF=1, VMfailValid with ZF=1). Host unit tests link a fake instead.
 */
#ifndef VIREO_VMX_VMX_INSN_H
#define VIREO_VMX_VMX_INSN_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/error.h"

enum vmx_insn_result {
	VMX_INSN_OK = 0,
	VMX_INSN_VMFAIL_INVALID, /* CF=1: no current VMCS or bad operand */
	VMX_INSN_VMFAIL_VALID,   /* ZF=1: error number in the VM-instruction error field */
};

/* VMXON with the physical address of a prepared VMXON region (SDM 3C 31.3, VMXON). */
enum vmx_insn_result vmx_insn_vmxon(uint64_t pa);
/* VMXOFF: leave VMX operation on this CPU (SDM 3C 31.3, VMXOFF). */
enum vmx_insn_result vmx_insn_vmxoff(void);

/* VMCLEAR: write back and clear the VMCS at pa, making it inactive here (SDM 3C 31.3). */
enum vmx_insn_result vmx_insn_vmclear(uint64_t pa);
/* VMPTRLD: make the VMCS at pa current and active on this CPU (SDM 3C 31.3). */
enum vmx_insn_result vmx_insn_vmptrld(uint64_t pa);
/* VMPTRST: store the current-VMCS pointer, all-ones if none (SDM 3C 31.3). */
enum vmx_insn_result vmx_insn_vmptrst(uint64_t *pa);
/* VMREAD/VMWRITE of one field of the current VMCS by encoding (SDM 3C 31.3, 25.11.2). */
enum vmx_insn_result vmx_insn_vmread(uint64_t field, uint64_t *value);
enum vmx_insn_result vmx_insn_vmwrite(uint64_t field, uint64_t value);

/* INVEPT types and its 128-bit memory descriptor (SDM 3C 31.3, INVEPT). */
#define VMX_INVEPT_SINGLE_CONTEXT 1u
#define VMX_INVEPT_ALL_CONTEXT 2u

struct vmx_invept_desc {
	uint64_t eptp;
	uint64_t reserved; /* must be zero */
};

/* INVVPID types and its 128-bit memory descriptor (SDM 3C 31.3, INVVPID). */
#define VMX_INVVPID_INDIVIDUAL_ADDR 0u
#define VMX_INVVPID_SINGLE_CONTEXT 1u
#define VMX_INVVPID_ALL_CONTEXT 2u
#define VMX_INVVPID_SINGLE_CONTEXT_KEEP_GLOBALS 3u

struct vmx_invvpid_desc {
	uint16_t vpid;
	uint16_t reserved[3]; /* must be zero */
	uint64_t linear_addr; /* used by the individual-address type only */
};

_Static_assert(sizeof(struct vmx_invept_desc) == 16, "INVEPT descriptor is 128 bits");
_Static_assert(sizeof(struct vmx_invvpid_desc) == 16, "INVVPID descriptor is 128 bits");

/* Invalidate EPT-derived translations (VMfailValid error 28: bad type or descriptor). */
enum vmx_insn_result vmx_insn_invept(uint64_t type, const struct vmx_invept_desc *desc);
/* Invalidate VPID-tagged linear translations (error 28 as above). */
enum vmx_insn_result vmx_insn_invvpid(uint64_t type, const struct vmx_invvpid_desc *desc);

static inline enum vmx_insn_result vmx_insn_result_from_flags(bool cf, bool zf)
{
	if (cf)
		return VMX_INSN_VMFAIL_INVALID;
	if (zf)
		return VMX_INSN_VMFAIL_VALID;
	return VMX_INSN_OK;
}

static inline enum err vmx_insn_err(enum vmx_insn_result r)
{
	if (r == VMX_INSN_VMFAIL_INVALID)
		return E_VMFAIL_INVALID;
	if (r == VMX_INSN_VMFAIL_VALID)
		return E_VMFAIL_VALID;
	return E_OK;
}

#endif
