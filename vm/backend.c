/* SPDX-License-Identifier: MIT */
/*
 * Selects the vCPU backend (guest/vcpu.h): the one file outside vmx/ that
 * names VT-x. Vireo runs on Intel VT-x only, so the choice is fixed.
 */
#include "vm/vm.h"
#include "vmx/backend.h"

void vm_backend_select(void)
{
	vcpu_be = &vmx_backend;
}
