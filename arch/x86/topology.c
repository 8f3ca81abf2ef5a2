/* SPDX-License-Identifier: MIT */
/*
 * Topology decoding (arch/x86/topology.h). Each sub-leaf n of CPUID 0x1F or
 * 0xB reports in ECX[15:8] the level type (1 SMT, 2 core, 3.. module/tile/
 * die; 0 ends the list) and in EAX[4:0] the shift to the next level's ID.
 */
#include "arch/x86/topology.h"
#include "arch/x86/cpu.h"

#define TOPO_LEAF_V2 0x1f
#define TOPO_LEAF_V1 0xb
#define TOPO_MAX_LEVELS 8
#define LEVEL_TYPE(ecx) (((ecx) >> 8) & 0xff)
#define LEVEL_SHIFT(eax) ((eax) & 0x1f)
#define LEVEL_SMT 1
#define LEVEL_CORE 2

struct topo_shifts topo_shifts_from_leaves(const uint32_t *eax, const uint32_t *ecx,
					   unsigned nleaves)
{
	struct topo_shifts s = {0, 0, false};

	for (unsigned i = 0; i < nleaves && LEVEL_TYPE(ecx[i]); i++) {
		if (LEVEL_TYPE(ecx[i]) == LEVEL_SMT)
			s.smt = LEVEL_SHIFT(eax[i]);
		/* The last level's shift is the package shift, whatever sits between. */
		s.core = LEVEL_SHIFT(eax[i]);
		s.valid = true;
	}
	if (s.core < s.smt)
		s.core = s.smt;
	return s;
}

struct topo_shifts topo_read_shifts(void)
{
	uint32_t eax[TOPO_MAX_LEVELS], ecx[TOPO_MAX_LEVELS];
	struct cpuid_regs r;
	uint32_t leaf;
	unsigned n = 0;

	cpu_cpuid(0, 0, &r);
	leaf = r.eax >= TOPO_LEAF_V2 ? TOPO_LEAF_V2 : TOPO_LEAF_V1;
	if (r.eax < TOPO_LEAF_V1)
		return (struct topo_shifts){0, 0, false};
	cpu_cpuid(leaf, 0, &r);
	if (!r.ebx && leaf == TOPO_LEAF_V2) /* 0x1F present but empty: use 0xB */
		leaf = TOPO_LEAF_V1;
	for (; n < TOPO_MAX_LEVELS; n++) {
		cpu_cpuid(leaf, n, &r);
		eax[n] = r.eax;
		ecx[n] = r.ecx;
		if (!LEVEL_TYPE(r.ecx))
			break;
	}
	return topo_shifts_from_leaves(eax, ecx, n);
}

struct topo_id topo_split(uint32_t apic_id, struct topo_shifts s)
{
	struct topo_id t;

	if (!s.valid)
		return (struct topo_id){apic_id, 0, 0};
	t.thread = apic_id & ((1u << s.smt) - 1);
	t.core = (apic_id >> s.smt) & ((1u << (s.core - s.smt)) - 1);
	t.package = s.core >= 32 ? 0 : apic_id >> s.core;
	return t;
}
