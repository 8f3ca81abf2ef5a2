/* SPDX-License-Identifier: MIT */
/*
 * A VM's I/O: the devices on its bus (dev/iobus.h) for a built-in guest or
 * a platform VM, the port-I/O and MMIO exit handlers that call the bus, and
 * the VM's console (vm/console.h) that COM1 and the hypercalls print through.
 */
#ifndef VIREO_VM_VM_IO_H
#define VIREO_VM_VM_IO_H

#include <stddef.h>
#include "arch/x86/uart_regs.h"
#include "lib/error.h"
#include "guest/vcpu.h"

#define VM_COM1_BASE UART_COM1
#define VM_COM1_GSI 4 /* ISA IRQ = I/O APIC pin (the MADT overrides only IRQ 0) */

struct vm;

/* A built-in guest's bus: a transmit-only COM1, the exit and shutdown ports. */
enum err vm_io_init(struct vm *vm);
/* A platform VM's bus: the 16550 at COM1, fw_cfg, CMOS/RTC (host time),
 * PCI, PIC, PIT, ACPI PM (S5 powers off), the reset control register and
 * the 8042's reset pulse, the I/O APIC and the exit ports. */
enum err vm_io_platform_init(struct vm *vm, unsigned ncpus);

/* Port I/O exits (the vCPU ops' io callback). */
enum vcpu_action vm_io_port(struct vcpu *v, uint16_t port, unsigned size, bool in,
			    uint32_t *value);
/* An EPT violation @f: false if no device claims it and it is not an
 * access to unbacked memory the VM completes (all ones, writes dropped);
 * else the access is decoded, performed and *act says how the vCPU goes on. */
bool vm_io_mmio(struct vcpu *v, const struct vcpu_gpa_fault *f, enum vcpu_action *act);

/* Queue @len bytes on the VM's console, then end the line. */
void vm_console_write(struct vm *vm, const char *buf, size_t len);
/* The guest asked to end the VM with @status. */
void vm_guest_exit(struct vm *vm, int status);
/* The guest powered the machine off (@how: "ACPI S5"): status 0, and the
 * report line says "powered off (@how)". */
void vm_guest_power_off(struct vm *vm, const char *how);
/* The guest reset the machine (@how: "port 0xCF9", ...): the VM stops with
 * "reset by the guest (@how)" and vm->reset_requested set. */
void vm_guest_reset(struct vm *vm, const char *how);

#endif
