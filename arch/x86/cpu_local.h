/* SPDX-License-Identifier: MIT */
/*
 * The head of each CPU's per-CPU area, as the arch layer sees it: the
 * self pointer IA32_GS_BASE leads to, the fault-probe resume slot and the
 * CPU's logical id. smp/percpu.h builds struct percpu on this head; traps
 * and probes use only these fields (offsets shared with arch/x86/percpu.inc).
 */
#ifndef VIREO_ARCH_X86_CPU_LOCAL_H
#define VIREO_ARCH_X86_CPU_LOCAL_H

#include <stdint.h>

#define PERCPU_SELF_OFFSET 0
#define PERCPU_PROBE_RIP_OFFSET 8
#define PERCPU_PROBE_RSP_OFFSET 16
#define PERCPU_CPU_ID_OFFSET 24

struct cpu_local {
	struct cpu_local *self; /* must stay at offset 0 */
	uint64_t probe_rip;	/* fault probe in progress: resume here */
	uint64_t probe_rsp;
	uint32_t cpu_id; /* logical id, 0 = BSP */
};

#ifdef VIREO_HOST_TEST
struct cpu_local *cpu_local(void); /* provided by the test's fake */
#else
/* This CPU's head, or NULL before its per-CPU area is installed. */
static inline struct cpu_local *cpu_local(void)
{
	struct cpu_local *p;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}
#endif

#endif
