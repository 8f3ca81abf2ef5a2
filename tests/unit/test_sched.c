/* SPDX-License-Identifier: MIT */
/*
 * Host tests for sched/sched.c and sched/cpumask.h: each call and its error
 * paths, round-robin fairness, affinity, offlining, balancing, the VMCS
 * record, the checker catching corruption, and seeded random simulations
 * that model the kernel's VMCS handling and check every invariant per event.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sched/cpumask.h"
#include "sched/sched.h"

#define TEST_CPUS 16
#define ID_BASE 100 /* entity i has id ID_BASE + i: ids never prefix each other */
#define WHY_LEN 256
#define SLICE 1000

static struct sched S;
static struct sched_rq RQ[TEST_CPUS];
static struct sched_entity E[SCHED_MAX_ENTITIES + 1];

static int setup(void **state)
{
	memset(&S, 0, sizeof(S));
	memset(RQ, 0, sizeof(RQ));
	memset(E, 0, sizeof(E));
	return 0;
}

#define assert_sched_ok()                                                                          \
	do {                                                                                       \
		char why_[WHY_LEN];                                                                \
		if (!sched_check(&S, why_, sizeof(why_)))                                          \
			fail_msg("sched_check: %s", why_);                                         \
	} while (0)

/* ncpus CPUs, the first `online` of them online. */
static void start(unsigned ncpus, unsigned online)
{
	assert_int_equal(sched_init(&S, RQ, ncpus), E_OK);
	assert_int_equal(S.slice, SCHED_DEFAULT_SLICE_US);
	for (unsigned cpu = 0; cpu < online; cpu++)
		assert_int_equal(sched_cpu_set_online(&S, cpu, true), E_OK);
	assert_sched_ok();
}

/* A mask of the listed CPUs, terminated by -1. */
static struct cpumask mask_of(int first, ...)
{
	struct cpumask m;
	va_list ap;

	cpumask_zero(&m);
	va_start(ap, first);
	for (int cpu = first; cpu >= 0; cpu = va_arg(ap, int))
		cpumask_set(&m, (unsigned)cpu);
	va_end(ap);
	return m;
}

static struct cpumask all_cpus(void)
{
	struct cpumask m;

	cpumask_fill(&m, TEST_CPUS);
	return m;
}

static struct sched_entity *add(unsigned i, struct cpumask allowed, int preferred)
{
	E[i].id = ID_BASE + i;
	E[i].allowed = allowed;
	assert_int_equal(sched_add(&S, &E[i], preferred), E_OK);
	assert_int_equal(E[i].state, SCHED_RUNNABLE);
	assert_sched_ok();
	return &E[i];
}

/* e is queued on cpu (it appears in that CPU's list). */
static bool queued_on(const struct sched_entity *e, unsigned cpu)
{
	for (const struct sched_entity *q = RQ[cpu].head; q; q = q->next)
		if (q == e)
			return true;
	return false;
}

static void run_slice(unsigned cpu, struct sched_entity *expect)
{
	struct sched_entity *e = sched_pick(&S, cpu);

	assert_ptr_equal(e, expect);
	assert_int_equal(e->state, SCHED_RUNNING);
	assert_ptr_equal(sched_current(&S, cpu), e);
	assert_sched_ok();
	assert_int_equal(sched_put(&S, cpu, e, SCHED_SLICE_END, SLICE), E_OK);
	assert_sched_ok();
}

/* ---- cpumask ------------------------------------------------------------- */

static void test_cpumask_ops(void **state)
{
	struct cpumask m, o, r;
	unsigned cpu, seen = 0, sum = 0;

	cpumask_zero(&m);
	assert_true(cpumask_empty(&m));
	assert_int_equal(cpumask_weight(&m), 0);
	assert_int_equal(cpumask_first(&m), CPUMASK_BITS);
	cpumask_set(&m, 0);
	cpumask_set(&m, 63);
	cpumask_set(&m, 64);
	cpumask_set(&m, CPUMASK_BITS - 1);
	cpumask_set(&m, CPUMASK_BITS); /* ignored */
	assert_false(cpumask_empty(&m));
	assert_int_equal(cpumask_weight(&m), 4);
	assert_true(cpumask_test(&m, 63) && cpumask_test(&m, 64));
	assert_false(cpumask_test(&m, 1) || cpumask_test(&m, CPUMASK_BITS));
	assert_int_equal(cpumask_first(&m), 0);
	assert_int_equal(cpumask_next(&m, 0), 63);
	assert_int_equal(cpumask_next(&m, 63), 64);
	assert_int_equal(cpumask_next(&m, 64), CPUMASK_BITS - 1);
	assert_int_equal(cpumask_next(&m, CPUMASK_BITS - 1), CPUMASK_BITS);
	assert_int_equal(cpumask_next(&m, CPUMASK_BITS + 5), CPUMASK_BITS);
	for (cpu = cpumask_first(&m); cpu < CPUMASK_BITS; cpu = cpumask_next(&m, cpu)) {
		seen++;
		sum += cpu;
	}
	assert_int_equal(seen, 4);
	assert_int_equal(sum, 0 + 63 + 64 + CPUMASK_BITS - 1);
	cpumask_clear(&m, 0);
	cpumask_clear(&m, CPUMASK_BITS + 1); /* ignored */
	assert_int_equal(cpumask_first(&m), 63);

	o = mask_of(64, 65, 500, -1);
	assert_true(cpumask_intersects(&m, &o));
	assert_true(cpumask_and(&r, &m, &o));
	assert_int_equal(cpumask_weight(&r), 1);
	assert_int_equal(cpumask_first(&r), 64);
	cpumask_clear(&o, 64);
	assert_false(cpumask_intersects(&m, &o));
	assert_false(cpumask_and(&o, &o, &m)); /* aliasing dst */
	assert_true(cpumask_empty(&o));

	cpumask_fill(&m, 70);
	assert_int_equal(cpumask_weight(&m), 70);
	assert_true(cpumask_test(&m, 69));
	assert_false(cpumask_test(&m, 70));
	cpumask_fill(&m, CPUMASK_BITS + 10);
	assert_int_equal(cpumask_weight(&m), CPUMASK_BITS);
	assert_int_equal(cpumask_popcount64(~0ull), 64);
	assert_int_equal(cpumask_popcount64(0x8000000000000001ull), 2);
}

/* ---- init, online, add --------------------------------------------------- */

static void test_init_errors(void **state)
{
	assert_int_equal(sched_init(&S, NULL, 4), E_INVAL);
	assert_int_equal(sched_init(&S, RQ, 0), E_INVAL);
	assert_int_equal(sched_init(&S, RQ, MAX_CPUS + 1), E_INVAL);
	assert_int_equal(sched_init(NULL, RQ, 4), E_INVAL);
	start(4, 0);
	assert_true(cpumask_empty(&S.online));
	assert_int_equal(sched_set_slice(&S, 0), E_INVAL);
	assert_int_equal(sched_set_slice(&S, 5), E_OK);
	assert_int_equal(S.slice, 5);
	assert_int_equal(sched_cpu_set_online(&S, 4, true), E_RANGE);
	E[0].allowed = all_cpus();
	assert_int_equal(sched_add(&S, &E[0], 0), E_INVAL); /* nothing online */
	assert_int_equal(sched_add(&S, NULL, 0), E_INVAL);
	assert_int_equal(sched_entity_count(&S), 0);
	assert_null(sched_pick(&S, 0));
	assert_null(sched_current(&S, 99));
	assert_int_equal(sched_queued(&S, 99), 0);
	assert_null(sched_entity_at(&S, 0));
	assert_string_equal(sched_state_name(SCHED_BLOCKED), "BLOCKED");
	assert_string_equal(sched_state_name((enum sched_state)9), "INVALID");
	assert_sched_ok();
}

static void test_add_placement(void **state)
{
	start(4, 3); /* CPU 3 offline */
	add(0, all_cpus(), 2);
	assert_int_equal(E[0].cpu, 2);
	add(1, all_cpus(), -1); /* least loaded, lowest id: 0 */
	assert_int_equal(E[1].cpu, 0);
	add(2, mask_of(1, 3, -1), 2); /* 2 not allowed, 3 offline */
	assert_int_equal(E[2].cpu, 1);
	add(3, all_cpus(), 99); /* bogus preference ignored */
	assert_int_equal(E[3].cpu, 0);
	add(4, all_cpus(), 3); /* preferred but offline */
	assert_int_not_equal(E[4].cpu, 3);
	assert_int_equal(E[4].last_cpu, SCHED_NO_CPU);

	E[5].allowed = mask_of(3, 7, -1);
	assert_int_equal(sched_add(&S, &E[5], 3), E_INVAL);
	assert_int_equal(sched_add(&S, &E[0], 0), E_EXIST);
	assert_int_equal(sched_entity_count(&S), 5);
	assert_ptr_equal(sched_entity_at(&S, 4), &E[4]);
	assert_int_equal(sched_queued(&S, 0) + sched_queued(&S, 1) + sched_queued(&S, 2), 5);
	assert_sched_ok();
}

static void test_add_cap(void **state)
{
	start(1, 1);
	for (unsigned i = 0; i < SCHED_MAX_ENTITIES; i++) {
		E[i].id = ID_BASE + i;
		E[i].allowed = all_cpus();
		assert_int_equal(sched_add(&S, &E[i], 0), E_OK);
	}
	E[SCHED_MAX_ENTITIES].allowed = all_cpus();
	assert_int_equal(sched_add(&S, &E[SCHED_MAX_ENTITIES], 0), E_RANGE);
	assert_int_equal(sched_queued(&S, 0), SCHED_MAX_ENTITIES);
	assert_sched_ok();
}

/* ---- pick, put, wake ----------------------------------------------------- */

static void test_pick_round_robin(void **state)
{
	start(2, 1);
	add(0, all_cpus(), 0);
	add(1, all_cpus(), 0);
	add(2, all_cpus(), 0);
	assert_null(sched_pick(&S, 1)); /* offline */
	assert_null(sched_pick(&S, 7)); /* out of range */
	for (unsigned round = 0; round < 3; round++)
		for (unsigned i = 0; i < 3; i++)
			run_slice(0, &E[i]);
	assert_ptr_equal(sched_pick(&S, 0), &E[0]);
	assert_null(sched_pick(&S, 0)); /* current still set */
	assert_int_equal(sched_queued(&S, 0), 2);
	assert_false(queued_on(&E[0], 0));
	assert_int_equal(E[1].slices, 3);
	assert_int_equal(E[1].runtime, 3 * SLICE);
	assert_int_equal(E[1].migrations, 0);
	assert_sched_ok();
}

static void test_put_reasons(void **state)
{
	struct sched_entity *a, *b;

	start(2, 2);
	a = add(0, all_cpus(), 0);
	b = add(1, all_cpus(), 0);
	assert_ptr_equal(sched_pick(&S, 0), a);
	assert_int_equal(sched_put(&S, 0, b, SCHED_YIELD, 1), E_STATE);
	assert_int_equal(sched_put(&S, 1, a, SCHED_YIELD, 1), E_STATE);
	assert_int_equal(sched_put(&S, 2, a, SCHED_YIELD, 1), E_RANGE);
	assert_int_equal(sched_put(&S, 0, a, (enum sched_put_reason)7, 1), E_INVAL);
	assert_int_equal(sched_put(&S, 0, NULL, SCHED_YIELD, 1), E_STATE);

	assert_int_equal(sched_put(&S, 0, a, SCHED_YIELD, 40), E_OK);
	assert_int_equal(a->state, SCHED_RUNNABLE);
	assert_ptr_equal(RQ[0].tail, a); /* behind b */
	assert_int_equal(a->slices, 0);
	assert_int_equal(a->switches, 1);
	assert_int_equal(a->runtime, 40);

	assert_ptr_equal(sched_pick(&S, 0), b);
	assert_int_equal(sched_put(&S, 0, b, SCHED_BLOCK, 7), E_OK);
	assert_int_equal(b->state, SCHED_BLOCKED);
	assert_false(queued_on(b, 0));
	assert_false(b->stranded);
	assert_null(sched_current(&S, 0));
	assert_sched_ok();

	assert_ptr_equal(sched_pick(&S, 0), a);
	assert_int_equal(sched_put(&S, 0, a, SCHED_STOP, 3), E_OK);
	assert_int_equal(a->state, SCHED_STOPPED);
	assert_int_equal(a->switches, 2);
	assert_int_equal(a->runtime, 43);
	assert_int_equal(sched_put(&S, 0, a, SCHED_STOP, 3), E_STATE); /* not current now */
	assert_int_equal(sched_queued(&S, 0), 0);
	assert_null(sched_pick(&S, 0));
	assert_sched_ok();
}

static void test_wake(void **state)
{
	struct sched_entity *a, *pinned;

	start(3, 3);
	a = add(0, all_cpus(), 1);
	pinned = add(1, mask_of(2, -1), 2);

	assert_false(sched_wake(&S, a)); /* RUNNABLE: no-op */
	assert_int_equal(a->state, SCHED_RUNNABLE);
	assert_ptr_equal(sched_pick(&S, 1), a);
	assert_false(sched_wake(&S, a)); /* RUNNING: no-op */
	assert_int_equal(a->state, SCHED_RUNNING);
	assert_int_equal(sched_put(&S, 1, a, SCHED_BLOCK, 1), E_OK);
	assert_true(sched_wake(&S, a));
	assert_int_equal(a->state, SCHED_RUNNABLE);
	assert_int_equal(a->cpu, 1); /* back where it ran */
	assert_true(queued_on(a, 1));
	assert_sched_ok();

	/* its CPU went offline while it slept: another one takes it */
	assert_ptr_equal(sched_pick(&S, 1), a);
	assert_int_equal(sched_put(&S, 1, a, SCHED_BLOCK, 1), E_OK);
	assert_int_equal(sched_cpu_set_online(&S, 1, false), E_OK);
	assert_true(sched_wake(&S, a));
	assert_int_not_equal(a->cpu, 1);
	assert_sched_ok();

	/* no allowed CPU online: stays blocked, stranded, queued when one returns */
	assert_ptr_equal(sched_pick(&S, 2), pinned);
	assert_int_equal(sched_put(&S, 2, pinned, SCHED_BLOCK, 1), E_OK);
	sched_cpu_offline(&S, 2, NULL);
	assert_false(sched_wake(&S, pinned));
	assert_int_equal(pinned->state, SCHED_BLOCKED);
	assert_true(pinned->stranded);
	assert_sched_ok();
	assert_int_equal(sched_cpu_set_online(&S, 2, true), E_OK);
	assert_int_equal(pinned->state, SCHED_RUNNABLE);
	assert_false(pinned->stranded);
	assert_true(queued_on(pinned, 2));

	/* stopped entities and strangers are never woken */
	assert_ptr_equal(sched_pick(&S, 2), pinned);
	assert_int_equal(sched_put(&S, 2, pinned, SCHED_STOP, 1), E_OK);
	assert_false(sched_wake(&S, pinned));
	assert_int_equal(pinned->state, SCHED_STOPPED);
	E[9].state = SCHED_BLOCKED;
	assert_false(sched_wake(&S, &E[9]));
	assert_sched_ok();
}

/* ---- affinity, offline, balance ----------------------------------------- */

static void test_set_affinity(void **state)
{
	struct cpumask m, before;
	struct sched_entity *a, *r;

	start(4, 3); /* CPU 3 offline */
	a = add(0, all_cpus(), 0);
	r = add(1, all_cpus(), 1);

	m = mask_of(2, -1);
	assert_int_equal(sched_set_affinity(&S, a, &m), E_OK);
	assert_int_equal(a->cpu, 2);
	assert_true(queued_on(a, 2));
	assert_false(queued_on(a, 0));
	assert_sched_ok();
	m = mask_of(1, 2, -1); /* still allowed where it is: stays */
	assert_int_equal(sched_set_affinity(&S, a, &m), E_OK);
	assert_int_equal(a->cpu, 2);

	/* running entity: moves at its next put */
	assert_ptr_equal(sched_pick(&S, 1), r);
	assert_false(sched_must_leave(&S, r));
	m = mask_of(0, -1);
	assert_int_equal(sched_set_affinity(&S, r, &m), E_OK);
	assert_int_equal(r->state, SCHED_RUNNING);
	assert_int_equal(r->cpu, 1);
	assert_true(sched_must_leave(&S, r));
	assert_sched_ok();
	assert_int_equal(sched_put(&S, 1, r, SCHED_SLICE_END, 1), E_OK);
	assert_int_equal(r->cpu, 0);
	assert_true(queued_on(r, 0));
	assert_sched_ok();

	/* a mask with no online CPU is refused and changes nothing */
	before = a->allowed;
	m = mask_of(3, 9, -1);
	assert_int_equal(sched_set_affinity(&S, a, &m), E_INVAL);
	cpumask_zero(&m);
	assert_int_equal(sched_set_affinity(&S, a, &m), E_INVAL);
	assert_int_equal(sched_set_affinity(&S, a, NULL), E_INVAL);
	assert_memory_equal(&a->allowed, &before, sizeof(before));
	assert_int_equal(sched_set_affinity(&S, &E[7], &before), E_NOENT);

	/* stranded entity: a new mask with an online CPU queues it */
	m = mask_of(2, -1);
	assert_int_equal(sched_set_affinity(&S, a, &m), E_OK);
	assert_int_equal(sched_cpu_offline(&S, 2, NULL), 0);
	assert_true(a->stranded);
	m = mask_of(0, 2, -1);
	assert_int_equal(sched_set_affinity(&S, a, &m), E_OK);
	assert_int_equal(a->state, SCHED_RUNNABLE);
	assert_int_equal(a->cpu, 0);
	assert_sched_ok();
}

static void test_offline_moves_everything(void **state)
{
	unsigned stranded = 99, on1 = 0, moved;
	struct sched_entity *running, *pinned;

	start(4, 4);
	for (unsigned i = 0; i < 12; i++)
		add(i, all_cpus(), (int)(i % 4));
	pinned = add(12, mask_of(1, -1), 1);
	running = sched_pick(&S, 1);
	assert_non_null(running);
	on1 = sched_queued(&S, 1);
	assert_int_equal(on1, 3); /* 4 + pinned - running */

	moved = sched_cpu_offline(&S, 1, &stranded);
	assert_int_equal(moved, on1 - 1);
	assert_int_equal(stranded, 1);
	assert_int_equal(sched_queued(&S, 1), 0);
	assert_int_equal(pinned->state, SCHED_BLOCKED);
	assert_true(pinned->stranded);
	for (unsigned i = 0; i < 12; i++)
		if (&E[i] != running)
			assert_int_not_equal(E[i].cpu, 1);
	assert_sched_ok();

	/* the running one stays until put, then goes elsewhere */
	assert_int_equal(running->state, SCHED_RUNNING);
	assert_true(sched_must_leave(&S, running));
	assert_null(sched_pick(&S, 1));
	assert_int_equal(sched_put(&S, 1, running, SCHED_SLICE_END, 1), E_OK);
	assert_int_equal(running->state, SCHED_RUNNABLE);
	assert_int_not_equal(running->cpu, 1);
	assert_sched_ok();

	/* the least loaded CPUs took them: queues differ by at most one */
	assert_in_range(sched_queued(&S, 0), 4, 5);
	assert_in_range(sched_queued(&S, 2), 4, 5);
	assert_in_range(sched_queued(&S, 3), 4, 5);

	assert_int_equal(sched_cpu_set_online(&S, 1, true), E_OK);
	assert_int_equal(pinned->state, SCHED_RUNNABLE);
	assert_true(queued_on(pinned, 1));
	assert_int_equal(sched_cpu_offline(&S, 9, &stranded), 0);
	assert_int_equal(stranded, 0);
	assert_sched_ok();
}

static void test_balance(void **state)
{
	struct sched_entity *got;

	start(3, 3);
	for (unsigned i = 0; i < 4; i++)
		add(i, mask_of(0, -1), 0);
	add(4, mask_of(0, 2, -1), 0);
	add(5, all_cpus(), 1);

	/* CPU 1 (load 1) may take nothing: CPU 0's entities do not allow it */
	assert_null(sched_balance(&S, 1));
	/* CPU 2 (load 0) pulls the one entity that allows it, from CPU 0 */
	got = sched_balance(&S, 2);
	assert_ptr_equal(got, &E[4]);
	assert_int_equal(got->cpu, 2);
	assert_true(queued_on(got, 2));
	assert_int_equal(sched_queued(&S, 0), 4);
	assert_null(sched_balance(&S, 2));
	assert_null(sched_balance(&S, 7));
	sched_cpu_offline(&S, 2, NULL);
	assert_null(sched_balance(&S, 2));
	assert_sched_ok();
}

static void test_balance_busiest_and_running(void **state)
{
	start(4, 4);
	for (unsigned i = 0; i < 5; i++)
		add(i, all_cpus(), 0);
	for (unsigned i = 5; i < 8; i++)
		add(i, all_cpus(), 2);
	/* busiest is CPU 0 (5 vs 3): the entity nearest its tail moves */
	assert_ptr_equal(sched_balance(&S, 1), &E[4]);
	assert_sched_ok();
	/* loads now 4, 1, 3, 0: CPU 3 pulls from CPU 0 */
	assert_ptr_equal(sched_balance(&S, 3), &E[3]);
	/* 3, 1, 3, 1: CPU 0 and 2 tie, the first found gives */
	assert_ptr_equal(sched_balance(&S, 1), &E[2]);
	/* 2, 2, 3, 1 */
	assert_ptr_equal(sched_balance(&S, 3), &E[7]);
	/* 2, 2, 2, 2: nobody is two above anybody */
	for (unsigned cpu = 0; cpu < 4; cpu++) {
		assert_null(sched_balance(&S, cpu));
		assert_int_equal(sched_queued(&S, cpu), 2);
	}

	/* a running entity counts as load but is never pulled */
	start(2, 2);
	add(0, all_cpus(), 0);
	add(1, all_cpus(), 0);
	assert_ptr_equal(sched_pick(&S, 0), &E[0]);
	assert_ptr_equal(sched_balance(&S, 1), &E[1]);
	assert_null(sched_balance(&S, 1));
	assert_int_equal(E[0].state, SCHED_RUNNING);
	assert_sched_ok();
}

/* ---- VMCS record, migrations, removal ------------------------------------ */

/* The scheduler records only the CPU an entity last ran on (where its
 * VMCS is loaded is the backend's own record). */
static void test_last_cpu(void **state)
{
	struct sched_entity *a;
	struct cpumask m;

	start(2, 2);
	a = add(0, all_cpus(), 0);
	assert_int_equal(a->last_cpu, SCHED_NO_CPU);
	assert_ptr_equal(sched_pick(&S, 0), a);
	assert_int_equal(a->last_cpu, 0);
	assert_int_equal(sched_put(&S, 0, a, SCHED_BLOCK, 1), E_OK);
	assert_int_equal(a->last_cpu, 0); /* kept while blocked */
	m = mask_of(1, -1);
	assert_int_equal(sched_set_affinity(&S, a, &m), E_OK);
	assert_int_equal(a->last_cpu, 0);
	assert_true(sched_wake(&S, a));
	assert_ptr_equal(sched_pick(&S, 1), a);
	assert_int_equal(a->last_cpu, 1);
	assert_int_equal(sched_put(&S, 1, a, SCHED_STOP, 1), E_OK);
	assert_int_equal(sched_remove(&S, a), E_OK); /* nothing else to release */
	assert_sched_ok();
}

static void test_migration_count(void **state)
{
	struct sched_entity *a;
	struct cpumask m;

	start(2, 2);
	a = add(0, all_cpus(), 0);
	assert_ptr_equal(sched_pick(&S, 0), a);
	assert_int_equal(sched_put(&S, 0, a, SCHED_SLICE_END, 1), E_OK);
	assert_int_equal(a->migrations, 0); /* first run is not a migration */

	m = mask_of(1, -1);
	assert_int_equal(sched_set_affinity(&S, a, &m), E_OK);
	assert_ptr_equal(sched_pick(&S, 1), a);
	assert_int_equal(a->migrations, 1);
	assert_int_equal(sched_put(&S, 1, a, SCHED_SLICE_END, 1), E_OK);
	run_slice(1, a);
	assert_int_equal(a->migrations, 1);

	/* moved away and back before running: the VMCS never moved, no migration */
	m = mask_of(0, -1);
	assert_int_equal(sched_set_affinity(&S, a, &m), E_OK);
	assert_int_equal(a->cpu, 0);
	m = mask_of(1, -1);
	assert_int_equal(sched_set_affinity(&S, a, &m), E_OK);
	assert_int_equal(a->cpu, 1);
	run_slice(1, a);
	assert_int_equal(a->migrations, 1);
	assert_sched_ok();
}

static void test_remove(void **state)
{
	start(2, 2);
	add(0, all_cpus(), 0);
	add(1, all_cpus(), 0);
	add(2, all_cpus(), 1);
	assert_ptr_equal(sched_pick(&S, 0), &E[0]);
	assert_int_equal(sched_remove(&S, &E[0]), E_BUSY); /* running */
	assert_int_equal(sched_remove(&S, &E[1]), E_OK);   /* queued */
	assert_false(queued_on(&E[1], 0));
	assert_int_equal(sched_entity_count(&S), 2);
	assert_sched_ok();
	assert_int_equal(sched_remove(&S, &E[1]), E_NOENT);
	assert_int_equal(sched_put(&S, 0, &E[0], SCHED_STOP, 1), E_OK);
	assert_int_equal(sched_remove(&S, &E[0]), E_OK);
	assert_int_equal(sched_entity_count(&S), 1);
	assert_ptr_equal(sched_entity_at(&S, 0), &E[2]);
	assert_sched_ok();
	add(1, all_cpus(), 0); /* re-added after removal */
	assert_int_equal(sched_entity_count(&S), 2);
	assert_int_equal(sched_remove(&S, NULL), E_NOENT);
}

/* ---- the checker --------------------------------------------------------- */

static void expect_check_fails(const char *part1, const char *part2)
{
	char why[WHY_LEN];

	assert_false(sched_check(&S, why, sizeof(why)));
	if (!strstr(why, part1) || (part2 && !strstr(why, part2)))
		fail_msg("check said \"%s\", expected \"%s\" and \"%s\"", why, part1,
			 part2 ? part2 : "");
	assert_false(sched_check(&S, NULL, 0)); /* no buffer: still fails */
}

static void test_check_detects_corruption(void **state)
{
	struct sched_entity *a, *b, *c;
	struct cpumask saved;

	start(2, 2);
	a = add(0, all_cpus(), 0);
	b = add(1, all_cpus(), 1);
	c = add(2, all_cpus(), 1);

	saved = a->allowed; /* queued outside its mask */
	cpumask_clear(&a->allowed, 0);
	expect_check_fails("entity 100 ", "outside its allowed mask");
	a->allowed = saved;
	assert_sched_ok();

	RQ[1].nr++; /* length mismatch */
	expect_check_fails("CPU 1", "nr 3");
	RQ[1].nr--;

	b->state = SCHED_BLOCKED; /* blocked but queued */
	expect_check_fails("entity 101 ", "BLOCKED");
	b->state = SCHED_RUNNABLE;

	RQ[0].head = RQ[0].tail = NULL; /* runnable but missing from its queue */
	RQ[0].nr = 0;
	expect_check_fails("entity 100 ", "not in that CPU's queue");
	RQ[0].head = RQ[0].tail = a;
	RQ[0].nr = 1;
	assert_sched_ok();

	assert_ptr_equal(sched_pick(&S, 1), b); /* running but not current */
	RQ[1].current = NULL;
	expect_check_fails("entity 101 ", "not that CPU's current");
	RQ[1].current = b;
	RQ[0].current = b; /* current of a second CPU */
	expect_check_fails("CPU 0", "entity 101");
	RQ[0].current = NULL;
	assert_sched_ok();

	assert_int_equal(sched_put(&S, 1, b, SCHED_BLOCK, 1), E_OK);
	b->next = c; /* unqueued entity with links */
	expect_check_fails("entity 101 ", "run-queue links");
	b->next = NULL;
	c->prev = b; /* wrong prev link in a queue */
	expect_check_fails("entity 102 ", "prev");
	c->prev = NULL;
	b->stranded = false;
	a->stranded = true; /* stranded but runnable */
	expect_check_fails("entity 100 ", "stranded");
	a->stranded = false;
	cpumask_set(&S.online, 5); /* online CPU that does not exist */
	expect_check_fails("CPU 5", "2 CPUs");
	cpumask_clear(&S.online, 5);
	sched_cpu_offline(&S, 1, NULL);
	c->cpu = 1; /* queued on an offline CPU */
	c->next = c->prev = NULL;
	a->next = NULL;
	RQ[0].head = a;
	RQ[0].tail = a;
	RQ[0].nr = 1;
	RQ[1].head = RQ[1].tail = c;
	RQ[1].nr = 1;
	expect_check_fails("entity 102 ", "offline");
}

/* ---- fairness on one CPU ------------------------------------------------- */

#define RR_ENTITIES 7
#define RR_ROUNDS 150
#define RR_EXTRA 4 /* slices past a whole number of rounds */

/* A hung CPU: offline for good, its queue emptied, its running entity
 * abandoned (STOPPED, removable), and a lost CPU refuses to come back. */
static void test_cpu_lost(void **state)
{
	unsigned moved = 99, stranded = 99;
	struct sched_entity *running, *pinned, *gone;

	start(3, 3);
	for (unsigned i = 0; i < 6; i++)
		add(i, all_cpus(), (int)(i % 3));
	pinned = add(6, mask_of(1, -1), 1);
	running = sched_pick(&S, 1);
	assert_non_null(running);

	gone = sched_cpu_lost(&S, 1, &moved, &stranded);
	assert_ptr_equal(gone, running);
	assert_int_equal(running->state, SCHED_STOPPED);
	assert_null(sched_current(&S, 1));
	assert_int_equal(moved, 1); /* the other queued one; pinned is stranded */
	assert_int_equal(stranded, 1);
	assert_int_equal(pinned->state, SCHED_BLOCKED);
	assert_false(cpumask_test(&S.online, 1));
	assert_true(cpumask_test(&S.lost, 1));
	assert_sched_ok();

	assert_null(sched_pick(&S, 1));
	assert_null(sched_balance(&S, 1));
	assert_int_equal(sched_cpu_set_online(&S, 1, true), E_STATE);
	assert_false(sched_wake(&S, pinned)); /* nowhere to go */
	assert_int_equal(sched_put(&S, 1, running, SCHED_SLICE_END, 1), E_STATE);
	assert_null(sched_cpu_lost(&S, 1, &moved, &stranded)); /* only once */
	assert_int_equal(moved, 0);
	assert_int_equal(sched_remove(&S, running), E_OK);
	assert_int_equal(sched_remove(&S, pinned), E_OK);
	assert_sched_ok();

	/* an idle CPU: nothing abandoned; bad CPUs do nothing */
	assert_null(sched_cpu_lost(&S, 2, NULL, NULL));
	assert_false(cpumask_test(&S.online, 2));
	assert_null(sched_cpu_lost(&S, 7, &moved, NULL));
	assert_sched_ok();
	for (unsigned i = 0; i < sched_entity_count(&S); i++)
		assert_int_equal(sched_entity_at(&S, i)->cpu, 0);
}

/* The checker catches an entity RUNNING on a lost CPU and a lost CPU online. */
static void test_check_lost(void **state)
{
	struct sched_entity *a;

	start(2, 2);
	a = add(0, all_cpus(), 1);
	assert_ptr_equal(sched_pick(&S, 1), a);
	cpumask_set(&S.lost, 1);
	expect_check_fails("lost CPU is online", NULL);
	cpumask_clear(&S.online, 1);
	expect_check_fails("RUNNING on CPU 1, which is lost", NULL);
}

/* The watchdog's test: only watched online CPUs, only beats older than the
 * limit, the lowest such CPU first; a beat from the future is not old. */
static void test_find_silent(void **state)
{
	uint64_t beat[TEST_CPUS] = {0};
	struct cpumask watched = mask_of(1, 2, 3, -1);

	start(4, 4);
	for (unsigned cpu = 0; cpu < 4; cpu++)
		beat[cpu] = 1000;
	assert_int_equal(sched_find_silent(&S, &watched, beat, 1500, 500), CPUMASK_BITS);
	assert_int_equal(sched_find_silent(&S, &watched, beat, 1501, 500), 1);
	beat[1] = 1400;
	assert_int_equal(sched_find_silent(&S, &watched, beat, 1501, 500), 2);
	beat[0] = 0; /* not watched */
	beat[2] = 2000;
	assert_int_equal(sched_find_silent(&S, &watched, beat, 1501, 500), 3);
	sched_cpu_offline(&S, 3, NULL);
	assert_int_equal(sched_find_silent(&S, &watched, beat, 1501, 500), CPUMASK_BITS);
	cpumask_zero(&watched);
	assert_int_equal(sched_find_silent(&S, &watched, beat, UINT64_MAX, 0), CPUMASK_BITS);
}

static void test_fairness_one_cpu(void **state)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	start(1, 1);
	for (unsigned i = 0; i < RR_ENTITIES; i++)
		add(i, all_cpus(), 0);
	for (unsigned k = 0; k < RR_ENTITIES * RR_ROUNDS + RR_EXTRA; k++)
		run_slice(0, &E[k % RR_ENTITIES]);
	for (unsigned i = 0; i < RR_ENTITIES; i++) {
		lo = E[i].slices < lo ? E[i].slices : lo;
		hi = E[i].slices > hi ? E[i].slices : hi;
		assert_int_equal(E[i].runtime, E[i].slices * SLICE);
		assert_int_equal(E[i].switches, E[i].slices);
	}
	assert_true(hi - lo <= 1);
	assert_int_equal(lo, RR_ROUNDS);
}

/* ---- random simulation ---------------------------------------------------- */

#define SIM_MAX_CPUS 16
#define SIM_MAX_ENTITIES 64
#define SIM_EVENTS 25000

struct sim {
	uint64_t rng, seed;
	unsigned ncpus, nent, event;
	int hw_vmcs[SIM_MAX_ENTITIES];	    /* simulated hardware: CPU holding the VMCS */
	bool hw_launched[SIM_MAX_ENTITIES]; /* simulated launch state */
	enum sched_state prev_state[SIM_MAX_ENTITIES];
	uint64_t prev_slices[SIM_MAX_ENTITIES];
	uint32_t next_id;
	unsigned vmclears, strandings, affinity_refused, reaps;
	uint64_t slices, migrations; /* totals, including reaped entities */
};

static struct sim sim;

/* splitmix64 */
static uint64_t sim_next(void)
{
	uint64_t z = (sim.rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned sim_rand(unsigned n)
{
	return (unsigned)(sim_next() % n);
}

static unsigned sim_index(const struct sched_entity *e)
{
	return (unsigned)(e - E);
}

#define sim_fail(...)                                                                              \
	fail_msg("seed %llu event %u (%u CPUs, %u entities): %s", (unsigned long long)sim.seed,    \
		 sim.event, sim.ncpus, sim.nent,                                                   \
		 (snprintf(sim_msg, sizeof(sim_msg), __VA_ARGS__), sim_msg))

static char sim_msg[WHY_LEN];

static unsigned sim_online_count(void)
{
	return cpumask_weight(&S.online);
}

static unsigned sim_random_online(void)
{
	unsigned k = sim_rand(sim_online_count()), cpu;

	for (cpu = cpumask_first(&S.online); cpu < CPUMASK_BITS; cpu = cpumask_next(&S.online, cpu))
		if (k-- == 0)
			return cpu;
	sim_fail("no online CPU");
	return 0;
}

static struct cpumask sim_random_mask(void)
{
	struct cpumask m;
	unsigned kind = sim_rand(4);

	cpumask_zero(&m);
	if (kind == 0) {
		cpumask_fill(&m, sim.ncpus);
	} else if (kind == 1) {
		cpumask_set(&m, sim_rand(sim.ncpus));
	} else {
		for (unsigned cpu = 0; cpu < sim.ncpus; cpu++)
			if (sim_rand(2))
				cpumask_set(&m, cpu);
	}
	return m;
}

/* The backend's one record of where each VMCS is (vmx_vcpu_switch()):
 * VMCLEAR on the CPU holding it (by cross-call). */
static void hw_vmclear(struct sched_entity *e)
{
	unsigned i = sim_index(e);

	sim.hw_vmcs[i] = SCHED_NO_CPU;
	sim.hw_launched[i] = false;
	sim.vmclears++;
}

/* VMPTRLD on cpu: the hardware rule is that the VMCS is clear or already here. */
static void hw_vmptrld(struct sched_entity *e, unsigned cpu)
{
	unsigned i = sim_index(e);

	if (sim.hw_vmcs[i] != SCHED_NO_CPU && sim.hw_vmcs[i] != (int)cpu)
		sim_fail("entity %u: VMCS loaded on CPU %u while active on CPU %d", e->id, cpu,
			 sim.hw_vmcs[i]);
	sim.hw_vmcs[i] = (int)cpu;
}

/* The kernel's switch-in path after sched_pick() returned e on cpu: the
 * backend moves the VMCS here if it is elsewhere, launches it if clear. */
static void sim_enter(struct sched_entity *e, unsigned cpu)
{
	unsigned i = sim_index(e);

	if (!cpumask_test(&e->allowed, cpu) || !cpumask_test(&S.online, cpu))
		sim_fail("entity %u picked on CPU %u outside its mask or offline", e->id, cpu);
	if (e->last_cpu != (int32_t)cpu)
		sim_fail("entity %u picked on CPU %u records last CPU %d", e->id, cpu, e->last_cpu);
	if (sim.hw_vmcs[i] != SCHED_NO_CPU && sim.hw_vmcs[i] != (int)cpu)
		hw_vmclear(e);
	hw_vmptrld(e, cpu);
	sim.hw_launched[i] = true;
}

static void sim_switch_in(unsigned cpu)
{
	struct sched_entity *e = sched_pick(&S, cpu);

	if (!e && sched_balance(&S, cpu))
		e = sched_pick(&S, cpu);
	if (e)
		sim_enter(e, cpu);
}

static enum sched_put_reason sim_random_reason(void)
{
	unsigned r = sim_rand(100);

	if (r < 55)
		return SCHED_SLICE_END;
	if (r < 72)
		return SCHED_YIELD;
	if (r < 97)
		return SCHED_BLOCK;
	return SCHED_STOP;
}

static void sim_put(unsigned cpu, enum sched_put_reason reason)
{
	struct sched_entity *cur = sched_current(&S, cpu);

	if (!cur)
		return;
	if (sched_put(&S, cpu, cur, reason, 1 + sim_rand(SLICE)) != E_OK)
		sim_fail("put of entity %u on CPU %u failed", cur->id, cpu);
	if (cur->stranded)
		sim.strandings++;
}

/* vmx_vcpu_create leaves the new VMCS active on the creating CPU. */
static void sim_create(unsigned i)
{
	struct cpumask m = sim_random_mask();
	unsigned home = sim_random_online();

	if (!cpumask_intersects(&m, &S.online))
		cpumask_set(&m, home);
	memset(&E[i], 0, sizeof(E[i]));
	E[i].id = sim.next_id++;
	E[i].allowed = m;
	if (sched_add(&S, &E[i], sim_rand(3) ? (int)sim_rand(sim.ncpus) : -1) != E_OK)
		sim_fail("sched_add of entity %u failed", E[i].id);
	sim.hw_vmcs[i] = SCHED_NO_CPU;
	sim.hw_launched[i] = false;
	hw_vmptrld(&E[i], home);
}

static void sim_wake(void)
{
	unsigned start_at = sim_rand(sim.nent);

	for (unsigned k = 0; k < sim.nent; k++) {
		struct sched_entity *e = &E[(start_at + k) % sim.nent];
		enum sched_state before = e->state;
		bool woke = sched_wake(&S, e);

		if (before != SCHED_BLOCKED) {
			if (woke || e->state != before)
				sim_fail("waking %s entity %u changed it", sched_state_name(before),
					 e->id);
			continue;
		}
		if (woke != (e->state == SCHED_RUNNABLE) || woke == e->stranded)
			sim_fail("wake of entity %u returned %d but left it %s%s", e->id, woke,
				 sched_state_name(e->state), e->stranded ? " (stranded)" : "");
		return;
	}
}

static void sim_affinity(void)
{
	struct sched_entity *e = &E[sim_rand(sim.nent)];
	struct cpumask m = sim_random_mask(), before = e->allowed;
	enum err err = sched_set_affinity(&S, e, &m);

	if (!cpumask_intersects(&m, &S.online)) {
		if (err != E_INVAL || memcmp(&before, &e->allowed, sizeof(before)))
			sim_fail("affinity without an online CPU accepted for entity %u", e->id);
		sim.affinity_refused++;
	} else if (err != E_OK) {
		sim_fail("affinity change of entity %u failed: %s", e->id, err_name(err));
	}
}

static void sim_offline(void)
{
	unsigned cpu, stranded = 0;
	bool put_first = sim_rand(2);

	if (sim_online_count() < 2)
		return;
	cpu = sim_random_online();
	if (put_first)
		sim_put(cpu, SCHED_SLICE_END);
	sched_cpu_offline(&S, cpu, &stranded);
	sim.strandings += stranded;
	if (sched_queued(&S, cpu))
		sim_fail("CPU %u offline but still has %u queued", cpu, sched_queued(&S, cpu));
	if (!put_first) {
		assert_sched_ok();
		sim_put(cpu, SCHED_SLICE_END);
	}
	/* before VMXOFF the CPU clears every VMCS still active on it; a
	 * running entity's VMCS is never among them */
	for (unsigned i = 0; i < sim.nent; i++) {
		if (sim.hw_vmcs[i] != (int)cpu)
			continue;
		if (E[i].state == SCHED_RUNNING)
			sim_fail("entity %u still runs on offline CPU %u", E[i].id, cpu);
		hw_vmclear(&E[i]);
	}
}

static void sim_online(void)
{
	unsigned cpu = sim_rand(sim.ncpus);

	if (!cpumask_test(&S.online, cpu))
		assert_int_equal(sched_cpu_set_online(&S, cpu, true), E_OK);
}

/* Teardown of a stopped VM's vCPU, then a new vCPU in its place. */
static void sim_reap(void)
{
	unsigned i = sim_rand(sim.nent);

	if (E[i].state == SCHED_RUNNING) {
		if (sched_remove(&S, &E[i]) != E_BUSY)
			sim_fail("removal of running entity %u allowed", E[i].id);
		return;
	}
	if (E[i].state != SCHED_STOPPED)
		return;
	if (sim.hw_vmcs[i] != SCHED_NO_CPU)
		hw_vmclear(&E[i]);
	if (sched_remove(&S, &E[i]) != E_OK)
		sim_fail("removal of stopped entity %u failed", E[i].id);
	sim.slices += E[i].slices;
	sim.migrations += E[i].migrations;
	sim_create(i);
	sim.reaps++;
}

static void sim_verify(void)
{
	char why[WHY_LEN];

	if (!sched_check(&S, why, sizeof(why)))
		sim_fail("%s", why);
	if (sched_entity_count(&S) != sim.nent)
		sim_fail("%u entities registered, expected %u", sched_entity_count(&S), sim.nent);
	for (unsigned i = 0; i < sim.nent; i++) {
		const struct sched_entity *e = &E[i];

		if (e->state == SCHED_RUNNING && sim.hw_vmcs[i] != e->cpu)
			sim_fail("entity %u runs on CPU %d but its VMCS is on CPU %d", e->id,
				 e->cpu, sim.hw_vmcs[i]);
		if (sim.prev_state[i] == SCHED_BLOCKED && e->state == SCHED_BLOCKED &&
		    e->slices != sim.prev_slices[i])
			sim_fail("blocked entity %u consumed a slice", e->id);
		sim.prev_state[i] = e->state;
		sim.prev_slices[i] = e->slices;
	}
}

static void sim_event(void)
{
	unsigned r = sim_rand(100);

	if (r < 40) {
		unsigned cpu = sim_random_online();

		sim_put(cpu, sim_random_reason());
		sim_switch_in(cpu);
	} else if (r < 48) {
		sim_put(sim_random_online(), sim_rand(2) ? SCHED_BLOCK : SCHED_YIELD);
	} else if (r < 62) {
		sim_wake();
	} else if (r < 72) {
		sim_affinity();
	} else if (r < 77) {
		sim_offline();
	} else if (r < 83) {
		sim_online();
	} else if (r < 93) {
		sched_balance(&S, sim_random_online());
	} else {
		sim_reap();
	}
}

static void sim_run(uint64_t seed, unsigned ncpus, unsigned nent)
{
	setup(NULL);
	memset(&sim, 0, sizeof(sim));
	sim.seed = sim.rng = seed;
	sim.ncpus = ncpus ? ncpus : 1 + sim_rand(SIM_MAX_CPUS);
	sim.nent = nent ? nent : 1 + sim_rand(SIM_MAX_ENTITIES);
	sim.next_id = ID_BASE;
	assert_int_equal(sched_init(&S, RQ, sim.ncpus), E_OK);
	for (unsigned cpu = 0; cpu < sim.ncpus; cpu++)
		if (cpu == 0 || sim_rand(4))
			assert_int_equal(sched_cpu_set_online(&S, cpu, true), E_OK);
	for (unsigned i = 0; i < sim.nent; i++)
		sim_create(i);
	sim_verify();
	for (sim.event = 0; sim.event < SIM_EVENTS; sim.event++) {
		sim_event();
		sim_verify();
	}
	for (unsigned i = 0; i < sim.nent; i++) {
		sim.migrations += E[i].migrations;
		sim.slices += E[i].slices;
	}
	print_message("seed %llu: %u CPUs, %u entities: %llu slices, %llu migrations, %u VMCLEARs, "
		      "%u strandings, %u refused masks, %u reaps\n",
		      (unsigned long long)seed, sim.ncpus, sim.nent, (unsigned long long)sim.slices,
		      (unsigned long long)sim.migrations, sim.vmclears, sim.strandings,
		      sim.affinity_refused, sim.reaps);
	/* the run must have exercised the paths it claims to */
	assert_true(sim.slices > SIM_EVENTS / 100);
	assert_true(sim.reaps > 0);
	if (sim.ncpus > 1 && sim.nent > 1) {
		assert_true(sim.migrations > 0);
		assert_true(sim.vmclears > 0);
	}
}

static const uint64_t sim_seeds[] = {1, 2, 3, 42, 1234, 99991, 0xdeadbeef, 20240601};

static void test_sim_random(void **state)
{
	for (unsigned k = 0; k < sizeof(sim_seeds) / sizeof(sim_seeds[0]); k++)
		sim_run(sim_seeds[k], 0, 0);
}

static void test_sim_extremes(void **state)
{
	sim_run(7, 1, 1);
	sim_run(8, 1, SIM_MAX_ENTITIES);
	sim_run(9, SIM_MAX_CPUS, 1);
	sim_run(10, SIM_MAX_CPUS, SIM_MAX_ENTITIES);
	sim_run(11, 2, 3);
}

/* ---- fairness across CPUs: slice ends only, periodic balancing ------------ */

#define FAIR_CPUS 4
#define FAIR_ENTITIES 16
#define FAIR_SLICES 10000
#define FAIR_BALANCE_EVERY 4 /* slices per CPU between balance calls */
#define FAIR_TOLERANCE_PCT 10

static void fair_shuffle(unsigned *order)
{
	for (unsigned k = 0; k < FAIR_CPUS; k++)
		order[k] = k;
	for (unsigned k = FAIR_CPUS - 1; k > 0; k--) {
		unsigned j = sim_rand(k + 1), t = order[k];

		order[k] = order[j];
		order[j] = t;
	}
}

static void fair_run(uint64_t seed)
{
	unsigned order[FAIR_CPUS], done = 0, ticks[FAIR_CPUS] = {0};
	uint64_t total = 0, mean, worst = 0;

	setup(NULL);
	memset(&sim, 0, sizeof(sim));
	sim.seed = sim.rng = seed;
	sim.ncpus = FAIR_CPUS;
	sim.nent = FAIR_ENTITIES;
	start(FAIR_CPUS, FAIR_CPUS);
	for (unsigned i = 0; i < FAIR_ENTITIES; i++) {
		add(i, all_cpus(), 0); /* all start on CPU 0: balancing must spread them */
		sim.hw_vmcs[i] = SCHED_NO_CPU;
	}
	while (done < FAIR_SLICES) {
		fair_shuffle(order);
		for (unsigned k = 0; k < FAIR_CPUS && done < FAIR_SLICES; k++) {
			unsigned cpu = order[k];
			struct sched_entity *cur = sched_current(&S, cpu);

			if (cur) {
				assert_int_equal(sched_put(&S, cpu, cur, SCHED_SLICE_END, SLICE),
						 E_OK);
				done++;
			}
			if (++ticks[cpu] % FAIR_BALANCE_EVERY == 0)
				sched_balance(&S, cpu);
			sim_switch_in(cpu);
			sim_verify();
		}
	}
	for (unsigned cpu = 0; cpu < FAIR_CPUS; cpu++) {
		struct sched_entity *cur = sched_current(&S, cpu);

		assert_non_null(cur);
		assert_int_equal(sched_put(&S, cpu, cur, SCHED_SLICE_END, 0), E_OK);
		assert_int_equal(sched_queued(&S, cpu), FAIR_ENTITIES / FAIR_CPUS);
	}
	for (unsigned i = 0; i < FAIR_ENTITIES; i++)
		total += E[i].runtime;
	assert_int_equal(total, (uint64_t)FAIR_SLICES * SLICE);
	mean = total / FAIR_ENTITIES;
	for (unsigned i = 0; i < FAIR_ENTITIES; i++) {
		uint64_t rt = E[i].runtime, dev = rt > mean ? rt - mean : mean - rt;

		worst = dev > worst ? dev : worst;
		if (dev * 100 > mean * FAIR_TOLERANCE_PCT)
			fail_msg("seed %llu: entity %u ran %llu, mean %llu (beyond %d%%)",
				 (unsigned long long)seed, E[i].id, (unsigned long long)rt,
				 (unsigned long long)mean, FAIR_TOLERANCE_PCT);
	}
	print_message("fairness seed %llu: worst entity %llu.%llu%% from the mean runtime\n",
		      (unsigned long long)seed, (unsigned long long)(worst * 100 / mean),
		      (unsigned long long)(worst * 1000 / mean % 10));
	assert_sched_ok();
}

static void test_fairness_multi_cpu(void **state)
{
	for (unsigned k = 0; k < sizeof(sim_seeds) / sizeof(sim_seeds[0]); k++)
		fair_run(sim_seeds[k]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_cpumask_ops, setup),
	    cmocka_unit_test_setup(test_init_errors, setup),
	    cmocka_unit_test_setup(test_add_placement, setup),
	    cmocka_unit_test_setup(test_add_cap, setup),
	    cmocka_unit_test_setup(test_pick_round_robin, setup),
	    cmocka_unit_test_setup(test_put_reasons, setup),
	    cmocka_unit_test_setup(test_wake, setup),
	    cmocka_unit_test_setup(test_set_affinity, setup),
	    cmocka_unit_test_setup(test_offline_moves_everything, setup),
	    cmocka_unit_test_setup(test_balance, setup),
	    cmocka_unit_test_setup(test_balance_busiest_and_running, setup),
	    cmocka_unit_test_setup(test_last_cpu, setup),
	    cmocka_unit_test_setup(test_migration_count, setup),
	    cmocka_unit_test_setup(test_remove, setup),
	    cmocka_unit_test_setup(test_check_detects_corruption, setup),
	    cmocka_unit_test_setup(test_cpu_lost, setup),
	    cmocka_unit_test_setup(test_check_lost, setup),
	    cmocka_unit_test_setup(test_find_silent, setup),
	    cmocka_unit_test_setup(test_fairness_one_cpu, setup),
	    cmocka_unit_test_setup(test_sim_random, setup),
	    cmocka_unit_test_setup(test_sim_extremes, setup),
	    cmocka_unit_test_setup(test_fairness_multi_cpu, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
