/* SPDX-License-Identifier: MIT */
/*
 * The per-CPU scheduling loop (sched/run.h). The queueing policy lives in
 * sched/sched.c; this file drives vCPUs through the backend interface
 * (guest/vcpu.h): slices (the backend's timer or the LAPIC's), vcpu_load()
 * which moves a vCPU to this CPU (under VT-x: VMCLEAR by
 * cross-call, VMPTRLD, host state), idle halts, wake-ups, statistics, and
 * the VMs' console output, printed a bounded chunk per pass of the loop.
 */
#include "sched/run.h"
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/spinlock.h"
#include "arch/x86/traps.h"
#include "arch/x86/tsc.h"
#include "arch/x86/uart.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "smp/smp.h"
#include "guest/vcpu.h"

#define IDLE_WAIT_US 500
#define STATS_KEY 's'
#define SCHED_STATS_LINE 400 /* one vCPU's exits-by-reason line */
#define SCHED_CPUS_TEXT 48

static struct sched sched;
static struct sched_rq rqs[MAX_CPUS];
static struct spinlock lock = SPINLOCK_INIT;
static uint64_t slice_tsc;
static struct vm *vms[SCHED_MAX_VMS];
static unsigned nvms;
static volatile bool running;
static volatile uint64_t deadline_tsc;
static volatile unsigned cpus_in_loop;
static void (*tick_hook)(void);
static unsigned check_failures;
static bool debug_checks = true;
static bool lapic_slices;
static struct vm *console_vm;
static bool consoles_draining; /* one CPU prints VMs' console lines at a time */
static unsigned console_next;  /* the VM whose lines go first at the next pass */

/* Cost accounting for `make bench-sched` (TSC ticks, summed over CPUs). */
static struct {
	uint64_t switch_tsc, switches;     /* VMPTRLD of another vCPU on this CPU */
	uint64_t migrate_tsc, migrations;  /* VMCLEAR by cross-call + VMPTRLD + host state */
	uint64_t loop_tsc, guest_tsc;	   /* all loop time / time inside vcpu_run */
} cost;

static void resched_irq(struct trap_frame *f)
{
	(void)f;
	lapic_eoi();
}

/* The LAPIC timer wakes idle CPUs and, where the VMX-preemption timer is
 * missing (or vireo.sched_timer=lapic), ends slices: the external-interrupt
 * exit then reports VCPU_PREEMPT. */
static void slice_timer_irq(struct trap_frame *f)
{
	(void)f;
	this_cpu()->need_resched = true;
	lapic_eoi();
}

void sched_run_init(uint64_t slice_us)
{
	sched_init(&sched, rqs, smp_num_cpus());
	for (unsigned i = 0; i < smp_num_cpus(); i++) {
		sched_cpu_set_online(&sched, i, vcpu_backend_cpu_usable(i)); /* vCPUs need VMX on */
		smp_percpu(i)->sched = &rqs[i]; /* each CPU's run queue, from its area */
	}
	slice_tsc = tsc_from_us(slice_us ? slice_us : SCHED_DEFAULT_SLICE_US);
	sched_set_slice(&sched, slice_tsc); /* `ran` is measured in TSC ticks */
	nvms = 0;
	check_failures = 0;
	traps_register(VECTOR_RESCHEDULE, resched_irq);
	traps_register(VECTOR_TIMER, slice_timer_irq);
}

static struct sched_vcpu *sv_of(struct sched_entity *e)
{
	return e->owner;
}

struct sched_vcpu *sched_vcpu_of(struct vm *vm, unsigned idx)
{
	for (unsigned i = 0; i < sched_entity_count(&sched); i++) {
		struct sched_vcpu *sv = sv_of(sched_entity_at(&sched, i));

		if (sv->vm == vm && sv->idx == idx)
			return sv;
	}
	return 0;
}

static void kick(unsigned cpu)
{
	if (cpu != this_cpu()->cpu_id && smp_cpu_online(cpu))
		lapic_send_ipi(smp_percpu(cpu)->apic_id, LAPIC_DM_FIXED, VECTOR_RESCHEDULE);
}

/* A platform VM wants vCPU idx to run soon (an interrupt, INIT or SIPI
 * for it): wake it if blocked; if it is running or queued, keep its next
 * HLT from blocking and make a running one leave the guest. */
static void wake_vcpu(struct vm *vm, unsigned idx)
{
	struct sched_vcpu *sv = sched_vcpu_of(vm, idx);
	uint64_t flags;

	if (!sv)
		return;
	flags = spin_lock_irqsave(&lock);
	if (sv->se.state == SCHED_BLOCKED) {
		sv->wake_tsc = 0;
		if (sched_wake(&sched, &sv->se))
			kick(sv->se.cpu);
	} else {
		sv->wake_pending = true;
		if (sv->se.state == SCHED_RUNNING)
			kick(sv->se.cpu);
	}
	spin_unlock_irqrestore(&lock, flags);
}

/* vCPUs are created on the BSP and VMCLEARed there, so any CPU may load them. */
enum err sched_vm_start(struct vm *vm, const struct cpumask *allowed)
{
	uint64_t flags;
	enum err e = E_OK;

	if (nvms == SCHED_MAX_VMS)
		return E_RANGE;
	vms[nvms++] = vm;
	vm->wake = wake_vcpu;
	for (unsigned i = 0; i < vm->nvcpus && e == E_OK; i++) {
		struct sched_vcpu *sv = kzalloc(sizeof(*sv));

		if (!sv)
			return E_NOMEM;
		sv->v = vm->vcpus[i];
		sv->vm = vm;
		sv->idx = i;
		vcpu_put(sv->v);
		sv->se.id = sched_entity_count(&sched);
		sv->se.owner = sv;
		if (allowed)
			sv->se.allowed = *allowed;
		else
			sv->se.allowed = sched.online;
		flags = spin_lock_irqsave(&lock);
		e = sched_add(&sched, &sv->se, (int)(i % smp_num_online()));
		spin_unlock_irqrestore(&lock, flags);
		if (e == E_OK)
			kick(sv->se.cpu);
	}
	return e;
}

/* Make sv's vCPU runnable on this CPU (vcpu_load(): moved from the CPU it
 * was loaded on if need be), and count what that cost. */
static enum err bring_vcpu_here(struct sched_vcpu *sv)
{
	uint64_t t0 = cpu_rdtsc();
	enum vcpu_load_kind how;
	enum err e = vcpu_load(sv->v, &how);

	if (how == VCPU_LOAD_MOVE) {
		__atomic_add_fetch(&cost.migrate_tsc, cpu_rdtsc() - t0, __ATOMIC_RELAXED);
		__atomic_add_fetch(&cost.migrations, 1, __ATOMIC_RELAXED);
	} else if (how == VCPU_LOAD_SWITCH) {
		__atomic_add_fetch(&cost.switch_tsc, cpu_rdtsc() - t0, __ATOMIC_RELAXED);
		__atomic_add_fetch(&cost.switches, 1, __ATOMIC_RELAXED);
	}
	return e;
}

static enum sched_put_reason reason_of(enum vcpu_action act)
{
	switch (act) {
	case VCPU_BLOCK:
		return SCHED_BLOCK;
	case VCPU_YIELD:
		return SCHED_YIELD;
	case VCPU_STOP:
		return SCHED_STOP;
	default:
		return SCHED_SLICE_END;
	}
}

static void wake_sleepers(uint64_t now)
{
	for (unsigned i = 0; i < sched_entity_count(&sched); i++) {
		struct sched_entity *e = sched_entity_at(&sched, i);

		if (e->state == SCHED_BLOCKED && sv_of(e)->wake_tsc && sv_of(e)->wake_tsc <= now) {
			sv_of(e)->wake_tsc = 0;
			sched_wake(&sched, e);
			kick(e->cpu);
		}
	}
}

static void check_invariants(void)
{
	char why[160];

	if (!sched_check(&sched, why, sizeof(why))) {
		check_failures++;
		pr_err("sched: invariant broken: %s\n", why);
	}
}

/* Move to the next CPU that may run vCPUs (wrapping around). */
static void rotate_affinity(struct sched_vcpu *sv)
{
	struct cpumask one;
	unsigned next = cpumask_next(&sched.online, sv->rotate_cpu);

	sv->rotate_cpu = next < CPUMASK_BITS ? next : cpumask_first(&sched.online);
	cpumask_zero(&one);
	cpumask_set(&one, sv->rotate_cpu);
	sched_set_affinity(&sched, &sv->se, &one);
}

static void put_back(unsigned cpu, struct sched_vcpu *sv, enum vcpu_action act, uint64_t ran)
{
	uint64_t flags = spin_lock_irqsave(&lock);

	if (act == VCPU_BLOCK && sv->wake_pending)
		act = VCPU_YIELD; /* woken while it decided to block */
	sv->wake_pending = false;
	if (act == VCPU_BLOCK)
		sv->wake_tsc = sv->vm->platform ? vm_vcpu_wake_tsc(sv->vm, sv->idx)
						: cpu_rdtsc() + tsc_from_us(SCHED_HLT_WAKE_US);
	if (sv->vm->stopped || sv->vm->vcpu_ended[sv->idx])
		act = VCPU_STOP;
	sched_put(&sched, cpu, &sv->se, reason_of(act), ran);
	if (sv->rotate && act != VCPU_STOP)
		rotate_affinity(sv);
	if (debug_checks)
		check_invariants();
	spin_unlock_irqrestore(&lock, flags);
}

/*
 * A stopped VM's vCPUs end promptly: queued ones when next picked, blocked
 * ones woken for that, running ones asked to leave the guest (their CPU
 * kicked) instead of finishing their slice. The caller holds the lock.
 */
static void end_vcpus_of(struct vm *vm)
{
	for (unsigned i = 0; i < sched_entity_count(&sched); i++) {
		struct sched_entity *e = sched_entity_at(&sched, i);

		if (sv_of(e)->vm != vm)
			continue;
		if (e->state == SCHED_RUNNING && e->cpu != (int32_t)this_cpu()->cpu_id) {
			sv_of(e)->v->exit_request = true;
			kick(e->cpu);
		} else if (e->state == SCHED_BLOCKED && sched_wake(&sched, e)) {
			kick(e->cpu);
		}
	}
}

static void end_siblings(struct vm *vm)
{
	uint64_t flags = spin_lock_irqsave(&lock);

	end_vcpus_of(vm);
	spin_unlock_irqrestore(&lock, flags);
}

static void run_one(unsigned cpu, struct sched_vcpu *sv)
{
	enum vcpu_action act = VCPU_STOP;
	uint64_t t0 = cpu_rdtsc();
	bool here = !sv->vm->stopped && bring_vcpu_here(sv) == E_OK;

	if (here)
		cpumask_set(&sv->ran_on, cpu);
	if (here && !vm_vcpu_prepare(sv->vm, sv->idx)) {
		act = VCPU_BLOCK; /* waits for SIPI, or halted with nothing pending */
	} else if (here) {
		uint64_t g0 = cpu_rdtsc();

		uint64_t slice = sv->slice_tsc ? sv->slice_tsc : slice_tsc;
		/* Interrupts stay off from arming the timer to VM entry: a tick
		 * in between stays pending and exits the guest at once. */
		uint64_t irq = cpu_irq_save();

		this_cpu()->need_resched = false;
		if (lapic_slices || !vcpu_backend_has_slice_timer()) {
			vcpu_set_slice(sv->v, 0);
			lapic_timer_start(lapic_timer_ticks_for_us(tsc_to_us(slice)), VECTOR_TIMER,
					  false);
		} else {
			vcpu_set_slice(sv->v, slice);
		}
		act = vcpu_run(sv->v);
		lapic_timer_stop();
		cpu_irq_restore(irq);
		__atomic_add_fetch(&cost.guest_tsc, cpu_rdtsc() - g0, __ATOMIC_RELAXED);
		if (act == VCPU_STOP && sv->v->stopped)
			vm_stop(sv->vm, sv->v->stop_reason);
		if (act == VCPU_STOP && sv->vm->stopped)
			end_siblings(sv->vm);
	}
	t0 = cpu_rdtsc() - t0;
	__atomic_add_fetch(&sv->vm->run_tsc, t0, __ATOMIC_RELAXED);
	put_back(cpu, sv, act, t0);
}

static bool all_stopped(void)
{
	for (unsigned i = 0; i < nvms; i++) {
		if (!vms[i]->stopped)
			return false;
	}
	return true;
}

static void idle(void)
{
	lapic_timer_start(lapic_timer_ticks_for_us(IDLE_WAIT_US), VECTOR_TIMER, false);
	__asm__ volatile("sti; hlt" ::: "memory");
}

static void poll_console(void)
{
	int c = uart_getc_nonblock();

	if (c < 0)
		return;
	if (console_vm && !console_vm->stopped)
		vm_console_input(console_vm, (uint8_t)c);
	else if (c == STATS_KEY) {
		pr_info("sched: statistics on request (key '%c'):\n", STATS_KEY);
		sched_stats_print();
	}
}

void sched_set_tick_hook(void (*fn)(void))
{
	tick_hook = fn;
}

void sched_clear_ran_on(void)
{
	uint64_t flags = spin_lock_irqsave(&lock);

	for (unsigned i = 0; i < sched_entity_count(&sched); i++)
		cpumask_zero(&sv_of(sched_entity_at(&sched, i))->ran_on);
	spin_unlock_irqrestore(&lock, flags);
}

void sched_set_console_vm(struct vm *vm)
{
	console_vm = vm;
}

/* A VM past its run-time limit (vireo.vm=...,timeout_ms=) is stopped. */
static void check_timeouts(void)
{
	uint64_t now = cpu_rdtsc();
	char why[80];

	for (unsigned i = 0; i < nvms; i++) {
		struct vm *vm = vms[i];

		if (vm->timeout_tsc && now >= vm->timeout_tsc && !vm->stopped) {
			fmt_snprintf(why, sizeof(why), "run-time limit of %llu ms reached",
				     (unsigned long long)vm->timeout_us / 1000);
			sched_kill_vm(vm, why);
		}
	}
}

/*
 * Print some of the VMs' queued console lines: about one drain budget in
 * all, the VMs taking turns at going first. Only one CPU at a time (the
 * others go on scheduling), with interrupts on between lines.
 */
static void drain_consoles(void)
{
	size_t budget = VM_CONSOLE_DRAIN_BUDGET;
	unsigned n = __atomic_load_n(&nvms, __ATOMIC_RELAXED), i = 0;

	while (i < n && !vm_console_pending(&vms[i]->console))
		i++;
	if (i == n || __atomic_exchange_n(&consoles_draining, true, __ATOMIC_ACQUIRE))
		return;
	console_next = (console_next + 1) % n;
	for (i = 0; i < n && budget; i++) {
		size_t done = vm_console_drain(&vms[(console_next + i) % n]->console, budget);

		budget -= done < budget ? done : budget;
	}
	__atomic_store_n(&consoles_draining, false, __ATOMIC_RELEASE);
}

/* One CPU's loop; returns when every VM has stopped or time is up. */
static void cpu_loop(void)
{
	unsigned cpu = this_cpu()->cpu_id;
	uint64_t t0 = cpu_rdtsc();

	__atomic_add_fetch(&cpus_in_loop, 1, __ATOMIC_SEQ_CST);
	__asm__ volatile("sti" ::: "memory"); /* cross-call waits need interrupts on */
	while (running && cpumask_test(&sched.online, cpu) && !all_stopped() &&
	       (!deadline_tsc || cpu_rdtsc() < deadline_tsc)) {
		struct sched_entity *e;
		uint64_t flags = spin_lock_irqsave(&lock);

		wake_sleepers(cpu_rdtsc());
		e = sched_pick(&sched, cpu);
		if (!e)
			e = sched_balance(&sched, cpu) ? sched_pick(&sched, cpu) : 0;
		spin_unlock_irqrestore(&lock, flags);
		if (e)
			run_one(cpu, sv_of(e));
		else
			idle();
		drain_consoles();
		if (cpu == 0)
			poll_console();
		if (cpu == 0 && tick_hook)
			tick_hook();
		check_timeouts();
	}
	__atomic_add_fetch(&cost.loop_tsc, cpu_rdtsc() - t0, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&cpus_in_loop, 1, __ATOMIC_SEQ_CST);
}

static void ap_loop(void *arg)
{
	(void)arg;
	cpu_loop();
}

void sched_run(uint64_t max_us)
{
	uint64_t flags = cpu_irq_save();

	deadline_tsc = max_us ? cpu_rdtsc() + tsc_from_us(max_us) : 0;
	for (unsigned i = 0; i < nvms; i++) {
		vms[i]->start_tsc = cpu_rdtsc();
		vms[i]->timeout_tsc =
			vms[i]->timeout_us ? vms[i]->start_tsc + tsc_from_us(vms[i]->timeout_us) : 0;
	}
	running = true;
	smp_set_idle_work(ap_loop, 0);
	for (unsigned i = 1; i < smp_num_cpus(); i++)
		kick(i);
	cpu_loop();
	running = false;
	smp_set_idle_work(0, 0);
	while (__atomic_load_n(&cpus_in_loop, __ATOMIC_SEQ_CST))
		cpu_pause();
	for (unsigned i = 0; i < nvms; i++)
		vm_console_flush(&vms[i]->console); /* before any VM's report */
	lapic_timer_stop();
	cpu_irq_save();
	cpu_irq_restore(flags);
}

void sched_vm_set_slice(struct vm *vm, uint64_t slice_us)
{
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct sched_vcpu *sv = sched_vcpu_of(vm, i);

		if (sv)
			sv->slice_tsc = tsc_from_us(slice_us);
	}
}

/* On the CPU going down: release every vCPU last loaded here. */
static void vmclear_all_here(void *arg)
{
	unsigned cpu = this_cpu()->cpu_id;
	uint64_t flags = spin_lock_irqsave(&lock);

	(void)arg;
	for (unsigned i = 0; i < sched_entity_count(&sched); i++) {
		struct sched_vcpu *sv = sv_of(sched_entity_at(&sched, i));

		if (sv->v->last_cpu == (int32_t)cpu)
			vcpu_put(sv->v);
	}
	spin_unlock_irqrestore(&lock, flags);
}

enum err sched_cpu_down(unsigned cpu)
{
	unsigned stranded = 0, moved;
	uint64_t flags;

	if (cpu == this_cpu()->cpu_id || !smp_cpu_online(cpu))
		return E_STATE;
	flags = spin_lock_irqsave(&lock);
	if (!cpumask_test(&sched.online, cpu)) {
		spin_unlock_irqrestore(&lock, flags);
		return E_STATE;
	}
	moved = sched_cpu_offline(&sched, cpu, &stranded);
	spin_unlock_irqrestore(&lock, flags);
	pr_info("sched: cpu %u down%s: %u vCPUs moved to other CPUs, %u wait for a CPU they "
		"may use\n",
		cpu, running ? " while VMs run" : "", moved, stranded);
	if (running) {
		kick(cpu); /* leave its loop once its current vCPU is put */
		return E_OK;
	}
	return smp_call(cpu, vmclear_all_here, 0);
}

enum err sched_cpu_up(unsigned cpu)
{
	uint64_t flags;
	enum err e;

	if (running || !smp_cpu_online(cpu))
		return E_STATE;
	flags = spin_lock_irqsave(&lock);
	e = sched_cpu_set_online(&sched, cpu, true);
	spin_unlock_irqrestore(&lock, flags);
	return e;
}

void sched_kill_vm(struct vm *vm, const char *why)
{
	uint64_t flags = spin_lock_irqsave(&lock);

	vm_stop(vm, why);
	end_vcpus_of(vm);
	spin_unlock_irqrestore(&lock, flags);
}

void sched_vm_release(struct vm *vm)
{
	for (unsigned i = 0; i < sched_entity_count(&sched); i++) {
		struct sched_vcpu *sv = sv_of(sched_entity_at(&sched, i));

		if (sv->vm != vm)
			continue;
		vcpu_put(sv->v); /* by cross-call on the CPU it is loaded on */
		if (sched_remove(&sched, &sv->se) != E_OK)
			pr_err("sched: %s vCPU %u could not be unregistered\n", vm->name, sv->idx);
		kfree(sv);
		i--;
	}
	for (unsigned i = 0; i < nvms; i++) {
		if (vms[i] == vm) {
			vms[i] = vms[--nvms];
			break;
		}
	}
	vm_destroy(vm);
}

void sched_use_lapic_slices(bool on)
{
	lapic_slices = on;
}

void sched_set_debug_checks(bool on)
{
	debug_checks = on;
}

void sched_cost_reset(void)
{
	memset(&cost, 0, sizeof(cost));
}

void sched_cost_print(void)
{
	uint64_t busy = cost.loop_tsc;

	pr_info("sched: vCPU switch on one CPU (VMPTRLD + bookkeeping): %llu ticks (%llu switches)\n",
		(unsigned long long)(cost.switches ? cost.switch_tsc / cost.switches : 0),
		(unsigned long long)cost.switches);
	pr_info("sched: migration (VMCLEAR by cross-call + VMPTRLD + host state): %llu ticks "
		"(%llu migrations)\n",
		(unsigned long long)(cost.migrations ? cost.migrate_tsc / cost.migrations : 0),
		(unsigned long long)cost.migrations);
	pr_info("sched: time outside vmx_vcpu_run: %llu.%02llu%% of the loop time\n",
		(unsigned long long)(busy ? (busy - cost.guest_tsc) * 100 / busy : 0),
		(unsigned long long)(busy ? (busy - cost.guest_tsc) * 10000 / busy % 100 : 0));
}

unsigned sched_check_failures(void)
{
	return check_failures;
}

/* snprintf-style lengths may exceed the buffer: stop at its last byte. */
static size_t clamp_len(size_t len, size_t n)
{
	return len < n ? len : n - 1;
}

/* "0-1,3": the CPUs in m, as ranges, truncated to fit. */
static void cpus_text(const struct cpumask *m, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = 0;
	for (unsigned c = cpumask_first(m); c < CPUMASK_BITS && len + 1 < n;) {
		unsigned last = c;

		while (last + 1 < CPUMASK_BITS && cpumask_test(m, last + 1))
			last++;
		len = clamp_len(len + (size_t)fmt_snprintf(buf + len, n - len,
							    last > c ? "%s%u-%u" : "%s%u",
							    len ? "," : "", c, last),
				n);
		c = cpumask_next(m, last);
	}
}

/* Every exit reason a vCPU met, by name, like kvm_stat's per-reason rows. */
static void exits_by_reason(const struct sched_vcpu *sv)
{
	char line[SCHED_STATS_LINE];
	size_t len = 0;

	const char *name;
	uint64_t count;

	for (unsigned r = 0; len + 1 < sizeof(line) && vcpu_exit_reason(sv->v, r, &name, &count);
	     r++) {
		if (count)
			len = clamp_len(len + (size_t)fmt_snprintf(line + len, sizeof(line) - len,
								   "%s%s %llu", len ? ", " : "",
								   name, (unsigned long long)count),
					sizeof(line));
	}
	if (len)
		pr_info("sched:   %s/%u exits: %s\n", sv->vm->name, sv->idx, line);
}

/* A VM's console: what reached the host and what was dropped. */
static void console_stats(struct vm *vm)
{
	struct vm_console_stats st;

	vm_console_get_stats(&vm->console, &st);
	pr_info("sched:   %s console: %llu lines, %llu bytes shown; guest bytes dropped: %llu "
		"(rate limit), %llu (buffer full)\n",
		vm->name, (unsigned long long)st.lines, (unsigned long long)st.bytes,
		(unsigned long long)st.dropped_rate, (unsigned long long)st.dropped_full);
}

void sched_stats_print(void)
{
	char cpus[SCHED_CPUS_TEXT];

	pr_info("sched: %-8s %4s %10s %8s %8s %8s %9s %8s %8s %8s %s\n", "vm", "vcpu", "run (us)",
		"switches", "migrate", "slices", "exits", "cpuid", "io", "hlt", "cpus");
	for (unsigned i = 0; i < sched_entity_count(&sched); i++) {
		struct sched_vcpu *sv = sv_of(sched_entity_at(&sched, i));
		struct sched_entity *e = &sv->se;

		cpus_text(&sv->ran_on, cpus, sizeof(cpus));
		pr_info("sched: %-8s %4u %10llu %8llu %8llu %8llu %9llu %8llu %8llu %8llu %s\n",
			sv->vm->name, sv->idx, (unsigned long long)tsc_to_us(e->runtime),
			(unsigned long long)e->switches, (unsigned long long)e->migrations,
			(unsigned long long)e->slices, (unsigned long long)vcpu_exits_total(sv->v),
			(unsigned long long)vcpu_exit_count(sv->v, VCPU_EXIT_CPUID),
			(unsigned long long)vcpu_exit_count(sv->v, VCPU_EXIT_IO),
			(unsigned long long)vcpu_exit_count(sv->v, VCPU_EXIT_HLT),
			cpus[0] ? cpus : "-");
	}
	for (unsigned i = 0; i < sched_entity_count(&sched); i++)
		exits_by_reason(sv_of(sched_entity_at(&sched, i)));
	for (unsigned i = 0; i < nvms; i++)
		console_stats(vms[i]);
}
