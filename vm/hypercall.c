/* SPDX-License-Identifier: MIT */
/*
 * The hypercalls: console output (a line at a time, as "[name] text"), the
 * vCPU's index, yield, exit (the VM exits with the last of its vCPUs) and
 * raising an interrupt on the calling vCPU.
 */
#include "vm/hypercall.h"
#include "arch/x86/traps.h"
#include "vm/vm.h"
#include "vm/vm_io.h"
#include "guest/guest_mem.h"

#define HC_FIRST_IRQ_VECTOR X86_EXCEPTIONS
#define HC_LAST_IRQ_VECTOR 0xff

/* The exit hypercall ends the calling vCPU; the VM exits when the last of
 * its vCPUs has ended, with the highest status any of them gave. */
static enum vcpu_action vcpu_end(struct vcpu *v, int status)
{
	struct vm *vm = v->owner;

	if (v->id < VM_MAX_VCPUS && !vm->vcpu_ended[v->id]) {
		vm->vcpu_ended[v->id] = true;
		vm->vcpus_ended++;
	}
	if (status > vm->exit_status)
		vm->exit_status = status;
	if (vm->vcpus_ended >= vm->nvcpus)
		vm_guest_exit(vm, vm->exit_status);
	return VCPU_STOP;
}

static uint64_t hc_console_write(struct vcpu *v, uint64_t gpa, uint64_t len)
{
	char buf[HC_CONSOLE_MAX];

	if (len > sizeof(buf) || guest_phys_read(v, gpa, buf, len) != E_OK)
		return HC_EINVAL;
	vm_console_write(v->owner, buf, len);
	return len;
}

enum vcpu_action vm_hypercall(struct vcpu *v)
{
	struct vcpu_regs *r = &v->regs;

	switch (r->rax) {
	case HC_CONSOLE_WRITE:
		r->rax = hc_console_write(v, r->rdi, r->rsi);
		return VCPU_RESUME;
	case HC_VCPU_ID:
		r->rax = v->id;
		return VCPU_RESUME;
	case HC_YIELD:
		r->rax = 0;
		return VCPU_YIELD;
	case HC_EXIT:
		return vcpu_end(v, (int)r->rdi);
	case HC_RAISE_IRQ:
		if (r->rdi < HC_FIRST_IRQ_VECTOR || r->rdi > HC_LAST_IRQ_VECTOR) {
			r->rax = HC_EINVAL;
			return VCPU_RESUME;
		}
		vcpu_queue_interrupt(v, (uint8_t)r->rdi);
		r->rax = 0;
		return VCPU_RESUME;
	default:
		r->rax = HC_ENOSYS;
		return VCPU_RESUME;
	}
}
