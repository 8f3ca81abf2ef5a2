/* SPDX-License-Identifier: MIT */
/*
 * A fixed-size set of logical CPU ids (0 .. MAX_CPUS - 1) stored as a bitmap:
 * the scheduler's allowed-CPU and online masks. Pure static inline helpers,
 * no locking; ids at or beyond CPUMASK_BITS are ignored by set/clear and
 * test as absent. Iterate with
 *   for (cpu = cpumask_first(m); cpu < CPUMASK_BITS; cpu = cpumask_next(m, cpu))
 */
#ifndef VIREO_SCHED_CPUMASK_H
#define VIREO_SCHED_CPUMASK_H

#include <stdbool.h>
#include <stdint.h>
#include "smp/percpu.h"

#define CPUMASK_BITS MAX_CPUS
#define CPUMASK_WORD_BITS 64u
#define CPUMASK_WORDS (CPUMASK_BITS / CPUMASK_WORD_BITS)

_Static_assert(CPUMASK_BITS % CPUMASK_WORD_BITS == 0, "cpumask must be whole 64-bit words");

struct cpumask {
	uint64_t bits[CPUMASK_WORDS];
};

static inline uint64_t cpumask_bit(unsigned cpu)
{
	return 1ull << (cpu % CPUMASK_WORD_BITS);
}

static inline void cpumask_zero(struct cpumask *m)
{
	for (unsigned i = 0; i < CPUMASK_WORDS; i++)
		m->bits[i] = 0;
}

static inline void cpumask_set(struct cpumask *m, unsigned cpu)
{
	if (cpu < CPUMASK_BITS)
		m->bits[cpu / CPUMASK_WORD_BITS] |= cpumask_bit(cpu);
}

static inline void cpumask_clear(struct cpumask *m, unsigned cpu)
{
	if (cpu < CPUMASK_BITS)
		m->bits[cpu / CPUMASK_WORD_BITS] &= ~cpumask_bit(cpu);
}

static inline bool cpumask_test(const struct cpumask *m, unsigned cpu)
{
	return cpu < CPUMASK_BITS && (m->bits[cpu / CPUMASK_WORD_BITS] & cpumask_bit(cpu)) != 0;
}

/* Set CPUs 0 .. n - 1 (n clamped to CPUMASK_BITS), clear the rest. */
static inline void cpumask_fill(struct cpumask *m, unsigned n)
{
	cpumask_zero(m);
	for (unsigned cpu = 0; cpu < n && cpu < CPUMASK_BITS; cpu++)
		cpumask_set(m, cpu);
}

static inline bool cpumask_empty(const struct cpumask *m)
{
	for (unsigned i = 0; i < CPUMASK_WORDS; i++)
		if (m->bits[i])
			return false;
	return true;
}

/* The lowest id >= from in *m, or CPUMASK_BITS if there is none. */
static inline unsigned cpumask_find_from(const struct cpumask *m, unsigned from)
{
	unsigned w = from / CPUMASK_WORD_BITS;
	uint64_t word;

	if (from >= CPUMASK_BITS)
		return CPUMASK_BITS;
	word = m->bits[w] & (~0ull << (from % CPUMASK_WORD_BITS));
	while (!word) {
		if (++w == CPUMASK_WORDS)
			return CPUMASK_BITS;
		word = m->bits[w];
	}
	return w * CPUMASK_WORD_BITS + (unsigned)__builtin_ctzll(word);
}

/* The lowest id in *m, or CPUMASK_BITS if *m is empty. */
static inline unsigned cpumask_first(const struct cpumask *m)
{
	return cpumask_find_from(m, 0);
}

/* The lowest id greater than cpu in *m, or CPUMASK_BITS if there is none. */
static inline unsigned cpumask_next(const struct cpumask *m, unsigned cpu)
{
	if (cpu >= CPUMASK_BITS - 1)
		return CPUMASK_BITS;
	return cpumask_find_from(m, cpu + 1);
}

/* Bits set in one word (SWAR count: no libgcc call, no POPCNT needed). */
static inline unsigned cpumask_popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* How many CPUs *m holds. */
static inline unsigned cpumask_weight(const struct cpumask *m)
{
	unsigned n = 0;

	for (unsigned i = 0; i < CPUMASK_WORDS; i++)
		n += cpumask_popcount64(m->bits[i]);
	return n;
}

/* *dst = *a & *b (dst may alias a or b); returns true if the result is non-empty. */
static inline bool cpumask_and(struct cpumask *dst, const struct cpumask *a,
			       const struct cpumask *b)
{
	uint64_t any = 0;

	for (unsigned i = 0; i < CPUMASK_WORDS; i++) {
		dst->bits[i] = a->bits[i] & b->bits[i];
		any |= dst->bits[i];
	}
	return any != 0;
}

/* True if *a and *b share at least one CPU. */
static inline bool cpumask_intersects(const struct cpumask *a, const struct cpumask *b)
{
	for (unsigned i = 0; i < CPUMASK_WORDS; i++)
		if (a->bits[i] & b->bits[i])
			return true;
	return false;
}

#endif
