/* SPDX-License-Identifier: MIT */
/*
 * VM-exit handlers. The exit qualification layouts are SDM Vol. 3C 28.2.1
 * (Tables 28-3 control-register accesses, 28-5 I/O instructions, 28-7 EPT
 * violations); instruction-specific behaviour follows the instruction's own
 * "VM exit" conditions in SDM Vol. 3C 26.1-26.2.
 */
#include "vmx/exit.h"
#include "vmx/exit_insn.h"
#include "arch/x86/cpu.h"
#include "arch/x86/traps.h"
#include "arch/x86/tsc.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "vmx/cpuid.h"
#include "vmx/debugreg.h"
#include "vmx/ept.h"
#include "vmx/insn_debug.h"
#include "vmx/msr.h"
#include "vmx/percpu.h"
#include "vmx/spec.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_fast.h"
#include "guest/cr_check.h"
#include "guest/guest_mem.h"
#include "guest/xstate.h"
#include "smp/percpu.h"

#define EXIT_REASON_ENTRY_FAILURE (1u << 31)
#define EXIT_REASON_BASIC_MASK 0xffffu
#define INTR_INFO_VECTOR_MASK 0xffu
#define INTR_INFO_VALID_BIT (1u << 31)
#define INTR_INFO_TYPE_SHIFT 8
#define INTR_INFO_TYPE_MASK 0x7u
#define INTR_INFO_TYPE_FIELD (INTR_INFO_TYPE_MASK << INTR_INFO_TYPE_SHIFT)
#define INTR_INFO_ERROR_VALID (1u << 11)
#define INTR_TYPE_PRIV_SW_EXCEPTION 5u
#define DBG_QUAL_DR6_SET 0x600full /* B0-B3, BD, BS: set in DR6 as the CPU would */
#define DBG_QUAL_BD (1ull << 13)
#define DBG_QUAL_RTM (1ull << 16)
#define DR6_RTM (1ull << 16) /* DR6.RTM is cleared, not set, for a #DB in RTM */
#define DR7_GD (1ull << 13)
#define SEG_AR_DPL_FIELD (3u << 5)
#define X86_UD 6
#define X86_GP 13
#define CR_QUAL_CR_MASK 0xfu
#define CR_QUAL_TYPE_SHIFT 4
#define CR_QUAL_GPR_SHIFT 8
#define CR_ACCESS_MOV_TO 0
#define CR_ACCESS_MOV_FROM 1
#define CR8_NUMBER 8
#define CR8_MASK 0xfu

typedef enum vcpu_action (*exit_handler_fn)(struct vmx_vcpu *v);

void vmx_vcpu_advance_rip(unsigned n)
{
	complete_insn(n);
}

void vmx_vcpu_skip_instruction(struct vmx_vcpu *v)
{
	(void)v;
	skip_insn();
}

#define IDT_VECTORING_ERROR_VALID (1u << 11)
#define IDT_VECTORING_UNDEFINED (1u << 12)

/*
 * An exit that happened while an event was being delivered through the
 * guest IDT (an injected interrupt or NMI, an exception) leaves it in the
 * IDT-vectoring information: it was not delivered, so it is injected again
 * at the next entry (SDM Vol. 3C 28.2.4, 27.6.1.1); a handler that injects
 * something else overrides it. Only exceptions, task switches, APIC
 * accesses, EPT violations and misconfigurations and a full PML can happen
 * during delivery; an instruction's exit (CPUID, VMCALL, I/O...) never does,
 * so only their handlers call this. True: an event was being delivered.
 */
static bool reinject_vectoring_event(void)
{
	uint32_t info = (uint32_t)vmcs_rd(VMCS_IDT_VECTORING_INFO);

	if (!(info & INTR_INFO_VALID_BIT))
		return false;
	vmcs_wr(VMCS_VM_ENTRY_INTR_INFO, info & ~IDT_VECTORING_UNDEFINED);
	if (info & IDT_VECTORING_ERROR_VALID)
		vmcs_wr(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, vmcs_rd(VMCS_IDT_VECTORING_ERROR_CODE));
	vmcs_wr(VMCS_VM_ENTRY_INSTRUCTION_LEN, vmcs_rd(VMCS_EXIT_INSTRUCTION_LEN));
	return true;
}

static __attribute__((noinline, cold)) enum vcpu_action exit_unexpected(struct vmx_vcpu *v)
{
	uint32_t reason = (uint32_t)vmcs_read_or(VMCS_EXIT_REASON, 0) & EXIT_REASON_BASIC_MASK;

	vmcs_dump();
	vcpu_stop(&v->vcpu, "unexpected VM exit %u (%s) at RIP 0x%llx", reason,
		  vmx_exit_reason_name(reason), (unsigned long long)vmx_vcpu_rip());
	return VCPU_STOP;
}

static enum vcpu_action exit_inject_ud(struct vmx_vcpu *v)
{
	vmx_vcpu_inject_exception(v, X86_UD, false, 0);
	return VCPU_RESUME;
}

static enum vcpu_action exit_skip(struct vmx_vcpu *v)
{
	skip_insn();
	return VCPU_RESUME;
}

/*
 * #DB and #AC are intercepted so that one whose delivery raises it again
 * (CVE-2015-8104, CVE-2015-5307) loops through VM exits, where slices and
 * time limits still apply, instead of inside the CPU. The exception goes
 * back to the guest as it came (vector, type, error code; an ICEBP keeps
 * its type and length, SDM Vol. 3C 28.2.2, 27.6.1.1). A #DB that exits
 * leaves DR6 untouched and names its causes in the exit qualification
 * (SDM Vol. 3C 28.1, 28.2.1 Table 28-1): they are set in the guest's DR6
 * here, loaded into the CPU first (vmx/debugreg.c) so that DR6 is the
 * guest's until the run ends, and DR7.GD is cleared as the CPU does on a
 * debug-register access detect. The new exception replaces any
 * event it interrupted, as a second benign exception does on a bare CPU.
 */
static enum vcpu_action reflect_exception(struct vmx_vcpu *v, uint32_t info)
{
	uint32_t type = (info >> INTR_INFO_TYPE_SHIFT) & INTR_INFO_TYPE_MASK;
	uint64_t qual;

	if ((info & INTR_INFO_VECTOR_MASK) == X86_TRAP_DB) {
		vmx_dr_load(v);
		qual = vmcs_rd(VMCS_EXIT_QUALIFICATION);
		cpu_write_dr6((cpu_read_dr6() | (qual & DBG_QUAL_DR6_SET)) &
			      ~((qual & DBG_QUAL_RTM) ? DR6_RTM : 0));
		if (qual & DBG_QUAL_BD)
			vmcs_wr(VMCS_GUEST_DR7, vmcs_rd(VMCS_GUEST_DR7) & ~DR7_GD);
		vmx_insn_debug_shadow();
	}
	if (type == VMX_INTR_TYPE_HW_EXCEPTION)
		vmx_vcpu_fault_rf((uint8_t)(info & INTR_INFO_VECTOR_MASK)); /* #AC */
	vmcs_wr(VMCS_VM_ENTRY_INTR_INFO, info & (INTR_INFO_VECTOR_MASK | INTR_INFO_TYPE_FIELD |
						 INTR_INFO_ERROR_VALID | INTR_INFO_VALID_BIT));
	if (info & INTR_INFO_ERROR_VALID)
		vmcs_wr(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, vmcs_rd(VMCS_EXIT_INTR_ERROR_CODE));
	if (type == INTR_TYPE_PRIV_SW_EXCEPTION)
		vmcs_wr(VMCS_VM_ENTRY_INSTRUCTION_LEN, vmcs_rd(VMCS_EXIT_INSTRUCTION_LEN));
	/* A delivery loop spends no time in the guest, so the preemption timer
	 * may never expire: the slice is checked here (the injection stays in
	 * the VMCS for the next entry, wherever it runs). */
	if (v->slice_end_tsc && cpu_rdtsc() >= v->slice_end_tsc)
		return VCPU_PREEMPT;
	return VCPU_RESUME;
}

static enum vcpu_action exit_nmi_or_exception(struct vmx_vcpu *v)
{
	uint32_t info = (uint32_t)vmcs_read_or(VMCS_EXIT_INTR_INFO, 0);
	uint32_t vector = info & INTR_INFO_VECTOR_MASK;

	if (vector == X86_TRAP_DB || vector == X86_TRAP_AC)
		return reflect_exception(v, info);
	reinject_vectoring_event();
	if (vector == X86_TRAP_NMI) {
		traps_dispatch_vector(X86_TRAP_NMI);
		return VCPU_RESUME;
	}
	return exit_unexpected(v);
}

/* "Acknowledge interrupt on exit": the vector is in the exit information
 * (SDM 3C 28.2.2); the host handles it as if it had arrived here. */
static enum vcpu_action exit_external_interrupt(struct vmx_vcpu *v)
{
	uint32_t info = (uint32_t)vmcs_read_or(VMCS_EXIT_INTR_INFO, 0);

	(void)v;
	traps_dispatch_vector(info & INTR_INFO_VECTOR_MASK);
	if (this_cpu()->need_resched) {
		this_cpu()->need_resched = false;
		return VCPU_PREEMPT; /* the LAPIC slice timer fired */
	}
	return VCPU_RESUME;
}

static enum vcpu_action exit_triple_fault(struct vmx_vcpu *v)
{
	const struct vcpu_platform_ops *ops = v->vcpu.ops;

	if (ops->shutdown && ops->shutdown(&v->vcpu))
		return VCPU_PREEMPT;
	vcpu_stop(&v->vcpu, "triple fault (shutdown) at RIP 0x%llx",
		  (unsigned long long)vmx_vcpu_rip());
	return VCPU_STOP;
}

#define TASK_SWITCH_SOURCE_SHIFT 30
#define TASK_SWITCH_SOURCE_MASK 0x3u
#define TASK_SWITCH_SELECTOR_MASK 0xffffu

/*
 * A hardware task switch (SDM Vol. 3A 9.3) always exits (SDM Vol. 3C
 * 26.1.2). Vireo does not emulate it: the VM is stopped with a report that
 * names the source and the new TSS selector (exit qualification, SDM Vol.
 * 3C 28.2.1, "Exit Qualification for Task Switches"); docs/guest-platform.md
 * says why.
 */
static enum vcpu_action exit_task_switch(struct vmx_vcpu *v)
{
	static const char *const source[] = {"CALL", "IRET", "JMP", "a task gate in the IDT"};
	uint64_t q = vmcs_read_or(VMCS_EXIT_QUALIFICATION, 0);

	vcpu_stop(&v->vcpu,
		  "task switch through %s to selector 0x%llx is not emulated (RIP 0x%llx)",
		  source[(q >> TASK_SWITCH_SOURCE_SHIFT) & TASK_SWITCH_SOURCE_MASK],
		  (unsigned long long)(q & TASK_SWITCH_SELECTOR_MASK),
		  (unsigned long long)vmx_vcpu_rip());
	return VCPU_STOP;
}

/* CPUID answers by the policy (vmx/cpuid.c, docs/cpuid.md). */
static enum vcpu_action exit_cpuid(struct vmx_vcpu *v)
{
	struct cpuid_regs r;

	vmx_cpuid(v, (uint32_t)v->vcpu.regs.rax, (uint32_t)v->vcpu.regs.rcx, &r);
	v->vcpu.regs.rax = r.eax;
	v->vcpu.regs.rbx = r.ebx;
	v->vcpu.regs.rcx = r.ecx;
	v->vcpu.regs.rdx = r.edx;
	skip_insn();
	return VCPU_RESUME;
}

static enum vcpu_action exit_hlt(struct vmx_vcpu *v)
{
	skip_insn();
	return v->vcpu.ops && v->vcpu.ops->hlt ? v->vcpu.ops->hlt(&v->vcpu) : VCPU_BLOCK;
}

/*
 * VMCALL exits at any privilege level (SDM Vol. 3C 26.1.2); a CPU outside
 * VMX operation raises #UD for it (SDM Vol. 2B VMCALL). Hypercalls are for
 * the guest kernel: from CPL > 0 (a guest process, or virtual-8086 mode,
 * where SS.DPL is 3, SDM Vol. 3C 27.3.1.2) the guest gets that #UD. CPL
 * is SS.DPL (SDM Vol. 3C 25.4.1).
 */
static enum vcpu_action exit_vmcall(struct vmx_vcpu *v)
{
	if (vmcs_rd(VMCS_GUEST_SS_AR) & SEG_AR_DPL_FIELD)
		return exit_inject_ud(v);
	skip_insn();
	return v->vcpu.ops && v->vcpu.ops->hypercall ? v->vcpu.ops->hypercall(&v->vcpu)
						     : VCPU_RESUME;
}

/*
 * The guest lowered its CR8 below the TPR threshold (SDM Vol. 3C 26.1.3,
 * 30.1.2; trap-like: RIP is already past the MOV). vmx_tpr_from_guest()
 * gave the platform the new priority at the start of this exit, and the
 * entry after it injects what that unmasked.
 */
static enum vcpu_action exit_tpr_below_threshold(struct vmx_vcpu *v)
{
	(void)v;
	return VCPU_RESUME;
}

/* RDMSR and WRMSR: the MSR model (vmx/msr.c) answers or refuses with #GP. */
static enum vcpu_action exit_rdmsr(struct vmx_vcpu *v)
{
	uint64_t val = 0;

	if (vmx_msr_access(v, (uint32_t)v->vcpu.regs.rcx, false, &val) != VCPU_MSR_OK) {
		vmx_vcpu_inject_exception(v, X86_GP, true, 0);
		return VCPU_RESUME;
	}
	v->vcpu.regs.rax = (uint32_t)val;
	v->vcpu.regs.rdx = val >> 32;
	skip_insn();
	return VCPU_RESUME;
}

static enum vcpu_action exit_wrmsr(struct vmx_vcpu *v)
{
	uint64_t val = (v->vcpu.regs.rdx << 32) | (uint32_t)v->vcpu.regs.rax;

	if (vmx_msr_access(v, (uint32_t)v->vcpu.regs.rcx, true, &val) != VCPU_MSR_OK)
		vmx_vcpu_inject_exception(v, X86_GP, true, 0);
	else
		skip_insn();
	return VCPU_RESUME;
}

/* SDM 3A 10.8.5: setting CR0.PG with EFER.LME activates IA-32e mode
 * (EFER.LMA); under VMX the "IA-32e mode guest" entry control must follow
 * (SDM 3C 27.3.1.1), since the CPU does not change it for us. */
static void update_long_mode(uint64_t cr0)
{
	uint64_t efer = vmcs_read_or(VMCS_GUEST_IA32_EFER, 0);
	uint64_t entry = vmcs_read_or(VMCS_VM_ENTRY_CONTROLS, 0);
	bool lma = (cr0 & CR0_PG) && (efer & EFER_LME);

	efer = lma ? efer | EFER_LMA : efer & ~EFER_LMA;
	entry = lma ? entry | VMX_ENTRY_IA32E_MODE_GUEST
		    : entry & ~(uint64_t)VMX_ENTRY_IA32E_MODE_GUEST;
	vmcs_write(VMCS_GUEST_IA32_EFER, efer);
	vmcs_write(VMCS_VM_ENTRY_CONTROLS, entry);
}

/*
 * The guest's control registers as it reads them (the read shadows for the
 * bits the host owns), for guest/cr_check.c. CR4 bits the CPU lacks
 * (IA32_VMX_CR4_FIXED1) or the host keeps (VMXE, PKE without switched PKRU)
 * are reserved for the guest: a CPU without VMX or PKU raises #GP for them.
 */
static void cr_state_now(struct cr_state *s)
{
	uint64_t mask0 = vmcs_rd(VMCS_CR0_GUEST_HOST_MASK);
	struct vcpu_code_state cs;

	vmx_vcpu_code_state(&cs);
	*s = (struct cr_state){
	    .cr0 = (vmcs_rd(VMCS_GUEST_CR0) & ~mask0) | (vmcs_rd(VMCS_CR0_READ_SHADOW) & mask0),
	    .cr3 = vmcs_rd(VMCS_GUEST_CR3),
	    .cr4 = vmx_vcpu_guest_cr4(),
	    .efer = vmcs_rd(VMCS_GUEST_IA32_EFER),
	    .long_mode = cs.bits == 64,
	    .cr4_allowed = vmx_percpu_caps()->msr.cr4_fixed1 & ~vmx_vcpu_cr4_host_owned(),
	};
}

/* MOV to CR0/CR4 that exited: #GP(0) for what the CPU refuses (SDM Vol. 2B
 * MOV to control registers; guest/cr_check.c), else the new value. */
static enum vcpu_action write_cr(struct vmx_vcpu *v, unsigned cr, uint64_t val)
{
	const struct vmx_caps *c = vmx_percpu_caps();
	struct cr_state s;

	cr_state_now(&s);
	if ((cr == 0 && cr_check_cr0(&s, val)) || (cr == 4 && cr_check_cr4(&s, val))) {
		vmx_vcpu_inject_exception(v, X86_GP, true, 0);
		return VCPU_RESUME;
	}
	if (cr == 0) {
		v->cr0_shadow = val;
		vmcs_write(VMCS_CR0_READ_SHADOW, val);
		vmcs_write(VMCS_GUEST_CR0, val | CR0_NE);
		update_long_mode(val);
		return VCPU_RESUME;
	}
	if (cr == 4) {
		v->cr4_shadow = val;
		vmcs_write(VMCS_CR4_READ_SHADOW, val);
		vmcs_write(VMCS_GUEST_CR4, (val | c->msr.cr4_fixed0) & c->msr.cr4_fixed1);
		return VCPU_RESUME;
	}
	vcpu_stop(&v->vcpu, "unexpected write to CR%u", cr);
	return VCPU_STOP;
}

/*
 * MOV to/from CR8 always exits (CR8-load and CR8-store exiting, SDM Vol.
 * 3C 25.6.2): with both off a 64-bit guest would write the host's local
 * APIC TPR and could mask every host interrupt on this core. The value is
 * the vLAPIC's (platform VMs) or the vCPU's own; bits 63:4 set raise #GP
 * (SDM Vol. 3A 2.5, CR8).
 */
static enum vcpu_action cr8_access(struct vmx_vcpu *v, unsigned type, enum vcpu_gpr reg)
{
	const struct vcpu_platform_ops *ops = v->vcpu.ops;
	bool write = type == CR_ACCESS_MOV_TO;
	uint64_t val = write ? vmx_vcpu_get_gpr(v, reg) : 0;

	if (val & ~(uint64_t)CR8_MASK) {
		vmx_vcpu_inject_exception(v, X86_GP, true, 0);
		return VCPU_RESUME;
	}
	if (ops && ops->cr8)
		val = ops->cr8(&v->vcpu, write, (uint8_t)val);
	else if (write)
		v->cr8 = (uint8_t)val;
	else
		val = v->cr8;
	if (!write)
		vmx_vcpu_set_gpr(v, reg, val);
	skip_insn();
	return VCPU_RESUME;
}

static enum vcpu_action exit_cr_access(struct vmx_vcpu *v)
{
	uint64_t q = vmcs_read_or(VMCS_EXIT_QUALIFICATION, 0);
	unsigned cr = q & CR_QUAL_CR_MASK, type = (q >> CR_QUAL_TYPE_SHIFT) & 3;
	enum vcpu_gpr reg = (enum vcpu_gpr)((q >> CR_QUAL_GPR_SHIFT) & 15);
	enum vcpu_action act;

	if (cr == CR8_NUMBER && (type == CR_ACCESS_MOV_TO || type == CR_ACCESS_MOV_FROM))
		return cr8_access(v, type, reg);

	if (type != CR_ACCESS_MOV_TO) {
		vcpu_stop(&v->vcpu, "unsupported control-register access (qualification 0x%llx)",
			  (unsigned long long)q);
		return VCPU_STOP;
	}
	act = write_cr(v, cr, vmx_vcpu_get_gpr(v, reg));
	if (act == VCPU_RESUME && !vmcs_read_or(VMCS_VM_ENTRY_INTR_INFO, 0))
		skip_insn();
	return act;
}

/* XSETBV (SDM Vol. 2D): only XCR0, with a value guest/xstate.c accepts;
 * otherwise #GP. */
static enum vcpu_action exit_xsetbv(struct vmx_vcpu *v)
{
	uint64_t val = (v->vcpu.regs.rdx << 32) | (uint32_t)v->vcpu.regs.rax;

	if ((uint32_t)v->vcpu.regs.rcx != 0 || !xstate_xcr0_valid(val)) {
		vmx_vcpu_inject_exception(v, X86_GP, true, 0);
		return VCPU_RESUME;
	}
	v->xcr0 = val;
	xstate_set_xcr0(val);
	skip_insn();
	return VCPU_RESUME;
}

/*
 * MOV DR exits only while the guest's DR0-DR3/DR6 are not in the CPU
 * (MOV-DR exiting, vmx/debugreg.c): load them and let the instruction run
 * again, natively, with every check the CPU makes (a fault-like exit: RIP
 * still points at it, SDM Vol. 3C 26.1.3).
 */
static enum vcpu_action exit_mov_dr(struct vmx_vcpu *v)
{
	vmx_dr_load(v);
	return VCPU_RESUME;
}

/*
 * RDPMC always exits (RDPMC exiting, SDM Vol. 3C 25.6.2): run natively it
 * would read the host's counters. Vireo offers no counters (CPUID leaf 0AH
 * is all zero), so every counter number is invalid: #GP(0), as the CPU
 * gives for one (SDM Vol. 2B RDPMC). At CPL > 0 with CR4.PCE clear the CPU
 * raises that #GP itself, before any exit (SDM Vol. 3C 26.1.1).
 */
static enum vcpu_action exit_rdpmc(struct vmx_vcpu *v)
{
	vmx_vcpu_inject_exception(v, X86_GP, true, 0);
	return VCPU_RESUME;
}

static enum vcpu_action exit_ept_violation(struct vmx_vcpu *v)
{
	uint64_t q = vmcs_read_or(VMCS_EXIT_QUALIFICATION, 0);
	uint64_t gpa = vmcs_read_or(VMCS_EXIT_GUEST_PHYSICAL_ADDR, 0);
	uint64_t gla = vmcs_read_or(VMCS_EXIT_GUEST_LINEAR_ADDR, 0);
	char what[128];
	enum vcpu_action act;

	/* A fault while delivering an event (IDT-vectoring information valid,
	 * SDM 3C 28.2.4) is not an access by the instruction at RIP: never
	 * emulate that instruction for it. */
	bool delivering = reinject_vectoring_event();

	if (!delivering && v->vcpu.ops && v->vcpu.ops->mmio) {
		struct vcpu_gpa_fault f = {.gpa = gpa, .access = (unsigned)q & VCPU_ACCESS_RWX};

		if (v->vcpu.ops->mmio(&v->vcpu, &f, &act))
			return act;
	}
	ept_violation_describe(q, what, sizeof(what));
	vcpu_stop(&v->vcpu,
		  "EPT violation: guest-physical 0x%llx (linear 0x%llx) at RIP 0x%llx: %s",
		  (unsigned long long)gpa, (unsigned long long)gla,
		  (unsigned long long)vmx_vcpu_rip(), what);
	return VCPU_STOP;
}

static enum vcpu_action exit_ept_misconfig(struct vmx_vcpu *v)
{
	vcpu_stop(&v->vcpu, "EPT misconfiguration at guest-physical 0x%llx",
		  (unsigned long long)vmcs_read_or(VMCS_EXIT_GUEST_PHYSICAL_ADDR, 0));
	return VCPU_STOP;
}

/* The guest opened its interrupt window: the run loop injects before entry. */
static enum vcpu_action exit_interrupt_window(struct vmx_vcpu *v)
{
	(void)v;
	return VCPU_RESUME;
}

/* The guest's IRET ended NMI blocking: the run loop injects the pending NMI
 * (vmx/vcpu.c inject_nmi turns the window exiting off again). */
static enum vcpu_action exit_nmi_window(struct vmx_vcpu *v)
{
	(void)v;
	return VCPU_RESUME;
}

/* Platform VMs also use the timer for their own timer events: only the
 * end of the slice ends the run. */
static enum vcpu_action exit_preemption_timer(struct vmx_vcpu *v)
{
	if (v->vcpu.ops && v->vcpu.ops->next_event && v->slice_end_tsc &&
	    cpu_rdtsc() < v->slice_end_tsc)
		return VCPU_RESUME;
	return VCPU_PREEMPT;
}

static const exit_handler_fn exit_handlers[VCPU_EXIT_COUNTERS] = {
    [VMX_EXIT_REASON_EXCEPTION_NMI] = exit_nmi_or_exception,
    [VMX_EXIT_REASON_EXTERNAL_INTR] = exit_external_interrupt,
    [VMX_EXIT_REASON_TRIPLE_FAULT] = exit_triple_fault,
    [VMX_EXIT_REASON_INTR_WINDOW] = exit_interrupt_window,
    [VMX_EXIT_REASON_NMI_WINDOW] = exit_nmi_window,
    [VMX_EXIT_REASON_TASK_SWITCH] = exit_task_switch,
    [VMX_EXIT_REASON_CPUID] = exit_cpuid,
    [VMX_EXIT_REASON_HLT] = exit_hlt,
    [VMX_EXIT_REASON_RDPMC] = exit_rdpmc,
    [VMX_EXIT_REASON_INVD] = exit_skip,
    [VMX_EXIT_REASON_MWAIT] = exit_inject_ud,
    [VMX_EXIT_REASON_MONITOR] = exit_inject_ud,
    [VMX_EXIT_REASON_VMCALL] = exit_vmcall,
    [VMX_EXIT_REASON_VMCLEAR] = exit_inject_ud,
    [VMX_EXIT_REASON_VMLAUNCH] = exit_inject_ud,
    [VMX_EXIT_REASON_VMPTRLD] = exit_inject_ud,
    [VMX_EXIT_REASON_VMPTRST] = exit_inject_ud,
    [VMX_EXIT_REASON_VMREAD] = exit_inject_ud,
    [VMX_EXIT_REASON_VMRESUME] = exit_inject_ud,
    [VMX_EXIT_REASON_VMWRITE] = exit_inject_ud,
    [VMX_EXIT_REASON_VMXOFF] = exit_inject_ud,
    [VMX_EXIT_REASON_VMXON] = exit_inject_ud,
    [VMX_EXIT_REASON_CR_ACCESS] = exit_cr_access,
    [VMX_EXIT_REASON_DR_ACCESS] = exit_mov_dr,
    [VMX_EXIT_REASON_IO] = vmx_exit_io,
    [VMX_EXIT_REASON_TPR_BELOW_THRESHOLD] = exit_tpr_below_threshold,
    [VMX_EXIT_REASON_RDMSR] = exit_rdmsr,
    [VMX_EXIT_REASON_WRMSR] = exit_wrmsr,
    [VMX_EXIT_REASON_EPT_VIOLATION] = exit_ept_violation,
    [VMX_EXIT_REASON_EPT_MISCONFIG] = exit_ept_misconfig,
    [VMX_EXIT_REASON_INVEPT] = exit_inject_ud,
    [VMX_EXIT_REASON_WBINVD] = exit_skip,
    [VMX_EXIT_REASON_INVVPID] = exit_inject_ud,
    [VMX_EXIT_REASON_XSETBV] = exit_xsetbv,
    [VMX_EXIT_REASON_PREEMPTION_TIMER] = exit_preemption_timer,
    [VMX_EXIT_REASON_VMFUNC] = exit_inject_ud,
};

static enum vcpu_action entry_failure(struct vmx_vcpu *v, uint32_t reason)
{
	uint64_t q = vmcs_read_or(VMCS_EXIT_QUALIFICATION, 0);

	vmcs_dump();
	vcpu_stop(&v->vcpu, "VM entry failed: exit reason %u (%s), qualification %llu",
		  reason & EXIT_REASON_BASIC_MASK,
		  vmx_exit_reason_name(reason & EXIT_REASON_BASIC_MASK), (unsigned long long)q);
	return VCPU_STOP;
}

static __attribute__((noinline, cold)) enum vcpu_action dispatch_slow(struct vmx_vcpu *v,
								      uint32_t reason)
{
	if (reason & EXIT_REASON_ENTRY_FAILURE)
		return entry_failure(v, reason);
	return exit_unexpected(v);
}

enum vcpu_action vmx_exit_dispatch(struct vmx_vcpu *v)
{
	uint32_t reason = (uint32_t)vmcs_rd(VMCS_EXIT_REASON);
	uint32_t basic = reason & EXIT_REASON_BASIC_MASK; /* bits 27-29 are flags */
	exit_handler_fn fn;

	if (__builtin_expect((reason & EXIT_REASON_ENTRY_FAILURE) || basic >= VCPU_EXIT_COUNTERS,
			     0))
		return dispatch_slow(v, reason);
	v->exits[basic]++;
	fn = exit_handlers[basic];
	return fn ? fn(v) : exit_unexpected(v);
}
