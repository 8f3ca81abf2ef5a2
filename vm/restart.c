/* SPDX-License-Identifier: MIT */
/*
 * Restarting a VM whose guest reset the machine (vireo.vm=...,
 * on_reboot=restart): as on a PC, every CPU resets, the firmware loads the
 * kernel again and the bootstrap processor starts it while the others wait
 * for INIT-SIPI-SIPI. Here each vCPU parks when it next runs (its state
 * becomes INIT's, SDM Vol. 3A 9.1, Table 10-1), and once all have parked
 * vCPU 0 reloads the guest and the platform and boots it again. Nothing
 * else of the VM (memory, address space, console) is rebuilt.
 */
#include "lib/printk.h"
#include "vm/vm.h"

void vm_restart_request(struct vm *vm, const char *how)
{
	if (__atomic_exchange_n(&vm->restart_pending, true, __ATOMIC_ACQ_REL))
		return;
	vm->restart_how = how;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		vm->vcpus[i]->exit_request = true;
		if (vm->wake)
			vm->wake(vm, i);
	}
}

/* An application processor: INIT's state, waiting for SIPI; vCPU 0 is told. */
static void park(struct vm *vm, unsigned idx)
{
	struct vm_vcpu_plat *p = vm->plat[idx];
	uint64_t flags = spin_lock_irqsave(&p->lock);

	p->init_pending = false;
	p->sipi_vector = -1;
	p->wait_sipi = true;
	p->halted = false;
	p->nmi_pending = false;
	vlapic_reset_init(&p->lapic);
	p->parked = true;
	spin_unlock_irqrestore(&p->lock, flags);
	if (vm->wake)
		vm->wake(vm, 0);
}

static bool all_parked(const struct vm *vm)
{
	for (unsigned i = 1; i < vm->nvcpus; i++) {
		if (!__atomic_load_n(&vm->plat[i]->parked, __ATOMIC_ACQUIRE))
			return false;
	}
	return true;
}

/* vCPU 0, every other vCPU parked: the machine boots again. */
static bool reboot_machine(struct vm *vm)
{
	struct vm_vcpu_plat *bsp = vm->plat[0];
	struct vcpu_boot_state bs;
	enum err e = vm_linux_reload(vm, &bs);

	if (e != E_OK) {
		vm_stop(vm, "the restart after the guest's reset failed: the kernel could not be "
			    "loaded again");
		return false;
	}
	vm->restarts++;
	pr_info("[%s] restarting (reset by the guest: %s), boot %u\n", vm->name,
		vm->restart_how ? vm->restart_how : "?", vm->restarts + 1);
	vlapic_init(&bsp->lapic, 0, true);
	bsp->halted = bsp->wait_sipi = bsp->init_pending = bsp->nmi_pending = false;
	bsp->sipi_vector = -1;
	vcpu_apply_boot_state(vm->vcpus[0], &bs);
	for (unsigned i = 1; i < vm->nvcpus; i++)
		vm->plat[i]->parked = false;
	__atomic_store_n(&vm->restart_pending, false, __ATOMIC_RELEASE);
	return true;
}

bool vm_restart_vcpu(struct vm *vm, unsigned idx)
{
	if (idx != 0) {
		if (!vm->plat[idx]->parked)
			park(vm, idx);
		return false;
	}
	if (!all_parked(vm))
		return false;
	return reboot_machine(vm);
}
