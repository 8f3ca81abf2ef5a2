/* SPDX-License-Identifier: MIT */
/*
 * VM objects: guest memory and its address space, boot structures for built-in guests, the
 * run loop that turns a stopped vCPU into a stopped VM with a report.
 */
#include "vm/vm.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "lib/printk.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "vm/hypercall.h"
#include "vm/vm_io.h"

#define MIB (1ull << 20)
#define PT_P 1ull
#define PT_W 2ull
#define PT_PS (1ull << 7)
#define HLT_WAIT_US 100
#define GDT_CODE64 0x00af9b000000ffffull
#define GDT_DATA 0x00cf93000000ffffull
#define GDT_CODE32 0x00cf9b000000ffffull

enum err vm_create(struct vm **out, const char *name, uint64_t mem_size)
{
	struct vm *vm = kzalloc(sizeof(*vm));
	enum err e;

	*out = 0;
	if (!vm)
		return E_NOMEM;
	fmt_snprintf(vm->name, sizeof(vm->name), "%s", name);
	vm->mem_size = mem_size;
	e = pmm_alloc_pages(mem_size / PAGE_SIZE, 512, &vm->mem_hpa);
	if (e != E_OK) {
		pr_err("vm %s: out of memory for %llu MiB of guest memory\n", name,
		       (unsigned long long)(mem_size / MIB));
		kfree(vm);
		return e;
	}
	memset(phys_to_virt(vm->mem_hpa), 0, mem_size);
	e = vcpu_gspace_create(&vm->gspace);
	if (e == E_OK)
		e = vcpu_gspace_map(vm->gspace, 0, vm->mem_hpa, mem_size, VCPU_ACCESS_RWX,
				    VCPU_GSPACE_WB);
	if (e == E_OK)
		e = vm_io_init(vm);
	if (e != E_OK) {
		vm_destroy(vm);
		return e;
	}
	*out = vm;
	return E_OK;
}

static uint64_t *guest_ptr(struct vm *vm, uint64_t gpa)
{
	return phys_to_virt(vm->mem_hpa + gpa);
}

/* Identity map of guest memory with 2 MiB pages, and a flat GDT. */
static void build_boot_structures(struct vm *vm)
{
	uint64_t *pml4 = guest_ptr(vm, VM_GUEST_PML4), *pdpt = guest_ptr(vm, VM_GUEST_PDPT);
	uint64_t *pd = guest_ptr(vm, VM_GUEST_PD), *gdt = guest_ptr(vm, VM_GUEST_GDT);

	pml4[0] = VM_GUEST_PDPT | PT_P | PT_W;
	pdpt[0] = VM_GUEST_PD | PT_P | PT_W;
	/* The whole first GiB, beyond guest memory too: a stray access then
	 * reaches the EPT (and is reported) instead of faulting in the guest. */
	for (uint64_t i = 0; i < 512; i++)
		pd[i] = i * 2 * MIB | PT_P | PT_W | PT_PS;
	gdt[0] = 0;
	gdt[1] = GDT_CODE64;
	gdt[2] = GDT_DATA;
	gdt[3] = GDT_CODE32;
}

enum err vm_load_image(struct vm *vm, const void *image, size_t len)
{
	if (VM_GUEST_LOAD + len > vm->mem_size) {
		pr_err("vm %s: a %zu-byte image does not fit in %llu KiB of guest memory\n",
		       vm->name, len, (unsigned long long)(vm->mem_size >> 10));
		return E_RANGE;
	}
	build_boot_structures(vm);
	memcpy(guest_ptr(vm, VM_GUEST_LOAD), image, len);
	return E_OK;
}

static const struct vcpu_platform_ops vm_vcpu_ops = {
	.io = vm_io_port,
	.hypercall = vm_hypercall,
};

enum err vm_add_vcpu(struct vm *vm, enum vcpu_mode mode, struct vcpu **out)
{
	struct vcpu_config cfg = {
	    .id = vm->nvcpus,
	    .gspace = vm->gspace,
	    .ops = vm->platform ? &vm_platform_vcpu_ops : &vm_vcpu_ops,
	    .owner = vm,
	};
	struct vcpu_boot_state *bs = &cfg.boot;
	enum err e;

	vcpu_boot_state_init(bs, mode);
	bs->rip = mode == VCPU_MODE_REAL ? 0 : VM_GUEST_LOAD;
	bs->gpr[VCPU_RSP] = vm->mem_size - 16 - vm->nvcpus * VM_VCPU_STACK;
	bs->cr3 = mode == VCPU_MODE_LONG ? VM_GUEST_PML4 : 0;
	bs->gdt_base = VM_GUEST_GDT;
	bs->gdt_limit = VM_GUEST_GDT_LIMIT;
	bs->real_mode_cs_base = VM_GUEST_LOAD;
	if (vm->nvcpus == VM_MAX_VCPUS)
		return E_RANGE;
	e = vcpu_create(out, &cfg);
	if (e == E_OK)
		vm->vcpus[vm->nvcpus++] = *out;
	return e;
}

void vm_stop(struct vm *vm, const char *why)
{
	if (vm->stopped)
		return;
	vm->stopped = true;
	fmt_snprintf(vm->why, sizeof(vm->why), "%s", why);
	/* After the lines the VM printed before it stopped. */
	vm_console_note(&vm->console, LOG_WARN, "stopped by Vireo: %s", why);
}

bool vm_step_vcpu(struct vm *vm, unsigned idx)
{
	struct vcpu *v = vm->vcpus[idx];
	uint64_t t0 = cpu_rdtsc();
	enum vcpu_action act = VCPU_STOP;
	enum err e = vcpu_load(v, 0);

	if (e != E_OK)
		vcpu_stop(v, "cannot load the VMCS on this CPU: %s", err_text(e));
	else if (!vm->stopped)
		act = vcpu_run(v);
	if (act == VCPU_STOP && v->stopped)
		vm_stop(vm, v->stop_reason);
	vm->run_tsc += cpu_rdtsc() - t0;
	vm_console_drain(&vm->console, VM_CONSOLE_DRAIN_BUDGET);
	return !vm->stopped && !vm->vcpu_ended[idx];
}

void vm_run_vcpu(struct vm *vm, unsigned idx)
{
	while (vm_step_vcpu(vm, idx))
		tsc_delay_us(HLT_WAIT_US); /* HLT or yield: wait, then resume */
}

/* The exit reasons a platform VM's report names, most telling first. */
/* The exit kinds a platform VM's report names, most telling first
 * (enum vcpu_exit_kind's order). */

static void platform_report(const struct vm *vm, uint64_t exits)
{
	char counts[256];
	size_t n = 0;

	counts[0] = '\0';
	for (unsigned k = 0; k < VCPU_EXIT_KINDS; k++) {
		uint64_t c = 0;

		for (unsigned i = 0; i < vm->nvcpus; i++)
			c += vcpu_exit_count(vm->vcpus[i], (enum vcpu_exit_kind)k);
		n += fmt_snprintf(counts + n, sizeof(counts) - n, " %s %llu",
				  vcpu_exit_kind_name((enum vcpu_exit_kind)k),
				  (unsigned long long)c);
		if (n >= sizeof(counts))
			break;
	}
	pr_info("[%s] %s, status %d, ran %llu us on %u vCPUs, %llu exits:%s; %llu IPIs to no "
		"vCPU, %llu unbacked accesses%s%s\n",
		vm->name, vm->exited ? "exited" : "was stopped", vm->exit_status,
		(unsigned long long)tsc_to_us(vm->run_tsc), vm->nvcpus, (unsigned long long)exits,
		counts, (unsigned long long)vm->ipis_dropped,
		(unsigned long long)vm->unbacked_accesses, vm->exited && !vm->why[0] ? "" : ": ",
		vm->why);
}

void vm_report(struct vm *vm)
{
	uint64_t exits = 0;

	vm_console_flush(&vm->console);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		exits += vcpu_exits_total(vm->vcpus[i]);
	if (vm->platform) {
		platform_report(vm, exits);
		return;
	}
	pr_info("[%s] %s, status %d, ran %llu us, %llu exits, %llu ignored port accesses\n",
		vm->name, vm->exited ? "exited" : "was stopped", vm->exit_status,
		(unsigned long long)tsc_to_us(vm->run_tsc), (unsigned long long)exits,
		(unsigned long long)vm->io_ignored);
}

void vm_destroy(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_destroy(vm->vcpus[i]);
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++)
		kfree(vm->plat[i]);
	if (vm->gspace)
		vcpu_gspace_destroy(vm->gspace);
	if (vm->mem_hpa)
		pmm_free_pages(vm->mem_hpa, vm->mem_size / PAGE_SIZE);
	kfree(vm);
}
