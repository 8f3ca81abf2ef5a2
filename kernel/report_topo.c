/* SPDX-License-Identifier: MIT */
/*
 * Packages, cores and threads per core of a set of CPUs (kernel/report_topo.h).
 * Each CPU is split into package / core / thread by topo_split(); a CPU is
 * the first of its core (or package) when no earlier CPU shares it. Quadratic
 * in the number of CPUs (a million steps for 1024), fine for a report
 * printed once.
 */
#include "kernel/report_topo.h"
#include "lib/format.h"

static bool same_core(struct topo_id a, struct topo_id b)
{
	return a.package == b.package && a.core == b.core;
}

/* Whether an earlier ID is the same CPU, shares its core, or its package. */
static void report_topo_seen(const uint32_t *ids, unsigned i, struct topo_shifts s, bool *cpu,
			     bool *core, bool *package)
{
	struct topo_id t = topo_split(ids[i], s);

	*cpu = *core = *package = false;
	for (unsigned j = 0; j < i; j++) {
		struct topo_id u = topo_split(ids[j], s);

		*cpu |= ids[j] == ids[i];
		*core |= same_core(u, t);
		*package |= u.package == t.package;
	}
}

/* Whether ids[j] already appeared in ids[i..j). */
static bool report_topo_repeat(const uint32_t *ids, unsigned i, unsigned j)
{
	for (unsigned k = i; k < j; k++) {
		if (ids[k] == ids[j])
			return true;
	}
	return false;
}

/* Distinct threads (APIC IDs) of the core whose first CPU is ids[i]. */
static unsigned report_topo_threads(const uint32_t *ids, unsigned i, unsigned n,
				    struct topo_shifts s)
{
	struct topo_id t = topo_split(ids[i], s);
	unsigned threads = 0;

	for (unsigned j = i; j < n; j++) {
		if (same_core(topo_split(ids[j], s), t) && !report_topo_repeat(ids, i, j))
			threads++;
	}
	return threads;
}

void report_topo_count(const uint32_t *ids, unsigned n, struct topo_shifts s,
		       struct report_topo *out)
{
	bool cpu, core, package;

	*out = (struct report_topo){.known = s.valid};
	for (unsigned i = 0; i < n; i++) {
		unsigned threads;

		report_topo_seen(ids, i, s, &cpu, &core, &package);
		out->cpus += !cpu;
		out->packages += !package;
		if (core)
			continue;
		out->cores++;
		threads = report_topo_threads(ids, i, n, s);
		if (!out->min_threads || threads < out->min_threads)
			out->min_threads = threads;
		if (threads > out->max_threads)
			out->max_threads = threads;
	}
}

static const char *plural(unsigned n)
{
	return n == 1 ? "" : "s";
}

int report_topo_text(const struct report_topo *t, char *buf, size_t len)
{
	if (!t->known)
		return fmt_snprintf(buf, len,
				    "topology not reported by CPUID (no leaf 0xB or 0x1F)");
	if (!t->cores)
		return fmt_snprintf(buf, len, "no CPUs");
	if (t->min_threads == t->max_threads)
		return fmt_snprintf(buf, len, "%u package%s, %u core%s, %u thread%s per core",
				    t->packages, plural(t->packages), t->cores, plural(t->cores),
				    t->max_threads, plural(t->max_threads));
	return fmt_snprintf(buf, len, "%u package%s, %u cores, %u-%u threads per core", t->packages,
			    plural(t->packages), t->cores, t->min_threads, t->max_threads);
}
