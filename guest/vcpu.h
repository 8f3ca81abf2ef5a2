/* SPDX-License-Identifier: MIT */
/*
 * The vendor-neutral vCPU interface between the VM layer and a
 * virtualisation backend (VT-x: vmx/backend.c, selected by vm/backend.c).
 * struct vcpu is the part of a vCPU every backend shares (a backend's own
 * vCPU embeds it first); struct vcpu_platform_ops is what the VM layer
 * answers for a vCPU; struct vcpu_backend is what a backend provides, in
 * the spirit of KVM's kvm_x86_ops, called through the inline wrappers below.
 */
#ifndef VIREO_GUEST_VCPU_H
#define VIREO_GUEST_VCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/error.h"

#define VCPU_STOP_REASON_LEN 200
#define VCPU_IRQ_NMI 0x100
#define VCPU_NO_CPU (-1)

/* What a handler asks for: keep running, wait (HLT), give up the CPU
 * (yield hypercall), end of time slice, or stop. */
enum vcpu_action { VCPU_RESUME, VCPU_BLOCK, VCPU_YIELD, VCPU_PREEMPT, VCPU_STOP };

/* What an MSR hook did with an access it was offered. */
enum vcpu_msr_result { VCPU_MSR_UNHANDLED, VCPU_MSR_OK, VCPU_MSR_GP };

enum vcpu_mode { VCPU_MODE_LONG, VCPU_MODE_PROTECTED32, VCPU_MODE_REAL };

/* General-purpose registers by their encoding (SDM Vol. 2A 2.1.5, Table 2-2):
 * the one register-index map of the hypervisor. */
enum vcpu_gpr {
	VCPU_RAX,
	VCPU_RCX,
	VCPU_RDX,
	VCPU_RBX,
	VCPU_RSP,
	VCPU_RBP,
	VCPU_RSI,
	VCPU_RDI,
	VCPU_R8,
	VCPU_R9,
	VCPU_R10,
	VCPU_R11,
	VCPU_R12,
	VCPU_R13,
	VCPU_R14,
	VCPU_R15,
	VCPU_GPRS
};

/* The guest registers a backend's entry path saves and loads; RSP is kept by
 * the backend (vcpu_get_gpr(v, VCPU_RSP)). */
struct vcpu_regs {
	uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t cr2;
};

/* Exits counted by what they were, whatever the backend calls them. */
enum vcpu_exit_kind {
	VCPU_EXIT_IO,
	VCPU_EXIT_MMIO,
	VCPU_EXIT_RDMSR,
	VCPU_EXIT_WRMSR,
	VCPU_EXIT_HLT,
	VCPU_EXIT_CPUID,
	VCPU_EXIT_EXTINT,
	VCPU_EXIT_TIMER,
	VCPU_EXIT_IRQWIN,
	VCPU_EXIT_KINDS
};

/* What vcpu_load() had to do: nothing (already current here), load it on
 * this CPU, or move it from the CPU it was loaded on. */
enum vcpu_load_kind { VCPU_LOAD_NONE, VCPU_LOAD_SWITCH, VCPU_LOAD_MOVE };

/* A guest-physical access the address space does not map (MMIO). */
#define VCPU_ACCESS_READ 1u
#define VCPU_ACCESS_WRITE 2u
#define VCPU_ACCESS_FETCH 4u
#define VCPU_ACCESS_RWX (VCPU_ACCESS_READ | VCPU_ACCESS_WRITE | VCPU_ACCESS_FETCH)
struct vcpu_gpa_fault {
	uint64_t gpa;
	unsigned access; /* VCPU_ACCESS_* */
};

/* What an instruction decoder needs: CS base, RIP, the code size. */
struct vcpu_code_state {
	uint64_t cs_base, rip;
	unsigned bits; /* 16, 32 or 64 */
	bool protected_mode;
};

/* The registers a guest page walk needs (guest/gva.c). */
struct vcpu_paging {
	uint64_t cr0, cr3, cr4, efer;
};

/*
 * Where a vCPU starts: filled by the VM layer and the loaders, applied by
 * the backend. Control registers add bits to the mode's defaults (0: none);
 * a zero GDT or IDT limit means the mode's default. Real mode: CS selector =
 * real_mode_cs_base >> 4, RSP truncated to 16 bits.
 */
/* The selectors a protected-mode or long-mode boot state starts with by
 * default: CS, and DS/ES/SS/FS/GS (their hidden parts flat, base 0, limit
 * 4 GiB). A loader that builds a GDT for the guest puts matching descriptors
 * there, or names its own selectors in code_sel/data_sel. */
#define VCPU_BOOT_CS 0x08u
#define VCPU_BOOT_DS 0x10u

/* CR0.CD and CR0.NW at boot (SDM Vol. 3A 11.5.3, Table 10-1). */
enum vcpu_cache_state {
	VCPU_CACHE_FIRMWARE, /* as the firmware left the CPU the VM is built on */
	VCPU_CACHE_ON,	     /* CD = NW = 0: caching enabled, as PC firmware hands over */
	VCPU_CACHE_KEEP,     /* unchanged (INIT keeps CD and NW) */
};

struct vcpu_boot_state {
	enum vcpu_mode mode;
	uint64_t rip;
	uint64_t gpr[VCPU_GPRS];
	uint64_t cr0, cr3, cr4, efer;
	uint64_t gdt_base;
	uint32_t gdt_limit, idt_limit;
	uint64_t real_mode_cs_base;
	uint16_t code_sel, data_sel; /* protected/long mode; 0: VCPU_BOOT_CS/DS */
	enum vcpu_cache_state cache;
};

struct vcpu;
struct cpuid_regs;
/* A guest-physical address space (EPT under VT-x), opaque above the backend. */
struct vcpu_gspace;

/*
 * What the VM layer provides to a vCPU. io and hypercall are required; the
 * rest are optional (NULL: the backend's default) and make up a virtual
 * platform: an interrupt controller (irq_pending/irq_ack, called before each
 * entry), timer events (next_event: absolute TSC of the next event, 0 none),
 * MSRs the VM models, guest-physical accesses nothing maps (MMIO; false: not
 * MMIO, the backend reports the fault), HLT, and CPUID adjustments.
 */
struct vcpu_platform_ops {
	enum vcpu_action (*io)(struct vcpu *v, uint16_t port, unsigned size, bool in,
			       uint32_t *value);
	enum vcpu_action (*hypercall)(struct vcpu *v);
	int (*irq_pending)(struct vcpu *v); /* vector, VCPU_IRQ_NMI, or -1 */
	void (*irq_ack)(struct vcpu *v, int vector);
	uint64_t (*next_event)(struct vcpu *v);
	enum vcpu_msr_result (*msr)(struct vcpu *v, uint32_t msr, bool write, uint64_t *val);
	bool (*mmio)(struct vcpu *v, const struct vcpu_gpa_fault *f, enum vcpu_action *act);
	enum vcpu_action (*hlt)(struct vcpu *v);
	void (*cpuid)(struct vcpu *v, uint32_t leaf, uint32_t sub, struct cpuid_regs *r);
	/* MOV to/from CR8 (64-bit guests): the task priority, 0-15. */
	uint8_t (*cr8)(struct vcpu *v, bool write, uint8_t val);
	/* The vCPU entered shutdown (a triple fault, SDM Vol. 3A 6.15): true
	 * when the platform resets the machine (the vCPU leaves the guest and
	 * its state is replaced), false to stop the VM with a report. */
	bool (*shutdown)(struct vcpu *v);
};

/* The vendor-neutral part of a vCPU; a backend's vCPU embeds it first. */
struct vcpu {
	struct vcpu_regs regs; /* must stay first: the backends' entry code */
	uint32_t id;
	void *owner; /* the VM */
	const struct vcpu_platform_ops *ops;
	struct vcpu_gspace *gspace;
	int32_t last_cpu;	     /* CPU it last ran on, VCPU_NO_CPU before its first run */
	int16_t pending_irq;	     /* external interrupt vector waiting for delivery, or -1 */
	volatile bool exit_request;  /* set from another CPU: leave the run (VCPU_PREEMPT) */
	enum vcpu_action run_action; /* why the last vcpu_run() ended */
	bool stopped;
	int exit_status;
	char stop_reason[VCPU_STOP_REASON_LEN];
	uint64_t tsc_offset; /* guest TSC - host TSC (mod 2^64), set by WRMSR */
};

struct vcpu_config {
	uint32_t id;
	struct vcpu_gspace *gspace;
	const struct vcpu_platform_ops *ops;
	void *owner;
	struct vcpu_boot_state boot;
};

/* Address-space permissions and memory types for vcpu_gspace_map(). */
enum vcpu_gspace_type { VCPU_GSPACE_WB, VCPU_GSPACE_UC };

struct vcpu_backend {
	const char *name;
	/* The machine: per-CPU enable on every CPU (with a report), one CPU
	 * left off as firmware might, which CPUs can run guests and why not. */
	void (*enable_all)(bool full_report);
	void (*leave_off)(int cpu);
	void (*shutdown)(void);
	bool (*enabled_here)(void);
	bool (*cpu_usable)(unsigned cpu);
	unsigned (*cpus_usable)(void);
	const char *(*unavailable_reason)(void);
	bool (*can_run_guests)(void);
	bool (*has_real_mode)(void);
	bool (*has_slice_timer)(void);
	void (*report)(void);
	/* Guest-physical address spaces. */
	enum err (*gspace_create)(struct vcpu_gspace **out);
	void (*gspace_destroy)(struct vcpu_gspace *gs);
	enum err (*gspace_map)(struct vcpu_gspace *gs, uint64_t gpa, uint64_t hpa, uint64_t size,
			       unsigned access, enum vcpu_gspace_type type);
	enum err (*gspace_unmap)(struct vcpu_gspace *gs, uint64_t gpa, uint64_t size);
	enum err (*gspace_translate)(struct vcpu_gspace *gs, uint64_t gpa, uint64_t *hpa);
	/* vCPUs. */
	enum err (*create)(struct vcpu **out, const struct vcpu_config *cfg);
	void (*destroy)(struct vcpu *v);
	enum err (*load)(struct vcpu *v, enum vcpu_load_kind *how);
	enum err (*put)(struct vcpu *v);
	int32_t (*loaded_cpu)(const struct vcpu *v);
	void (*set_slice)(struct vcpu *v, uint64_t tsc_ticks);
	enum vcpu_action (*run)(struct vcpu *v);
	uint64_t (*get_gpr)(struct vcpu *v, enum vcpu_gpr n);
	void (*set_gpr)(struct vcpu *v, enum vcpu_gpr n, uint64_t val);
	void (*code_state)(struct vcpu *v, struct vcpu_code_state *cs);
	void (*paging)(struct vcpu *v, struct vcpu_paging *p);
	uint64_t (*rip)(struct vcpu *v);
	bool (*interrupts_enabled)(struct vcpu *v);
	void (*advance_rip)(struct vcpu *v, unsigned n);
	void (*queue_interrupt)(struct vcpu *v, uint8_t vector);
	void (*inject_nmi)(struct vcpu *v);
	void (*inject_exception)(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
	/* The platform's task priority (TPR, bits 7:0) changed other than by
	 * MOV to CR8: for a backend that keeps a copy the guest's CR8 uses
	 * (VT-x's TPR shadow). v is loaded on this CPU. */
	void (*set_tpr)(struct vcpu *v, uint8_t tpr);
	/* #PF with CR2 = addr: CR2 is live in the CPU while the vCPU runs. */
	void (*inject_page_fault)(struct vcpu *v, uint64_t addr, uint32_t error);
	void (*request_irq_window)(struct vcpu *v, bool on);
	void (*startup_ipi)(struct vcpu *v, uint8_t vector);
	void (*apply_boot_state)(struct vcpu *v, const struct vcpu_boot_state *bs);
	uint64_t (*exit_count)(const struct vcpu *v, enum vcpu_exit_kind kind);
	uint64_t (*exits_total)(const struct vcpu *v);
	/* The i-th backend-specific exit reason: its name and count; false
	 * past the last one. */
	bool (*exit_reason)(const struct vcpu *v, unsigned i, const char **name, uint64_t *count);
};

/* The backend in use (set once at boot by vm/backend.c). */
extern const struct vcpu_backend *vcpu_be;

/* Stop the vCPU with a report (guest misbehaviour: the VM stops, not the host). */
__attribute__((format(printf, 2, 3))) void vcpu_stop(struct vcpu *v, const char *fmt, ...);
/* A boot state of `mode` with everything else zero (the mode's defaults). */
void vcpu_boot_state_init(struct vcpu_boot_state *bs, enum vcpu_mode mode);
/* Name of a register ("rax".."r15"), "?" out of range. */
const char *vcpu_gpr_name(unsigned n);
/* Name of an exit kind as reports print it ("io", "mmio"...). */
const char *vcpu_exit_kind_name(enum vcpu_exit_kind k);

/* Per-CPU enable on every CPU, then the report (full: every capability). */
static inline void vcpu_backend_enable_all(bool full_report)
{
	vcpu_be->enable_all(full_report);
}

/* Before vcpu_backend_enable_all(): leave one CPU off (-1: none). */
static inline void vcpu_backend_leave_off(int cpu)
{
	vcpu_be->leave_off(cpu);
}

/* Off on every CPU (the power-off hook). */
static inline void vcpu_backend_shutdown(void)
{
	vcpu_be->shutdown();
}

/* Enabled on the calling CPU (VMs are built there). */
static inline bool vcpu_backend_enabled_here(void)
{
	return vcpu_be->enabled_here();
}

/* May this online CPU run vCPUs? */
static inline bool vcpu_backend_cpu_usable(unsigned cpu)
{
	return vcpu_be->cpu_usable(cpu);
}

static inline unsigned vcpu_backend_cpus_usable(void)
{
	return vcpu_be->cpus_usable();
}

/* Why guests cannot run here, or NULL. */
static inline const char *vcpu_backend_unavailable_reason(void)
{
	return vcpu_be->unavailable_reason();
}

/* Enabled somewhere and able to give guests their own memory. */
static inline bool vcpu_backend_can_run_guests(void)
{
	return vcpu_be->can_run_guests();
}

/* Guests may run in real and unpaged protected mode. */
static inline bool vcpu_backend_has_real_mode(void)
{
	return vcpu_be->has_real_mode();
}

/* The backend ends slices itself (else the LAPIC timer must). */
static inline bool vcpu_backend_has_slice_timer(void)
{
	return vcpu_be->has_slice_timer();
}

/* The backend's section of the machine report. */
static inline void vcpu_backend_report(void)
{
	vcpu_be->report();
}

/* Create on the calling CPU (the backend must be enabled here). */
static inline enum err vcpu_create(struct vcpu **out, const struct vcpu_config *cfg)
{
	return vcpu_be->create(out, cfg);
}

/* Release it from its CPU and free everything. */
static inline void vcpu_destroy(struct vcpu *v)
{
	vcpu_be->destroy(v);
}

/* Make v runnable on this CPU, moving it from the CPU it was loaded on;
 * *how (may be NULL) says what that took. */
static inline enum err vcpu_load(struct vcpu *v, enum vcpu_load_kind *how)
{
	return vcpu_be->load(v, how);
}

/* Release v from the CPU it is loaded on (any CPU may load it next). */
static inline enum err vcpu_put(struct vcpu *v)
{
	return vcpu_be->put(v);
}

/* The CPU that holds v's state (VT-x: where its VMCS is active), which alone
 * can release it; VCPU_NO_CPU when released. */
static inline int32_t vcpu_loaded_cpu(const struct vcpu *v)
{
	return vcpu_be->loaded_cpu(v);
}

/* Arm the backend's slice timer for `tsc_ticks` (0 = off). */
static inline void vcpu_set_slice(struct vcpu *v, uint64_t tsc_ticks)
{
	vcpu_be->set_slice(v, tsc_ticks);
}

/* Run one slice: until the vCPU stops, blocks, yields or is preempted. */
static inline enum vcpu_action vcpu_run(struct vcpu *v)
{
	return vcpu_be->run(v);
}

static inline uint64_t vcpu_get_gpr(struct vcpu *v, enum vcpu_gpr n)
{
	return vcpu_be->get_gpr(v, n);
}

static inline void vcpu_set_gpr(struct vcpu *v, enum vcpu_gpr n, uint64_t val)
{
	vcpu_be->set_gpr(v, n, val);
}

static inline void vcpu_code_state(struct vcpu *v, struct vcpu_code_state *cs)
{
	vcpu_be->code_state(v, cs);
}

static inline void vcpu_paging(struct vcpu *v, struct vcpu_paging *p)
{
	vcpu_be->paging(v, p);
}

static inline uint64_t vcpu_rip(struct vcpu *v)
{
	return vcpu_be->rip(v);
}

/* Guest RFLAGS.IF: can a maskable interrupt wake a HLT? */
static inline bool vcpu_interrupts_enabled(struct vcpu *v)
{
	return vcpu_be->interrupts_enabled(v);
}

/* An emulated instruction of n bytes completes: advance RIP, end STI/MOV-SS
 * blocking. */
static inline void vcpu_advance_rip(struct vcpu *v, unsigned n)
{
	vcpu_be->advance_rip(v, n);
}

/* Queue an external interrupt, injected once the guest can take it. */
static inline void vcpu_queue_interrupt(struct vcpu *v, uint8_t vector)
{
	vcpu_be->queue_interrupt(v, vector);
}

static inline void vcpu_inject_nmi(struct vcpu *v)
{
	vcpu_be->inject_nmi(v);
}

static inline void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error,
					 uint32_t error)
{
	vcpu_be->inject_exception(v, vector, has_error, error);
}

static inline void vcpu_set_tpr(struct vcpu *v, uint8_t tpr)
{
	vcpu_be->set_tpr(v, tpr);
}

static inline void vcpu_inject_page_fault(struct vcpu *v, uint64_t addr, uint32_t error)
{
	vcpu_be->inject_page_fault(v, addr, error);
}

static inline void vcpu_request_irq_window(struct vcpu *v, bool on)
{
	vcpu_be->request_irq_window(v, on);
}

/* Reset to the state a STARTUP IPI with `vector` leaves (v loaded here). */
static inline void vcpu_startup_ipi(struct vcpu *v, uint8_t vector)
{
	vcpu_be->startup_ipi(v, vector);
}

static inline void vcpu_apply_boot_state(struct vcpu *v, const struct vcpu_boot_state *bs)
{
	vcpu_be->apply_boot_state(v, bs);
}

static inline uint64_t vcpu_exit_count(const struct vcpu *v, enum vcpu_exit_kind kind)
{
	return vcpu_be->exit_count(v, kind);
}

static inline uint64_t vcpu_exits_total(const struct vcpu *v)
{
	return vcpu_be->exits_total(v);
}

static inline bool vcpu_exit_reason(const struct vcpu *v, unsigned i, const char **name,
				    uint64_t *count)
{
	return vcpu_be->exit_reason(v, i, name, count);
}

static inline enum err vcpu_gspace_create(struct vcpu_gspace **out)
{
	return vcpu_be->gspace_create(out);
}

static inline void vcpu_gspace_destroy(struct vcpu_gspace *gs)
{
	vcpu_be->gspace_destroy(gs);
}

static inline enum err vcpu_gspace_map(struct vcpu_gspace *gs, uint64_t gpa, uint64_t hpa,
				       uint64_t size, unsigned access, enum vcpu_gspace_type type)
{
	return vcpu_be->gspace_map(gs, gpa, hpa, size, access, type);
}

static inline enum err vcpu_gspace_unmap(struct vcpu_gspace *gs, uint64_t gpa, uint64_t size)
{
	return vcpu_be->gspace_unmap(gs, gpa, size);
}

static inline enum err vcpu_gspace_translate(struct vcpu_gspace *gs, uint64_t gpa, uint64_t *hpa)
{
	return vcpu_be->gspace_translate(gs, gpa, hpa);
}

#endif
