// SPDX-License-Identifier: MIT
/*
 * The scheduler's pure core (see sched.h): run queues as doubly linked lists
 * of entities, CPU choice by affinity and load, pull balancing and the
 * invariant checker. Callers hold the scheduler lock.
 */
#include "sched/sched.h"
#include <stdarg.h>
#include "lib/format.h"

static const char *const sched_state_names[] = {
    [SCHED_RUNNABLE] = "RUNNABLE",
    [SCHED_RUNNING] = "RUNNING",
    [SCHED_BLOCKED] = "BLOCKED",
    [SCHED_STOPPED] = "STOPPED",
};

#define SCHED_STATE_COUNT (sizeof(sched_state_names) / sizeof(sched_state_names[0]))

const char *sched_state_name(enum sched_state st)
{
	return (unsigned)st < SCHED_STATE_COUNT ? sched_state_names[st] : "INVALID";
}

static bool sched_registered(const struct sched *s, const struct sched_entity *e)
{
	return e && e->slot < s->nr_entities && s->all[e->slot] == e;
}

static bool sched_cpu_ok(const struct sched *s, int cpu)
{
	return cpu >= 0 && (unsigned)cpu < s->ncpus;
}

static bool sched_cpu_usable(const struct sched *s, const struct sched_entity *e, int cpu)
{
	return sched_cpu_ok(s, cpu) && cpumask_test(&s->online, (unsigned)cpu) &&
	       cpumask_test(&e->allowed, (unsigned)cpu);
}

static unsigned sched_load(const struct sched *s, unsigned cpu)
{
	const struct sched_rq *rq = &s->rq[cpu];

	return rq->nr + (rq->current ? 1 : 0);
}

static void rq_push_tail(struct sched_rq *rq, struct sched_entity *e)
{
	e->next = NULL;
	e->prev = rq->tail;
	if (rq->tail)
		rq->tail->next = e;
	else
		rq->head = e;
	rq->tail = e;
	rq->nr++;
}

static void rq_unlink(struct sched_rq *rq, struct sched_entity *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		rq->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		rq->tail = e->prev;
	e->next = e->prev = NULL;
	rq->nr--;
}

/* preferred if e may run there now, else the least loaded allowed online CPU
 * (lowest id on ties), else SCHED_NO_CPU. */
static int sched_choose_cpu(const struct sched *s, const struct sched_entity *e, int preferred)
{
	struct cpumask usable;
	unsigned cpu, best_load = 0;
	int best = SCHED_NO_CPU;

	if (sched_cpu_usable(s, e, preferred))
		return preferred;
	if (!cpumask_and(&usable, &e->allowed, &s->online))
		return SCHED_NO_CPU;
	for (cpu = cpumask_first(&usable); cpu < CPUMASK_BITS; cpu = cpumask_next(&usable, cpu)) {
		unsigned load = sched_load(s, cpu);

		if (best == SCHED_NO_CPU || load < best_load) {
			best = (int)cpu;
			best_load = load;
		}
	}
	return best;
}

static void sched_enqueue(struct sched *s, struct sched_entity *e, unsigned cpu)
{
	e->state = SCHED_RUNNABLE;
	e->cpu = (int32_t)cpu;
	e->stranded = false;
	rq_push_tail(&s->rq[cpu], e);
}

/* Queue e on a CPU it may use (preferring `preferred`), or leave it BLOCKED
 * and stranded when none is online. Returns true if queued. */
static bool sched_requeue(struct sched *s, struct sched_entity *e, int preferred)
{
	int cpu = sched_choose_cpu(s, e, preferred);

	if (cpu == SCHED_NO_CPU) {
		e->state = SCHED_BLOCKED;
		e->stranded = true;
		return false;
	}
	sched_enqueue(s, e, (unsigned)cpu);
	return true;
}

enum err sched_init(struct sched *s, struct sched_rq *rqs, unsigned ncpus)
{
	if (!s || !rqs || ncpus == 0 || ncpus > MAX_CPUS)
		return E_INVAL;
	s->ncpus = ncpus;
	s->rq = rqs;
	s->slice = SCHED_DEFAULT_SLICE_US;
	s->nr_entities = 0;
	cpumask_zero(&s->online);
	cpumask_zero(&s->lost);
	for (unsigned cpu = 0; cpu < ncpus; cpu++)
		rqs[cpu] = (struct sched_rq){0};
	for (unsigned i = 0; i < SCHED_MAX_ENTITIES; i++)
		s->all[i] = NULL;
	return E_OK;
}

enum err sched_set_slice(struct sched *s, uint64_t slice)
{
	if (slice == 0)
		return E_INVAL;
	s->slice = slice;
	return E_OK;
}

enum err sched_cpu_set_online(struct sched *s, unsigned cpu, bool online)
{
	if (cpu >= s->ncpus)
		return E_RANGE;
	if (!online) {
		sched_cpu_offline(s, cpu, NULL);
		return E_OK;
	}
	if (cpumask_test(&s->lost, cpu))
		return E_STATE;
	cpumask_set(&s->online, cpu);
	for (unsigned i = 0; i < s->nr_entities; i++) {
		struct sched_entity *e = s->all[i];

		if (e->stranded && cpumask_test(&e->allowed, cpu))
			sched_requeue(s, e, e->cpu);
	}
	return E_OK;
}

unsigned sched_cpu_offline(struct sched *s, unsigned cpu, unsigned *stranded)
{
	unsigned moved = 0, lost = 0;
	struct sched_rq *rq;

	if (stranded)
		*stranded = 0;
	if (cpu >= s->ncpus)
		return 0;
	cpumask_clear(&s->online, cpu);
	rq = &s->rq[cpu];
	while (rq->head) {
		struct sched_entity *e = rq->head;

		rq_unlink(rq, e);
		if (sched_requeue(s, e, SCHED_NO_CPU))
			moved++;
		else
			lost++;
	}
	if (stranded)
		*stranded = lost;
	return moved;
}

struct sched_entity *sched_cpu_lost(struct sched *s, unsigned cpu, unsigned *moved,
				    unsigned *stranded)
{
	struct sched_entity *cur;
	unsigned n;

	if (moved)
		*moved = 0;
	if (stranded)
		*stranded = 0;
	if (cpu >= s->ncpus || cpumask_test(&s->lost, cpu))
		return NULL;
	cpumask_set(&s->lost, cpu);
	n = sched_cpu_offline(s, cpu, stranded);
	if (moved)
		*moved = n;
	cur = s->rq[cpu].current;
	s->rq[cpu].current = NULL;
	if (cur)
		cur->state = SCHED_STOPPED;
	return cur;
}

unsigned sched_find_silent(const struct sched *s, const struct cpumask *watched,
			   const volatile uint64_t *beat, uint64_t now, uint64_t limit)
{
	for (unsigned cpu = cpumask_first(&s->online); cpu < s->ncpus;
	     cpu = cpumask_next(&s->online, cpu)) {
		if (cpumask_test(watched, cpu) && beat[cpu] < now && now - beat[cpu] > limit)
			return cpu;
	}
	return CPUMASK_BITS;
}

enum err sched_add(struct sched *s, struct sched_entity *e, int preferred_cpu)
{
	int cpu;

	if (!e)
		return E_INVAL;
	if (sched_registered(s, e))
		return E_EXIST;
	if (s->nr_entities == SCHED_MAX_ENTITIES)
		return E_RANGE;
	cpu = sched_choose_cpu(s, e, preferred_cpu);
	if (cpu == SCHED_NO_CPU)
		return E_INVAL;
	e->last_cpu = SCHED_NO_CPU;
	e->runtime = e->switches = e->migrations = e->slices = 0;
	e->slot = s->nr_entities;
	s->all[s->nr_entities++] = e;
	sched_enqueue(s, e, (unsigned)cpu);
	return E_OK;
}

enum err sched_remove(struct sched *s, struct sched_entity *e)
{
	struct sched_entity *last;

	if (!sched_registered(s, e))
		return E_NOENT;
	if (e->state == SCHED_RUNNING)
		return E_BUSY;
	if (e->state == SCHED_RUNNABLE)
		rq_unlink(&s->rq[e->cpu], e);
	e->state = SCHED_STOPPED;
	e->stranded = false;
	last = s->all[--s->nr_entities];
	s->all[e->slot] = last;
	last->slot = e->slot;
	s->all[s->nr_entities] = NULL;
	return E_OK;
}

struct sched_entity *sched_pick(struct sched *s, unsigned cpu)
{
	struct sched_rq *rq;
	struct sched_entity *e;

	if (cpu >= s->ncpus || !cpumask_test(&s->online, cpu))
		return NULL;
	rq = &s->rq[cpu];
	if (rq->current || !rq->head)
		return NULL;
	e = rq->head;
	rq_unlink(rq, e);
	e->state = SCHED_RUNNING;
	e->cpu = (int32_t)cpu;
	if (e->last_cpu != SCHED_NO_CPU && e->last_cpu != (int32_t)cpu)
		e->migrations++;
	e->last_cpu = (int32_t)cpu;
	rq->current = e;
	return e;
}

enum err sched_put(struct sched *s, unsigned cpu, struct sched_entity *e,
		   enum sched_put_reason reason, uint64_t ran)
{
	if (cpu >= s->ncpus)
		return E_RANGE;
	if ((unsigned)reason > SCHED_STOP)
		return E_INVAL;
	if (!e || s->rq[cpu].current != e || e->state != SCHED_RUNNING)
		return E_STATE;
	s->rq[cpu].current = NULL;
	e->runtime += ran;
	e->switches++;
	switch (reason) {
	case SCHED_SLICE_END:
		e->slices++;
		sched_requeue(s, e, (int)cpu);
		break;
	case SCHED_YIELD:
		sched_requeue(s, e, (int)cpu);
		break;
	case SCHED_BLOCK:
		e->state = SCHED_BLOCKED;
		break;
	case SCHED_STOP:
		e->state = SCHED_STOPPED;
		break;
	}
	return E_OK;
}

bool sched_wake(struct sched *s, struct sched_entity *e)
{
	if (!sched_registered(s, e) || e->state != SCHED_BLOCKED)
		return false;
	return sched_requeue(s, e, e->cpu);
}

enum err sched_set_affinity(struct sched *s, struct sched_entity *e, const struct cpumask *m)
{
	if (!m)
		return E_INVAL;
	if (!sched_registered(s, e))
		return E_NOENT;
	if (!cpumask_intersects(m, &s->online))
		return E_INVAL;
	e->allowed = *m;
	if (e->state == SCHED_RUNNABLE && !cpumask_test(&e->allowed, (unsigned)e->cpu)) {
		rq_unlink(&s->rq[e->cpu], e);
		sched_requeue(s, e, SCHED_NO_CPU);
	} else if (e->stranded) {
		sched_requeue(s, e, e->cpu);
	}
	return E_OK;
}

/* The queued entity nearest the tail (the one that would wait longest) that
 * may run on cpu, or NULL. */
static struct sched_entity *rq_find_movable(struct sched_rq *rq, unsigned cpu)
{
	for (struct sched_entity *e = rq->tail; e; e = e->prev)
		if (cpumask_test(&e->allowed, cpu))
			return e;
	return NULL;
}

struct sched_entity *sched_balance(struct sched *s, unsigned cpu)
{
	struct sched_entity *pick = NULL;
	unsigned src, best_src = 0, best_load;

	if (cpu >= s->ncpus || !cpumask_test(&s->online, cpu))
		return NULL;
	/* A source must carry at least two more than cpu, or moving one
	 * entity would only swap the imbalance. */
	best_load = sched_load(s, cpu) + 1;
	for (src = cpumask_first(&s->online); src < CPUMASK_BITS;
	     src = cpumask_next(&s->online, src)) {
		struct sched_entity *e;
		unsigned load = sched_load(s, src);

		if (src == cpu || load <= best_load || !s->rq[src].nr)
			continue;
		e = rq_find_movable(&s->rq[src], cpu);
		if (e) {
			pick = e;
			best_src = src;
			best_load = load;
		}
	}
	if (!pick)
		return NULL;
	rq_unlink(&s->rq[best_src], pick);
	sched_enqueue(s, pick, cpu);
	return pick;
}

bool sched_must_leave(const struct sched *s, const struct sched_entity *e)
{
	return e->state == SCHED_RUNNING && !sched_cpu_usable(s, e, e->cpu);
}

/* ---- invariant checker ---------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static bool check_fail(char *why, size_t n, const char *fmt,
							     ...)
{
	va_list ap;

	if (why && n) {
		va_start(ap, fmt);
		fmt_vsnprintf(why, n, fmt, ap);
		va_end(ap);
	}
	return false;
}

static bool check_entity(const struct sched *s, unsigned i, char *why, size_t n)
{
	const struct sched_entity *e = s->all[i];

	if (!e || e->slot != i)
		return check_fail(
		    why, n, "registry slot %u does not point at an entity that records slot %u", i,
		    i);
	if ((unsigned)e->state >= SCHED_STATE_COUNT)
		return check_fail(why, n, "entity %u has invalid state %d", e->id, (int)e->state);
	if ((e->state == SCHED_RUNNABLE || e->state == SCHED_RUNNING) && !sched_cpu_ok(s, e->cpu))
		return check_fail(why, n,
				  "entity %u is %s on CPU %d, which does not exist (%u CPUs)",
				  e->id, sched_state_name(e->state), e->cpu, s->ncpus);
	if (e->state == SCHED_RUNNING && s->rq[e->cpu].current != e)
		return check_fail(
		    why, n, "entity %u is RUNNING on CPU %d but is not that CPU's current entity",
		    e->id, e->cpu);
	if (e->state == SCHED_RUNNING && cpumask_test(&s->lost, (unsigned)e->cpu))
		return check_fail(why, n, "entity %u is RUNNING on CPU %d, which is lost", e->id,
				  e->cpu);
	if (e->state != SCHED_RUNNABLE && (e->next || e->prev))
		return check_fail(why, n, "entity %u is %s (CPU %d) but still has run-queue links",
				  e->id, sched_state_name(e->state), e->cpu);
	if (e->stranded && e->state != SCHED_BLOCKED)
		return check_fail(why, n, "entity %u is marked stranded but is %s on CPU %d", e->id,
				  sched_state_name(e->state), e->cpu);
	return true;
}

/* Walk cpu's queue; *queued gets its length. */
static bool check_queue(const struct sched *s, unsigned cpu, unsigned *queued, char *why, size_t n)
{
	const struct sched_rq *rq = &s->rq[cpu];
	const struct sched_entity *prev = NULL, *e;
	unsigned count = 0;

	for (e = rq->head; e; prev = e, e = e->next) {
		if (++count > rq->nr || count > s->nr_entities)
			return check_fail(
			    why, n, "CPU %u's queue holds more entities than its nr %u (or loops)",
			    cpu, rq->nr);
		if (!sched_registered(s, e))
			return check_fail(why, n,
					  "CPU %u's queue holds an unregistered entity (id %u)",
					  cpu, e->id);
		if (e->prev != prev)
			return check_fail(why, n,
					  "entity %u on CPU %u's queue has a wrong prev link",
					  e->id, cpu);
		if (e->state != SCHED_RUNNABLE || e->cpu != (int32_t)cpu)
			return check_fail(why, n,
					  "entity %u is queued on CPU %u but is %s on CPU %d (only "
					  "RUNNABLE entities are queued, on their own CPU)",
					  e->id, cpu, sched_state_name(e->state), e->cpu);
		if (!cpumask_test(&s->online, cpu))
			return check_fail(why, n, "entity %u is queued on CPU %u, which is offline",
					  e->id, cpu);
		if (!cpumask_test(&e->allowed, cpu))
			return check_fail(why, n,
					  "entity %u is queued on CPU %u, outside its allowed mask",
					  e->id, cpu);
	}
	if (count != rq->nr || rq->tail != prev)
		return check_fail(why, n,
				  "CPU %u's queue has %u entities but nr %u, or a wrong tail", cpu,
				  count, rq->nr);
	e = rq->current;
	if (e && (!sched_registered(s, e) || e->state != SCHED_RUNNING || e->cpu != (int32_t)cpu))
		return check_fail(why, n,
				  "CPU %u's current entity %u is %s on CPU %d (the current must be "
				  "RUNNING there)",
				  cpu, e->id, sched_state_name(e->state), e->cpu);
	*queued = count;
	return true;
}

static bool rq_contains(const struct sched_rq *rq, const struct sched_entity *e)
{
	for (const struct sched_entity *q = rq->head; q; q = q->next)
		if (q == e)
			return true;
	return false;
}

/* Only reached on failure: name a RUNNABLE entity its queue does not hold. */
static bool check_missing(const struct sched *s, unsigned runnable, unsigned queued, char *why,
			  size_t n)
{
	for (unsigned i = 0; i < s->nr_entities; i++) {
		const struct sched_entity *e = s->all[i];

		if (e->state == SCHED_RUNNABLE && !rq_contains(&s->rq[e->cpu], e))
			return check_fail(why, n,
					  "entity %u is RUNNABLE on CPU %d but not in that CPU's "
					  "queue (runnable entities are queued exactly once)",
					  e->id, e->cpu);
	}
	return check_fail(why, n, "%u entities are RUNNABLE but %u are queued", runnable, queued);
}

bool sched_check(const struct sched *s, char *why, size_t n)
{
	unsigned runnable = 0, queued = 0;

	if (s->nr_entities > SCHED_MAX_ENTITIES)
		return check_fail(why, n, "%u entities registered, above the cap %u",
				  s->nr_entities, SCHED_MAX_ENTITIES);
	if (cpumask_find_from(&s->online, s->ncpus) != CPUMASK_BITS)
		return check_fail(why, n, "CPU %u is online but only %u CPUs exist",
				  cpumask_find_from(&s->online, s->ncpus), s->ncpus);
	if (cpumask_intersects(&s->online, &s->lost))
		return check_fail(why, n, "a lost CPU is online again");
	for (unsigned i = 0; i < s->nr_entities; i++) {
		if (!check_entity(s, i, why, n))
			return false;
		runnable += s->all[i]->state == SCHED_RUNNABLE;
	}
	for (unsigned cpu = 0; cpu < s->ncpus; cpu++) {
		unsigned count = 0;

		if (!check_queue(s, cpu, &count, why, n))
			return false;
		queued += count;
	}
	if (queued != runnable)
		return check_missing(s, runnable, queued, why, n);
	return true;
}
