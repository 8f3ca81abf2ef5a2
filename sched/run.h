/* SPDX-License-Identifier: MIT */
/*
 * Running VMs under the scheduler: every online CPU runs the loop in
 * sched/run.c, picking vCPUs from its run queue (sched/sched.c), giving each
 * a time slice through the VMX-preemption timer, blocking HLTing vCPUs until
 * their wake-up time; moving a vCPU to another CPU is the backend's
 * vcpu_load() (under VT-x: VMCLEAR where its VMCS was active, then VMPTRLD
 * and VMLAUNCH on the new CPU).
 */
#ifndef VIREO_SCHED_RUN_H
#define VIREO_SCHED_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/error.h"
#include "sched/cpumask.h"
#include "sched/sched.h"
#include "vm/vm.h"

#define SCHED_HLT_WAKE_US 2000
#define SCHED_MAX_VMS 8

struct sched_vcpu {
	struct sched_entity se;
	struct vcpu *v;
	struct vm *vm;
	unsigned idx;
	uint64_t wake_tsc;   /* blocked (HLT): when to wake */
	bool wake_pending;   /* woken while not blocked: do not block at the next HLT */
	uint64_t slice_tsc;  /* per-VM slice, 0 = the global one */
	bool rotate;         /* test hook: move to the next allowed CPU after every slice */
	unsigned rotate_cpu;
	struct cpumask ran_on; /* every CPU it has run on (statistics) */
	uint64_t kick_tsc;     /* its VM stopped while it ran elsewhere: when it was kicked */
	uint64_t stop_lag_tsc; /* from that kick to leaving the guest (0: not kicked) */
};

void sched_run_init(uint64_t slice_us);
/*
 * Test only (vireo.test_hang_cpu=, vireo.test_hang_slice=, the "hang" suite):
 * CPU `cpu` hangs, interrupts off and spinning for good, on its `slice`-th
 * slice: with that vCPU about to run (SCHED_HANG_RUNNING: the watchdog must
 * find it), or just after putting it back with its state still loaded there
 * (SCHED_HANG_AFTER_PUT: the next CPU to load that vCPU finds it). Only the
 * VMs with vCPU state there may stop. It still answers NMIs (a panic stops it).
 */
enum sched_hang_point { SCHED_HANG_RUNNING, SCHED_HANG_AFTER_PUT };
void sched_test_hang(unsigned cpu, unsigned slice, enum sched_hang_point at);
/* Hand a VM's vCPUs to the scheduler (affinity: `allowed`, NULL = all CPUs). */
enum err sched_vm_start(struct vm *vm, const struct cpumask *allowed);
/*
 * Run every started VM on all online CPUs until each has stopped, or until
 * `max_us` of TSC time has passed (0: no limit). Called on the BSP. Every
 * wait is bounded: a CPU whose loop makes no progress for longer than a
 * cross-call timeout plus two slices (CPU 0 watches), that does not release
 * a vCPU's state when asked, or that does not leave its loop at the end, is
 * lost: reported by name, never given a vCPU again, and each VM with vCPU
 * state on it stopped with a report naming it. The other VMs carry on.
 */
void sched_run(uint64_t max_us);
/* Give every vCPU of a started VM its own slice length. */
void sched_vm_set_slice(struct vm *vm, uint64_t slice_us);
/*
 * Take a CPU out of scheduling: its queued vCPUs move to CPUs they may use.
 * Between sched_run() calls every vCPU last run there is released from it
 * at once (vcpu_put() by cross-call). While VMs run (called on another CPU,
 * e.g. from the tick hook) the vCPU it is running leaves at its slice end,
 * the CPU leaves its loop, and each vCPU still loaded there moves when it
 * next runs elsewhere (vcpu_load()). sched_cpu_up() undoes it between runs.
 */
enum err sched_cpu_down(unsigned cpu);
enum err sched_cpu_up(unsigned cpu);
/* Called on CPU 0 at every pass of its scheduling loop (tests: act while
 * VMs run); NULL removes it. */
void sched_set_tick_hook(void (*fn)(void));
/* Forget which CPUs each vCPU has run on (the statistics' cpus column). */
void sched_clear_ran_on(void);
/* Stop a VM from outside (its vCPUs leave the run queues). */
void sched_kill_vm(struct vm *vm, const char *why);
/* Release each of the VM's vCPUs from its last CPU and free everything. */
void sched_vm_release(struct vm *vm);
struct sched_vcpu *sched_vcpu_of(struct vm *vm, unsigned idx);
/* Per-vCPU statistics table (run time, switches, migrations, exits). */
void sched_stats_print(void);
/* Route host console input (COM1) to this VM's virtual UART; NULL: the
 * stats key only. */
void sched_set_console_vm(struct vm *vm);
/* End slices with the LAPIC timer even where the VMX-preemption timer
 * exists (vireo.sched_timer=lapic); it is always used where it does not. */
void sched_use_lapic_slices(bool on);
/* Run the invariant checker (queues consistent) at every switch; on by
 * default, off for benchmarks. */
void sched_set_debug_checks(bool on);
/* Switch / migration / overhead figures since the last reset (bench-sched). */
void sched_cost_reset(void);
void sched_cost_print(void);
/* Invariant violations seen by the checker at switches (must stay 0). */
unsigned sched_check_failures(void);

#endif
