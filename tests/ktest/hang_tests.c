/* SPDX-License-Identifier: MIT */
/*
 * The "hang" self-test suite (VT-x, 2 CPUs; never part of vireo.test=all:
 * CPU 1 stays hung for the rest of the boot). CPU 1 hangs just after
 * putting back a vCPU whose state stays loaded there; the next CPU to load
 * that vCPU must get a bounded cross-call timeout, take CPU 1 out, stop only
 * that VM with a report naming CPU 1, and let a VM on CPU 0 finish; later
 * runs never place a vCPU on CPU 1 and cross-calls to it fail at once.
 */
#include "arch/x86/tsc.h"
#include "kernel/ktest.h"
#include "lib/format.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "loader/images.h"
#include "sched/run.h"
#include "smp/smp.h"
#include "vmx/percpu.h"

#define HANG_MEM (4ull << 20)
#define HANG_CPU 1
#define HANG_SLICE_US 2000
#define HANG_ON_SLICE 1 /* the hung CPU's first slice: the victim's */
#define HANG_GOOD_VCPUS 2
#define HANG_FAST_CALL_US 1000 /* a call to a silent CPU fails at once */
#define HANG_NAME_LEN 64

static enum err hang_vm(struct vm **vm, const char *name, const char *image, unsigned vcpus,
			const struct cpumask *allowed)
{
	const struct guest_image *g = guest_image_find(image);
	struct vcpu *v;
	enum err e = g ? vm_create(vm, name, HANG_MEM) : E_NOENT;

	if (e == E_OK)
		e = vm_load_image(*vm, g->data, g->size);
	for (unsigned i = 0; i < vcpus && e == E_OK; i++)
		e = vm_add_vcpu(*vm, VCPU_MODE_LONG, &v);
	if (e == E_OK)
		e = sched_vm_start(*vm, allowed);
	return e;
}

static void nothing(void *arg)
{
	(void)arg;
}

static bool hang_skip(struct ktest *t)
{
	if (!vmx_is_enabled()) {
		ktest_skip(t, "this CPU has no VT-x");
		return true;
	}
	if (smp_num_online() < HANG_CPU + 1 || !vcpu_backend_cpu_usable(HANG_CPU)) {
		ktest_skip(t, "needs cpu %u online with VMX on", HANG_CPU);
		return true;
	}
	return false;
}

/* No vCPU runs on the lost CPU in a later run, and a VM still finishes. */
static void run_after(struct ktest *t)
{
	struct vm *after = 0;
	uint64_t t0 = cpu_rdtsc();
	enum err e = smp_call(HANG_CPU, nothing, 0);

	KT_EXPECT(t, e == E_TIMEOUT && tsc_to_us(cpu_rdtsc() - t0) < HANG_FAST_CALL_US,
		  "a cross-call to the silent cpu %u gave %s after %llu us", HANG_CPU, err_name(e),
		  (unsigned long long)tsc_to_us(cpu_rdtsc() - t0));
	sched_run_init(HANG_SLICE_US);
	KT_ASSERT(t, hang_vm(&after, "after", "spin64", HANG_GOOD_VCPUS, 0) == E_OK,
		  "cannot start the VM after the hang");
	sched_run(0);
	sched_stats_print();
	KT_EXPECT(t, after->exited && after->exit_status == 0, "'after' did not finish: %s",
		  after->why);
	for (unsigned i = 0; i < after->nvcpus; i++)
		KT_EXPECT(t, !cpumask_test(&sched_vcpu_of(after, i)->ran_on, HANG_CPU),
			  "vCPU %u of 'after' ran on the lost cpu %u", i, HANG_CPU);
	sched_vm_release(after);
}

KTEST(hang, cross_call_timeout)
{
	struct cpumask cpu0 = {0};
	struct vm *victim = 0, *good = 0;
	char named[HANG_NAME_LEN];

	if (hang_skip(t))
		return;
	cpumask_set(&cpu0, 0);
	sched_run_init(HANG_SLICE_US);
	KT_ASSERT(t, hang_vm(&victim, "victim", "burn64", 1, 0) == E_OK, "cannot start victim");
	KT_ASSERT(t, hang_vm(&good, "good", "spin64", HANG_GOOD_VCPUS, &cpu0) == E_OK,
		  "cannot start good");
	sched_vcpu_of(victim, 0)->rotate = true; /* CPU 0, then CPU 1, then back */
	sched_test_hang(HANG_CPU, HANG_ON_SLICE, SCHED_HANG_AFTER_PUT);
	sched_run(0);
	vm_report(victim);
	vm_report(good);
	sched_stats_print();
	fmt_snprintf(named, sizeof(named), "on cpu %u, which stopped answering", HANG_CPU);
	KT_EXPECT(t, victim->stopped && !victim->exited && strstr(victim->why, named),
		  "victim was not stopped for cpu %u: %s", HANG_CPU, victim->why);
	KT_EXPECT(t, good->exited && good->exit_status == 0, "good did not finish: %s", good->why);
	KT_EXPECT(t, smp_cpu_silent(HANG_CPU), "cpu %u is not marked silent", HANG_CPU);
	KT_EXPECT(t, sched_check_failures() == 0, "%u scheduler invariant failures",
		  sched_check_failures());
	sched_vm_release(victim);
	sched_vm_release(good);
	run_after(t);
}
