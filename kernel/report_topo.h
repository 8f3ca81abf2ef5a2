/* SPDX-License-Identifier: MIT */
/*
 * The machine report's CPU breakdown: how many packages and cores a set of
 * APIC IDs spans and how many threads each core has, from the CPUID
 * topology shifts (arch/x86/topology.h). Pure C, host-tested.
 */
#ifndef VIREO_KERNEL_REPORT_TOPO_H
#define VIREO_KERNEL_REPORT_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/x86/topology.h"

struct report_topo {
	bool known;    /* CPUID described the topology (leaf 0x1F or 0xB) */
	unsigned cpus; /* APIC IDs counted */
	unsigned packages;
	unsigned cores;
	unsigned min_threads; /* threads of the core with the fewest */
	unsigned max_threads; /* and of the one with the most (hybrid CPUs differ) */
};

/* Count the @n APIC IDs of @ids; the same ID twice counts as one thread. */
void report_topo_count(const uint32_t *ids, unsigned n, struct topo_shifts s,
		       struct report_topo *out);

/*
 * "1 package, 4 cores, 2 threads per core" ("1-2 threads per core" on a
 * hybrid CPU), or why there is no breakdown. Returns what fmt_snprintf does.
 */
int report_topo_text(const struct report_topo *t, char *buf, size_t len);

#endif
