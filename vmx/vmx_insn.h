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
