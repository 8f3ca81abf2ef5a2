/*
 * CPUID facts: every basic leaf from 0 to the maximum, the subleaves of the
 * leaves that have them (SDM Vol. 2A CPUID, Table 3-8), the extended leaves
 * from 0x80000000 to their maximum, and the first hypervisor leaves. Keys
 * are cpuid.LLLLLLLL.SS.{eax,ebx,ecx,edx} once the harness has split them.
 */
#include "conform.h"

#define LEAF_CACHE 0x4
#define LEAF_FEATURES7 0x7
#define LEAF_TOPO 0xb
#define LEAF_XSAVE 0xd
#define LEAF_RDT_MON 0xf
#define LEAF_RDT_ALLOC 0x10
#define LEAF_SGX 0x12
#define LEAF_PT 0x14
#define LEAF_SOC 0x17
#define LEAF_TLB 0x18
#define LEAF_TOPO2 0x1f
#define LEAF_HV 0x40000000u
#define LEAF_HV_TIMING 0x40000010u
#define LEAF_EXT 0x80000000u
#define BASIC_CAP 0x40	   /* more basic leaves than any CPU has: stop there */
#define EXT_CAP 0x40	   /* likewise for the extended range */
#define SUB_CAP 64	   /* subleaves tried at most */
#define XSAVE_SUBLEAVES 63 /* leaf 0xD: one per XCR0/XSS bit */
#define RDT_ALLOC_SUBLEAVES 4
#define SGX_FIRST_EPC 2
#define TOPO_TYPE_SHIFT 8
#define TOPO_TYPE_MASK 0xff
#define CACHE_TYPE_MASK 0x1f
#define SGX_TYPE_MASK 0xf

/* One fact cpuid.LLLLLLLL.SS=EAX,EBX,ECX,EDX; the harness splits it into
 * the four keys cpuid.LLLLLLLL.SS.eax ... .edx. */
static void leaf_fact(uint32_t leaf, uint32_t sub, const uint32_t r[4])
{
	char key[40];

	snprintf(key, sizeof(key), "cpuid.%08x.%02x", leaf, sub);
	fact(key, "%08x,%08x,%08x,%08x", r[0], r[1], r[2], r[3]);
}

/* The subleaf that ends an enumeration, reported too: 1 = stop after it. */
static int last_subleaf(uint32_t leaf, uint32_t sub, const uint32_t r[4], uint32_t sub0_eax)
{
	switch (leaf) {
	case LEAF_CACHE:
		return (r[0] & CACHE_TYPE_MASK) == 0;
	case LEAF_TOPO:
	case LEAF_TOPO2:
		return ((r[2] >> TOPO_TYPE_SHIFT) & TOPO_TYPE_MASK) == 0;
	case LEAF_FEATURES7:
	case LEAF_PT:
	case LEAF_SOC:
	case LEAF_TLB:
		return sub >= sub0_eax;
	case LEAF_XSAVE:
		return sub >= XSAVE_SUBLEAVES;
	case LEAF_RDT_MON:
		return sub >= 1;
	case LEAF_RDT_ALLOC:
		return sub >= RDT_ALLOC_SUBLEAVES - 1;
	case LEAF_SGX:
		return sub >= SGX_FIRST_EPC && (r[0] & SGX_TYPE_MASK) == 0;
	default:
		return 1;
	}
}

/* Leaf 0xD subleaves above 1 that are all zero carry nothing: skip them. */
static int boring(uint32_t leaf, uint32_t sub, const uint32_t r[4])
{
	return leaf == LEAF_XSAVE && sub > 1 && !(r[0] | r[1] | r[2] | r[3]);
}

static void leaf_with_subleaves(uint32_t leaf)
{
	uint32_t r[4], sub0_eax = 0, sub;

	for (sub = 0; sub < SUB_CAP; sub++) {
		cpuid_sub(leaf, sub, r);
		if (!sub)
			sub0_eax = r[0];
		if (!boring(leaf, sub, r))
			leaf_fact(leaf, sub, r);
		if (last_subleaf(leaf, sub, r, sub0_eax))
			break;
	}
}

void cpuid_facts(void)
{
	uint32_t r[4], max, leaf;

	cpuid_sub(0, 0, r);
	max = r[0] < BASIC_CAP ? r[0] : BASIC_CAP;
	for (leaf = 0; leaf <= max; leaf++)
		leaf_with_subleaves(leaf);
	cpuid_sub(LEAF_EXT, 0, r);
	max = r[0];
	if (max - LEAF_EXT > EXT_CAP)
		max = LEAF_EXT + EXT_CAP;
	for (leaf = LEAF_EXT; leaf <= max; leaf++)
		leaf_with_subleaves(leaf);
	for (leaf = LEAF_HV; leaf <= LEAF_HV + 1; leaf++)
		leaf_with_subleaves(leaf);
	leaf_with_subleaves(LEAF_HV_TIMING);
}
