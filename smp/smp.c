/* SPDX-License-Identifier: MIT */
/*
 * AP bring-up (SDM Vol. 3A 9.4.4.1, INIT-SIPI-SIPI): per-CPU areas, stacks
 * and descriptor tables are allocated for exactly the CPUs listed; all APs
 * get their INIT together, one 10 ms wait, then STARTUP IPIs (each followed
 * by 200 us) to those that have not checked in, so bring-up does not cost
 * CPU count times the SDM delays. A CPU that never answers is reported by
 * APIC ID and left offline. Also cross-CPU calls (bounded: a CPU that does
 * not answer one is marked silent and gets no more) and a barrier.
 */
#include "smp/smp.h"
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/traps.h"
#include "arch/x86/topology.h"
#include "arch/x86/tsc.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/paging.h"
#include "mm/pmm.h"
#include "smp/trampoline.h"

#define AP_STACK_PAGES 4
#define STACK_GUARD_PAGES 1
#define INIT_DELAY_US 10000
#define SIPI_DELAY_US 200
#define AP_CHECKIN_TIMEOUT_US 200000
#define STOP_WAIT_SPINS 100000000ul /* bounded wait for the stop NMI answers */
#define TABLE_PAGES ((sizeof(struct cpu_tables) + PAGE_SIZE - 1) / PAGE_SIZE)

extern const char smp_trampoline_start[], smp_trampoline_end[];

static struct percpu *cpu_area[MAX_CPUS];
static unsigned ncpus = 1;
static volatile uint32_t online_count = 1;
static uint64_t online_mask[MAX_CPUS / 64];
static uint64_t silent_mask[MAX_CPUS / 64];
static volatile uint32_t silent_count;
static uint64_t ap_stack_tops[MAX_CPUS];
static uint64_t bringup_us;
static uint64_t sipi_tsc;
static volatile bool bringup_open;
static volatile uint32_t ap_ticket;
static void (*volatile idle_work)(void *);
static void *volatile idle_arg;
static uint32_t phantom_apic = SMP_PHANTOM_NONE;

static void mark_online(unsigned cpu)
{
	__atomic_fetch_or(&online_mask[cpu / 64], 1ull << (cpu % 64), __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&online_count, 1, __ATOMIC_SEQ_CST);
}

bool smp_cpu_online(unsigned cpu)
{
	return cpu < MAX_CPUS &&
	       (__atomic_load_n(&online_mask[cpu / 64], __ATOMIC_ACQUIRE) >> (cpu % 64)) & 1;
}

unsigned smp_num_cpus(void)
{
	return ncpus;
}

unsigned smp_num_online(void)
{
	return online_count;
}

struct percpu *smp_percpu(unsigned cpu)
{
	return cpu < ncpus ? cpu_area[cpu] : 0;
}

uint64_t smp_bringup_us(void)
{
	return bringup_us;
}

bool smp_cpu_silent(unsigned cpu)
{
	return cpu < MAX_CPUS &&
	       (__atomic_load_n(&silent_mask[cpu / 64], __ATOMIC_ACQUIRE) >> (cpu % 64)) & 1;
}

void smp_set_silent(unsigned cpu)
{
	uint64_t bit = 1ull << (cpu % 64);

	if (cpu >= MAX_CPUS)
		return;
	if (!(__atomic_fetch_or(&silent_mask[cpu / 64], bit, __ATOMIC_SEQ_CST) & bit))
		__atomic_add_fetch(&silent_count, 1, __ATOMIC_SEQ_CST);
}

unsigned smp_num_silent(void)
{
	return silent_count;
}

/* Claim request seq of slot s (target and withdrawing caller race for it):
 * true for the one that moved `taken` to seq. */
static bool call_claim(struct smp_call_slot *s, uint32_t seq)
{
	uint32_t prev = __atomic_load_n(&s->taken, __ATOMIC_ACQUIRE);

	return prev != seq && __atomic_compare_exchange_n(&s->taken, &prev, seq, false,
							  __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

static void call_function_irq(struct trap_frame *f)
{
	struct smp_call_slot *s = &this_cpu()->call;
	uint32_t seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);

	(void)f;
	lapic_eoi();
	if (!call_claim(s, seq))
		return; /* already run, or withdrawn by a caller that gave up */
	s->fn(s->arg);
	__atomic_store_n(&s->done, seq, __ATOMIC_RELEASE);
}

static volatile unsigned cpus_stopped;

static void nmi_handler(struct trap_frame *f)
{
	(void)f;
	/* NMIs are sent only by panic_halt() to stop every other CPU. */
	__atomic_add_fetch(&cpus_stopped, 1, __ATOMIC_SEQ_CST);
	cpu_halt_forever();
}

static void spurious_irq(struct trap_frame *f)
{
	(void)f;
}

static void apic_error_irq(struct trap_frame *f)
{
	(void)f;
	pr_warn("lapic: APIC error interrupt on cpu %u\n", this_cpu()->cpu_id);
	lapic_eoi();
}

/* Stop every other CPU with an NMI and wait a bounded time (the TSC may not
 * be calibrated yet: a spin count) for each to confirm. */
static unsigned stop_other_cpus(unsigned *others)
{
	*others = online_count > 1 ? online_count - 1 : 0;
	if (!*others)
		return 0;
	lapic_send_ipi_all_but_self(LAPIC_DM_NMI, 0);
	for (unsigned long spin = 0; spin < STOP_WAIT_SPINS && cpus_stopped < *others; spin++)
		cpu_pause();
	return cpus_stopped;
}

void smp_early_bsp(void)
{
	traps_register(VECTOR_CALL_FUNCTION, call_function_irq);
	traps_register(X86_TRAP_NMI, nmi_handler);
	traps_register(VECTOR_SPURIOUS, spurious_irq);
	traps_register(VECTOR_ERROR, apic_error_irq);
	lapic_init_cpu();
	this_cpu()->apic_id = lapic_id();
	this_cpu()->x2apic = lapic_x2apic_mode();
	online_mask[0] = 1;
	panic_set_stop_others(stop_other_cpus);
}

static enum err alloc_cpu(unsigned idx, uint32_t apic_id)
{
	uint64_t pa, tables;
	enum err e = pmm_alloc_page(&pa);

	if (e == E_OK)
		e = pmm_alloc_pages(TABLE_PAGES, 1, &tables);
	if (e != E_OK) {
		pr_err("smp: out of memory allocating the per-CPU area of cpu %u\n", idx);
		return e;
	}
	cpu_area[idx] = phys_to_virt(pa);
	memset(cpu_area[idx], 0, PAGE_SIZE);
	cpu_area[idx]->self = cpu_area[idx];
	cpu_area[idx]->cpu_id = idx;
	cpu_area[idx]->apic_id = apic_id;
	cpu_area[idx]->tables = phys_to_virt(tables);
	return E_OK;
}

/* An AP's stack with an unmapped guard page below it: an overflow faults
 * (and ends as a #DF on its IST stack, with a report) instead of silently
 * overwriting whatever lies below. The AP has not started yet. */
static enum err alloc_ap_stack(unsigned ticket)
{
	uint64_t pa;
	enum err e = pmm_alloc_pages(AP_STACK_PAGES + STACK_GUARD_PAGES, 1, &pa);

	if (e != E_OK) {
		pr_err("smp: out of memory allocating AP stack %u\n", ticket);
		return e;
	}
	e = paging_guard_page((uint64_t)(uintptr_t)phys_to_virt(pa));
	if (e != E_OK)
		pr_warn("smp: AP stack %u has no guard page (%s)\n", ticket, err_name(e));
	ap_stack_tops[ticket] = pa + (AP_STACK_PAGES + STACK_GUARD_PAGES) * PAGE_SIZE;
	return E_OK;
}

/* Move the BSP from its static boot area to its allocated one. */
static void bsp_adopt_area(struct percpu *p)
{
	struct percpu *old = this_cpu();

	p->stack_bottom = old->stack_bottom;
	p->stack_top = old->stack_top;
	p->online = true;
	p->x2apic = old->x2apic;
	p->tables = old->tables;
	percpu_install(p);
}

static unsigned find_cpu_by_apic(uint32_t apic_id)
{
	for (unsigned i = 0; i < ncpus; i++) {
		if (cpu_area[i]->apic_id == apic_id)
			return i;
	}
	return MAX_CPUS;
}

void smp_ap_entry(uint32_t ticket)
{
	uint32_t apic_id = lapic_cpuid_apic_id();
	unsigned idx = find_cpu_by_apic(apic_id);
	struct percpu *p;

	if (idx == MAX_CPUS || !bringup_open)
		cpu_halt_forever(); /* not ours, or too late: stay parked */
	p = cpu_area[idx];
	p->stack_top = ap_stack_tops[ticket];
	p->stack_bottom = p->stack_top - AP_STACK_PAGES * PAGE_SIZE;
	percpu_install(p);
	gdt_load(p->tables);
	idt_load();
	lapic_init_cpu();
	p->x2apic = lapic_x2apic_mode();
	p->bringup_tsc = cpu_rdtsc() - sipi_tsc;
	p->online = true;
	mark_online(idx);
	for (;;) {
		void (*fn)(void *) = idle_work;

		if (fn)
			fn(idle_arg);
		__asm__ volatile("sti; hlt" ::: "memory");
	}
}

void smp_set_idle_work(void (*fn)(void *), void *arg)
{
	idle_arg = arg;
	__atomic_store_n(&idle_work, fn, __ATOMIC_RELEASE);
}

static void trampoline_install(void)
{
	struct smp_trampoline_data *d;
	size_t len = (size_t)(smp_trampoline_end - smp_trampoline_start);
	struct cpuid_regs r;

	paging_set_attrs(TRAMPOLINE_BASE, PAGE_SIZE, PAGE_KERNEL_RW);
	memcpy(phys_to_virt(TRAMPOLINE_BASE), smp_trampoline_start, len);
	d = phys_to_virt(TRAMPOLINE_BASE + TRAMPOLINE_DATA_OFFSET);
	cpu_cpuid(0x80000001, 0, &r);
	d->cr3 = (uint32_t)paging_kernel_root();
	d->nx = !!(r.edx & CPUID_80000001_EDX_NX);
	ap_ticket = 0;
	d->ticket_ptr = (uint64_t)(uintptr_t)&ap_ticket;
	d->entry = (uint64_t)(uintptr_t)smp_ap_entry;
	d->stacks = (uint64_t)(uintptr_t)ap_stack_tops;
	/* The APs fetch code from here: executable, then read-only. */
	paging_set_attrs(TRAMPOLINE_BASE, PAGE_SIZE, PAGE_KERNEL_RX);
}

static bool all_online(void)
{
	return __atomic_load_n(&online_count, __ATOMIC_ACQUIRE) >= ncpus;
}

static void send_startups(void)
{
	for (unsigned i = 1; i < ncpus; i++) {
		if (!smp_cpu_online(i))
			lapic_send_ipi(cpu_area[i]->apic_id, LAPIC_DM_STARTUP,
				       TRAMPOLINE_BASE >> PAGE_SHIFT);
	}
	tsc_delay_us(SIPI_DELAY_US);
}

static void start_aps(void)
{
	uint64_t deadline;

	for (unsigned i = 1; i < ncpus; i++)
		lapic_send_ipi(cpu_area[i]->apic_id, LAPIC_DM_INIT, 0);
	tsc_delay_us(INIT_DELAY_US);
	sipi_tsc = cpu_rdtsc();
	send_startups();
	if (!all_online())
		send_startups();
	deadline = cpu_rdtsc() + tsc_from_us(AP_CHECKIN_TIMEOUT_US);
	while (!all_online() && cpu_rdtsc() < deadline)
		cpu_pause();
	bringup_open = false;
	for (unsigned i = 1; i < ncpus; i++) {
		if (smp_cpu_online(i))
			continue;
		pr_err("smp: CPU with APIC ID %u did not answer INIT-SIPI-SIPI within %u ms; "
		       "skipped (%s)\n",
		       cpu_area[i]->apic_id, AP_CHECKIN_TIMEOUT_US / 1000,
		       cpu_area[i]->apic_id == phantom_apic
			   ? "the vireo.smp_phantom_apic= test CPU, which does not exist: expected"
			   : "check the firmware's MADT or disable that core");
	}
	paging_set_attrs(TRAMPOLINE_BASE, PAGE_SIZE, PAGE_KERNEL_RO);
}

void smp_set_phantom(uint32_t apic_id)
{
	phantom_apic = apic_id;
}

uint32_t smp_phantom_apic(void)
{
	return phantom_apic;
}

static enum err alloc_ap(unsigned idx, uint32_t apic_id)
{
	enum err e = alloc_cpu(idx, apic_id);

	return e == E_OK ? alloc_ap_stack(idx - 1) : e;
}

/* The test CPU of vireo.smp_phantom_apic=, after the listed ones; false if refused. */
static bool add_phantom(unsigned idx)
{
	if (find_cpu_by_apic(phantom_apic) != MAX_CPUS) {
		pr_warn("smp: vireo.smp_phantom_apic=%u ignored: a CPU the MADT lists has that "
			"APIC ID; pick an ID no CPU has\n",
			phantom_apic);
		phantom_apic = SMP_PHANTOM_NONE;
		return false;
	}
	if (idx == MAX_CPUS || alloc_ap(idx, phantom_apic) != E_OK) {
		pr_warn("smp: vireo.smp_phantom_apic=%u ignored: no room for one more CPU\n",
			phantom_apic);
		phantom_apic = SMP_PHANTOM_NONE;
		return false;
	}
	pr_warn("smp: test option vireo.smp_phantom_apic=%u: pretending the MADT also lists an "
		"enabled CPU with APIC ID %u, which does not exist\n",
		phantom_apic, phantom_apic);
	return true;
}

unsigned smp_init(const struct smp_cpu_desc *cpus, unsigned n)
{
	uint32_t bsp_apic = this_cpu()->apic_id;
	uint64_t t0 = cpu_rdtsc();
	unsigned idx = 1;

	if (alloc_cpu(0, bsp_apic) != E_OK)
		return 1;
	bsp_adopt_area(cpu_area[0]);
	for (unsigned i = 0; i < n && idx < MAX_CPUS; i++) {
		if (cpus[i].apic_id == bsp_apic)
			continue;
		if (alloc_ap(idx, cpus[i].apic_id) != E_OK)
			break;
		idx++;
	}
	ncpus = idx;
	if (phantom_apic != SMP_PHANTOM_NONE && add_phantom(idx))
		ncpus = ++idx;
	if (ncpus > 1) {
		bringup_open = true;
		trampoline_install();
		start_aps();
	}
	bringup_us = tsc_to_us(cpu_rdtsc() - t0);
	return online_count;
}

enum err smp_try_start_apic(uint32_t apic_id, uint64_t timeout_us)
{
	uint32_t before = online_count;
	uint64_t deadline;

	if (find_cpu_by_apic(apic_id) != MAX_CPUS)
		return E_EXIST;
	lapic_send_ipi(apic_id, LAPIC_DM_INIT, 0);
	tsc_delay_us(INIT_DELAY_US);
	lapic_send_ipi(apic_id, LAPIC_DM_STARTUP, TRAMPOLINE_BASE >> PAGE_SHIFT);
	deadline = cpu_rdtsc() + tsc_from_us(timeout_us);
	while (cpu_rdtsc() < deadline && online_count == before)
		cpu_pause();
	return online_count == before ? E_TIMEOUT : E_OK;
}

static void call_post(struct percpu *p, void (*fn)(void *), void *arg)
{
	struct smp_call_slot *s = &p->call;

	while (__atomic_exchange_n(&s->lock, 1, __ATOMIC_ACQUIRE))
		cpu_pause();
	s->fn = fn;
	s->arg = arg;
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELEASE);
	lapic_send_ipi(p->apic_id, LAPIC_DM_FIXED, VECTOR_CALL_FUNCTION);
}

static bool call_done_by(struct smp_call_slot *s, uint64_t deadline)
{
	while (__atomic_load_n(&s->done, __ATOMIC_ACQUIRE) != s->seq) {
		if (cpu_rdtsc() > deadline)
			return false;
		cpu_pause();
	}
	return true;
}

/*
 * Bounded: past the timeout the request is withdrawn, so a CPU that wakes
 * up later never runs it with a stale argument. If the target claimed it
 * just before, it is running it now: one more timeout for it to finish.
 */
static enum err call_wait(struct percpu *p)
{
	struct smp_call_slot *s = &p->call;
	uint64_t timeout = tsc_from_us(SMP_CALL_TIMEOUT_US);
	enum err e = E_OK;

	if (!call_done_by(s, cpu_rdtsc() + timeout) &&
	    (call_claim(s, s->seq) || !call_done_by(s, cpu_rdtsc() + timeout))) {
		pr_err("smp: cpu %u did not run a cross-call within %u ms; it is taken for hung "
		       "and gets no more cross-calls\n",
		       p->cpu_id, SMP_CALL_TIMEOUT_US / 1000);
		smp_set_silent(p->cpu_id);
		e = E_TIMEOUT;
	}
	__atomic_store_n(&s->lock, 0, __ATOMIC_RELEASE);
	return e;
}

enum err smp_call(unsigned cpu, void (*fn)(void *), void *arg)
{
	if (!smp_cpu_online(cpu))
		return E_NOENT;
	if (smp_cpu_silent(cpu) && cpu != this_cpu()->cpu_id)
		return E_TIMEOUT;
	if (cpu == this_cpu()->cpu_id) {
		uint64_t flags = cpu_irq_save();

		fn(arg);
		cpu_irq_restore(flags);
		return E_OK;
	}
	call_post(cpu_area[cpu], fn, arg);
	return call_wait(cpu_area[cpu]);
}

enum err smp_call_all(void (*fn)(void *), void *arg)
{
	unsigned me = this_cpu()->cpu_id;
	enum err e = E_OK, w;
	uint64_t flags, posted[MAX_CPUS / 64] = {0};

	for (unsigned i = 0; i < ncpus; i++) {
		if (i == me || !smp_cpu_online(i))
			continue;
		if (smp_cpu_silent(i)) {
			e = E_TIMEOUT;
			continue;
		}
		posted[i / 64] |= 1ull << (i % 64);
		call_post(cpu_area[i], fn, arg);
	}
	flags = cpu_irq_save();
	fn(arg);
	cpu_irq_restore(flags);
	for (unsigned i = 0; i < ncpus; i++) {
		if ((posted[i / 64] >> (i % 64)) & 1) {
			w = call_wait(cpu_area[i]);
			if (w != E_OK)
				e = w;
		}
	}
	return e;
}

void smp_barrier_wait(struct smp_barrier *b, unsigned n)
{
	uint32_t gen = __atomic_load_n(&b->generation, __ATOMIC_ACQUIRE);

	if (__atomic_add_fetch(&b->count, 1, __ATOMIC_ACQ_REL) == n) {
		__atomic_store_n(&b->count, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&b->generation, gen + 1, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&b->generation, __ATOMIC_ACQUIRE) == gen)
		cpu_pause();
}

#define REPORT_FULL_MAX 16
#define REPORT_EDGE 4

static void report_row(unsigned i, struct topo_shifts shifts)
{
	struct percpu *p = cpu_area[i];
	struct topo_id t = topo_split(p->apic_id, shifts);

	pr_info("  %4u  %7u  %3u/%3u/%u  %-6s  %016llx  %016llx  %s%llu us\n", i, p->apic_id,
		t.package, t.core, t.thread, !p->online ? "-" : p->x2apic ? "x2apic" : "xapic",
		(unsigned long long)p, (unsigned long long)p->stack_top,
		!p->online ? "OFFLINE " : "", (unsigned long long)tsc_to_us(p->bringup_tsc));
}

/* One row per CPU up to REPORT_FULL_MAX CPUs; beyond that the first and
 * last few rows, the offline ones, and a summary. */
void smp_report(bool full)
{
	struct topo_shifts shifts = topo_read_shifts();
	unsigned x2 = 0, offline = 0, threads = 0, packages = 0;

	pr_info("smp: %u of %u CPUs online, bring-up took %llu us\n", online_count, ncpus,
		(unsigned long long)bringup_us);
	pr_info("   cpu  apic-id  pkg/core/t  mode    per-cpu area      stack top         "
		"bring-up\n");
	for (unsigned i = 0; i < ncpus; i++) {
		bool edge = i < REPORT_EDGE || i >= ncpus - REPORT_EDGE;
		struct topo_id t = topo_split(cpu_area[i]->apic_id, shifts);

		x2 += cpu_area[i]->x2apic;
		offline += !cpu_area[i]->online;
		threads += t.thread != 0;
		packages = t.package + 1 > packages ? t.package + 1 : packages;
		if (full || ncpus <= REPORT_FULL_MAX || edge || !cpu_area[i]->online)
			report_row(i, shifts);
		else if (i == REPORT_EDGE)
			pr_info("  ... %u more rows (vireo.cpu_table=full lists them) ...\n",
				ncpus - 2 * REPORT_EDGE);
	}
	pr_info("smp: %u CPUs: %u in x2APIC mode, %u offline, %u SMT siblings, package "
		"IDs up to %u\n",
		ncpus, x2, offline, threads, packages ? packages - 1 : 0);
}
