/* SPDX-License-Identifier: MIT */
/*
 * `make bench-sched` (suite "bench", Bochs): the cost of switching vCPUs on
 * one CPU, of moving a vCPU to another CPU, and the scheduler's share of CPU
 * time at the default slice. Figures are TSC ticks from one run.
 */
#include "kernel/ktest.h"
#include "lib/printk.h"
#include "sched/run.h"
#include "smp/smp.h"
#include "loader/images.h"
#include "vmx/percpu.h"

#define BENCH_MEM (4ull << 20)
#define OVERHEAD_RUN_US 1000000

static struct vm *bench_vm(const char *name, const char *image, unsigned vcpus, int cpu)
{
	const struct guest_image *g = guest_image_find(image);
	struct cpumask one = {0};
	struct vcpu *v;
	struct vm *vm = 0;

	if (!g || vm_create(&vm, name, BENCH_MEM) != E_OK)
		return 0;
	vm_load_image(vm, g->data, g->size);
	for (unsigned i = 0; i < vcpus; i++)
		vm_add_vcpu(vm, VCPU_MODE_LONG, &v);
	if (cpu >= 0)
		cpumask_set(&one, (unsigned)cpu);
	if (sched_vm_start(vm, cpu >= 0 ? &one : 0) != E_OK) {
		vm_destroy(vm);
		return 0;
	}
	return vm;
}

KTEST(bench, sched)
{
	struct vm *a, *b, *m;

	if (!vmx_is_enabled()) {
		ktest_fail(t, "VMX is not on: the scheduler benchmark needs VT-x (run it under Bochs)");
		return;
	}
	/* 1: two vCPUs on CPU 0 yielding to each other: every yield is a switch.
	 * The per-switch invariant checker is off here (it is a debug aid). */
	sched_set_debug_checks(false);
	sched_run_init(0);
	sched_cost_reset();
	a = bench_vm("ping", "yield64", 1, 0);
	b = bench_vm("pong", "yield64", 1, 0);
	KT_ASSERT(t, a && b, "cannot start ping/pong");
	sched_run(0);
	pr_info("bench: switch phase\n");
	sched_cost_print();
	KT_EXPECT(t, a->exited && b->exited, "ping/pong did not finish");
	sched_vm_release(a);
	sched_vm_release(b);
	/* 2: one vCPU moved to the next CPU after every yield. */
	if (smp_num_online() > 1) {
		sched_run_init(0);
		sched_cost_reset();
		m = bench_vm("mover", "yield64", 1, -1);
		KT_ASSERT(t, m, "cannot start mover");
		sched_vcpu_of(m, 0)->rotate = true;
		sched_run(0);
		pr_info("bench: migration phase\n");
		sched_cost_print();
		KT_EXPECT(t, m->exited, "mover did not finish");
		sched_vm_release(m);
	}
	/* 3: CPU-bound vCPUs at the default slice. */
	sched_run_init(0);
	a = bench_vm("burn", "burn64", 2 * smp_num_online(), -1);
	KT_ASSERT(t, a, "cannot start burn");
	sched_cost_reset();
	sched_run(OVERHEAD_RUN_US);
	pr_info("bench: overhead phase (default slice)\n");
	sched_cost_print();
	sched_kill_vm(a, "benchmark over");
	sched_vm_release(a);
	sched_set_debug_checks(true);
	t->checks++;
}
