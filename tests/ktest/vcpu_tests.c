/* SPDX-License-Identifier: MIT */
/*
 * The "vcpu" self-test suite: built-in guests run in VMX non-root operation
 * under EPT in long, protected and real mode, exercise the exit handlers,
 * keep their XSAVE state (PKRU too), MSRs and debug registers across
 * another vCPU on the same core while the host's stay untouched, bad guests
 * are stopped while a good VM finishes, and an EPT change reaches a running
 * guest. SKIPs without VT-x.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/traps.h"
#include "arch/x86/tsc.h"
#include "kernel/ktest.h"
#include "lib/printk.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/pmm.h"
#include "smp/smp.h"
#include "loader/images.h"
#include "vm/vm_io.h"
#include "vm/vm.h"
#include "vmx/backend.h"
#include "vmx/caps.h"
#include "vmx/exit.h"
#include "vmx/percpu.h"
#include "vmx/spec.h"
#include "vmx/tpr.h"
#include "vmx/vmcs.h"

#define GUEST_MEM (4ull << 20)
#define VMCS_AR_DB (1u << 14)
#define MAX_STEPS 100000
#define HOST_TICK_US 1000
#define CLOBBER_EXIT_STATUS 7  /* guests/clobber64.nasm */
#define CLOBBER_DR0 0xc0000ull /* its DR0; DR1-DR3 follow */
#define UART_CAPTURE_LEN 256
#define HANDSHAKE_US 1000000 /* the other CPU's side of a two-CPU case */

/* What guests/selftest64.nasm leaves behind when every check passed. */
#define SELFTEST_PASS_LINE "selftest64: all checks passed\n"
#define SELFTEST_INSB_BUF 0x200000ull /* check 17: REP INSB */
#define SELFTEST_INSB_COUNT 16u
#define SELFTEST_INSW_BUF 0x201000ull /* check 18: REP INSW over two exits */
#define SELFTEST_INSW_COUNT 1100u
#define SELFTEST_INSW_BYTES (2 * SELFTEST_INSW_COUNT)
#define INS_GUARD_BYTES 2	   /* zeroed guest memory just past each buffer */
#define SELFTEST_DR1 0x11110000ull /* checks 22-24: DR1-DR3 */
#define SELFTEST_DR3 0x33330000ull

/* Where selftest64 is stopped once its code page (VM_GUEST_LOAD) is unmapped. */
#define CODE_PAGE_REASON "EPT violation: guest-physical 0x10"

/* The rule vmx/guest_check.c names for a 64-bit CS with D set. */
#define CS_LD_REASON                                                                               \
	"invalid guest state, not launched: CS.L and CS.D both set in IA-32e mode "                \
	"(SDM 3C 27.3.1.2): CS: "

static bool vcpu_skip(struct ktest *t)
{
	if (!vmx_is_enabled()) {
		ktest_skip(t, "%s",
			   vmx_percpu_last_error()[0] ? vmx_percpu_last_error()
						      : "this CPU has no VT-x");
		return true;
	}
	return false;
}

static enum err make_vm(struct vm **vm, const char *name, const char *image, enum vcpu_mode mode)
{
	const struct guest_image *g = guest_image_find(image);
	struct vcpu *v;
	enum err e;

	if (!g)
		return E_NOENT;
	e = vm_create(vm, name, GUEST_MEM);
	if (e == E_OK)
		e = vm_load_image(*vm, g->data, g->size);
	if (e == E_OK)
		e = vm_add_vcpu(*vm, mode, &v);
	return e;
}

static bool run_to_end(struct vm *vm)
{
	for (int i = 0; i < MAX_STEPS && vm_step_vcpu(vm, 0); i++)
		;
	vm_report(vm);
	return vm->stopped;
}

/*
 * What a VM's vCPU 0 writes to COM1's transmit register, captured in front
 * of the VM's own port handler (vm/vm_io.c, which still prints each line as
 * "[name] text"). ops must stay the first member: the hook gets back to
 * the capture from v->ops.
 */
struct uart_capture {
	struct vcpu_platform_ops ops;
	const struct vcpu_platform_ops *inner;
	char text[UART_CAPTURE_LEN];
	unsigned len;
};

static enum vcpu_action capture_io(struct vcpu *v, uint16_t port, unsigned size, bool in,
				   uint32_t *value)
{
	struct uart_capture *cap = (struct uart_capture *)v->ops;

	if (!in && port == VM_COM1_BASE && cap->len + 1 < sizeof(cap->text)) {
		cap->text[cap->len++] = (char)*value;
		cap->text[cap->len] = '\0';
	}
	return cap->inner->io(v, port, size, in, value);
}

static void capture_uart(struct uart_capture *cap, struct vm *vm)
{
	struct vcpu *v = vm->vcpus[0];

	cap->inner = v->ops;
	cap->ops = *v->ops;
	cap->ops.io = capture_io;
	cap->len = 0;
	cap->text[0] = '\0';
	v->ops = &cap->ops;
}

/* len bytes of all-ones at gpa, and the zeroed guest memory after them untouched. */
static bool ins_buffer_ok(const struct vm *vm, uint64_t gpa, size_t len)
{
	const uint8_t *p = phys_to_virt(vm->mem_hpa + gpa);

	for (size_t i = 0; i < len; i++)
		if (p[i] != 0xff)
			return false;
	for (size_t i = len; i < len + INS_GUARD_BYTES; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static bool pku_offered(void)
{
	struct cpuid_regs r;

	cpu_cpuid(CPUID_LEAF_EXT_FEATURES, 0, &r);
	return r.ecx & CPUID_7_ECX_PKU;
}

static bool wbinvd_exits(void)
{
	return vmx_percpu_caps()->ctl[VMX_CTL_PROC2].allowed1 & VMX_PROC2_WBINVD_EXITING;
}

/*
 * Debug registers after selftest64 and clobber64 shared this CPU: the host
 * has its own values back (DR0-DR3 zero, DR6 at reset, DR7 as every VM exit
 * leaves it), and each vCPU saved its own DR1/DR3, not the other's.
 */
static void expect_debug_registers_apart(struct ktest *t, const struct vmx_vcpu *a,
					 const struct vmx_vcpu *b)
{
	uint64_t host = cpu_read_dr(0) | cpu_read_dr(1) | cpu_read_dr(2) | cpu_read_dr(3);

	KT_EXPECT(t, host == 0 && cpu_read_dr6() == DR6_RESET && cpu_read_dr(7) == DR7_RESET,
		  "host debug registers changed by the guests: DR0-3 or'ed 0x%llx, DR6 0x%llx, "
		  "DR7 0x%llx",
		  (unsigned long long)host, (unsigned long long)cpu_read_dr6(),
		  (unsigned long long)cpu_read_dr(7));
	KT_EXPECT(t, a->dr[1] == SELFTEST_DR1 && a->dr[3] == SELFTEST_DR3,
		  "selftest64's saved DR1/DR3 are 0x%llx/0x%llx", (unsigned long long)a->dr[1],
		  (unsigned long long)a->dr[3]);
	KT_EXPECT(t, b->dr[0] == CLOBBER_DR0 && b->dr[3] == CLOBBER_DR0 + 3,
		  "clobber64's saved DR0/DR3 are 0x%llx/0x%llx", (unsigned long long)b->dr[0],
		  (unsigned long long)b->dr[3]);
	KT_EXPECT(t, !a->dr_loaded && !b->dr_loaded,
		  "a vCPU's debug registers were left in the CPU after its run");
	KT_EXPECT(t,
		  a->exits[VMX_EXIT_REASON_DR_ACCESS] >= 1 &&
		      b->exits[VMX_EXIT_REASON_DR_ACCESS] >= 1 &&
		      a->exits[VMX_EXIT_REASON_RDPMC] == 1,
		  "MOV DR exits %llu and %llu, RDPMC exits %llu (want >= 1, >= 1, 1)",
		  (unsigned long long)a->exits[VMX_EXIT_REASON_DR_ACCESS],
		  (unsigned long long)b->exits[VMX_EXIT_REASON_DR_ACCESS],
		  (unsigned long long)a->exits[VMX_EXIT_REASON_RDPMC]);
}

/*
 * selftest64 passed every check and left the evidence: exit status 0, its
 * one INVD and one WBINVD each exited once (WBINVD only where the CPU
 * allows "WBINVD exiting"), both REP INS buffers hold all-ones and nothing
 * past them, and its last COM1 line (through REP OUTSB) says it passed.
 */
/*
 * selftest64 raised CR8 to 15, lowered it to 3 and raised it to 15 again.
 * Under the TPR shadow the VTPR holds 15 << 4 and the lowering exited (TPR
 * below threshold); with CR8 exiting every access exited.
 */
static void expect_cr8_kept(struct ktest *t, const struct vmx_vcpu *v)
{
	if (v->vapic) {
		KT_EXPECT(t,
			  v->vapic[VAPIC_VTPR] == 0xf0 &&
			      v->exits[VMX_EXIT_REASON_TPR_BELOW_THRESHOLD] >= 1,
			  "TPR shadow: VTPR 0x%x (want 0xf0), %llu TPR-below-threshold exits",
			  v->vapic[VAPIC_VTPR],
			  (unsigned long long)v->exits[VMX_EXIT_REASON_TPR_BELOW_THRESHOLD]);
		ktest_diag(t, "CR8 through the TPR shadow: %llu TPR-below-threshold exits",
			   (unsigned long long)v->exits[VMX_EXIT_REASON_TPR_BELOW_THRESHOLD]);
		return;
	}
	KT_EXPECT(t, v->exits[VMX_EXIT_REASON_CR_ACCESS] >= 5,
		  "CR8 exiting: only %llu CR-access exits",
		  (unsigned long long)v->exits[VMX_EXIT_REASON_CR_ACCESS]);
	ktest_diag(t, "CR8 by CR8-load/store exiting (no TPR shadow on this CPU)");
}

/*
 * selftest64 and clobber64 (two VMs) took turns on this core: an IBPB at
 * each change of VM where the CPU has it, none where it does not; each
 * vCPU kept its own IA32_SPEC_CTRL (selftest64 set SSBD where offered, check
 * 27), and the CPU holds the value of the vCPU that ran last.
 */
static void expect_mitigations(struct ktest *t, const struct vm *a, const struct vm *b,
			       uint64_t ibpbs_before)
{
	const struct spec_policy *p = spec_policy();
	uint64_t ibpbs = vmx_percpu_this()->ibpbs - ibpbs_before;
	uint64_t want_a = p->spec_ctrl & SPEC_CTRL_SSBD;

	KT_EXPECT(t, p->ibpb ? ibpbs >= 2 : ibpbs == 0, "%llu IBPBs while two VMs alternated (%s)",
		  (unsigned long long)ibpbs, p->ibpb ? "want at least 2" : "the CPU has none");
	KT_EXPECT(t,
		  to_vmx_vcpu(a->vcpus[0])->spec_ctrl == want_a &&
		      to_vmx_vcpu(b->vcpus[0])->spec_ctrl == 0,
		  "SPEC_CTRL per vCPU: selftest64 0x%llx (want 0x%llx), clobber64 0x%llx (want 0)",
		  (unsigned long long)to_vmx_vcpu(a->vcpus[0])->spec_ctrl,
		  (unsigned long long)want_a,
		  (unsigned long long)to_vmx_vcpu(b->vcpus[0])->spec_ctrl);
	if (p->spec_ctrl)
		KT_EXPECT(t, cpu_rdmsr(MSR_IA32_SPEC_CTRL) == vmx_percpu_this()->spec_ctrl_hw,
			  "IA32_SPEC_CTRL 0x%llx, the last vCPU's 0x%llx",
			  (unsigned long long)cpu_rdmsr(MSR_IA32_SPEC_CTRL),
			  (unsigned long long)vmx_percpu_this()->spec_ctrl_hw);
	ktest_diag(t, "mitigations: %llu IBPBs, VERW on entry %s, L1D flush %s",
		   (unsigned long long)ibpbs, p->verw ? "on" : "off", p->l1d_flush ? "on" : "off");
}

static void expect_selftest_passed(struct ktest *t, const struct vm *vm,
				   const struct uart_capture *cap)
{
	const struct vmx_vcpu *v = to_vmx_vcpu(vm->vcpus[0]);
	uint64_t want_wbinvd = wbinvd_exits() ? 1 : 0;
	size_t pass_len = strlen(SELFTEST_PASS_LINE);

	KT_EXPECT(t, vm->exited && vm->exit_status == 0,
		  "%s (selftest64) %s with status %d (a non-zero status is the failed check) %s",
		  vm->name, vm->exited ? "exited" : "was stopped", vm->exit_status, vm->why);
	KT_EXPECT(
	    t,
	    v->exits[VMX_EXIT_REASON_INVD] == 1 && v->exits[VMX_EXIT_REASON_WBINVD] == want_wbinvd,
	    "%s: %llu INVD and %llu WBINVD exits, expected 1 and %llu", vm->name,
	    (unsigned long long)v->exits[VMX_EXIT_REASON_INVD],
	    (unsigned long long)v->exits[VMX_EXIT_REASON_WBINVD], (unsigned long long)want_wbinvd);
	KT_EXPECT(t, ins_buffer_ok(vm, SELFTEST_INSB_BUF, SELFTEST_INSB_COUNT),
		  "%s: REP INSB did not leave %u bytes of 0xff at 0x%llx and none after", vm->name,
		  SELFTEST_INSB_COUNT, SELFTEST_INSB_BUF);
	KT_EXPECT(t, ins_buffer_ok(vm, SELFTEST_INSW_BUF, SELFTEST_INSW_BYTES),
		  "%s: REP INSW did not leave %u bytes of 0xff at 0x%llx and none after", vm->name,
		  SELFTEST_INSW_BYTES, SELFTEST_INSW_BUF);
	KT_EXPECT(t,
		  cap->len >= pass_len &&
		      strcmp(cap->text + cap->len - pass_len, SELFTEST_PASS_LINE) == 0,
		  "%s: COM1 output does not end with '%s': '%s'", vm->name, "all checks passed",
		  cap->text);
}

KTEST(vcpu, long_mode_guest)
{
	struct vm *a = 0, *b = 0;
	size_t start = pmm_free_count();
	struct uart_capture uart;
	struct vmx_vcpu *v;
	uint64_t ibpbs;

	if (vcpu_skip(t))
		return;
	ibpbs = vmx_percpu_this()->ibpbs;
	KT_ASSERT(t, make_vm(&a, "selftest", "selftest64", VCPU_MODE_LONG) == E_OK,
		  "could not create the selftest VM");
	capture_uart(&uart, a);
	KT_ASSERT(t, make_vm(&b, "clobber", "clobber64", VCPU_MODE_LONG) == E_OK,
		  "could not create the clobber VM");
	/* Alternate the two vCPUs on this core: each yield switches VMCS. */
	for (int i = 0; i < MAX_STEPS && (!a->stopped || !b->stopped); i++) {
		if (!a->stopped)
			vm_step_vcpu(a, 0);
		if (!b->stopped)
			vm_step_vcpu(b, 0);
	}
	vm_report(a);
	vm_report(b);
	v = to_vmx_vcpu(a->vcpus[0]);
	expect_selftest_passed(t, a, &uart);
	KT_EXPECT(t, b->exited && b->exit_status == CLOBBER_EXIT_STATUS,
		  "clobber64 did not exit through the exit hypercall with status %d (8: it saw "
		  "selftest64's debug registers or PKRU, or lost its own): status %d %s",
		  CLOBBER_EXIT_STATUS, b->exit_status, b->why);
	expect_debug_registers_apart(t, v, to_vmx_vcpu(b->vcpus[0]));
	ktest_diag(t, "protection keys %s",
		   pku_offered() ? "offered: PKRU switched (check 26)" : "not offered by this CPU");
	KT_EXPECT(t, v->exits[VMX_EXIT_REASON_CPUID] >= 200, "only %llu CPUID exits",
		  (unsigned long long)v->exits[VMX_EXIT_REASON_CPUID]);
	KT_EXPECT(t, v->exits[VMX_EXIT_REASON_VMCALL] >= 5 && v->exits[VMX_EXIT_REASON_IO] > 0,
		  "VMCALL %llu, I/O %llu exits",
		  (unsigned long long)v->exits[VMX_EXIT_REASON_VMCALL],
		  (unsigned long long)v->exits[VMX_EXIT_REASON_IO]);
	KT_EXPECT(t, v->exits[VMX_EXIT_REASON_INTR_WINDOW] >= 1,
		  "the queued interrupt never waited for an interrupt window");
	KT_EXPECT(t, lapic_tpr() == 0, "the guest's CR8 = 15 reached the host: TPR 0x%x",
		  lapic_tpr());
	expect_cr8_kept(t, v);
	expect_mitigations(t, a, b, ibpbs);
	ktest_diag(t, "INVD %llu, WBINVD %llu exits (WBINVD exiting %s)",
		   (unsigned long long)v->exits[VMX_EXIT_REASON_INVD],
		   (unsigned long long)v->exits[VMX_EXIT_REASON_WBINVD],
		   wbinvd_exits() ? "on" : "not offered by this CPU");
	vm_destroy(a);
	vm_destroy(b);
	KT_ASSERT(t, pmm_free_count() == start, "%zu frames free after teardown, %zu before",
		  pmm_free_count(), start);
}

static void mode_guest(struct ktest *t, const char *image, enum vcpu_mode mode, const char *line)
{
	const struct vmx_caps *c = vmx_percpu_caps();
	struct uart_capture uart;
	struct vm *vm = 0;

	if (vcpu_skip(t))
		return;
	if (!c->has.unrestricted_guest) {
		ktest_skip(t, "this CPU lacks unrestricted guest, needed for %s", image);
		return;
	}
	KT_ASSERT(t, make_vm(&vm, image, image, mode) == E_OK, "could not create the VM");
	capture_uart(&uart, vm);
	run_to_end(vm);
	KT_EXPECT(t, vm->exited && vm->exit_status == 0, "%s did not exit cleanly: %s", image,
		  vm->why);
	KT_EXPECT(t, strcmp(uart.text, line) == 0, "%s wrote '%s' to COM1, expected '%s'", image,
		  uart.text, line);
	vm_destroy(vm);
}

KTEST(vcpu, protected_mode_guest)
{
	mode_guest(t, "prot32", VCPU_MODE_PROTECTED32,
		   "prot32: hello from 32-bit protected mode\n");
}

KTEST(vcpu, real_mode_guest)
{
	mode_guest(t, "real16", VCPU_MODE_REAL, "real16: hello from real mode\n");
}

/*
 * A STARTUP IPI after INIT to a vCPU in long mode (SDM Vol. 3A 9.1.1, Table
 * 9-1; 9.4.4.1) leaves IA-32e mode entirely: EFER 0 and the "IA-32e mode
 * guest" entry control clear (SDM Vol. 3C 27.3.1.1), then real mode runs at
 * the vector's page: real16, loaded at VM_GUEST_LOAD.
 */
KTEST(vcpu, sipi_leaves_long_mode)
{
	struct uart_capture uart;
	struct vm *vm = 0;
	uint64_t entry, efer;

	if (vcpu_skip(t))
		return;
	if (!vmx_percpu_caps()->has.unrestricted_guest) {
		ktest_skip(t, "this CPU lacks unrestricted guest, needed for real mode");
		return;
	}
	KT_ASSERT(t, make_vm(&vm, "sipi64", "real16", VCPU_MODE_LONG) == E_OK,
		  "could not create the VM");
	KT_EXPECT(t, vmcs_read_or(VMCS_VM_ENTRY_CONTROLS, 0) & VMX_ENTRY_IA32E_MODE_GUEST,
		  "a long-mode vCPU without the IA-32e mode guest control");
	vcpu_startup_ipi(vm->vcpus[0], (uint8_t)(VM_GUEST_LOAD >> PAGE_SHIFT));
	entry = vmcs_read_or(VMCS_VM_ENTRY_CONTROLS, 0);
	efer = vmcs_read_or(VMCS_GUEST_IA32_EFER, 0);
	KT_EXPECT(t, !(entry & VMX_ENTRY_IA32E_MODE_GUEST) && efer == 0,
		  "after the SIPI: entry controls 0x%llx, EFER 0x%llx (want IA-32e clear, 0)",
		  (unsigned long long)entry, (unsigned long long)efer);
	capture_uart(&uart, vm);
	run_to_end(vm);
	KT_EXPECT(t, vm->exited && vm->exit_status == 0, "real16 after the SIPI did not exit: %s",
		  vm->why);
	KT_EXPECT(t, strcmp(uart.text, "real16: hello from real mode\n") == 0,
		  "real16 after the SIPI wrote '%s'", uart.text);
	vm_destroy(vm);
}

/*
 * The bad guests: each must be stopped by Vireo, never by its own exit,
 * with a report that starts with `reason` and contains `detail`.
 */
/*
 * BREAK_CS_LD: an invalid guest state the checker catches before entry.
 * BREAK_MSR_LOAD: a VM-entry MSR-load area naming IA32_FS_BASE, which VM
 * entry refuses (SDM 3C 27.4): the entry fails with exit reason 34 and bit
 * 31 set. BREAK_EVENT: an event to inject of the reserved type 1, a control
 * field VM entry checks (27.2.1.3): VMfailValid, error 7.
 */
enum breakage { BREAK_NONE, BREAK_CS_LD, BREAK_MSR_LOAD, BREAK_EVENT };

struct bad_case {
	const char *name;
	const char *image;
	enum breakage breakage; /* what is broken in its VMCS before the first entry */
	const char *reason;
	const char *detail;
};

static const struct bad_case bad_cases[] = {
    {"badmem64", "badmem64", BREAK_NONE, "EPT violation: guest-physical 0x3ff00000",
     "read access to a page that is not mapped"},
    {"triple64", "triple64", BREAK_NONE, "triple fault (shutdown) at RIP 0x10007", ""},
    {"broken", "selftest64", BREAK_CS_LD, CS_LD_REASON, "ar=0xe09b"},
    {"msrload", "selftest64", BREAK_MSR_LOAD,
     "VM entry failed: exit reason 34 (VM-entry failure: MSR loading)", "qualification 1"},
    {"badevent", "selftest64", BREAK_EVENT, "VM entry failed: VMfailValid, error 7: ", ""},
};

#define BAD_CASES (sizeof(bad_cases) / sizeof(bad_cases[0]))

#define MSR_FS_BASE 0xc0000100u
#define INTR_TYPE_RESERVED (1u << 8)
#define INTR_VALID (1u << 31)

/* One VM-entry MSR-load entry (SDM 3C 25.8.2): index, reserved, value. */
struct msr_entry {
	uint32_t index, reserved;
	uint64_t value;
};

/* The MSR-load area: 16-byte aligned, in the kernel image (no frame to free). */
static struct msr_entry msr_area __attribute__((aligned(16)));

static void break_vmcs(enum breakage b)
{
	switch (b) {
	case BREAK_CS_LD: /* both L and D: invalid for a 64-bit CS (SDM 3C 27.3.1.2) */
		vmcs_write(VMCS_GUEST_CS_AR, vmcs_read_or(VMCS_GUEST_CS_AR, 0) | VMCS_AR_DB);
		break;
	case BREAK_MSR_LOAD:
		msr_area = (struct msr_entry){MSR_FS_BASE, 0, 0};
		vmcs_write(VMCS_VM_ENTRY_MSR_LOAD_ADDR, virt_to_phys(&msr_area));
		vmcs_write(VMCS_VM_ENTRY_MSR_LOAD_COUNT, 1);
		break;
	case BREAK_EVENT:
		vmcs_write(VMCS_VM_ENTRY_INTR_INFO, INTR_VALID | INTR_TYPE_RESERVED);
		break;
	default:
		break;
	}
}

/* Create the bad VM on this CPU; the broken state goes into its VMCS, current here. */
static enum err make_bad_vm(struct vm **vm, const struct bad_case *bc)
{
	enum err e = make_vm(vm, bc->name, bc->image, VCPU_MODE_LONG);

	if (e == E_OK)
		break_vmcs(bc->breakage);
	return e;
}

static void expect_bad_stopped(struct ktest *t, const struct vm *bad, const struct bad_case *bc)
{
	KT_EXPECT(t, bad->stopped && !bad->exited, "%s was not stopped by Vireo (%s, status %d)",
		  bc->name, bad->exited ? "it exited" : "still running", bad->exit_status);
	KT_EXPECT(t,
		  strncmp(bad->why, bc->reason, strlen(bc->reason)) == 0 &&
		      strstr(bad->why, bc->detail) != NULL,
		  "%s stopped for '%s', expected '%s...%s'", bc->name, bad->why, bc->reason,
		  bc->detail);
}

/*
 * One CPU: the good VM (selftest64) runs first up to its first yield, then
 * the two vCPUs take turns, so the bad VM is stopped while the good one is
 * halfway through its checks; the good one then finishes them all.
 */
static void bad_beside_good_here(struct ktest *t, const struct bad_case *bc)
{
	struct vm *bad = 0, *good = 0;
	struct uart_capture uart;
	bool good_midway = false;

	KT_ASSERT(t, make_vm(&good, "good", "selftest64", VCPU_MODE_LONG) == E_OK,
		  "could not create the good VM");
	capture_uart(&uart, good);
	KT_ASSERT(t, make_bad_vm(&bad, bc) == E_OK, "could not create %s", bc->name);
	for (int i = 0; i < MAX_STEPS && (!bad->stopped || !good->stopped); i++) {
		if (!good->stopped)
			vm_step_vcpu(good, 0);
		if (!bad->stopped) {
			vm_step_vcpu(bad, 0);
			if (bad->stopped)
				good_midway =
				    !good->stopped && vcpu_exits_total(good->vcpus[0]) > 0;
		}
	}
	vm_report(bad);
	vm_report(good);
	expect_bad_stopped(t, bad, bc);
	KT_EXPECT(t, good_midway, "the good VM was not halfway through its run when %s stopped",
		  bc->name);
	expect_selftest_passed(t, good, &uart);
	vm_destroy(bad);
	vm_destroy(good);
}

/*
 * Two CPUs: the bad VM on this CPU, the good one on another. Both are
 * created at once; the good one runs to its first yield and waits there
 * (its VMCS launched on its CPU) while the bad one runs and is stopped,
 * then it finishes. Each VM is destroyed on the CPU where its VMCS is.
 */
struct pair_run {
	const struct bad_case *bc;
	unsigned bad_cpu, good_cpu;
	struct smp_barrier created;
	struct vm *bad, *good;
	struct uart_capture uart;
	enum err bad_err, good_err;
	bool good_midway;	/* the good VM reached its first yield */
	bool bad_done;		/* the bad VM has been stopped (or never made) */
	bool good_live_at_stop; /* the good VM was mid-run when the bad one stopped */
	bool handshake_timeout;
};

static bool wait_flag(bool *flag)
{
	uint64_t end = cpu_rdtsc() + tsc_from_us(HANDSHAKE_US);

	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
		if (cpu_rdtsc() > end)
			return false;
		cpu_pause();
	}
	return true;
}

static void pair_good(struct pair_run *p)
{
	char name[VM_NAME_LEN];

	fmt_snprintf(name, sizeof(name), "good-cpu%u", p->good_cpu);
	p->good_err = make_vm(&p->good, name, "selftest64", VCPU_MODE_LONG);
	if (p->good_err == E_OK)
		capture_uart(&p->uart, p->good);
	smp_barrier_wait(&p->created, 2);
	if (p->good_err == E_OK)
		vm_step_vcpu(p->good, 0);
	__atomic_store_n(&p->good_midway, true, __ATOMIC_RELEASE);
	if (!wait_flag(&p->bad_done))
		p->handshake_timeout = true;
	if (p->good_err == E_OK)
		run_to_end(p->good);
}

static void pair_bad(struct pair_run *p)
{
	p->bad_err = make_bad_vm(&p->bad, p->bc);
	smp_barrier_wait(&p->created, 2);
	if (!wait_flag(&p->good_midway))
		p->handshake_timeout = true;
	if (p->bad_err == E_OK) {
		run_to_end(p->bad);
		p->good_live_at_stop =
		    p->good && !p->good->stopped && vcpu_exits_total(p->good->vcpus[0]) > 0;
	}
	__atomic_store_n(&p->bad_done, true, __ATOMIC_RELEASE);
}

static void pair_fn(void *arg)
{
	struct pair_run *p = arg;
	unsigned cpu = this_cpu_id();

	if (cpu == p->bad_cpu)
		pair_bad(p);
	else if (cpu == p->good_cpu)
		pair_good(p);
}

static void destroy_here(void *arg)
{
	vm_destroy(arg);
}

static void bad_beside_good_on_two_cpus(struct ktest *t, const struct bad_case *bc, unsigned other)
{
	struct pair_run p = {.bc = bc, .bad_cpu = this_cpu_id(), .good_cpu = other};
	enum err e = smp_call_all(pair_fn, &p);

	KT_EXPECT(t, e == E_OK && !p.handshake_timeout,
		  "%s beside a good VM on cpu %u: cross-call %s, handshake %s", bc->name, other,
		  err_text(e), p.handshake_timeout ? "timed out" : "ok");
	KT_EXPECT(t, p.bad_err == E_OK && p.good_err == E_OK,
		  "could not create %s (%s) or the good VM on cpu %u (%s)", bc->name,
		  err_text(p.bad_err), other, err_text(p.good_err));
	if (p.bad_err == E_OK) {
		expect_bad_stopped(t, p.bad, bc);
		KT_EXPECT(t, p.good_live_at_stop,
			  "the good VM on cpu %u was not mid-run when %s stopped", other, bc->name);
		vm_destroy(p.bad);
	}
	if (p.good_err == E_OK) {
		expect_selftest_passed(t, p.good, &p.uart);
		KT_EXPECT(t, smp_call(other, destroy_here, p.good) == E_OK,
			  "could not destroy the good VM on cpu %u", other);
	}
}

static unsigned other_online_cpu(void)
{
	for (unsigned i = 0; i < smp_num_cpus(); i++)
		if (i != this_cpu_id() && smp_cpu_online(i))
			return i;
	return MAX_CPUS;
}

KTEST(vcpu, bad_guests_are_stopped)
{
	size_t start = pmm_free_count();
	unsigned other = other_online_cpu();

	if (vcpu_skip(t))
		return;
	for (unsigned i = 0; i < BAD_CASES; i++)
		bad_beside_good_here(t, &bad_cases[i]);
	for (unsigned i = 0; i < BAD_CASES && other != MAX_CPUS; i++)
		bad_beside_good_on_two_cpus(t, &bad_cases[i], other);
	if (other == MAX_CPUS)
		ktest_diag(t, "one CPU: each bad VM ran interleaved with the good one only");
	KT_ASSERT(t, pmm_free_count() == start, "%zu frames free after teardown, %zu before",
		  pmm_free_count(), start);
}

/*
 * An EPT change while the VM runs: after its first yield the page holding
 * selftest64's code is unmapped. ept_unmap must INVEPT on every CPU before
 * it returns (SDM 3C 29.4.3), so the guest's next instruction fetch there
 * is an EPT violation, never a stale translation.
 */
KTEST(vcpu, ept_unmap_reaches_running_guest)
{
	struct vm *vm = 0;
	size_t start = pmm_free_count();
	enum err e;

	if (vcpu_skip(t))
		return;
	KT_ASSERT(t, make_vm(&vm, "unmapped", "selftest64", VCPU_MODE_LONG) == E_OK,
		  "could not create the VM");
	KT_ASSERT(t, vm_step_vcpu(vm, 0), "selftest64 ended before its first yield: %s", vm->why);
	e = ept_unmap(vmx_gspace_ept(vm->gspace), VM_GUEST_LOAD, EPT_PAGE_4K);
	KT_EXPECT(t, e == E_OK && !vmx_gspace_ept(vm->gspace)->stale,
		  "ept_unmap of a running VM's page: %s%s", err_text(e),
		  vmx_gspace_ept(vm->gspace)->stale ? ", INVEPT not done" : "");
	run_to_end(vm);
	KT_EXPECT(t,
		  vm->stopped && !vm->exited &&
		      strncmp(vm->why, CODE_PAGE_REASON, strlen(CODE_PAGE_REASON)) == 0 &&
		      strstr(vm->why, "instruction fetch") != NULL,
		  "the guest went on after its code page was unmapped: %s", vm->why);
	vm_destroy(vm);
	KT_ASSERT(t, pmm_free_count() == start, "%zu frames free after teardown, %zu before",
		  pmm_free_count(), start);
}

static volatile unsigned host_ticks;

static void host_tick(struct trap_frame *f)
{
	(void)f;
	host_ticks++;
	lapic_eoi();
}

/* The host's own timer keeps firing while a guest runs: each tick is an
 * external-interrupt exit, acknowledged on exit and handled by the host. */
KTEST(vcpu, host_interrupts_during_guest)
{
	struct vm *vm = 0;
	struct vmx_vcpu *v;

	if (vcpu_skip(t))
		return;
	KT_ASSERT(t, make_vm(&vm, "ticked", "selftest64", VCPU_MODE_LONG) == E_OK,
		  "could not create the VM");
	host_ticks = 0;
	traps_register(VECTOR_TIMER, host_tick);
	lapic_timer_start(lapic_timer_ticks_for_us(HOST_TICK_US), VECTOR_TIMER, true);
	run_to_end(vm);
	lapic_timer_stop();
	traps_register(VECTOR_TIMER, 0);
	v = to_vmx_vcpu(vm->vcpus[0]);
	KT_EXPECT(t, vm->exited && vm->exit_status == 0, "the guest did not finish: %s", vm->why);
	KT_EXPECT(t, v->exits[VMX_EXIT_REASON_EXTERNAL_INTR] > 0 && host_ticks > 0,
		  "%llu external-interrupt exits, %u host timer ticks",
		  (unsigned long long)v->exits[VMX_EXIT_REASON_EXTERNAL_INTR], host_ticks);
	ktest_diag(t, "%llu external-interrupt exits, %u host ticks handled",
		   (unsigned long long)v->exits[VMX_EXIT_REASON_EXTERNAL_INTR], host_ticks);
	vm_destroy(vm);
}

static int per_cpu_status[MAX_CPUS];

static void run_selftest_here(void *arg)
{
	struct vm *vm = 0;
	unsigned cpu = this_cpu()->cpu_id;

	(void)arg;
	per_cpu_status[cpu] = -1;
	if (make_vm(&vm, "percpu", "selftest64", VCPU_MODE_LONG) != E_OK)
		return;
	run_to_end(vm);
	per_cpu_status[cpu] = vm->exited ? vm->exit_status : -2;
	vm_destroy(vm);
}

KTEST(vcpu, one_vcpu_per_cpu)
{
	if (vcpu_skip(t))
		return;
	KT_ASSERT(t, smp_call_all(run_selftest_here, 0) == E_OK, "cross-call failed");
	for (unsigned i = 0; i < smp_num_cpus(); i++)
		KT_EXPECT(t, per_cpu_status[i] == 0, "cpu %u: selftest64 ended with %d", i,
			  per_cpu_status[i]);
}
