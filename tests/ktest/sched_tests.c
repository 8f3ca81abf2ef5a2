/* SPDX-License-Identifier: MIT */
/*
 * The "sched" self-test suite (VT-x; SKIPs without it): CPU-bound vCPUs
 * from two VMs share the cores fairly, a vCPU moved between cores over 100
 * times keeps its state, HLTing vCPUs use no slices, a VM killed mid-run
 * gives all its memory back, no VMCS is ever active on two CPUs, and a
 * dying VM's other vCPUs leave the guest promptly.
 */
#include "kernel/ktest.h"
#include "lib/printk.h"
#include "kernel/vms.h"
#include "mm/pmm.h"
#include "sched/run.h"
#include "smp/smp.h"
#include "loader/images.h"
#include "arch/x86/tsc.h"
#include "vmx/percpu.h"
#include "vmx/vcpu.h"
#include "vmx/vmcs.h"

#define SCHED_MEM (4ull << 20)
#define TEST_SLICE_US 2000
#define FAIR_SLICES_PER_VCPU 25
#define FAIR_TOLERANCE_PERCENT 10
#define MIN_MIGRATIONS 100
#define MIGRATE_STOP_FLAG 0x9000ull
#define HALT_RUN_US 100000
#define KILL_RUN_US 50000

static bool sched_skip(struct ktest *t)
{
	if (!vmx_is_enabled()) {
		ktest_skip(t, "this CPU has no VT-x");
		return true;
	}
	return false;
}

/* A CPU goes down in these cases: true (and SKIP) with only one. */
static bool needs_two_cpus(struct ktest *t)
{
	if (smp_num_online() >= 2)
		return false;
	ktest_skip(t, "needs at least 2 CPUs");
	return true;
}

static enum err start_vm(struct vm **vm, const char *name, const char *image, unsigned vcpus)
{
	const struct guest_image *g = guest_image_find(image);
	struct vcpu *v;
	enum err e = g ? vm_create(vm, name, SCHED_MEM) : E_NOENT;

	if (e == E_OK)
		e = vm_load_image(*vm, g->data, g->size);
	for (unsigned i = 0; i < vcpus && e == E_OK; i++)
		e = vm_add_vcpu(*vm, VCPU_MODE_LONG, &v);
	if (e == E_OK)
		e = sched_vm_start(*vm, 0);
	return e;
}

static uint64_t runtime(struct vm *vm, unsigned i)
{
	return sched_vcpu_of(vm, i)->se.runtime;
}

/*
 * The fair share is an equal part of all the CPUs' time over the run. The
 * per-switch invariant checker is off here: under Bochs, where time is
 * counted in instructions, it takes about half of every 2 ms slice with 16
 * vCPUs; the other sched cases run with it.
 */
KTEST(sched, fair_shares)
{
	unsigned per_vm = 2 * smp_num_online(), n = 2 * per_vm;
	struct vm *a = 0, *b = 0;
	uint64_t total = 0, fair, worst = 0, run_us;

	if (sched_skip(t))
		return;
	sched_run_init(TEST_SLICE_US);
	KT_ASSERT(t, start_vm(&a, "fair-a", "burn64", per_vm) == E_OK, "cannot start fair-a");
	KT_ASSERT(t, start_vm(&b, "fair-b", "burn64", per_vm) == E_OK, "cannot start fair-b");
	run_us = (uint64_t)FAIR_SLICES_PER_VCPU * TEST_SLICE_US * n / smp_num_online();
	fair = tsc_from_us(run_us) * smp_num_online() / n;
	sched_set_debug_checks(false);
	sched_run(run_us);
	sched_set_debug_checks(true);
	sched_kill_vm(a, "test over");
	sched_kill_vm(b, "test over");
	sched_stats_print();
	for (unsigned i = 0; i < per_vm; i++) {
		uint64_t r[2] = {runtime(a, i), runtime(b, i)};

		for (int k = 0; k < 2; k++) {
			uint64_t d = r[k] > fair ? r[k] - fair : fair - r[k];

			total += r[k];
			if (d > worst)
				worst = d;
		}
	}
	ktest_diag(t, "%u vCPUs on %u CPUs for %llu us: worst deviation from the fair share "
		   "%llu%%; guests got %llu%% of the CPUs' time", n, smp_num_online(),
		   (unsigned long long)run_us, (unsigned long long)(worst * 100 / fair),
		   (unsigned long long)(total * 100 / (fair * n)));
	KT_EXPECT(t, worst * 100 <= fair * FAIR_TOLERANCE_PERCENT,
		  "a vCPU's run time is %llu%% away from the fair share (limit %u%%)",
		  (unsigned long long)(worst * 100 / fair), FAIR_TOLERANCE_PERCENT);
	sched_vm_release(a);
	sched_vm_release(b);
}

KTEST(sched, migration_keeps_state)
{
	struct vm *m = 0, *load = 0;
	struct sched_vcpu *sv;
	uint8_t *stop;

	if (sched_skip(t))
		return;
	if (smp_num_online() < 2) {
		ktest_skip(t, "needs at least 2 CPUs to migrate between");
		return;
	}
	sched_run_init(TEST_SLICE_US);
	KT_ASSERT(t, start_vm(&m, "migrate", "migrate64", 1) == E_OK, "cannot start migrate");
	KT_ASSERT(t, start_vm(&load, "load", "burn64", smp_num_online()) == E_OK,
		  "cannot start the load VM");
	sv = sched_vcpu_of(m, 0);
	sv->rotate = true;
	stop = phys_to_virt(m->mem_hpa + MIGRATE_STOP_FLAG);
	for (int round = 0; round < 200 && sv->se.migrations < MIN_MIGRATIONS && !m->stopped;
	     round++)
		sched_run(20 * TEST_SLICE_US);
	*stop = 1;
	sv->rotate = false;
	sched_kill_vm(load, "test over");
	sched_run(0);
	sched_stats_print();
	ktest_diag(t, "%llu migrations", (unsigned long long)sv->se.migrations);
	KT_EXPECT(t, sv->se.migrations >= MIN_MIGRATIONS, "only %llu migrations",
		  (unsigned long long)sv->se.migrations);
	KT_EXPECT(t, m->exited && m->exit_status == 0,
		  "migrate64's self-check ended with status %d (1 GPRs, 2 YMM, 3 LSTAR, "
		  "4 DR0-DR3) %s",
		  m->exit_status, m->why);
	KT_EXPECT(t, sched_check_failures() == 0, "%u scheduler invariant failures",
		  sched_check_failures());
	sched_vm_release(m);
	sched_vm_release(load);
}

KTEST(sched, blocked_vcpus_use_no_slices)
{
	struct vm *h = 0, *busy = 0;
	uint64_t busy_mean = 0;
	struct sched_vcpu *sv;

	if (sched_skip(t))
		return;
	sched_run_init(TEST_SLICE_US);
	KT_ASSERT(t, start_vm(&h, "halter", "halt64", 2) == E_OK, "cannot start halter");
	KT_ASSERT(t, start_vm(&busy, "busy", "burn64", smp_num_online()) == E_OK,
		  "cannot start busy");
	sched_run(HALT_RUN_US);
	sched_kill_vm(h, "test over");
	sched_kill_vm(busy, "test over");
	sched_stats_print();
	for (unsigned i = 0; i < smp_num_online(); i++)
		busy_mean += runtime(busy, i) / smp_num_online();
	for (unsigned i = 0; i < 2; i++) {
		sv = sched_vcpu_of(h, i);
		KT_EXPECT(t, sv->se.slices == 0, "halting vCPU %u ran %llu slices to their end", i,
			  (unsigned long long)sv->se.slices);
		KT_EXPECT(t, vcpu_exit_count(sv->v, VCPU_EXIT_HLT) > 0, "vCPU %u never halted", i);
		/* Each wake-up costs a pick, a VM entry and the HLT exit (about
		 * 1500 instructions under Bochs), so a little time is expected. */
		KT_EXPECT(t, sv->se.runtime * 4 < busy_mean,
			  "halting vCPU %u used %llu us, busy ones %llu us", i,
			  (unsigned long long)tsc_to_us(sv->se.runtime),
			  (unsigned long long)tsc_to_us(busy_mean));
	}
	sched_vm_release(h);
	sched_vm_release(busy);
}

KTEST(sched, killed_vm_gives_memory_back)
{
	size_t start = pmm_free_count();
	struct vm *k = 0;

	if (sched_skip(t))
		return;
	sched_run_init(TEST_SLICE_US);
	KT_ASSERT(t, start_vm(&k, "victim", "burn64", 3) == E_OK, "cannot start victim");
	sched_run(KILL_RUN_US);
	KT_EXPECT(t, !k->stopped, "the VM stopped before it was killed: %s", k->why);
	sched_kill_vm(k, "killed by the test");
	sched_run(0);
	sched_vm_release(k);
	KT_ASSERT(t, pmm_free_count() == start, "%zu frames free after release, %zu before",
		  pmm_free_count(), start);
	KT_EXPECT(t, sched_check_failures() == 0, "%u scheduler invariant failures",
		  sched_check_failures());
}

/* VM descriptions as vireo.vm= gives them: bad ones are refused by name and
 * not started, the good one runs its vCPUs to the end. */
KTEST(sched, command_line_vms)
{
	static const char *const texts[] = {
		"nope:guest=no_such_guest",
		"badmem:guest=spin64,mem=3M",
		"twice:guest=spin64,vcpus=2,vcpus=3",
		"cfg:guest=spin64,vcpus=3,mem=8M",
	};
	unsigned ran;

	if (sched_skip(t))
		return;
	ran = vms_run(texts, 4, TEST_SLICE_US);
	KT_EXPECT(t, ran == 1, "%u VMs ran, expected only 'cfg'", ran);
}

/* A CPU leaves scheduling mid-run: its vCPUs continue elsewhere (their
 * VMCSs VMCLEARed on it first) and every vCPU still finishes its work. */
KTEST(sched, cpu_down_moves_vcpus)
{
	unsigned down = smp_num_online() - 1;
	struct vm *vm = 0;

	if (sched_skip(t) || needs_two_cpus(t))
		return;
	sched_run_init(TEST_SLICE_US);
	KT_ASSERT(t, start_vm(&vm, "survivor", "spin64", 2 * smp_num_online()) == E_OK,
		  "cannot start the VM");
	sched_run(20 * TEST_SLICE_US);
	KT_ASSERT(t, !vm->stopped, "the VM ended before the CPU went down");
	KT_ASSERT(t, sched_cpu_down(down) == E_OK, "cpu %u did not go down", down);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		KT_EXPECT(t, to_vmx_vcpu(vm->vcpus[i])->vmcs_cpu != (int32_t)down,
			  "vCPU %u's VMCS is still active on cpu %u", i, down);
	sched_run(0);
	KT_EXPECT(t, vm->exited && vm->exit_status == 0, "the VM did not finish: %s", vm->why);
	KT_EXPECT(t, sched_check_failures() == 0, "%u scheduler invariant failures",
		  sched_check_failures());
	sched_stats_print();
	sched_vm_release(vm);
	KT_EXPECT(t, sched_cpu_up(down) == E_OK, "cpu %u did not come back", down);
}

/* The tick hook of cpu_down_while_running: the CPU goes down after
 * DOWN_AFTER_SLICES, and its vCPUs' CPU sets are cleared once the vCPU it
 * was running has surely been put (CLEAR_AFTER_SLICES). */
#define DOWN_AFTER_SLICES 10
#define CLEAR_AFTER_SLICES 14
static uint64_t down_start_tsc;
static unsigned down_cpu;
static int down_phase;
static enum err down_result;

static void down_tick(void)
{
	uint64_t slices = (cpu_rdtsc() - down_start_tsc) / tsc_from_us(TEST_SLICE_US);

	if (down_phase == 0 && slices >= DOWN_AFTER_SLICES) {
		down_result = sched_cpu_down(down_cpu);
		down_phase = 1;
	} else if (down_phase == 1 && slices >= CLEAR_AFTER_SLICES) {
		sched_clear_ran_on();
		down_phase = 2;
	}
}

KTEST(sched, cpu_down_while_running)
{
	struct vm *vm = 0;

	if (sched_skip(t) || needs_two_cpus(t))
		return;
	down_cpu = smp_num_online() - 1;
	down_phase = 0;
	down_result = E_STATE;
	sched_run_init(TEST_SLICE_US);
	KT_ASSERT(t, start_vm(&vm, "mover", "spin64", 2 * smp_num_online()) == E_OK,
		  "cannot start the VM");
	down_start_tsc = cpu_rdtsc();
	sched_set_tick_hook(down_tick);
	sched_run(0);
	sched_set_tick_hook(0);
	sched_stats_print();
	KT_EXPECT(t, down_phase == 2, "the VM finished before the CPU went down (phase %d)",
		  down_phase);
	KT_EXPECT(t, down_result == E_OK, "cpu %u did not go down: %s", down_cpu,
		  err_name(down_result));
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		const struct sched_vcpu *sv = sched_vcpu_of(vm, i);

		KT_EXPECT(t, !cpumask_test(&sv->ran_on, down_cpu),
			  "vCPU %u ran on cpu %u after it went down", i, down_cpu);
	}
	KT_EXPECT(t, vm->exited && vm->exit_status == 0, "the VM did not finish: %s", vm->why);
	KT_EXPECT(t, sched_check_failures() == 0, "%u scheduler invariant failures",
		  sched_check_failures());
	sched_vm_release(vm);
	KT_EXPECT(t, sched_cpu_up(down_cpu) == E_OK, "cpu %u did not come back", down_cpu);
}

/*
 * A dying VM's siblings stop promptly (issue 14 item 9): vCPU 0 of endvm64
 * ends the VM while vCPU 1 spins on another CPU with a slice of
 * DYING_SLICE_US; the reschedule IPI must bring vCPU 1 out of the guest
 * within DYING_MAX_LAG_US instead of at its slice end.
 */
#define DYING_SLICE_US 200000
#define DYING_MAX_LAG_US 2000
#define DYING_RUN_US 5000000

KTEST(sched, dying_vm_stops_siblings)
{
	const struct sched_vcpu *sibling;
	struct vm *vm = 0;
	uint64_t lag_us;

	if (sched_skip(t) || needs_two_cpus(t))
		return;
	sched_run_init(TEST_SLICE_US);
	KT_ASSERT(t, start_vm(&vm, "dying", "endvm64", 2) == E_OK, "cannot start the VM");
	sched_vm_set_slice(vm, DYING_SLICE_US);
	sched_run(DYING_RUN_US);
	sibling = sched_vcpu_of(vm, 1);
	lag_us = tsc_to_us(sibling->stop_lag_tsc);
	sched_stats_print();
	KT_EXPECT(t, vm->exited, "the VM did not end by its exit port: %s", vm->why);
	KT_EXPECT(t, sibling->stop_lag_tsc != 0,
		  "vCPU 1 was not running elsewhere when vCPU 0 ended the VM");
	KT_EXPECT(t, lag_us <= DYING_MAX_LAG_US,
		  "vCPU 1 left the guest %llu us after the VM stopped (limit %u us, slice %u us)",
		  (unsigned long long)lag_us, DYING_MAX_LAG_US, DYING_SLICE_US);
	pr_info("sched: dying VM: vCPU 1 left the guest %llu us after vCPU 0 ended the VM "
		"(slice %u us)\n",
		(unsigned long long)lag_us, DYING_SLICE_US);
	KT_EXPECT(t, sched_check_failures() == 0, "%u scheduler invariant failures",
		  sched_check_failures());
	sched_vm_release(vm);
}
