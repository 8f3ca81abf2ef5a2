/* SPDX-License-Identifier: MIT */
/*
 * The guest MSRs kept in the current VMCS's guest-state area (vmx/msr_vmcs.c).
 */
#ifndef VIREO_VMX_MSR_VMCS_H
#define VIREO_VMX_MSR_VMCS_H

#include <stdbool.h>
#include <stdint.h>
#include "guest/vcpu.h"

/* RDMSR/WRMSR of IA32_SYSENTER_CS/ESP/EIP; VCPU_MSR_UNHANDLED for others. */
enum vcpu_msr_result vmx_msr_vmcs(uint32_t msr, bool write, uint64_t *val);
/* IA32_DEBUGCTL, in the VMCS (the debug-controls entry/exit controls). */
enum vcpu_msr_result vmx_msr_debugctl(bool write, uint64_t *val);

#endif
