/* SPDX-License-Identifier: MIT */
/*
 * The scheduler's queueing core (sched/sched.c) on the real CPUs, without
 * VT-x, so it runs under QEMU TCG too: every online CPU at once picks, puts
 * (slice end, yield, block), wakes, balances and changes affinities on one
 * shared scheduler under its lock, and checks every invariant after each
 * step.
 */
#include "arch/x86/spinlock.h"
#include "kernel/ktest.h"
#include "lib/format.h"
#include "lib/string.h"
#include "sched/sched.h"
#include "smp/percpu.h"
#include "smp/smp.h"

#define CORE_ROUNDS 3000
#define CORE_PER_CPU 3
#define CORE_WHY_LEN 160
#define PERCENT 100
#define BLOCK_PERCENT 15
#define YIELD_PERCENT 15
#define AFFINITY_PERCENT 5

static struct sched core;
static struct sched_rq core_rqs[MAX_CPUS];
static struct sched_entity core_ents[SCHED_MAX_ENTITIES];
static unsigned core_n;
static struct spinlock core_lock = SPINLOCK_INIT;
static unsigned core_failures, core_picks;
static char core_why[CORE_WHY_LEN];

static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void core_fail(const char *what)
{
	if (!core_failures++)
		fmt_snprintf(core_why, sizeof(core_why), "cpu %u: %s", this_cpu()->cpu_id, what);
}

static enum sched_put_reason core_reason(uint64_t r)
{
	r %= PERCENT;
	if (r < BLOCK_PERCENT)
		return SCHED_BLOCK;
	return r < BLOCK_PERCENT + YIELD_PERCENT ? SCHED_YIELD : SCHED_SLICE_END;
}

static void core_random_affinity(uint64_t *rnd)
{
	struct sched_entity *e = &core_ents[next_random(rnd) % core_n];
	struct cpumask m;

	cpumask_zero(&m);
	for (unsigned c = 0; c < smp_num_cpus(); c++) {
		if (smp_cpu_online(c) && (next_random(rnd) & 1))
			cpumask_set(&m, c);
	}
	if (cpumask_empty(&m))
		cpumask_set(&m, this_cpu()->cpu_id);
	sched_set_affinity(&core, e, &m);
}

static void core_step(unsigned cpu, uint64_t *rnd)
{
	struct sched_entity *e = sched_pick(&core, cpu);

	if (!e && sched_balance(&core, cpu))
		e = sched_pick(&core, cpu);
	if (e) {
		core_picks++;
		if (sched_put(&core, cpu, e, core_reason(next_random(rnd)), 1) != E_OK)
			core_fail("put refused");
	}
	sched_wake(&core, &core_ents[next_random(rnd) % core_n]);
	if (next_random(rnd) % PERCENT < AFFINITY_PERCENT)
		core_random_affinity(rnd);
}

static void core_worker(void *arg)
{
	unsigned cpu = this_cpu()->cpu_id;
	uint64_t rnd = 0x9e3779b97f4a7c15ull * (cpu + 1);
	char why[CORE_WHY_LEN];

	(void)arg;
	for (unsigned r = 0; r < CORE_ROUNDS; r++) {
		uint64_t flags = spin_lock_irqsave(&core_lock);

		core_step(cpu, &rnd);
		if (!sched_check(&core, why, sizeof(why)))
			core_fail(why);
		spin_unlock_irqrestore(&core_lock, flags);
	}
}

static enum err core_setup(void)
{
	enum err e = sched_init(&core, core_rqs, smp_num_cpus());

	for (unsigned c = 0; c < smp_num_cpus() && e == E_OK; c++)
		e = sched_cpu_set_online(&core, c, smp_cpu_online(c));
	core_n = CORE_PER_CPU * smp_num_online();
	if (core_n > SCHED_MAX_ENTITIES)
		core_n = SCHED_MAX_ENTITIES;
	memset(core_ents, 0, sizeof(core_ents));
	for (unsigned i = 0; i < core_n && e == E_OK; i++) {
		core_ents[i].id = i;
		core_ents[i].allowed = core.online;
		e = sched_add(&core, &core_ents[i], (int)(i % smp_num_cpus()));
	}
	core_failures = core_picks = 0;
	return e;
}

KTEST(sched, core_on_all_cpus)
{
	uint64_t runtime = 0, migrations = 0;
	char why[CORE_WHY_LEN];

	KT_ASSERT(t, core_setup() == E_OK, "cannot set up %u entities", core_n);
	KT_ASSERT(t, smp_call_all(core_worker, 0) == E_OK, "cross-call to every CPU failed");
	for (unsigned i = 0; i < core_n; i++) {
		runtime += core_ents[i].runtime;
		migrations += core_ents[i].migrations;
	}
	ktest_diag(t, "%u entities on %u CPUs: %u runs, %llu migrations", core_n, smp_num_online(),
		   core_picks, (unsigned long long)migrations);
	KT_EXPECT(t, core_failures == 0, "%u failures, first: %s", core_failures, core_why);
	KT_EXPECT(t, sched_check(&core, why, sizeof(why)), "final state: %s", why);
	KT_EXPECT(t, runtime == core_picks, "run time %llu for %u runs",
		  (unsigned long long)runtime, core_picks);
	KT_EXPECT(t, core_picks >= CORE_ROUNDS, "only %u runs in %u rounds per CPU", core_picks,
		  CORE_ROUNDS);
	KT_EXPECT(t, smp_num_online() < 2 || migrations > 0, "no entity ever moved between %u CPUs",
		  smp_num_online());
}
