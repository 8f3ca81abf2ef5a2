/* SPDX-License-Identifier: MIT */
/*
 * The per-CPU scheduling loop (sched/run.h). The queueing policy lives in
 * sched/sched.c; this file drives vCPUs through the backend interface
 * (guest/vcpu.h): slices (the backend's timer or the LAPIC's), vcpu_load()
 * which moves a vCPU to this CPU (under VT-x: VMCLEAR by
 * cross-call, VMPTRLD, host state), idle halts, wake-ups, statistics, the
 * VMs' console output (printed a bounded chunk per pass of the loop), and
 * the watchdog that takes a hung CPU out (only the VMs with vCPU state on
 * it stop) so that every wait here stays bounded.
 */
#include "sched/run.h"
#include "sched/console_escape.h"
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
#define SCHED_HANG_CALLS 2	     /* a cross-call wait may last two timeouts */
#define SCHED_HANG_MARGIN_US 1000000 /* beyond those */
#define SCHED_HANG_SLICES 2	     /* a live CPU passes its loop at least once per slice */
#define SCHED_WATCH_PERIOD_US 100000 /* how often the watching CPU looks */
#define SCHED_WATCH_CPU 0	     /* the one that runs sched_run() and reports */
#define SCHED_WHY_LEN VCPU_STOP_REASON_LEN
#define SCHED_TEST_HANG_NONE UINT32_MAX
#define US_PER_MS 1000

static struct sched sched;
static struct sched_rq rqs[MAX_CPUS];
static struct spinlock lock = SPINLOCK_INIT;
static uint64_t slice_tsc;
static struct vm *vms[SCHED_MAX_VMS];
static unsigned nvms;
static volatile bool running;
static volatile uint64_t deadline_tsc;
static struct cpumask in_loop;		     /* CPUs inside cpu_loop(); under the lock */
static volatile uint64_t beat_tsc[MAX_CPUS]; /* each CPU's last pass through its loop */
static uint64_t hang_tsc;		     /* silent this long: the CPU is lost */
static uint64_t next_watch_tsc;
static struct {
	uint32_t cpu, slice, seen;
	enum sched_hang_point at;
} test_hang = {SCHED_TEST_HANG_NONE, 0, 0, SCHED_HANG_RUNNING};
static void (*tick_hook)(void);
static unsigned check_failures;
static bool debug_checks = true;
static bool lapic_slices;
static struct vm *console_vm;
static struct console_escape console_esc;
static bool consoles_draining; /* one CPU prints VMs' console lines at a time */
static unsigned console_next;  /* the VM whose lines go first at the next pass */

/* Cost accounting for `make bench-sched` (TSC ticks, summed over CPUs). */
static struct {
	uint64_t switch_tsc, switches;	  /* VMPTRLD of another vCPU on this CPU */
	uint64_t migrate_tsc, migrations; /* VMCLEAR by cross-call + VMPTRLD + host state */
	uint64_t loop_tsc, guest_tsc;	  /* all loop time / time inside vcpu_run */
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
		if (smp_cpu_silent(i)) /* hung in an earlier run: lost for good */
			sched_cpu_lost(&sched, i, 0, 0);
		else /* vCPUs need VMX on */
			sched_cpu_set_online(&sched, i, vcpu_backend_cpu_usable(i));
		smp_percpu(i)->sched = &rqs[i]; /* each CPU's run queue, from its area */
	}
	cpumask_zero(&in_loop);
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

void sched_test_hang(unsigned cpu, unsigned slice, enum sched_hang_point at)
{
	test_hang.slice = slice;
	test_hang.seen = 0;
	test_hang.at = at;
	test_hang.cpu = cpu;
}

static void kick(unsigned cpu)
{
	if (cpu != this_cpu()->cpu_id && smp_cpu_online(cpu) && !smp_cpu_silent(cpu))
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
	if (sv->kick_tsc) {
		sv->stop_lag_tsc = cpu_rdtsc() - sv->kick_tsc;
		sv->kick_tsc = 0;
	}
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
			sv_of(e)->kick_tsc = cpu_rdtsc();
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

/* Why e's VM must stop now that cpu is lost (its running vCPU `cur`, one
 * whose state is still loaded there, or one that may run nowhere else), or
 * NULL if it need not. */
static const char *lost_reason(struct sched_entity *e, const struct sched_entity *cur, unsigned cpu)
{
	if (e == cur)
		return "vCPU %u's state is on cpu %u, which stopped answering while running it";
	if (vcpu_loaded_cpu(sv_of(e)->v) == (int32_t)cpu)
		return "vCPU %u's state is on cpu %u, which stopped answering";
	if (e->state != SCHED_STOPPED && !cpumask_intersects(&e->allowed, &sched.online) &&
	    cpumask_intersects(&e->allowed, &sched.lost))
		return "vCPU %u may run only on CPUs that stopped answering (cpu %u last)";
	return NULL;
}

/* Stop each VM that lost_reason() names, with that report; returns how
 * many. Only that CPU could release a vCPU state loaded there. The caller
 * holds the lock. */
static unsigned stop_vms_on(unsigned cpu, const struct sched_entity *cur)
{
	char why[SCHED_WHY_LEN];
	unsigned n = 0;

	for (unsigned i = 0; i < sched_entity_count(&sched); i++) {
		struct sched_entity *e = sched_entity_at(&sched, i);
		struct sched_vcpu *sv = sv_of(e);
		const char *fmt = sv->vm->stopped ? NULL : lost_reason(e, cur, cpu);

		if (!fmt)
			continue;
		fmt_snprintf(why, sizeof(why), fmt, sv->idx, cpu);
		vm_stop(sv->vm, why);
		end_vcpus_of(sv->vm);
		n++;
	}
	return n;
}

/*
 * cpu stopped answering: no cross-call reaches it again, no vCPU is placed
 * on it again (its queue moves elsewhere), and only the VMs that had vCPU
 * state there stop. Once per CPU, from any CPU.
 */
static void cpu_lost(unsigned cpu, const char *why)
{
	uint64_t flags = spin_lock_irqsave(&lock);
	unsigned moved, stranded, stopped;
	struct sched_entity *cur;

	if (cpu >= smp_num_cpus() || cpumask_test(&sched.lost, cpu)) {
		spin_unlock_irqrestore(&lock, flags);
		return;
	}
	pr_err("sched: cpu %u stopped answering (%s); taking it out of scheduling for good\n", cpu,
	       why);
	smp_set_silent(cpu);
	cpumask_clear(&in_loop, cpu);
	cur = sched_cpu_lost(&sched, cpu, &moved, &stranded);
	stopped = stop_vms_on(cpu, cur);
	spin_unlock_irqrestore(&lock, flags);
	pr_err("sched: cpu %u is out: %u VMs with vCPU state there stopped, %u queued vCPUs moved "
	       "to other CPUs, %u wait for a CPU they may use\n",
	       cpu, stopped, moved, stranded);
}

/* Bring sv's vCPU here. On failure its VM stops with a report; a CPU that
 * did not release the vCPU's state in time is lost first. */
static bool load_here(unsigned cpu, struct sched_vcpu *sv)
{
	enum err e = bring_vcpu_here(sv);
	char why[SCHED_WHY_LEN];
	int32_t from;

	if (e == E_OK)
		return true;
	from = vcpu_loaded_cpu(sv->v); /* a failed move leaves it where it was */
	if (e == E_TIMEOUT && from != VCPU_NO_CPU && from != (int32_t)cpu) {
		fmt_snprintf(why, sizeof(why), "it did not release vCPU %u of %s for cpu %u",
			     sv->idx, sv->vm->name, cpu);
		cpu_lost((unsigned)from, why);
	}
	if (!sv->vm->stopped) {
		fmt_snprintf(why, sizeof(why), "vCPU %u could not be loaded on cpu %u: %s", sv->idx,
			     cpu, err_text(e));
		sched_kill_vm(sv->vm, why);
	}
	return false;
}

/* sched_test_hang(): is this the point and slice where this CPU hangs? */
static bool test_hang_due(unsigned cpu, enum sched_hang_point at)
{
	if (__builtin_expect(cpu != test_hang.cpu, 1) || at != test_hang.at)
		return false;
	return ++test_hang.seen == test_hang.slice;
}

/* The test hang itself: interrupts are already off, so no cross-call is
 * taken after the decision. */
static void test_hang_now(unsigned cpu, const struct sched_vcpu *sv)
{
	pr_warn("sched: test hang: cpu %u hangs now (interrupts off, spinning) on its slice %u, "
		"with vCPU %u of %s loaded %s\n",
		cpu, test_hang.slice, sv->idx, sv->vm->name,
		test_hang.at == SCHED_HANG_RUNNING ? "to run" : "and put back");
	for (;;)
		cpu_pause();
}

static void run_one(unsigned cpu, struct sched_vcpu *sv)
{
	enum vcpu_action act = VCPU_STOP;
	uint64_t t0 = cpu_rdtsc();
	bool here = !sv->vm->stopped && load_here(cpu, sv), hang;

	if (here) {
		cpumask_set(&sv->ran_on, cpu);
		if (test_hang_due(cpu, SCHED_HANG_RUNNING)) {
			cpu_irq_save();
			test_hang_now(cpu, sv);
		}
	}
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
	hang = here && test_hang_due(cpu, SCHED_HANG_AFTER_PUT);
	if (hang)
		cpu_irq_save();
	put_back(cpu, sv, act, t0);
	if (hang)
		test_hang_now(cpu, sv);
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

/* Ctrl-A N: the keyboard goes to the N-th VM, if it still runs. */
static void console_switch(int to)
{
	vm_console_live_break();
	if (to >= (int)nvms || vms[to]->stopped) {
		pr_info("vireo: Ctrl-A %d: there is no running VM %d (%u VMs started); console "
			"input stays with %s\n",
			to + 1, to + 1, nvms, console_vm ? console_vm->name : "none");
		return;
	}
	sched_set_console_vm(vms[to]);
	pr_info("vireo: console input now goes to VM %d, %s (Ctrl-A 1-%u switches)\n", to + 1,
		console_vm->name, nvms);
}

/* A key no VM takes: STATS_KEY prints the statistics. */
static void console_key_unclaimed(uint8_t c)
{
	if (c != STATS_KEY)
		return;
	pr_info("sched: statistics on request (key '%c'):\n", STATS_KEY);
	sched_stats_print();
}

/* Once a VM has had the keyboard, Ctrl-A N works even after that VM has
 * stopped: the person can still move to the VMs that run. */
static void poll_console(void)
{
	uint8_t out[CONSOLE_ESCAPE_OUT_MAX];
	int c = uart_getc_nonblock(), to;
	unsigned n;

	if (c < 0)
		return;
	if (!console_vm) {
		console_key_unclaimed((uint8_t)c);
		return;
	}
	n = console_escape_feed(&console_esc, (uint8_t)c, out, &to);
	if (to != CONSOLE_ESCAPE_NONE)
		console_switch(to);
	for (unsigned i = 0; i < n; i++) {
		if (console_vm->stopped)
			console_key_unclaimed(out[i]);
		else
			vm_console_input(console_vm, out[i]);
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
	if (console_vm)
		vm_console_set_live(&console_vm->console, false);
	if (vm)
		vm_console_set_live(&vm->console, true);
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

/* The first online CPU cross-calls found silent, else CPUMASK_BITS. */
static unsigned first_silent_online(void)
{
	for (unsigned c = cpumask_first(&sched.online); c < CPUMASK_BITS;
	     c = cpumask_next(&sched.online, c)) {
		if (smp_cpu_silent(c))
			return c;
	}
	return CPUMASK_BITS;
}

/* On the watching CPU, every SCHED_WATCH_PERIOD_US: a CPU in the loop whose
 * beat is older than hang_tsc, or one a cross-call found silent, is lost. */
static void watch_cpus(uint64_t now)
{
	char why[SCHED_WHY_LEN];
	uint64_t flags;
	unsigned stale, silent;

	if (now < next_watch_tsc)
		return;
	next_watch_tsc = now + tsc_from_us(SCHED_WATCH_PERIOD_US);
	flags = spin_lock_irqsave(&lock);
	stale = sched_find_silent(&sched, &in_loop, beat_tsc, now, hang_tsc);
	silent = first_silent_online();
	spin_unlock_irqrestore(&lock, flags);
	if (stale < CPUMASK_BITS) {
		fmt_snprintf(why, sizeof(why), "its scheduling loop made no progress for %llu ms",
			     (unsigned long long)tsc_to_us(now - beat_tsc[stale]) / US_PER_MS);
		cpu_lost(stale, why);
	}
	if (silent < CPUMASK_BITS)
		cpu_lost(silent, "it did not run a cross-call");
}

static void set_in_loop(unsigned cpu, bool in)
{
	uint64_t flags = spin_lock_irqsave(&lock);

	beat_tsc[cpu] = cpu_rdtsc();
	if (in && !cpumask_test(&sched.lost, cpu))
		cpumask_set(&in_loop, cpu);
	else
		cpumask_clear(&in_loop, cpu);
	spin_unlock_irqrestore(&lock, flags);
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

	set_in_loop(cpu, true);
	__asm__ volatile("sti" ::: "memory"); /* cross-call waits need interrupts on */
	while (running && cpumask_test(&sched.online, cpu) && !all_stopped() &&
	       (!deadline_tsc || cpu_rdtsc() < deadline_tsc)) {
		struct sched_entity *e;
		uint64_t flags = spin_lock_irqsave(&lock), now = cpu_rdtsc();

		beat_tsc[cpu] = now; /* the watchdog's sign of life */
		wake_sleepers(now);
		e = sched_pick(&sched, cpu);
		if (!e)
			e = sched_balance(&sched, cpu) ? sched_pick(&sched, cpu) : 0;
		spin_unlock_irqrestore(&lock, flags);
		if (e)
			run_one(cpu, sv_of(e));
		else
			idle();
		drain_consoles();
		if (cpu == SCHED_WATCH_CPU) {
			poll_console();
			if (tick_hook)
				tick_hook();
			watch_cpus(now);
		}
		check_timeouts();
	}
	__atomic_add_fetch(&cost.loop_tsc, cpu_rdtsc() - t0, __ATOMIC_RELAXED);
	set_in_loop(cpu, false);
}

static void ap_loop(void *arg)
{
	(void)arg;
	cpu_loop();
}

/* Silent this long, a CPU is lost: the longest cross-call wait (a live CPU
 * may be in one), a margin, and the longest slices. */
static uint64_t hang_limit(void)
{
	uint64_t longest = slice_tsc;

	for (unsigned i = 0; i < sched_entity_count(&sched); i++) {
		uint64_t t = sv_of(sched_entity_at(&sched, i))->slice_tsc;

		longest = t > longest ? t : longest;
	}
	return SCHED_HANG_SLICES * longest +
	       tsc_from_us(SCHED_HANG_CALLS * SMP_CALL_TIMEOUT_US + SCHED_HANG_MARGIN_US);
}

static unsigned first_in_loop(void)
{
	uint64_t flags = spin_lock_irqsave(&lock);
	unsigned cpu = cpumask_first(&in_loop);

	spin_unlock_irqrestore(&lock, flags);
	return cpu;
}

/* Bounded: a CPU still in its loop hang_tsc after the end is lost. */
static void wait_cpus_leave(void)
{
	uint64_t deadline = cpu_rdtsc() + hang_tsc;
	char why[SCHED_WHY_LEN];
	unsigned cpu;

	while ((cpu = first_in_loop()) < CPUMASK_BITS) {
		if (cpu_rdtsc() > deadline) {
			fmt_snprintf(
			    why, sizeof(why),
			    "it did not leave its scheduling loop within %llu ms of the end",
			    (unsigned long long)tsc_to_us(hang_tsc) / US_PER_MS);
			cpu_lost(cpu, why);
		}
		cpu_pause();
	}
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
	hang_tsc = hang_limit();
	next_watch_tsc = 0;
	running = true;
	smp_set_idle_work(ap_loop, 0);
	for (unsigned i = 1; i < smp_num_cpus(); i++)
		kick(i);
	cpu_loop();
	running = false;
	smp_set_idle_work(0, 0);
	wait_cpus_leave();
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

/* Release sv's vCPU from its CPU (by cross-call); false if that CPU does
 * not answer, so the vCPU's state must stay where it is. */
static bool release_vcpu(struct sched_vcpu *sv)
{
	int32_t where = vcpu_loaded_cpu(sv->v);
	enum err e = vcpu_put(sv->v);

	if (e != E_OK)
		pr_err(
		    "sched: %s vCPU %u: its state stays on cpu %d, which did not release it: %s\n",
		    sv->vm->name, sv->idx, where, err_text(e));
	return e == E_OK;
}

void sched_vm_release(struct vm *vm)
{
	bool held = false;

	for (unsigned i = 0; i < sched_entity_count(&sched);) {
		struct sched_vcpu *sv = sv_of(sched_entity_at(&sched, i));

		if (sv->vm != vm) {
			i++;
			continue;
		}
		held |= !release_vcpu(sv);
		if (sched_remove(&sched, &sv->se) != E_OK) {
			pr_err("sched: %s vCPU %u could not be unregistered\n", vm->name, sv->idx);
			i++;
			continue;
		}
		kfree(sv);
	}
	for (unsigned i = 0; i < nvms; i++) {
		if (vms[i] == vm) {
			vms[i] = vms[--nvms];
			break;
		}
	}
	if (held)
		pr_err(
		    "sched: %s is not freed: a CPU that stopped answering may still use its vCPU "
		    "state and memory\n",
		    vm->name);
	else
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

	pr_info(
	    "sched: vCPU switch on one CPU (VMPTRLD + bookkeeping): %llu ticks (%llu switches)\n",
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

/* Every exit reason a vCPU met, by name, like kvm_stat's per-reason rows;
 * and how soon it left the guest when its VM stopped while it ran. */
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
	if (sv->stop_lag_tsc)
		pr_info("sched:   %s/%u left the guest %llu us after its VM stopped (kicked)\n",
			sv->vm->name, sv->idx, (unsigned long long)tsc_to_us(sv->stop_lag_tsc));
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
