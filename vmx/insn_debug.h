/* SPDX-License-Identifier: MIT */
/*
 * Debug traps of the instructions Vireo completes for the guest (emulated
 * or skipped after an exit): single step, I/O and data breakpoints, raised
 * through the VMCS pending-debug-exceptions field (vmx/insn_debug.c).
 */
#ifndef VIREO_VMX_INSN_DEBUG_H
#define VIREO_VMX_INSN_DEBUG_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx/vcpu.h"

/* The instruction completed with RFLAGS.TF or RF set (rflags: the guest's
 * RFLAGS at the exit): clear RF and raise the single-step trap. */
void vmx_insn_debug_done(uint64_t rflags);
/* Add bits (guest/io_bp.h layout) to the guest's pending debug exceptions. */
void vmx_insn_debug_pend(uint64_t bits);
/* The I/O breakpoints an access to port .. port + size - 1 hits, as
 * pending-debug-exception bits (0: none). */
uint64_t vmx_insn_io_bp(struct vmx_vcpu *v, uint16_t port, unsigned size);
/* True when the guest's DR7 enables a data breakpoint. */
bool vmx_insn_data_bp_armed(void);
/* The data breakpoints a size-byte access at linear address la hits, as
 * pending-debug-exception bits (0: none). */
uint64_t vmx_insn_data_bp(struct vmx_vcpu *v, uint64_t la, unsigned size, bool write);
/* Before a #DB is reflected: keep VM entry's STI/MOV-SS shadow check. */
void vmx_insn_debug_shadow(void);
/* True when the guest's single step traps after each instruction (TF set,
 * IA32_DEBUGCTL.BTF clear). */
bool vmx_insn_single_step(void);

#endif
