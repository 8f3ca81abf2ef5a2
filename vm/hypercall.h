/* SPDX-License-Identifier: MIT */
/*
 * The hypercall ABI of Vireo's VMs (docs/hypercalls.md): number in RAX,
 * arguments in RDI, RSI, RDX, result in RAX.
 */
#ifndef VIREO_VM_HYPERCALL_H
#define VIREO_VM_HYPERCALL_H

#include "guest/vcpu.h"

#define HC_CONSOLE_WRITE 0 /* RDI = guest-physical buffer, RSI = length */
#define HC_VCPU_ID 1
#define HC_YIELD 2
#define HC_EXIT 3      /* RDI = exit status */
#define HC_RAISE_IRQ 4 /* RDI = vector 32..255: queue an external interrupt to this vCPU */
#define HC_ENOSYS ((uint64_t)-1)
#define HC_EINVAL ((uint64_t)-2)
#define HC_CONSOLE_MAX 1024

/* One hypercall from @v: its result is in the guest's RAX. */
enum vcpu_action vm_hypercall(struct vcpu *v);

#endif
