/* SPDX-License-Identifier: MIT */
/*
 * VM-exit dispatch: one table indexed by basic exit reason (SDM Vol. 3D
 * Appendix C); handlers return resume / block / stop. Unknown reasons dump
 * the VMCS and stop that vCPU's VM.
 */
#ifndef VIREO_VMX_EXIT_H
#define VIREO_VMX_EXIT_H

#include "vmx/vcpu.h"

enum vcpu_action vmx_exit_dispatch(struct vmx_vcpu *v);
/* IN, OUT, INS and OUTS (vmx/exit_io.c). */
enum vcpu_action vmx_exit_io(struct vmx_vcpu *v);

/* Hypervisor CPUID leaves (0x40000000 range). */
#define VIREO_CPUID_BASE 0x40000000u
#define VIREO_CPUID_FEATURES 0x40000001u
/* The timing leaf other hypervisors also offer: EAX = TSC kHz, EBX = local
 * APIC timer kHz, as measured at boot (Vireo's vLAPIC timer counts at the
 * TSC rate before its divider). */
#define VIREO_CPUID_TIMING 0x40000010u
#define VIREO_CPUID_MAX VIREO_CPUID_TIMING
#define VIREO_CPUID_SIGNATURE "VireoVirtual" /* 12 bytes in EBX, ECX, EDX */
#define VIREO_HYPERCALL_ABI_VERSION 1

#endif
