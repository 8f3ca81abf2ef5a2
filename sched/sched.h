/* SPDX-License-Identifier: MIT */
/*
 * The scheduler's pure core: per-CPU round-robin run queues, affinity, CPU
 * offlining, pull load balancing and an invariant checker. No hardware
 * access, so the same file runs in a host simulation. Where a vCPU's
 * hardware state is loaded is the backend's business (one record, in
 * vmx/ under VT-x); the scheduler keeps only the CPU an entity last ran on.
 *
 * Locking: the core takes no locks. The kernel calls every function with the
 * scheduler's one spinlock held (and interrupts off).
 *
 * Kernel protocol for a switch on CPU c (lock held throughout unless said):
 *   cur = sched_current(s, c); if (cur) sched_put(s, c, cur, reason, ran);
 *   e = sched_pick(s, c); if (!e && sched_balance(s, c)) e = sched_pick(s, c);
 *   if (!e) halt until an IPI or the timer;
 *   then, lock dropped (e is RUNNING on c, nobody else touches it), make
 *   e's vCPU current here (vcpu_load(): moved from its old CPU if need be)
 *   and run it.
 */
#ifndef VIREO_SCHED_SCHED_H
#define VIREO_SCHED_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/error.h"
#include "sched/cpumask.h"

/* Most entities (vCPUs of all VMs) registered at once. */
#define SCHED_MAX_ENTITIES 256
/* Default time slice in microseconds (cmdline vireo.slice_us=). */
#define SCHED_DEFAULT_SLICE_US 10000
/* last_cpu value meaning "no CPU". */
#define SCHED_NO_CPU (-1)

enum sched_state { SCHED_RUNNABLE, SCHED_RUNNING, SCHED_BLOCKED, SCHED_STOPPED };

enum sched_put_reason { SCHED_SLICE_END, SCHED_YIELD, SCHED_BLOCK, SCHED_STOP };

/*
 * One schedulable thing (a vCPU). The caller fills id, allowed and owner
 * before sched_add(); everything else belongs to the scheduler and is read
 * only outside it (statistics).
 */
struct sched_entity {
	uint32_t id;
	struct cpumask allowed;
	enum sched_state state;
	int32_t cpu;	  /* RUNNABLE: queue; RUNNING: CPU; BLOCKED/STOPPED: last CPU */
	int32_t last_cpu; /* CPU it last ran on, SCHED_NO_CPU before its first run */
	bool stranded;	     /* BLOCKED only because no allowed CPU is online */
	uint64_t runtime;    /* sum of `ran` given to sched_put() */
	uint64_t switches;   /* times switched out */
	uint64_t migrations; /* times it started running on a CPU other than last_cpu */
	uint64_t slices;     /* slices run to their end */
	struct sched_entity *next, *prev; /* run-queue links */
	uint32_t slot;			  /* index in sched.all */
	void *owner;
};

struct sched_rq {
	struct sched_entity *head, *tail;
	unsigned nr; /* entities queued (not counting current) */
	struct sched_entity *current;
};

struct sched {
	unsigned ncpus;
	struct cpumask online;
	struct cpumask lost; /* CPUs that stopped answering: never online again */
	struct sched_rq *rq; /* ncpus entries, provided by the caller */
	uint64_t slice;	     /* same unit as sched_put()'s `ran`; default in microseconds */
	unsigned nr_entities;
	struct sched_entity *all[SCHED_MAX_ENTITIES];
};

/* Set up s over rqs[0 .. ncpus - 1], every CPU offline. E_INVAL on bad arguments. */
enum err sched_init(struct sched *s, struct sched_rq *rqs, unsigned ncpus);
/* Change the time slice (E_INVAL for 0). */
enum err sched_set_slice(struct sched *s, uint64_t slice);

/* Online: the CPU takes work; stranded entities that allow it are queued.
 * Offline: same as sched_cpu_offline(). E_RANGE if cpu >= ncpus, E_STATE to
 * bring a lost CPU (sched_cpu_lost()) online. */
enum err sched_cpu_set_online(struct sched *s, unsigned cpu, bool online);
/*
 * Mark cpu offline and move every entity queued on it to the least loaded
 * allowed online CPU; returns how many moved. Entities with no other allowed
 * online CPU become BLOCKED (stranded, queued again when a CPU they allow
 * comes online or their affinity changes); their number goes to *stranded
 * (may be NULL). The CPU's current entity keeps running until it is put;
 * sched_put() then queues it elsewhere.
 */
unsigned sched_cpu_offline(struct sched *s, unsigned cpu, unsigned *stranded);

/*
 * cpu stopped answering (a hung core): offline for good, its queued entities
 * moved as by sched_cpu_offline() (*moved and *stranded, either may be NULL),
 * and its current entity, which will never be put, abandoned: STOPPED and
 * no longer the CPU's current. Returns that entity (its VM must stop), or
 * NULL. A second call for the same CPU does nothing and returns NULL.
 */
struct sched_entity *sched_cpu_lost(struct sched *s, unsigned cpu, unsigned *moved,
				    unsigned *stranded);
/*
 * The watchdog's test: the lowest CPU that is online, in `watched`, and
 * whose last sign of life beat[cpu] is more than `limit` before `now`;
 * CPUMASK_BITS if none. beat[] has s->ncpus entries.
 */
unsigned sched_find_silent(const struct sched *s, const struct cpumask *watched,
			   const volatile uint64_t *beat, uint64_t now, uint64_t limit);

/*
 * Register e and queue it RUNNABLE on preferred_cpu if that is online and
 * allowed, else on the least loaded allowed online CPU (preferred_cpu < 0:
 * no preference). E_INVAL if no allowed CPU is
 * online, E_EXIST if already registered, E_RANGE if SCHED_MAX_ENTITIES are.
 */
enum err sched_add(struct sched *s, struct sched_entity *e, int preferred_cpu);
/* Unregister e (teardown). E_BUSY if it is RUNNING, E_NOENT if it is not
 * registered. */
enum err sched_remove(struct sched *s, struct sched_entity *e);

/*
 * Take the head of cpu's queue (round robin), mark it RUNNING there and make
 * it the CPU's current. NULL if the queue is empty, cpu is offline or out of
 * range, or the CPU still has a current entity (put it first).
 */
struct sched_entity *sched_pick(struct sched *s, unsigned cpu);
/*
 * e, cpu's current, stops running after `ran` time units: slice end and
 * yield queue it at the tail (of cpu, or of another allowed online CPU if cpu
 * no longer qualifies), block makes it BLOCKED, stop STOPPED (both unqueued).
 * E_STATE if e is not cpu's current, E_RANGE for a bad cpu, E_INVAL for a bad
 * reason.
 */
enum err sched_put(struct sched *s, unsigned cpu, struct sched_entity *e,
		   enum sched_put_reason reason, uint64_t ran);
/* BLOCKED -> RUNNABLE on e->cpu if still allowed and online, else on another
 * allowed online CPU. Returns true if e was queued (the caller kicks e->cpu
 * if it is idle); false for other states or when no allowed CPU is online. */
bool sched_wake(struct sched *s, struct sched_entity *e);
/*
 * Replace e's allowed mask. A RUNNABLE e queued outside the new mask moves
 * now; a RUNNING one moves when it is next put (see sched_must_leave());
 * a stranded one is queued. E_INVAL (mask unchanged) if m has no online CPU.
 */
enum err sched_set_affinity(struct sched *s, struct sched_entity *e, const struct cpumask *m);
/*
 * Pull one RUNNABLE entity that allows cpu onto cpu's queue from the busiest
 * other queue: the one with the highest load (queued + running) that is at
 * least two above cpu's load. Called by an idle CPU and periodically by every
 * CPU. Returns the entity (already queued on cpu) or NULL.
 */
struct sched_entity *sched_balance(struct sched *s, unsigned cpu);

/* True if e runs on a CPU it may no longer use (affinity change, offline):
 * the kernel ends its slice early. */
bool sched_must_leave(const struct sched *s, const struct sched_entity *e);

/*
 * Check every invariant: RUNNABLE entities queued exactly once, on an online
 * CPU in their mask; RUNNING ones the current of exactly their CPU, which is
 * not lost, and not queued; BLOCKED/STOPPED unqueued; queue lengths equal
 * nr; no lost CPU online. On failure
 * writes a sentence
 * naming the entity, CPU and rule to why (n bytes) and returns false.
 */
bool sched_check(const struct sched *s, char *why, size_t n);

static inline struct sched_entity *sched_current(const struct sched *s, unsigned cpu)
{
	return cpu < s->ncpus ? s->rq[cpu].current : NULL;
}

static inline unsigned sched_queued(const struct sched *s, unsigned cpu)
{
	return cpu < s->ncpus ? s->rq[cpu].nr : 0;
}

static inline unsigned sched_entity_count(const struct sched *s)
{
	return s->nr_entities;
}

/* The i-th registered entity (any order; for statistics), NULL past the end. */
static inline struct sched_entity *sched_entity_at(const struct sched *s, unsigned i)
{
	return i < s->nr_entities ? s->all[i] : NULL;
}

const char *sched_state_name(enum sched_state st);

#endif
