/* SPDX-License-Identifier: MIT */
/*
 * Building a VM around a Multiboot kernel: the image is checked and loaded
 * (loader/loader.c), the boot information (loader/mbinfo.c) and ACPI tables
 * (loader/acpi_gen.c) are written into guest memory, the platform devices are
 * reset, and the vCPUs are created: vCPU 0 in the Multiboot machine state,
 * the others waiting for INIT-SIPI-SIPI from the guest.
 */
#include "arch/x86/acpi_tables.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "loader/acpi_gen.h"
#include "loader/loader.h"
#include "loader/mbinfo.h"
#include "vm/vm_io.h"
#include "vm/vm.h"

#define LOW_PAGE 0x1000ull /* real-mode IVT/BDA: left zero, never loaded over */

/* What Vireo puts in guest memory: neither the kernel nor its modules go there. */
static const struct loader_range reserved[] = {
    {0, LOW_PAGE},
    {VM_KERNEL_INFO, VM_KERNEL_INFO_MAX},
    {VM_KERNEL_GDT, VM_KERNEL_GDT_MAX},
    {VM_KERNEL_ACPI, VM_KERNEL_ACPI_MAX},
};
#define NRESERVED (sizeof(reserved) / sizeof(reserved[0]))

/* The boot GDT lies in the PC hole the memory map reserves (loader/mbinfo.c),
 * apart from the ACPI tables (which the guest may reclaim) and the boot
 * information, and below where any guest's AP trampoline could be (SIPI
 * vectors address available memory below 640 KiB). */
_Static_assert(VM_KERNEL_GDT >= MBINFO_HOLE_START &&
		   VM_KERNEL_GDT + VM_KERNEL_GDT_MAX <= VM_KERNEL_ACPI,
	       "the boot GDT must lie in the reserved PC hole, below the ACPI tables");
_Static_assert(VM_KERNEL_GDT_MAX >= LOADER_BOOT_GDT_SIZE, "the boot GDT's window is too small");

static enum err load_image(struct vm *vm, const struct guest_mem_view *mem, const void *image,
			   uint64_t len, struct loader_result *r)
{
	enum err e = loader_load(image, len, mem, reserved, NRESERVED, r);

	if (e != E_OK) {
		pr_err("[%s] guest kernel refused, nothing of it runs: %s (%s)\n", vm->name,
		       r->why ? r->why : "?", err_name(e));
		return e;
	}
	pr_info("[%s] loaded a %s %s kernel at 0x%llx-0x%llx, entry 0x%x\n", vm->name,
		loader_flavour_name(r->flavour), loader_format_name(r->format),
		(unsigned long long)r->load_start, (unsigned long long)r->load_end, r->entry);
	return E_OK;
}

#define MODULE_ALIGN 0x1000ull
#define MAX_MODULES 8

/* Modules go page-aligned (Multiboot 0.6.96 3.1.2 flags bit 0) after the
 * kernel's last byte, past what Vireo reserved; all must fit in guest memory. */
static enum err place_modules(struct vm *vm, const struct guest_mem_view *mem,
			      const struct loader_result *r, const struct vm_module *mods,
			      unsigned n, struct mbinfo_module *out)
{
	uint64_t at = r->load_end;

	if (n > MAX_MODULES)
		return E_RANGE;
	for (unsigned i = 0; i < n; i++) {
		at = loader_next_free(at, mods[i].len, MODULE_ALIGN, reserved, NRESERVED);
		if (at > mem->size || mods[i].len > mem->size - at ||
		    at + mods[i].len > UINT32_MAX) {
			pr_err("[%s] module %u ('%s', %llu bytes) does not fit in guest memory "
			       "after 0x%llx (%llu MiB): give the VM more mem=\n",
			       vm->name, i, mods[i].string, (unsigned long long)mods[i].len,
			       (unsigned long long)at, (unsigned long long)(mem->size >> 20));
			return E_RANGE;
		}
		memcpy(mem->base + at, mods[i].data, mods[i].len);
		out[i] = (struct mbinfo_module){(uint32_t)at, (uint32_t)(at + mods[i].len),
						mods[i].string};
		pr_info("[%s] module %u '%s': 0x%llx-0x%llx\n", vm->name, i, mods[i].string,
			(unsigned long long)at, (unsigned long long)(at + mods[i].len));
		at += mods[i].len;
	}
	return E_OK;
}

static enum err build_info(struct vm *vm, const struct guest_mem_view *mem,
			   const struct loader_result *r, const char *cmdline, unsigned nvcpus,
			   const struct mbinfo_module *mods, unsigned nmods)
{
	struct mbinfo_params p = {
	    .mem_size = vm->mem_size, .cmdline = cmdline, .modules = mods, .module_count = nmods};
	uint64_t rsdp = 0, used = 0;
	enum err e = vm_platform_acpi(vm, mem, nvcpus, &rsdp);

	if (e != E_OK)
		return e;
	e = loader_write_boot_gdt(mem, VM_KERNEL_GDT);
	if (e != E_OK) {
		pr_err("[%s] cannot write the boot GDT at 0x%llx: %s\n", vm->name,
		       (unsigned long long)VM_KERNEL_GDT, err_text(e));
		return e;
	}
	p.rsdp = mem->base + rsdp;
	p.rsdp_len = ACPI_RSDP_V2_LEN;
	if (r->flavour == LOADER_MB1)
		e = mbinfo_build_mb1(mem, VM_KERNEL_INFO, VM_KERNEL_INFO_MAX, &p, &used);
	else
		e = mbinfo_build_mb2(mem, VM_KERNEL_INFO, VM_KERNEL_INFO_MAX, &p, &used);
	if (e != E_OK)
		pr_err("[%s] cannot build the Multiboot information (%llu bytes needed): %s\n",
		       vm->name, (unsigned long long)used, err_text(e));
	return e;
}

enum err vm_load_kernel(struct vm *vm, const void *image, uint64_t len, const char *cmdline,
			unsigned nvcpus, const struct vm_module *mods, unsigned nmods)
{
	struct guest_mem_view mem = {phys_to_virt(vm->mem_hpa), vm->mem_size};
	struct mbinfo_module placed[MAX_MODULES];
	struct vcpu_boot_state bs;
	struct loader_result r;
	enum err e;

	if (!vcpu_backend_has_real_mode()) {
		pr_err(
		    "[%s] Multiboot kernels start in 32-bit protected mode with paging off, which "
		    "needs the VMX 'unrestricted guest' control; this CPU lacks it (not started)\n",
		    vm->name);
		return E_NOTSUP;
	}
	e = load_image(vm, &mem, image, len, &r);
	if (e == E_OK)
		e = place_modules(vm, &mem, &r, mods, nmods, placed);
	if (e == E_OK)
		e = build_info(vm, &mem, &r, cmdline, nvcpus, placed, nmods);
	if (e != E_OK)
		return e;
	vm->platform = true;
	e = vm_io_platform_init(vm, nvcpus);
	if (e != E_OK)
		return e;
	loader_boot_state(&r, VM_KERNEL_INFO, VM_KERNEL_GDT, &bs);
	return vm_platform_vcpus(vm, &bs, nvcpus);
}
