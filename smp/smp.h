/* SPDX-License-Identifier: MIT */
/*
 * SMP: starting the application processors with INIT-SIPI-SIPI, the online
 * CPU mask, synchronous cross-CPU calls and a barrier.
 */
#ifndef VIREO_SMP_SMP_H
#define VIREO_SMP_SMP_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/error.h"
#include "smp/percpu.h"

#define SMP_CALL_TIMEOUT_US 2000000

struct smp_cpu_desc {
	uint32_t apic_id;
	bool x2apic_entry;
};

/* Bring up every CPU in cpus[] (the BSP among them); returns online count. */
unsigned smp_init(const struct smp_cpu_desc *cpus, unsigned n);
/* Per-CPU interrupt setup for the BSP before smp_init (vectors, APIC). */
void smp_early_bsp(void);
unsigned smp_num_cpus(void);   /* CPUs with a per-CPU area */
unsigned smp_num_online(void);
bool smp_cpu_online(unsigned cpu);
struct percpu *smp_percpu(unsigned cpu); /* for bring-up and reports only */
uint64_t smp_bringup_us(void);
/* Boot table; beyond 16 CPUs a compact form unless full. */
void smp_report(bool full);

/*
 * Run fn(arg) on `cpu` and wait for it to finish (caller's IRQs stay on).
 * A CPU that does not take the call within SMP_CALL_TIMEOUT_US is reported,
 * the call withdrawn (it never runs later), E_TIMEOUT returned, and the CPU
 * marked silent: later calls to it fail at once with E_TIMEOUT.
 */
enum err smp_call(unsigned cpu, void (*fn)(void *), void *arg);
/* Run fn(arg) on every online CPU, the caller included, in parallel; silent
 * CPUs are skipped (E_TIMEOUT). */
enum err smp_call_all(void (*fn)(void *), void *arg);
/* A CPU that stopped answering (a cross-call timed out, or the scheduler's
 * watchdog saw it hang): no more cross-calls are sent to it. */
bool smp_cpu_silent(unsigned cpu);
void smp_set_silent(unsigned cpu);
unsigned smp_num_silent(void);

/* Work the APs run from their idle loop (outside interrupt context, so it
 * may wait for cross-calls), e.g. the scheduler; NULL stops it. An AP
 * looks at it whenever an interrupt wakes it. */
void smp_set_idle_work(void (*fn)(void *), void *arg);

/*
 * Test hook (vireo.smp_phantom_apic=): smp_init() treats @apic_id as one more
 * enabled CPU listed after the others, so that the path for a listed CPU that
 * never answers runs. An ID a listed CPU has is refused with a message.
 * smp_phantom_apic() gives the ID in use, or SMP_PHANTOM_NONE.
 */
#define SMP_PHANTOM_NONE UINT32_MAX
#define SMP_PHANTOM_APIC_MAX 0xfe /* 0xff is the xAPIC broadcast ID */
void smp_set_phantom(uint32_t apic_id);
uint32_t smp_phantom_apic(void);

/* Try to start a CPU that is not listed (self-test of the timeout path). */
enum err smp_try_start_apic(uint32_t apic_id, uint64_t timeout_us);

struct smp_barrier {
	volatile uint32_t count;
	volatile uint32_t generation;
};
void smp_barrier_wait(struct smp_barrier *b, unsigned n);

#endif
