/* SPDX-License-Identifier: MIT */
/*
 * TPR shadow: the virtual-APIC page holds the guest's VTPR; MOV to/from CR8
 * use VTPR[7:4] with no exit (SDM Vol. 3C 30.1.2, 30.3). A MOV to CR8 that
 * takes VTPR[7:4] below the TPR threshold exits afterwards ("TPR below
 * threshold", 28.2, trap-like). Every exit first gives the platform the
 * VTPR if it changed, and the threshold becomes that priority class: an
 * interrupt the platform then holds back for the priority has a class at
 * most the threshold, so the MOV that unmasks it exits and it is injected
 * at once, while raising the priority never exits. Without the control,
 * CR8 exiting sends every access to vmx/exit.c.
 */
#include "vmx/tpr.h"
#include "lib/string.h"
#include "mm/pmm.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_fast.h"

#define TPR_CLASS_SHIFT 4

static void set_threshold(uint8_t tpr)
{
	/* VM entry needs threshold[3:0] <= VTPR[7:4] (SDM Vol. 3C 27.2.1.1). */
	vmcs_wr(VMCS_TPR_THRESHOLD, tpr >> TPR_CLASS_SHIFT);
}

enum err vmx_tpr_create(struct vmx_vcpu *v, const struct vmx_caps *c, uint32_t *proc_ctls)
{
	enum err e;

	v->vapic = 0;
	v->vtpr = 0;
	v->vtpr_at = &v->vtpr;
	if (!(c->ctl[VMX_CTL_PROC].allowed1 & VMX_PROC_TPR_SHADOW)) {
		*proc_ctls = VMX_PROC_CR8_LOAD_EXITING | VMX_PROC_CR8_STORE_EXITING;
		return E_OK;
	}
	e = pmm_alloc_page(&v->vapic_pa);
	if (e != E_OK)
		return e;
	v->vapic = phys_to_virt(v->vapic_pa);
	memset(v->vapic, 0, PAGE_SIZE);
	v->vtpr_at = &v->vapic[VAPIC_VTPR];
	*proc_ctls = VMX_PROC_TPR_SHADOW;
	return E_OK;
}

void vmx_tpr_setup_vmcs(const struct vmx_vcpu *v)
{
	if (!v->vapic)
		return;
	vmcs_write(VMCS_VIRTUAL_APIC_ADDR, v->vapic_pa);
	vmcs_write(VMCS_TPR_THRESHOLD, 0);
}

void vmx_tpr_destroy(struct vmx_vcpu *v)
{
	if (v->vapic)
		pmm_free_pages(v->vapic_pa, 1);
	v->vapic = 0;
	v->vtpr_at = &v->vtpr;
}

void vmx_tpr_set(struct vmx_vcpu *v, uint8_t tpr)
{
	if (!v->vapic)
		return;
	v->vapic[VAPIC_VTPR] = tpr;
	v->vtpr = tpr;
	set_threshold(tpr);
}

/* A MOV to CR8 wrote VTPR[7:4] and cleared VTPR[3:0] (SDM Vol. 3C 30.3). */
void vmx_tpr_guest_wrote(struct vmx_vcpu *v)
{
	uint8_t tpr = v->vapic[VAPIC_VTPR];

	v->vtpr = tpr;
	if (v->vcpu.ops && v->vcpu.ops->cr8)
		v->vcpu.ops->cr8(&v->vcpu, true, tpr >> TPR_CLASS_SHIFT);
	set_threshold(tpr);
}
