/* SPDX-License-Identifier: MIT */
/*
 * A virtual CPU (the design's VmxVcpu): guest registers, its VMCS and the
 * VMCS's state (clear / active on CPU n / launched on CPU n), VPID, XSAVE
 * area, per-vCPU MSRs and exit counters. The VM layer above supplies guest
 * memory (an EPT) and the devices a guest sees through struct vmx_vcpu_ops.
 */
#ifndef VIREO_VMX_VCPU_H
#define VIREO_VMX_VCPU_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/error.h"
#include "vmx/ept.h"
#include "vmx/guest_check.h"

#define VCPU_EXIT_COUNTERS 80
#define VCPU_STOP_REASON_LEN 200

/* Layout shared with vmx/entry.asm through vmx/regs.inc. */
struct vmx_regs {
	uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t cr2;
	uint64_t host_rsp; /* last HOST_RSP written to this VMCS */
};

enum vmcs_state { VMCS_STATE_CLEAR, VMCS_STATE_ACTIVE, VMCS_STATE_LAUNCHED };

/* What a handler asks for: keep running, wait (HLT), give up the CPU
 * (yield hypercall), end of time slice (preemption timer), or stop. */
enum vcpu_action { VCPU_RESUME, VCPU_BLOCK, VCPU_YIELD, VCPU_PREEMPT, VCPU_STOP };

struct vmx_vcpu;

struct cpuid_regs;

#define VCPU_IRQ_NMI 0x100

/* What an MSR hook did with an access it was offered. */
enum vcpu_msr_result { VCPU_MSR_UNHANDLED, VCPU_MSR_OK, VCPU_MSR_GP };

/*
 * What the VM layer provides to a vCPU. io and hypercall are required; the
 * rest are optional (NULL: the mechanism's default) and make up a virtual
 * platform: an interrupt controller (irq_pending/irq_ack, called before each
 * entry), timer events (next_event: absolute TSC of the next event, 0 none),
 * MSRs the VM models, accesses to guest-physical addresses EPT does not map
 * (MMIO), HLT, and CPUID adjustments.
 */
struct vmx_vcpu_ops {
	enum vcpu_action (*io)(struct vmx_vcpu *v, uint16_t port, unsigned size, bool in,
			       uint32_t *value);
	enum vcpu_action (*hypercall)(struct vmx_vcpu *v);
	int (*irq_pending)(struct vmx_vcpu *v); /* vector, VCPU_IRQ_NMI, or -1 */
	void (*irq_ack)(struct vmx_vcpu *v, int vector);
	uint64_t (*next_event)(struct vmx_vcpu *v);
	enum vcpu_msr_result (*msr)(struct vmx_vcpu *v, uint32_t msr, bool write, uint64_t *val);
	bool (*mmio)(struct vmx_vcpu *v, uint64_t gpa, uint64_t qualification,
		     enum vcpu_action *act); /* false: not MMIO, report the EPT violation */
	enum vcpu_action (*hlt)(struct vmx_vcpu *v);
	void (*cpuid)(struct vmx_vcpu *v, uint32_t leaf, uint32_t sub, struct cpuid_regs *r);
};

/* The guest-visible MSRs kept per vCPU (switched on entry and exit). */
struct vmx_guest_msrs {
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base, tsc_aux;
};

struct vmx_vcpu {
	struct vmx_regs regs; /* must stay first: vmx/entry.asm */
	uint32_t id;
	uint16_t vpid;
	uint64_t vmcs_pa;
	enum vmcs_state vmcs_state;
	int32_t vmcs_cpu; /* CPU where the VMCS is active or launched, -1 if clear */
	struct ept *ept;
	const struct vmx_vcpu_ops *ops;
	void *owner; /* the VM */
	uint64_t msr_bitmap_pa;
	uint64_t io_bitmap_pa; /* two pages */
	void *xsave_area;
	uint64_t xcr0;
	struct vmx_guest_msrs msrs;
	uint64_t cr0_shadow, cr4_shadow;
	int16_t pending_irq; /* external interrupt vector waiting for delivery, or -1 */
	uint64_t slice_end_tsc; /* platform VMs: absolute end of the current slice */
	volatile bool exit_request; /* set from another CPU: leave the run loop (VCPU_PREEMPT) */
	enum vcpu_action run_action; /* why the last vmx_vcpu_run() loop ended */
	bool stopped;
	int exit_status;
	char stop_reason[VCPU_STOP_REASON_LEN];
	uint64_t exits[VCPU_EXIT_COUNTERS];
	uint64_t unhandled_io;
};

enum vcpu_mode { VCPU_MODE_LONG, VCPU_MODE_PROTECTED32, VCPU_MODE_REAL };

struct vmx_vcpu_config {
	uint32_t id;
	enum vcpu_mode mode;
	uint64_t rip, rsp, cr3;
	uint64_t gdt_base;          /* guest GDT (code64 0x08, data 0x10, code32 0x18) */
	uint64_t real_mode_cs_base; /* real mode: CS base (selector = base >> 4) */
	struct ept *ept;
	const struct vmx_vcpu_ops *ops;
	void *owner;
};

/* Create on the calling CPU (VMX must be on): VMCS allocated, controls
 * adjusted, host and guest state written; the VMCS stays active here. */
enum err vmx_vcpu_create(struct vmx_vcpu **out, const struct vmx_vcpu_config *cfg);
/* Make v's VMCS current on this CPU (VMPTRLD if another one is). */
enum err vmx_vcpu_make_current(struct vmx_vcpu *v);
/*
 * Moving a VMCS between CPUs (SDM Vol. 3C 25.11.1, 25.1): it may be active
 * on one CPU only. vmx_vcpu_clear() runs on the CPU where it is active
 * (reached by cross-call) and VMCLEARs it; vmx_vcpu_load() then VMPTRLDs it
 * on the new CPU, rewrites the per-CPU host state, flushes the VPID and EPT
 * contexts, and the next entry is a VMLAUNCH.
 */
enum err vmx_vcpu_clear(struct vmx_vcpu *v);
enum err vmx_vcpu_load(struct vmx_vcpu *v);
/* Arm the VMX-preemption timer for a slice of `tsc_ticks` (0 = off). */
void vmx_vcpu_set_slice(struct vmx_vcpu *v, uint64_t tsc_ticks);
/* Run until the vCPU stops or blocks; the VMCS must be active on this CPU. */
enum vcpu_action vmx_vcpu_run(struct vmx_vcpu *v);
/* VMCLEAR (on this CPU) and free everything. */
void vmx_vcpu_destroy(struct vmx_vcpu *v);
/* Stop the vCPU with a report (guest misbehaviour: the VM stops, not the host). */
__attribute__((format(printf, 2, 3))) void vmx_vcpu_stop(struct vmx_vcpu *v, const char *fmt, ...);
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
/* Set up the Multiboot entry state: 32-bit protected mode, paging off,
 * flat segments, EIP = entry, EAX = magic, EBX = info (current VMCS). */
void vmx_vcpu_set_multiboot_entry(struct vmx_vcpu *v, uint32_t entry, uint32_t magic,
				  uint32_t info);
/* General-purpose register n (SDM order: 0 RAX .. 15 R15); RSP (4) is read
 * from and written to the current VMCS. */
uint64_t vmx_vcpu_get_gpr(struct vmx_vcpu *v, unsigned n);
void vmx_vcpu_set_gpr(struct vmx_vcpu *v, unsigned n, uint64_t val);
/* What an instruction decoder needs: CS base, the CPU mode (16/32/64-bit
 * code), RIP (current VMCS). */
struct vmx_code_state {
	uint64_t cs_base, rip;
	unsigned bits; /* 16, 32 or 64 */
	bool protected_mode;
};
void vmx_vcpu_code_state(struct vmx_code_state *cs);
/* Guest RFLAGS.IF of the current VMCS: can a maskable interrupt wake a HLT? */
bool vmx_vcpu_guest_if(void);
/* Advance RIP by n bytes (emulated instructions) and clear STI/MOV-SS blocking. */
void vmx_vcpu_advance_rip(unsigned n);

/* Sum of the per-reason exit counters. */
uint64_t vmx_vcpu_exits_total(const struct vmx_vcpu *v);
/* Guest-state accessors for handlers. */
uint64_t vmx_vcpu_rip(void);
void vmx_vcpu_skip_instruction(struct vmx_vcpu *v);
void vmx_vcpu_inject_exception(struct vmx_vcpu *v, uint8_t vector, bool has_error, uint32_t error);
/* Copy the guest state from the current VMCS (for the checker and dumps). */
void vmx_vcpu_read_guest_state(struct vmx_vcpu *v, struct vmx_guest_state *g);

#endif
