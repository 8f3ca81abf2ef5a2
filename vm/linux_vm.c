/* SPDX-License-Identifier: MIT */
/*
 * Building a VM around a Linux bzImage (Documentation/arch/x86/boot.rst):
 * the guest ACPI tables go to the BIOS area, loader/linux.c checks and
 * places the kernel, its command line and initrd and writes the zero page
 * (with an e820 map that keeps the ACPI tables and the legacy hole out of
 * RAM), then the platform devices are reset and the vCPUs created: vCPU 0
 * at the kernel's 64-bit entry, the others waiting for INIT-SIPI-SIPI.
 */
#include "lib/printk.h"
#include "lib/string.h"
#include "loader/linux.h"
#include "mm/pmm.h"
#include "vm/vm_io.h"
#include "vm/vm.h"

/* The loader's low area (zero page, boot GDT, page tables, command line):
 * below the legacy hole, clear of the ACPI tables, and low enough that the
 * RAM under 640 KiB above it still holds Linux's AP trampoline. */
#define LINUX_VM_AREA 0x80000ull
#define KIB 1024ull

static const struct loader_range linux_vm_reserved[] = {
    {VM_KERNEL_ACPI, VM_KERNEL_ACPI_MAX},
};
#define LINUX_VM_NRESERVED (sizeof(linux_vm_reserved) / sizeof(linux_vm_reserved[0]))

_Static_assert(LINUX_VM_AREA + LINUX_AREA_SIZE <= VM_KERNEL_ACPI,
	       "the Linux boot area must lie below the ACPI tables");

static void linux_vm_loaded(const struct vm *vm, const struct vm_linux_boot *b,
			    const struct linux_result *r)
{
	pr_info("[%s] loaded a Linux kernel (boot protocol %u.%02u) at 0x%llx-0x%llx, "
		"entry 0x%llx\n",
		vm->name, r->hdr.version >> LINUX_VERSION_MAJOR_SHIFT,
		r->hdr.version & LINUX_VERSION_MINOR_MASK, (unsigned long long)r->kernel_addr,
		(unsigned long long)(r->kernel_addr + r->kernel_span),
		(unsigned long long)r->kernel_addr +
		    (r->entry == LINUX_ENTRY_64 ? LINUX_ENTRY64_OFFSET : 0));
	if (b->initrd_len)
		pr_info("[%s] initrd: 0x%llx-0x%llx (%llu KiB)\n", vm->name,
			(unsigned long long)r->initrd_addr,
			(unsigned long long)(r->initrd_addr + b->initrd_len),
			(unsigned long long)(b->initrd_len / KIB));
}

static enum err linux_vm_image(struct vm *vm, const struct guest_mem_view *mem,
			       const struct vm_linux_boot *b, uint64_t rsdp, struct linux_result *r)
{
	struct linux_boot_input in = {
	    .image = b->kernel,
	    .image_len = b->kernel_len,
	    .cmdline = b->cmdline,
	    .cmdline_len = b->cmdline ? strlen(b->cmdline) : 0,
	    .initrd = b->initrd,
	    .initrd_len = b->initrd ? b->initrd_len : 0,
	    .acpi_rsdp = rsdp,
	    .reserved = linux_vm_reserved,
	    .nreserved = LINUX_VM_NRESERVED,
	    .area = LINUX_VM_AREA,
	    .entry = LINUX_ENTRY_64,
	};
	enum err e = linux_load(&in, mem, r);

	if (e != E_OK) {
		pr_err("[%s] Linux kernel refused, nothing of it runs: %s (%s)\n", vm->name,
		       r->why ? r->why : "?", err_name(e));
		return e;
	}
	linux_vm_loaded(vm, b, r);
	return E_OK;
}

/* Tables, kernel, initrd and platform devices, and vCPU 0's boot state:
 * what building the VM and restarting it share. */
static enum err linux_vm_machine(struct vm *vm, unsigned nvcpus, struct vcpu_boot_state *bs)
{
	struct guest_mem_view mem = {phys_to_virt(vm->mem_hpa), vm->mem_size};
	struct linux_result r;
	uint64_t rsdp = 0;
	enum err e = vm_platform_acpi(vm, &mem, nvcpus, &rsdp);

	if (e == E_OK)
		e = linux_vm_image(vm, &mem, &vm->linux_boot, rsdp, &r);
	if (e != E_OK)
		return e;
	vm->platform = true;
	e = vm_io_platform_init(vm, nvcpus);
	if (e == E_OK)
		linux_boot_state(&r, bs);
	return e;
}

enum err vm_load_linux(struct vm *vm, const struct vm_linux_boot *b, unsigned nvcpus)
{
	struct vcpu_boot_state bs;
	enum err e;

	if (!vcpu_backend_has_real_mode()) {
		pr_err("[%s] Linux starts its secondary CPUs in real mode, which needs the VMX "
		       "'unrestricted guest' control; this CPU lacks it (not started)\n",
		       vm->name);
		return E_NOTSUP;
	}
	vm->linux_boot = *b;
	e = linux_vm_machine(vm, nvcpus, &bs);
	if (e != E_OK)
		return e;
	return vm_platform_vcpus(vm, &bs, nvcpus);
}

/* A reset keeps the battery-backed CMOS RAM (the clock is the host's anyway). */
enum err vm_linux_reload(struct vm *vm, struct vcpu_boot_state *bs)
{
	uint8_t cmos[CMOS_SIZE];
	enum err e;

	memcpy(cmos, vm->rtc.cmos, sizeof(cmos));
	e = linux_vm_machine(vm, vm->nvcpus, bs);
	if (e == E_OK)
		memcpy(vm->rtc.cmos, cmos, sizeof(cmos));
	return e;
}
