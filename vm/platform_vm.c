/* SPDX-License-Identifier: MIT */
/*
 * What every platform VM shares, whichever loader fills its memory (a
 * Multiboot kernel, vm/kernel_vm.c, or a Linux bzImage, vm/linux_vm.c): the
 * guest ACPI tables in the BIOS area, and the vCPUs with their vLAPICs,
 * vCPU 0 in the loader's boot state and the others waiting for
 * INIT-SIPI-SIPI (MP start-up as on a PC, SDM Vol. 3A 9.4).
 */
#include "arch/x86/acpi_tables.h"
#include "lib/printk.h"
#include "loader/acpi_gen.h"
#include "loader/loader.h"
#include "mm/heap.h"
#include "vm/vm.h"

enum err vm_platform_acpi(struct vm *vm, const struct guest_mem_view *mem, unsigned nvcpus,
			  uint64_t *rsdp)
{
	uint64_t used = 0;
	enum err e = acpi_gen_build(mem->base, mem->size, VM_KERNEL_ACPI, VM_KERNEL_ACPI_MAX,
				    nvcpus, rsdp, &used);

	if (e != E_OK)
		pr_err("[%s] cannot build ACPI tables for %u vCPUs: %s\n", vm->name, nvcpus,
		       err_text(e));
	return e;
}

enum err vm_platform_vcpus(struct vm *vm, const struct vcpu_boot_state *bs, unsigned nvcpus)
{
	for (unsigned i = 0; i < nvcpus; i++) {
		struct vm_vcpu_plat *p = kzalloc(sizeof(*p));
		struct vcpu *v;
		enum err e;

		if (!p)
			return E_NOMEM;
		vm->plat[i] = p;
		p->sipi_vector = -1;
		p->wait_sipi = i != 0;
		vlapic_init(&p->lapic, i, i == 0);
		e = vm_add_vcpu(vm, VCPU_MODE_PROTECTED32, &v);
		if (e != E_OK)
			return e;
		/* Right after creation this vCPU is the one loaded on this CPU. */
		if (i == 0)
			vcpu_apply_boot_state(v, bs);
	}
	return E_OK;
}
