/* SPDX-License-Identifier: MIT */
/*
 * The "smp" self-test suite: every CPU from the MADT online, per-CPU areas
 * through GS, cross-calls, a contended spinlock, concurrent frame allocation,
 * the LAPIC timer, and the bring-up timeout path.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/spinlock.h"
#include "arch/x86/traps.h"
#include "arch/x86/tsc.h"
#include "kernel/boot.h"
#include "kernel/ktest.h"
#include "mm/pmm.h"
#include "smp/smp.h"

#define COUNTER_ROUNDS_TOTAL 4000 /* split over the online CPUs */
#define FRAMES_PER_CPU 64
#define ABSENT_APIC_ID 0xfe
#define TIMER_PERIOD_US 2000
#define TIMER_WANT_HITS 5
#define TIMER_MAX_PERIODS 200

static bool is_phantom(unsigned cpu)
{
	return smp_percpu(cpu)->apic_id == smp_phantom_apic();
}

/* Every listed CPU is online, except the vireo.smp_phantom_apic= one, which must not be. */
KTEST(smp, all_cpus_online)
{
	const struct boot_state *b = boot_state();
	unsigned phantoms = 0;

	ktest_diag(t, "%u CPUs in the MADT, %u online, bring-up %llu us", b->cpus_listed,
		   smp_num_online(), (unsigned long long)smp_bringup_us());
	KT_ASSERT(t, b->cpus_listed >= 1, "the MADT lists no usable CPU");
	KT_ASSERT(t, smp_num_online() == b->cpus_listed, "%u of %u listed CPUs online",
		  smp_num_online(), b->cpus_listed);
	for (unsigned i = 0; i < smp_num_cpus(); i++) {
		if (is_phantom(i)) {
			phantoms++;
			KT_ASSERT(t, !smp_cpu_online(i),
				  "cpu %u, the phantom APIC ID %u, is online", i,
				  smp_phantom_apic());
			ktest_diag(t, "cpu %u (phantom APIC ID %u) offline, as expected", i,
				   smp_phantom_apic());
			continue;
		}
		KT_ASSERT(t, smp_cpu_online(i), "cpu %u is not online", i);
	}
	KT_ASSERT(t, phantoms == (smp_phantom_apic() != SMP_PHANTOM_NONE),
		  "%u CPUs have the phantom APIC ID", phantoms);
}

struct whoami {
	struct percpu *area;
	uint64_t gs_base;
	uint32_t cpu_id;
	uint32_t apic_id;
	uint32_t lapic_id;
};

static struct whoami who[MAX_CPUS];

static void whoami_fn(void *arg)
{
	struct percpu *p = this_cpu();
	struct whoami *w = &who[p->cpu_id];

	(void)arg;
	w->area = p;
	w->gs_base = cpu_rdmsr(MSR_IA32_GS_BASE);
	w->cpu_id = p->cpu_id;
	w->apic_id = p->apic_id;
	w->lapic_id = lapic_id();
}

KTEST(smp, percpu_and_cross_call)
{
	for (unsigned i = 0; i < smp_num_cpus(); i++) {
		who[i].area = 0;
		if (smp_cpu_online(i))
			KT_ASSERT(t, smp_call(i, whoami_fn, 0) == E_OK,
				  "cross-call to cpu %u failed", i);
	}
	for (unsigned i = 0; i < smp_num_cpus(); i++) {
		struct whoami *w = &who[i];

		if (!smp_cpu_online(i))
			continue;
		KT_ASSERT(t, w->area == smp_percpu(i), "cpu %u: this_cpu() is %p, expected %p", i,
			  (void *)w->area, (void *)smp_percpu(i));
		KT_ASSERT(t, w->gs_base == (uint64_t)(uintptr_t)w->area,
			  "cpu %u: GS base differs from this_cpu()", i);
		KT_ASSERT(t, w->cpu_id == i, "cpu %u reports id %u", i, w->cpu_id);
		KT_ASSERT(t, w->apic_id == w->lapic_id, "cpu %u: APIC ID %u but LAPIC says %u", i,
			  w->apic_id, w->lapic_id);
		for (unsigned j = 0; j < i; j++)
			KT_ASSERT(t,
				  !who[j].area ||
				      (who[j].area != w->area && who[j].apic_id != w->apic_id),
				  "cpus %u and %u share an area or APIC ID", j, i);
	}
}

static struct spinlock counter_lock = SPINLOCK_INIT;
static volatile uint64_t counter;
static struct smp_barrier counter_barrier;

static void counter_fn(void *arg)
{
	unsigned rounds = *(unsigned *)arg;

	smp_barrier_wait(&counter_barrier, smp_num_online());
	for (unsigned i = 0; i < rounds; i++) {
		spin_lock(&counter_lock);
		counter = counter + 1;
		spin_unlock(&counter_lock);
	}
}

KTEST(smp, spinlock_counter)
{
	/* Few rounds per CPU with many CPUs: under TCG each ticket hand-off
	 * may wait for a host thread to be scheduled. */
	unsigned rounds = COUNTER_ROUNDS_TOTAL / smp_num_online();
	uint64_t expect = (uint64_t)rounds * smp_num_online();

	counter = 0;
	KT_ASSERT(t, smp_call_all(counter_fn, &rounds) == E_OK, "smp_call_all failed");
	KT_ASSERT(t, counter == expect, "counter is %llu, expected %llu",
		  (unsigned long long)counter, (unsigned long long)expect);
}

static uint64_t frames[MAX_CPUS][FRAMES_PER_CPU];
static struct smp_barrier alloc_barrier;

static void alloc_fn(void *arg)
{
	uint64_t *mine = frames[this_cpu()->cpu_id];

	(void)arg;
	smp_barrier_wait(&alloc_barrier, smp_num_online());
	for (int i = 0; i < FRAMES_PER_CPU; i++) {
		if (pmm_alloc_page(&mine[i]) != E_OK)
			mine[i] = 0;
	}
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

KTEST(smp, no_frame_twice)
{
	unsigned n = 0;
	uint64_t *all = &frames[0][0];
	size_t before = pmm_free_count();

	KT_ASSERT(t, smp_call_all(alloc_fn, 0) == E_OK, "smp_call_all failed");
	for (unsigned c = 0; c < smp_num_cpus(); c++) { /* the online CPUs' rows, packed */
		if (!smp_cpu_online(c))
			continue;
		for (unsigned i = 0; i < FRAMES_PER_CPU; i++)
			all[n++] = frames[c][i];
	}
	for (unsigned i = 1; i < n; i++) { /* insertion sort: n is small */
		uint64_t v = all[i];
		unsigned j = i;

		for (; j > 0 && cmp_u64(all[j - 1], v) > 0; j--)
			all[j] = all[j - 1];
		all[j] = v;
	}
	for (unsigned i = 0; i < n; i++) {
		KT_EXPECT(t, all[i] != 0, "an allocation failed");
		if (i)
			KT_EXPECT(t, all[i] != all[i - 1], "frame 0x%llx handed out twice",
				  (unsigned long long)all[i]);
	}
	for (unsigned i = 0; i < n; i++) {
		if (all[i])
			pmm_free_pages(all[i], 1);
	}
	KT_ASSERT(t, pmm_free_count() == before, "free count %zu after, %zu before",
		  pmm_free_count(), before);
}

static volatile unsigned timer_hits;

static void timer_irq(struct trap_frame *f)
{
	(void)f;
	timer_hits++;
	lapic_eoi();
}

/* Not a timing test: emulators may drop periodic ticks while the host is
 * busy. The timer must fire at all, repeatedly, and never faster than it
 * was programmed (which would mean a wrong calibration). */
KTEST(smp, lapic_timer)
{
	uint64_t t0, deadline, elapsed_us;
	unsigned hits;

	timer_hits = 0;
	traps_register(VECTOR_TIMER, timer_irq);
	__asm__ volatile("sti");
	t0 = cpu_rdtsc();
	lapic_timer_start(lapic_timer_ticks_for_us(TIMER_PERIOD_US), VECTOR_TIMER, true);
	deadline = t0 + tsc_from_us(TIMER_MAX_PERIODS * TIMER_PERIOD_US);
	while (timer_hits < TIMER_WANT_HITS && cpu_rdtsc() < deadline)
		cpu_pause();
	lapic_timer_stop();
	hits = timer_hits;
	elapsed_us = tsc_to_us(cpu_rdtsc() - t0);
	traps_register(VECTOR_TIMER, 0);
	KT_ASSERT(t, hits >= TIMER_WANT_HITS, "a %u us periodic LAPIC timer fired %u times in %llu us",
		  TIMER_PERIOD_US, hits, (unsigned long long)elapsed_us);
	KT_ASSERT(t, hits <= elapsed_us / TIMER_PERIOD_US + 2,
		  "%u ticks in %llu us from a %u us period: the timer runs fast", hits,
		  (unsigned long long)elapsed_us, TIMER_PERIOD_US);
}

static bool apic_id_used(uint32_t id)
{
	for (unsigned i = 0; i < smp_num_cpus(); i++) {
		if (smp_percpu(i)->apic_id == id)
			return true;
	}
	return false;
}

KTEST(smp, absent_cpu_times_out)
{
	uint32_t id = ABSENT_APIC_ID;
	unsigned online = smp_num_online();
	uint64_t t0, us;
	enum err e;

	while (id > 0 && apic_id_used(id))
		id--;
	if (apic_id_used(id)) {
		ktest_skip(t, "every xAPIC ID below 0xFF belongs to a present CPU");
		return;
	}
	t0 = cpu_rdtsc();
	e = smp_try_start_apic(id, 50000);
	us = tsc_to_us(cpu_rdtsc() - t0);
	KT_ASSERT(t, e == E_TIMEOUT, "starting absent APIC ID %u gave %s", id, err_name(e));
	KT_ASSERT(t, us < 1000000, "the timeout took %llu us", (unsigned long long)us);
	KT_ASSERT(t, smp_num_online() == online, "online count changed from %u to %u", online,
		  smp_num_online());
}

/* x2APIC mode wherever the CPU offers it (Bochs' models do, QEMU TCG not). */
KTEST(smp, x2apic_when_offered)
{
	struct cpuid_regs r;

	cpu_cpuid(1, 0, &r);
	for (unsigned i = 0; i < smp_num_cpus(); i++)
		KT_ASSERT(t,
			  !smp_cpu_online(i) ||
			      smp_percpu(i)->x2apic == !!(r.ecx & CPUID_1_ECX_X2APIC),
			  "cpu %u is in %s mode but CPUID says x2APIC %s", i,
			  smp_percpu(i)->x2apic ? "x2APIC" : "xAPIC",
			  (r.ecx & CPUID_1_ECX_X2APIC) ? "is offered" : "is not offered");
	ktest_diag(t, "%s mode on all %u online CPUs",
		   (r.ecx & CPUID_1_ECX_X2APIC) ? "x2APIC" : "xAPIC", smp_num_online());
}
