/*
 * The fuzzer's pseudo-random streams: one xorshift64 state per CPU, derived
 * from the run's seed and the CPU's index by a splitmix64 step, so every CPU
 * draws its own reproducible sequence.
 */
#include "fuzz.h"

#define SPLITMIX_GAMMA 0x9e3779b97f4a7c15ull
#define SPLITMIX_MUL1 0xbf58476d1ce4e5b9ull
#define SPLITMIX_MUL2 0x94d049bb133111ebull
#define XORSHIFT_A 13
#define XORSHIFT_B 7
#define XORSHIFT_C 17
#define HIGH_HALF 32

void rng_seed(struct fuzz_cpu *c, uint64_t seed, uint32_t index)
{
	uint64_t z = seed + SPLITMIX_GAMMA * (index + 1);

	z = (z ^ (z >> 30)) * SPLITMIX_MUL1;
	z = (z ^ (z >> 27)) * SPLITMIX_MUL2;
	z ^= z >> 31;
	c->rng = z ? z : SPLITMIX_GAMMA;
}

uint64_t rng_next(struct fuzz_cpu *c)
{
	uint64_t x = c->rng;

	x ^= x << XORSHIFT_A;
	x ^= x >> XORSHIFT_B;
	x ^= x << XORSHIFT_C;
	c->rng = x;
	return x;
}

uint32_t rng_below(struct fuzz_cpu *c, uint32_t n)
{
	return n ? (uint32_t)(rng_next(c) >> HIGH_HALF) % n : 0;
}

/* ranges holds nranges [first, last] pairs; one is chosen uniformly, then
 * a value inside it. */
uint32_t rng_pick(struct fuzz_cpu *c, const uint32_t *ranges, uint32_t nranges)
{
	uint32_t i = rng_below(c, nranges) * 2;
	uint32_t span = ranges[i + 1] - ranges[i] + 1;

	return ranges[i] + (span ? rng_below(c, span) : (uint32_t)rng_next(c));
}
