/* SPDX-License-Identifier: MIT */
/*
 * A programmable fake of the VMCS instructions of vmx/vmx_insn.h (VMCLEAR,
 * VMPTRLD, VMPTRST, VMREAD, VMWRITE, INVEPT, INVVPID) for host unit tests:
 * per-VMCS field stores, the current-VMCS pointer, fields the "CPU" does not
 * support, forced failures and a call log. Checks follow SDM Vol. 3C 31.3.
 */
#ifndef VIREO_TESTS_FAKE_VMCS_H
#define VIREO_TESTS_FAKE_VMCS_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx/vmx_insn.h"

enum fake_vmcs_op {
	FAKE_VMCLEAR,
	FAKE_VMPTRLD,
	FAKE_VMPTRST,
	FAKE_VMREAD,
	FAKE_VMWRITE,
	FAKE_INVEPT,
	FAKE_INVVPID,
	FAKE_VMCS_OPS
};

struct fake_vmcs_call {
	enum fake_vmcs_op op;
	uint64_t arg;   /* address, field encoding or INVEPT/INVVPID type */
	uint64_t value; /* value written or read, EPTP, or VPID */
	uint64_t extra; /* INVVPID linear address, or the descriptor's reserved bits */
	enum vmx_insn_result result;
	uint32_t error; /* VM-instruction error stored on VMfailValid, else 0 */
};

/* No current VMCS, no stores, every encoding with clear reserved bits supported. */
void fake_vmcs_reset(void);
/* When set, VMPTRLD checks the region's first dword against this revision id. */
void fake_vmcs_set_revision(uint32_t revision_id);
/* Make VMREAD/VMWRITE of field fail with error 12, as on a CPU without it. */
void fake_vmcs_set_unsupported(uint32_t field, bool unsupported);
/* Allow VMWRITE to read-only fields (IA32_VMX_MISC bit 29). */
void fake_vmcs_allow_write_read_only(bool allow);
/* Force the next call of op to fail; a VMfailValid stores error in the current VMCS. */
void fake_vmcs_force(enum fake_vmcs_op op, enum vmx_insn_result r, uint32_t error);

/* Field access that bypasses the instruction checks (for setting up read-only fields). */
void fake_vmcs_set_field(uint64_t vmcs_pa, uint32_t field, uint64_t value);
uint64_t fake_vmcs_field(uint64_t vmcs_pa, uint32_t field);
/* The current-VMCS pointer, ~0 if none. */
uint64_t fake_vmcs_current(void);
/* Whether VMCLEAR has been executed on pa since its last VMPTRLD (or it was never loaded). */
bool fake_vmcs_is_clear(uint64_t vmcs_pa);

unsigned int fake_vmcs_calls(enum fake_vmcs_op op);
/* The most recent call of op, or NULL if there was none. */
const struct fake_vmcs_call *fake_vmcs_last(enum fake_vmcs_op op);

#endif
