/* SPDX-License-Identifier: MIT */
/*
 * What a guest sees besides memory: port I/O (a write-only 16550 at COM1,
 * the 0xF4 exit-status port, the 0x8900 Bochs-style shutdown port; every
 * other port reads all-ones and ignores writes) and the hypercall ABI.
 */
#ifndef VIREO_VM_VDEV_H
#define VIREO_VM_VDEV_H

#include "guest/vcpu.h"

/* Hypercall ABI (docs/hypercalls.md): number in RAX, arguments in RDI,
 * RSI, RDX, result in RAX. */
#define HC_CONSOLE_WRITE 0 /* RDI = guest-physical buffer, RSI = length */
#define HC_VCPU_ID 1
#define HC_YIELD 2
#define HC_EXIT 3 /* RDI = exit status */
#define HC_RAISE_IRQ 4 /* RDI = vector 32..255: queue an external interrupt to this vCPU */
#define HC_ENOSYS ((uint64_t)-1)
#define HC_EINVAL ((uint64_t)-2)
#define HC_CONSOLE_MAX 1024

#define VDEV_COM1_BASE 0x3f8
#define VDEV_COM1_IRQ 4 /* ISA IRQ = I/O APIC pin (the MADT overrides only IRQ 0) */
#define VDEV_EXIT_PORT 0xf4
#define VDEV_SHUTDOWN_PORT 0x8900

enum vcpu_action vdev_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *value);
enum vcpu_action vdev_hypercall(struct vcpu *v);

struct vm;
/* Platform VMs: reset fw_cfg/CMOS (host time)/PCI/PIC/PIT/PM and the UART. */
void vdev_platform_init(struct vm *vm, unsigned ncpus);
/* The vCPU callbacks of a platform VM (vm/vcpu_plat.c). */
extern const struct vcpu_platform_ops vm_platform_vcpu_ops;

#endif
