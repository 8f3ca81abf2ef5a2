/* SPDX-License-Identifier: MIT */
/*
 * The VT-x backend of the vCPU interface (guest/vcpu.h): vmx_backend is
 * what vm/backend.c selects. vmx_gspace_ept() lets VT-x self-tests reach a
 * VM's EPT.
 */
#ifndef VIREO_VMX_BACKEND_H
#define VIREO_VMX_BACKEND_H

#include "guest/vcpu.h"
#include "vmx/ept.h"

extern const struct vcpu_backend vmx_backend;

static inline struct ept *vmx_gspace_ept(struct vcpu_gspace *gs)
{
	return &gs->ept;
}

#endif
