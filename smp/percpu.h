/* SPDX-License-Identifier: MIT */
/*
 * The per-CPU area: one page-aligned struct percpu per CPU, reached through
 * IA32_GS_BASE. Its first field points at itself so this_cpu() is a single
 * load from %gs:0.
 */
#ifndef VIREO_SMP_PERCPU_H
#define VIREO_SMP_PERCPU_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/cpu_local.h"

#define MAX_CPUS 1024

struct cpu_tables;

/* Cross-CPU call slot (smp/smp.c): one request at a time per target. */
struct smp_call_slot {
	uint32_t lock;
	void (*fn)(void *arg);
	void *arg;
	volatile uint32_t seq;
	volatile uint32_t taken; /* the seq the target claimed, or a caller withdrew */
	volatile uint32_t done;
};

/* The head's offsets (arch/x86/cpu_local.h) are checked in smp/percpu.c. */

struct percpu {
	struct percpu *self; /* must stay at offset 0 */
	uint64_t probe_rip;  /* fault probe in progress: resume here */
	uint64_t probe_rsp;
	uint32_t cpu_id;     /* logical id, 0 = BSP */
	uint32_t apic_id;
	uint64_t stack_bottom;
	uint64_t stack_top;
	bool online;
	bool x2apic;
	uint64_t bringup_tsc;     /* TSC ticks from SIPI to check-in (APs) */
	struct cpu_tables *tables; /* this CPU's GDT, TSS and IST stacks */
	struct smp_call_slot call;
	volatile bool need_resched; /* set by the slice timer: end the running vCPU's slice */
	void *backend;		    /* the vCPU backend's per-CPU state (vmx/percpu.c) */
	void *sched;            /* owned by the scheduler */
};

#ifdef VIREO_HOST_TEST
struct percpu *this_cpu(void); /* provided by the test's fake */
#else
/* struct percpu begins with the arch head (checked in smp/percpu.c). */
static inline struct percpu *this_cpu(void)
{
	return (struct percpu *)cpu_local();
}
#endif

/* Point GS at p (p->self set here) and verify this_cpu() == p. */
void percpu_install(struct percpu *p);
/* The BSP's static area, installed before any allocator exists. */
struct percpu *percpu_bsp_early(uint64_t stack_bottom, uint64_t stack_top);

static inline uint32_t this_cpu_id(void)
{
	return this_cpu()->cpu_id;
}

#endif
