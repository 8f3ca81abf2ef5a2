/* SPDX-License-Identifier: MIT */
/*
 * The "vcpu" self-test suite: built-in guests run in VMX non-root operation
 * under EPT in long, protected and real mode, exercise the exit handlers,
 * keep their XSAVE state across another vCPU on the same core, and bad
 * guests are stopped while a good VM finishes. SKIPs without VT-x.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/traps.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/pmm.h"
#include "smp/smp.h"
#include "vm/images.h"
#include "vm/vm.h"
#include "vmx/caps.h"
#include "vmx/exit.h"
#include "vmx/percpu.h"
#include "vmx/vmcs.h"

#define GUEST_MEM (4ull << 20)
#define VMCS_AR_DB (1u << 14)
#define MAX_STEPS 100000
#define HOST_TICK_US 1000
#define CLOBBER_EXIT_STATUS 7 /* guests/clobber64.nasm */

static bool vcpu_skip(struct ktest *t)
{
	if (!vmx_is_enabled()) {
		ktest_skip(t, "%s", vmx_percpu_last_error()[0] ? vmx_percpu_last_error()
							       : "this CPU has no VT-x");
		return true;
	}
	return false;
}

static enum err make_vm(struct vm **vm, const char *name, const char *image, enum vcpu_mode mode)
{
	const struct guest_image *g = guest_image_find(image);
	struct vmx_vcpu *v;
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

KTEST(vcpu, long_mode_guest)
{
	struct vm *a = 0, *b = 0;
	size_t start = pmm_free_count();
	struct vmx_vcpu *v;

	if (vcpu_skip(t))
		return;
	KT_ASSERT(t, make_vm(&a, "selftest", "selftest64", VCPU_MODE_LONG) == E_OK,
		  "could not create the selftest VM");
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
	v = a->vcpus[0];
	KT_EXPECT(t, a->exited && a->exit_status == 0,
		  "selftest64 %s with status %d (a non-zero status is the failed check) %s",
		  a->exited ? "exited" : "was stopped", a->exit_status, a->why);
	KT_EXPECT(t, b->exited && b->exit_status == CLOBBER_EXIT_STATUS,
		  "clobber64 did not exit through the exit hypercall with status %d: %s",
		  CLOBBER_EXIT_STATUS, b->why);
	KT_EXPECT(t, v->exits[VMX_EXIT_REASON_CPUID] >= 200, "only %llu CPUID exits",
		  (unsigned long long)v->exits[VMX_EXIT_REASON_CPUID]);
	KT_EXPECT(t, v->exits[VMX_EXIT_REASON_VMCALL] >= 5 && v->exits[VMX_EXIT_REASON_IO] > 0,
		  "VMCALL %llu, I/O %llu exits", (unsigned long long)v->exits[VMX_EXIT_REASON_VMCALL],
		  (unsigned long long)v->exits[VMX_EXIT_REASON_IO]);
	KT_EXPECT(t, v->exits[VMX_EXIT_REASON_INTR_WINDOW] >= 1,
		  "the queued interrupt never waited for an interrupt window");
	vm_destroy(a);
	vm_destroy(b);
	KT_ASSERT(t, pmm_free_count() == start, "%zu frames free after teardown, %zu before",
		  pmm_free_count(), start);
}

static void mode_guest(struct ktest *t, const char *image, enum vcpu_mode mode)
{
	const struct vmx_caps *c = vmx_percpu_caps();
	struct vm *vm = 0;

	if (vcpu_skip(t))
		return;
	if (!c->has.unrestricted_guest) {
		ktest_skip(t, "this CPU lacks unrestricted guest, needed for %s", image);
		return;
	}
	KT_ASSERT(t, make_vm(&vm, image, image, mode) == E_OK, "could not create the VM");
	run_to_end(vm);
	KT_EXPECT(t, vm->exited && vm->exit_status == 0, "%s did not exit cleanly: %s", image,
		  vm->why);
	vm_destroy(vm);
}

KTEST(vcpu, protected_mode_guest)
{
	mode_guest(t, "prot32", VCPU_MODE_PROTECTED32);
}

KTEST(vcpu, real_mode_guest)
{
	mode_guest(t, "real16", VCPU_MODE_REAL);
}

static void expect_stopped(struct ktest *t, const char *image, const char *why)
{
	struct vm *vm = 0;

	KT_ASSERT(t, make_vm(&vm, image, image, VCPU_MODE_LONG) == E_OK, "could not create %s",
		  image);
	run_to_end(vm);
	KT_EXPECT(t, vm->stopped && !vm->exited, "%s was not stopped by Vireo", image);
	KT_EXPECT(t, strstr(vm->why, why) != NULL, "%s stopped for '%s', expected '%s'", image,
		  vm->why, why);
	vm_destroy(vm);
}

KTEST(vcpu, bad_guests_are_stopped)
{
	struct vm *broken = 0, *good = 0;
	size_t start = pmm_free_count();

	if (vcpu_skip(t))
		return;
	expect_stopped(t, "badmem64", "EPT violation");
	expect_stopped(t, "triple64", "triple fault");
	KT_ASSERT(t, make_vm(&broken, "broken", "selftest64", VCPU_MODE_LONG) == E_OK,
		  "could not create the broken VM");
	/* CS with both L and D set is invalid for a 64-bit guest (SDM 3C 27.3.1.2). */
	vmcs_write(VMCS_GUEST_CS_AR, vmcs_read_or(VMCS_GUEST_CS_AR, 0) | VMCS_AR_DB);
	run_to_end(broken);
	KT_EXPECT(t, broken->stopped && strstr(broken->why, "CS"),
		  "broken guest state was not refused by name: '%s'", broken->why);
	KT_ASSERT(t, make_vm(&good, "good", "selftest64", VCPU_MODE_LONG) == E_OK,
		  "could not create the good VM");
	run_to_end(good);
	KT_EXPECT(t, good->exited && good->exit_status == 0,
		  "the good VM did not finish after the bad ones: %s", good->why);
	vm_destroy(broken);
	vm_destroy(good);
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
	v = vm->vcpus[0];
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
