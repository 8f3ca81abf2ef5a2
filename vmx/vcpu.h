/* SPDX-License-Identifier: MIT */
/*
 * A VT-x virtual CPU: the vendor-neutral struct vcpu (guest/vcpu.h), its
 * VMCS and the VMCS's state (clear / active on CPU n / launched on CPU n),
 * VPID, XSAVE area, per-vCPU MSRs, debug registers DR0-DR3/DR6 and exit
 * counters by basic exit reason.
 * The VM layer supplies guest memory (an EPT) and the devices a guest sees
 * through struct vcpu_platform_ops; vmx/backend.c offers all of it as the
 * VT-x struct vcpu_backend.
 */
#ifndef VIREO_VMX_VCPU_H
#define VIREO_VMX_VCPU_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/error.h"
#include "arch/x86/x86_regs.h"
#include "guest/vcpu.h"
#include "vmx/ept.h"
#include "vmx/guest_check.h"
#include "vmx/msr.h"

#define VCPU_EXIT_COUNTERS 80

enum vmcs_state { VMCS_STATE_CLEAR, VMCS_STATE_ACTIVE, VMCS_STATE_LAUNCHED };

/* The guest-visible MSRs kept per vCPU (switched on entry and exit). */
struct vmx_guest_msrs {
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base, tsc_aux;
};

/*
 * The one record of where a VMCS is loaded: vmcs_state and vmcs_cpu, kept
 * here only (the scheduler knows just the CPU a vCPU last ran on).
 */
struct vmx_vcpu {
	struct vcpu vcpu;  /* must stay first: GPRs at REGS_* (vmx/regs.inc) */
	uint64_t host_rsp; /* last HOST_RSP written to this VMCS (REGS_HOST_RSP) */
	uint16_t vpid;
	uint64_t vmcs_pa;
	enum vmcs_state vmcs_state;
	int32_t vmcs_cpu; /* CPU where the VMCS is active or launched, -1 if clear */
	struct ept *ept;
	uint64_t msr_bitmap_pa;
	uint64_t io_bitmap_pa; /* two pages */
	void *xsave_area;
	uint64_t xcr0;
	struct vmx_guest_msrs msrs;
	struct vmx_msr_state msr;	  /* the emulated MSRs (vmx/msr.c) */
	uint64_t dr[DR_BREAKPOINTS], dr6; /* the guest's, while not loaded (vmx/debugreg.c) */
	bool dr_loaded;			  /* in the CPU's registers, MOV-DR exiting off */
	uint64_t cr0_shadow, cr4_shadow;
	uint8_t cr8;	/* the task priority of a vCPU whose platform has no LAPIC */
	uint8_t *vapic; /* virtual-APIC page (TPR shadow, vmx/tpr.c), or NULL */
	uint64_t vapic_pa;
	uint8_t vtpr; /* the VTPR the platform last agreed with */
	/* &vapic[VTPR] with the shadow, else &vtpr (never differs): one
	 * compare on the exit path either way (vmx/tpr.h). */
	const uint8_t *vtpr_at;
	uint64_t spec_ctrl;		    /* the guest's IA32_SPEC_CTRL (vmx/spec.c) */
	uint64_t slice_end_tsc;		    /* platform VMs: absolute end of the current slice */
	uint64_t exits[VCPU_EXIT_COUNTERS]; /* by basic exit reason */
	uint64_t unhandled_io;
};

static inline struct vmx_vcpu *to_vmx_vcpu(struct vcpu *v)
{
	return (struct vmx_vcpu *)v; /* struct vcpu is its first member */
}

static inline const struct vmx_vcpu *to_vmx_vcpu_const(const struct vcpu *v)
{
	return (const struct vmx_vcpu *)v;
}

/* Create on the calling CPU (VMX must be on): VMCS allocated, controls
 * adjusted, host and guest state written; the VMCS stays active here. */
enum err vmx_vcpu_create(struct vmx_vcpu **out, const struct vcpu_config *cfg);
/*
 * Moving a VMCS between CPUs (SDM Vol. 3C 25.11.1, 25.1): it may be active
 * on one CPU only. vmx_vcpu_switch() makes it current on the calling CPU:
 * VMCLEAR on the CPU where it is active (by cross-call), then VMPTRLD here,
 * rewrite the per-CPU host state, flush the VPID and EPT contexts; the next
 * entry is a VMLAUNCH. *how (may be NULL) says what it took.
 */
enum err vmx_vcpu_switch(struct vmx_vcpu *v, enum vcpu_load_kind *how);
/* VMCLEAR on the calling CPU, where the VMCS must be active (or clear). */
enum err vmx_vcpu_clear(struct vmx_vcpu *v);
/* VMCLEAR wherever it is active (cross-call to that CPU). */
enum err vmx_vcpu_release(struct vmx_vcpu *v);
/* Arm the VMX-preemption timer for a slice of `tsc_ticks` (0 = off). */
void vmx_vcpu_set_slice(struct vmx_vcpu *v, uint64_t tsc_ticks);
/* Run until the vCPU stops or blocks; the VMCS must be active on this CPU. */
enum vcpu_action vmx_vcpu_run(struct vmx_vcpu *v);
/* VMCLEAR (on this CPU) and free everything. */
void vmx_vcpu_destroy(struct vmx_vcpu *v);
/* Rewrite the host-state fields that differ per CPU (after a move). */
void vmx_vcpu_write_host_state(struct vmx_vcpu *v);
/* Queue an external interrupt for the guest: injected at the next VM entry
 * when the guest can take it, else interrupt-window exiting is armed. */
void vmx_vcpu_queue_interrupt(struct vmx_vcpu *v, uint8_t vector);
/* Called on an interrupt-window exit and before each entry. */
void vmx_vcpu_deliver_interrupt(struct vmx_vcpu *v);
/*
 * Reset the guest to the state a STARTUP IPI leaves (SDM Vol. 3A 9.4.4.1,
 * 11.6.1): real mode at vector:0000, i.e. CS selector vector << 8, base
 * vector << 12. The VMCS must be current on this CPU.
 */
void vmx_vcpu_reset_sipi(struct vmx_vcpu *v, uint8_t vector);
/* Write a fresh guest state from bs (current VMCS); the GPRs are bs's. */
void vmx_vcpu_apply_boot_state(struct vmx_vcpu *v, const struct vcpu_boot_state *bs);
/* General-purpose register n (enum vcpu_gpr); RSP is read from and written
 * to the current VMCS. */
uint64_t vmx_vcpu_get_gpr(struct vmx_vcpu *v, enum vcpu_gpr n);
void vmx_vcpu_set_gpr(struct vmx_vcpu *v, enum vcpu_gpr n, uint64_t val);
/* CS base, RIP and code size of the current VMCS. */
void vmx_vcpu_code_state(struct vcpu_code_state *cs);
/* Guest CR0, CR3, CR4, EFER of the current VMCS (guest page walks). */
void vmx_vcpu_paging(struct vcpu_paging *p);
/* Interrupt-window exiting on or off (SDM Vol. 3C 25.6.2). */
void vmx_vcpu_irq_window(bool on);
/* Inject an NMI, or arm NMI-window exiting if it is blocked. */
void vmx_vcpu_inject_nmi(struct vmx_vcpu *v);
/* Guest RFLAGS.IF of the current VMCS: can a maskable interrupt wake a HLT? */
bool vmx_vcpu_guest_if(void);
/* Advance RIP by n bytes (emulated instructions) and clear STI/MOV-SS blocking. */
void vmx_vcpu_advance_rip(unsigned n);
/* One guest segment of the current VMCS, by its selector field. */
void vmx_vcpu_read_seg(uint32_t sel_field, struct vmx_seg *s);

/* CR0 bits the host owns (the guest/host mask): NE is fixed in VMX
 * operation, CD and NW are never loaded by VM entry (vmx/vcpu.c). */
#define CR0_CACHE_BITS (CR0_CD | CR0_NW)
#define CR0_HOST_OWNED (CR0_NE | CR0_CACHE_BITS)

/* CR4 bits kept by the host (guest/host mask): the guest sees its shadow. */
uint64_t vmx_vcpu_cr4_host_owned(void);
/* The CR4 the current VMCS's guest sees: its read shadow for the bits the
 * host owns (SDM Vol. 3C 25.6.6). */
uint64_t vmx_vcpu_guest_cr4(void);
/* Sum of the per-reason exit counters. */
uint64_t vmx_vcpu_exits_total(const struct vmx_vcpu *v);
/* Guest-state accessors for handlers. */
uint64_t vmx_vcpu_rip(void);
void vmx_vcpu_skip_instruction(struct vmx_vcpu *v);
void vmx_vcpu_inject_exception(struct vmx_vcpu *v, uint8_t vector, bool has_error, uint32_t error);
/* Set RFLAGS.RF in the current VMCS if vector is a fault (before injecting it). */
void vmx_vcpu_fault_rf(uint8_t vector);
/* Copy the guest state from the current VMCS (for the checker and dumps). */
void vmx_vcpu_read_guest_state(struct vmx_vcpu *v, struct vmx_guest_state *g);

#endif
