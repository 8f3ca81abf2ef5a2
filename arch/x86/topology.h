/* SPDX-License-Identifier: MIT */
/*
 * CPU topology from the x2APIC ID: CPUID leaf 0x1F (or 0xB) gives, per
 * level, how many low ID bits select a thread within the next level (SDM
 * Vol. 3A 10.9.1, "Hierarchical Mapping of Shared Resources"). The split of
 * an ID into package / core / SMT thread is pure arithmetic, host-tested.
 */
#ifndef VIREO_ARCH_X86_TOPOLOGY_H
#define VIREO_ARCH_X86_TOPOLOGY_H

#include <stdbool.h>
#include <stdint.h>

struct topo_shifts {
	uint8_t smt;  /* ID bits below the core level (threads per core) */
	uint8_t core; /* ID bits below the package level */
	bool valid;   /* from CPUID 0x1F/0xB; false: one thread per core */
};

struct topo_id {
	uint32_t package, core, thread;
};

/* Read the shifts of the calling CPU (all CPUs of a machine agree). */
struct topo_shifts topo_read_shifts(void);
/* Decode from the raw EAX/ECX of each sub-leaf of leaf 0x1F or 0xB. */
struct topo_shifts topo_shifts_from_leaves(const uint32_t *eax, const uint32_t *ecx,
					   unsigned nleaves);
struct topo_id topo_split(uint32_t apic_id, struct topo_shifts s);

#endif
