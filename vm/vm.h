/* SPDX-License-Identifier: MIT */
/*
 * A virtual machine: a name, its own guest-physical memory (host frames
 * mapped by its EPT, nothing of the hypervisor's), its vCPUs, a virtual
 * COM1 whose output goes to the console prefixed by the VM's name, and an
 * exit status (port 0xF4 or the exit hypercall).
 */
#ifndef VIREO_VM_VM_H
#define VIREO_VM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/x86/spinlock.h"
#include "lib/error.h"
#include "vmx/ept.h"
#include "vmx/vcpu.h"

#define VM_NAME_LEN 16
#define VM_MAX_VCPUS 64
#define VM_UART_LINE 160
#define VM_VCPU_STACK 0x10000ull /* each vCPU's initial stack below the previous one's */

/* Guest-physical layout of a built-in guest (see docs/hypercalls.md). */
#define VM_GUEST_PML4 0x1000ull
#define VM_GUEST_PDPT 0x2000ull
#define VM_GUEST_PD 0x3000ull
#define VM_GUEST_GDT 0x4000ull
#define VM_GUEST_LOAD 0x10000ull

struct vm {
	char name[VM_NAME_LEN];
	uint64_t mem_hpa;
	uint64_t mem_size;
	struct ept ept;
	struct vmx_vcpu *vcpus[VM_MAX_VCPUS];
	unsigned nvcpus;
	unsigned vcpus_ended; /* vCPUs that ended themselves (exit hypercall) */
	bool vcpu_ended[VM_MAX_VCPUS];
	bool stopped;
	bool exited; /* stopped by the guest's own exit request */
	int exit_status;
	struct spinlock uart_lock; /* vCPUs of one VM may write COM1 at once */
	char uart_line[VM_UART_LINE];
	unsigned shutdown_pos;
	unsigned uart_len;
	uint64_t io_ignored;
	uint64_t run_tsc;
	char why[VCPU_STOP_REASON_LEN]; /* set when Vireo stopped the VM */
};

enum err vm_create(struct vm **out, const char *name, uint64_t mem_size);
/* Copy a flat guest image to VM_GUEST_LOAD and build the boot structures
 * (identity page tables for long mode, a GDT) for the given mode. */
enum err vm_load_image(struct vm *vm, const void *image, size_t len);
/* Create a vCPU on the calling CPU, starting at the image in `mode`. */
enum err vm_add_vcpu(struct vm *vm, enum vcpu_mode mode, struct vmx_vcpu **out);
/* Run vCPU `idx` on this CPU until it blocks (HLT, yield) or its VM
 * stops; returns false once the VM has stopped or the vCPU has ended. */
bool vm_step_vcpu(struct vm *vm, unsigned idx);
/* Run vCPU `idx` on this CPU until its VM stops (HLT waits and resumes). */
void vm_run_vcpu(struct vm *vm, unsigned idx);
/* Stop the VM with a report (guest misbehaviour). */
void vm_stop(struct vm *vm, const char *why);
void vm_report(const struct vm *vm);
/* Free vCPUs (VMCLEARed here), EPT tables and memory. */
void vm_destroy(struct vm *vm);

#endif
