/* SPDX-License-Identifier: MIT */
/*
 * A virtual machine: a name, its own guest-physical memory (host frames
 * mapped by its address space, nothing of the hypervisor's), its vCPUs, the devices
 * on its I/O bus (vm/vm_io.c), its console (vm/console.c: COM1 output
 * as lines prefixed by the VM's name, queued and rate-limited), and an
 * exit status (port 0xF4 or the exit hypercall).
 */
#ifndef VIREO_VM_VM_H
#define VIREO_VM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/x86/spinlock.h"
#include "lib/error.h"
#include "dev/acpi_pm.h"
#include "dev/debug_exit.h"
#include "dev/fw_cfg.h"
#include "dev/i8042.h"
#include "dev/iobus.h"
#include "dev/reset_ctl.h"
#include "dev/vioapic.h"
#include "dev/vlapic.h"
#include "dev/vpci.h"
#include "dev/vpic.h"
#include "dev/vpit.h"
#include "dev/vrtc.h"
#include "dev/vuart.h"
#include "guest/vcpu.h"
#include "vm/console.h"

#define VM_NAME_LEN 16
#define VM_MAX_VCPUS 64
#define VM_VCPU_STACK 0x10000ull /* each vCPU's initial stack below the previous one's */

/* Guest-physical layout of a built-in guest (see docs/hypercalls.md). */
#define VM_GUEST_PML4 0x1000ull
#define VM_GUEST_PDPT 0x2000ull
#define VM_GUEST_PD 0x3000ull
#define VM_GUEST_GDT 0x4000ull
#define VM_GUEST_GDT_LIMIT 31 /* four descriptors */
#define VM_GUEST_LOAD 0x10000ull

struct vm_linux_boot {
	const void *kernel;
	uint64_t kernel_len;
	const void *initrd; /* NULL: none */
	uint64_t initrd_len;
	const char *cmdline;
};

/* Per-vCPU state of a platform VM (lock: guards all of it; IPIs from other
 * vCPUs take it from other CPUs). */
struct vm_vcpu_plat {
	struct spinlock lock;
	struct vlapic lapic;
	bool halted;	     /* in HLT, waiting for an interrupt */
	bool wait_sipi;	     /* after INIT (or never started): waits for a STARTUP IPI */
	bool init_pending;   /* INIT arrived; applied when the vCPU next runs */
	int16_t sipi_vector; /* STARTUP vector to apply, or -1 */
	bool nmi_pending;
	bool parked; /* stopped for a restart (vm/restart.c) */
};

/* Guest-physical layout of a Multiboot kernel VM. */
#define VM_KERNEL_INFO 0x10000ull /* boot information (MB1 or MB2) */
#define VM_KERNEL_INFO_MAX 0x10000ull
#define VM_KERNEL_GDT 0xDF000ull /* the GDT at entry (loader_write_boot_gdt()) */
#define VM_KERNEL_GDT_MAX 0x1000ull
#define VM_KERNEL_ACPI 0xE0000ull /* RSDP, XSDT, MADT... (BIOS area, found by scanning) */
#define VM_KERNEL_ACPI_MAX 0x20000ull

struct vm {
	char name[VM_NAME_LEN];
	uint64_t mem_hpa;
	uint64_t mem_size;
	struct vcpu_gspace *gspace; /* guest-physical address space (EPT under VT-x) */
	struct vcpu *vcpus[VM_MAX_VCPUS];
	unsigned nvcpus;
	unsigned vcpus_ended; /* vCPUs that ended themselves (exit hypercall) */
	bool vcpu_ended[VM_MAX_VCPUS];
	bool stopped;
	bool exited; /* stopped by the guest's own exit request */
	int exit_status;
	bool reset_requested; /* stopped by the guest's reset (vm_guest_reset()) */
	struct vm_console console; /* its own lock: vCPUs may print at once */
	uint64_t io_ignored;	   /* port accesses no device took */
	struct iobus bus;	   /* every VM's: see vm/vm_io.c for which devices */
	struct debug_exit debug_exit;
	uint64_t run_tsc;
	char why[VCPU_STOP_REASON_LEN]; /* why Vireo stopped it, or how the guest did */

	/* A Multiboot kernel VM: virtual LAPICs, UART, legacy platform; each
	 * device under its own lock (dev/iobus.h gives the order). */
	bool platform;
	struct vuart uart;
	struct vioapic ioapic;
	struct vpic pic;
	struct fw_cfg fw_cfg;
	struct vrtc rtc;
	struct vpci pci;
	struct vpit pit;
	struct acpi_pm pm;
	struct reset_ctl reset_ctl;
	struct i8042 i8042;
	struct vm_vcpu_plat *plat[VM_MAX_VCPUS];
	uint64_t ipis_dropped;	    /* IPIs that matched no vCPU of this VM */
	uint64_t unbacked_accesses; /* to guest-physical memory with nothing behind it */
	bool unbacked_stop;	    /* vireo.vm=...,unbacked=stop: such an access stops it */
	/* A Linux VM (vm/linux_vm.c) and its restarts (vm/restart.c). */
	struct vm_linux_boot linux_boot; /* kernel == NULL: not a Linux VM */
	bool on_reboot_restart;		 /* vireo.vm=...,on_reboot=restart */
	bool restart_pending;		 /* reset asked for: vCPUs park, vCPU 0 reloads */
	unsigned restarts;
	const char *restart_how;
	uint64_t start_tsc;   /* when the scheduler started running it */
	uint64_t timeout_us;  /* run-time limit (vireo.vm=...,timeout_ms=), 0 = none */
	uint64_t timeout_tsc; /* start_tsc + timeout_us, set by the scheduler */
	/* Set by the scheduler: make vCPU idx run soon (wake it from HLT or
	 * make it leave the guest). */
	void (*wake)(struct vm *vm, unsigned idx);
};

enum err vm_create(struct vm **out, const char *name, uint64_t mem_size);
/* Copy a flat guest image to VM_GUEST_LOAD and build the boot structures
 * (identity page tables for long mode, a GDT) for the given mode. */
enum err vm_load_image(struct vm *vm, const void *image, size_t len);
/* Create a vCPU on the calling CPU, starting at the image in `mode`. */
enum err vm_add_vcpu(struct vm *vm, enum vcpu_mode mode, struct vcpu **out);
/* Run vCPU `idx` on this CPU until it blocks (HLT, yield) or its VM
 * stops; returns false once the VM has stopped or the vCPU has ended. */
bool vm_step_vcpu(struct vm *vm, unsigned idx);
/* Run vCPU `idx` on this CPU until its VM stops (HLT waits and resumes). */
void vm_run_vcpu(struct vm *vm, unsigned idx);
/*
 * Multiboot kernel VMs (vm/kernel_vm.c): load @image (checked by loader/loader.c,
 * nothing runs if it is refused), copy @mods page-aligned after it, build
 * the boot information with @cmdline and those modules,
 * the guest ACPI tables for @nvcpus vCPUs and the platform devices, and
 * create the vCPUs: vCPU 0 at the kernel's entry in 32-bit protected mode,
 * the others waiting for INIT-SIPI-SIPI.
 */
struct vm_module {
	const void *data;
	uint64_t len;
	const char *string; /* what the guest's module list says of it */
};
enum err vm_load_kernel(struct vm *vm, const void *image, uint64_t len, const char *cmdline,
			unsigned nvcpus, const struct vm_module *mods, unsigned nmods);
/*
 * Linux VMs (vm/linux_vm.c): load the bzImage @kernel with @initrd and
 * @cmdline (loader/linux.c, nothing runs if it is refused), build the guest
 * ACPI tables and the platform, and create the vCPUs: vCPU 0 at the
 * kernel's 64-bit entry, the others waiting for INIT-SIPI-SIPI.
 */
enum err vm_load_linux(struct vm *vm, const struct vm_linux_boot *b, unsigned nvcpus);
/* Shared by both (vm/platform_vm.c): the guest ACPI tables at VM_KERNEL_ACPI
 * (*rsdp: the RSDP's guest-physical address) and the platform vCPUs. */
struct guest_mem_view;
enum err vm_platform_acpi(struct vm *vm, const struct guest_mem_view *mem, unsigned nvcpus,
			  uint64_t *rsdp);
enum err vm_platform_vcpus(struct vm *vm, const struct vcpu_boot_state *bs, unsigned nvcpus);
/*
 * Restarts (vm/restart.c): the guest asked for a reset (@how) and the VM
 * restarts: every vCPU parks when it next runs, then vCPU 0 reloads the
 * guest (vm_linux_reload()) and boots it again. vm_restart_vcpu() is
 * vm_vcpu_prepare()'s part while a restart is pending.
 */
void vm_restart_request(struct vm *vm, const char *how);
bool vm_restart_vcpu(struct vm *vm, unsigned idx);
/* Load the Linux VM's kernel, initrd and tables again and reset its
 * platform, for vCPU 0's boot state in *bs (vm/linux_vm.c). */
enum err vm_linux_reload(struct vm *vm, struct vcpu_boot_state *bs);
/* Before running vCPU idx (its VMCS current here): apply a pending INIT or
 * STARTUP; false when it has nothing to do (waits for SIPI, or halted with
 * no interrupt pending). */
bool vm_vcpu_prepare(struct vm *vm, unsigned idx);
/* When a blocked vCPU must wake by itself (its next timer event), 0 = never. */
uint64_t vm_vcpu_wake_tsc(struct vm *vm, unsigned idx);
/* Send what an I/O APIC pin produced to the VM's vLAPICs (vm/vcpu_plat.c). */
void vm_irq_deliver(struct vm *vm, const struct vioapic_msg *m);
/* The vCPU callbacks of a platform VM (vm/vcpu_plat.c). */
extern const struct vcpu_platform_ops vm_platform_vcpu_ops;
/* Whether @gpa is in @v's own xAPIC page (at IA32_APIC_BASE, in any mode). */
bool vm_lapic_page(struct vcpu *v, uint64_t gpa);
/* A decoded access to @v's xAPIC page; an EOI also reaches the I/O APIC. */
void vm_lapic_mmio(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint32_t *val);
/* Host console input for this VM's COM1; false if its FIFO is full. */
bool vm_console_input(struct vm *vm, uint8_t c);
/* Stop the VM with a report (guest misbehaviour). */
void vm_stop(struct vm *vm, const char *why);
/* Print what the VM's console still holds, then its report line. */
void vm_report(struct vm *vm);
/* Free vCPUs, the address space and memory. */
void vm_destroy(struct vm *vm);
/* Select the vCPU backend (vm/backend.c); before anything else uses it. */
void vm_backend_select(void);

#endif
