/* SPDX-License-Identifier: MIT */
/*
 * The guest's task priority (CR8) without touching the host's local APIC:
 * the TPR shadow (SDM Vol. 3C 25.6.8, 30.1.1-30.1.2: a virtual-APIC page
 * whose VTPR byte MOV CR8 reads and writes, and a TPR threshold whose
 * crossing exits) where the CPU offers it, CR8-load and CR8-store exiting
 * otherwise. The platform (the vLAPIC) keeps the priority interrupts are
 * judged by; this file keeps the VTPR and it in step.
 */
#ifndef VIREO_VMX_TPR_H
#define VIREO_VMX_TPR_H

#include <stdint.h>
#include "vmx/caps.h"
#include "vmx/vcpu.h"

#define VAPIC_VTPR 0x80 /* SDM Vol. 3C 30.1: VTPR at offset 80H of the virtual-APIC page */

/* Allocate the virtual-APIC page where the CPU can use it; the
 * processor-based controls to request (TPR shadow, or CR8 exiting). */
enum err vmx_tpr_create(struct vmx_vcpu *v, const struct vmx_caps *c, uint32_t *proc_ctls);
/* Point the current VMCS at the page (after the controls are written). */
void vmx_tpr_setup_vmcs(const struct vmx_vcpu *v);
void vmx_tpr_destroy(struct vmx_vcpu *v);
/* The platform's TPR changed: VTPR and the threshold follow. VMCS current. */
void vmx_tpr_set(struct vmx_vcpu *v, uint8_t tpr);
void vmx_tpr_guest_wrote(struct vmx_vcpu *v);

/*
 * On every VM exit, before its handler: a MOV to CR8 since the last exit
 * changed the VTPR without exiting; the platform hears of it before it
 * judges an interrupt or reads its TPR. One load and compare when nothing
 * changed.
 */
static inline void vmx_tpr_from_guest(struct vmx_vcpu *v)
{
	if (__builtin_expect(*v->vtpr_at != v->vtpr, 0))
		vmx_tpr_guest_wrote(v);
}

#endif
