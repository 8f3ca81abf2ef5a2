/*
 * The interrupt-side cases: own GDT and IDT, the exception report, TSC
 * calibration against PIT channel 2, the local APIC in xAPIC and x2APIC
 * mode, its one-shot, periodic and TSC-deadline timers (SDM Vol. 3A 11.5.4),
 * and SMP bring-up by INIT-SIPI-SIPI (SDM Vol. 3A 9.4.4.1).
 */
#include "mbtest.h"

#define MSR_TSC_DEADLINE 0x6e0
#define APIC_BASE_BSP (1u << 8)
#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define LVT_DEADLINE (2u << 17)
#define DIV_16 0x3

#define VEC_ONESHOT 0x20
#define VEC_PERIODIC 0x21
#define VEC_DEADLINE 0x22
#define VEC_AP_TIMER 0x23
#define VEC_X2_ONESHOT 0x24
#define VEC_AP_IPI 0x41
#define VEC_UART 0x44
#define COM1_IIR 0x3fa
#define VEC_NMI 2
#define ICR_FIXED 0x00004000u
#define ICR_NMI 0x00004400u
#define VEC_SPURIOUS 0xff

uint64_t tsc_hz = 1000000000ull;
int tsc_calibrated;

static int x2apic_on;
static uintptr_t lapic_base = 0xfee00000;
static uint32_t bsp_apic_id;

static volatile uint32_t n_oneshot, n_periodic, n_deadline, n_x2, n_unexpected;
static volatile uint64_t deadline_seen;
static volatile uint32_t ap_ticks[256];
static volatile uint32_t ap_ipis[256], ap_nmis[256];
static volatile uint32_t n_uart, uart_iir;
static volatile uint32_t ap_checked_in, ap_failed;
static volatile uint8_t ap_seen[256];

struct frame {
	uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
	uint32_t vector, error, eip, cs, eflags;
};

extern const uint32_t isr_table[256];
static const uint64_t gdt[3] = {
    [0] = 0,
    [1] = 0x00cf9a000000ffffull, /* 0x08: flat 32-bit code */
    [2] = 0x00cf92000000ffffull, /* 0x10: flat data */
};
static struct gate idt[256];

void isr_dispatch(struct frame *f);
void ap_main(void);

/* ---- time ---- */

static uint64_t us_to_tsc(uint64_t us)
{
	return udiv64(tsc_hz * us, 1000000, NULL);
}

void delay_us(uint32_t us)
{
	uint64_t end = rdtsc() + us_to_tsc(us);

	while (rdtsc() < end)
		cpu_relax();
}

/* Polls *cnt with interrupts enabled until it reaches want or ms pass. */
static int wait_count(volatile uint32_t *cnt, uint32_t want, uint32_t ms)
{
	uint64_t end = rdtsc() + us_to_tsc((uint64_t)ms * 1000);

	__asm__ volatile("sti");
	while (*cnt < want && rdtsc() < end)
		cpu_relax();
	__asm__ volatile("cli");
	return *cnt >= want;
}

/* Without a PIT: CPUID 0x15 (TSC/crystal ratio) or 0x16 (base MHz), else a guess. */
static void tsc_from_cpuid(void)
{
	uint32_t max, a, b, c, d;

	cpuid(0, &max, &b, &c, &d);
	if (max >= 0x15) {
		cpuid(0x15, &a, &b, &c, &d);
		if (a && b && c) {
			tsc_hz = udiv64((uint64_t)c * b, a, NULL);
			printf("mbtest: TSC %u MHz from CPUID 0x15\n",
			       (uint32_t)udiv64(tsc_hz, 1000000, NULL));
			return;
		}
	}
	if (max >= 0x16) {
		cpuid(0x16, &a, &b, &c, &d);
		if (a & 0xffff) {
			tsc_hz = (uint64_t)(a & 0xffff) * 1000000;
			printf("mbtest: TSC %u MHz from CPUID 0x16\n", a & 0xffff);
			return;
		}
	}
	printf("mbtest: assuming a 1 GHz TSC\n");
}

/*
 * PIT channel 2 in mode 0 counts 11932 ticks of 1.193182 MHz (10 ms); OUT2
 * shows in port 0x61 bit 5. Bounded by poll count, since the PIT may be a
 * stub; a result below 1 MHz (OUT2 high at once) is not believed.
 */
void tsc_calibrate(void)
{
	const uint32_t ticks = 11932;
	uint8_t p61 = inb(0x61);
	uint64_t t0, t1, hz = 0;
	uint32_t i;

	outb(0x61, (p61 & ~0x02) | 0x01); /* gate 2 high, speaker off */
	outb(0x43, 0xb0);		  /* channel 2, lo/hi byte, mode 0 */
	outb(0x42, ticks & 0xff);
	outb(0x42, ticks >> 8);
	t0 = rdtsc();
	for (i = 0; i < 2000000 && !(inb(0x61) & 0x20); i++)
		;
	t1 = rdtsc();
	outb(0x61, p61);
	if (i < 2000000 && t1 > t0)
		hz = udiv64((t1 - t0) * 1193182ull, ticks, NULL);
	if (hz >= 1000000) {
		tsc_hz = hz;
		tsc_calibrated = 1;
		printf("mbtest: TSC %u MHz (PIT channel 2)\n",
		       (uint32_t)udiv64(tsc_hz, 1000000, NULL));
		return;
	}
	printf("mbtest: PIT channel 2 gave no usable count (%u polls)\n", i);
	tsc_from_cpuid();
}

/* ---- descriptor tables and interrupts ---- */

void cpu_tables_init(void)
{
	struct dtr g = {sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt};
	struct dtr i = {sizeof(idt) - 1, (uint32_t)(uintptr_t)idt};
	int v;

	if (!idt[0].sel) {
		for (v = 0; v < 256; v++) {
			idt[v].off_lo = isr_table[v] & 0xffff;
			idt[v].off_hi = isr_table[v] >> 16;
			idt[v].sel = 0x08;
			idt[v].type = 0x8e; /* present, DPL 0, 32-bit interrupt gate */
		}
	}
	__asm__ volatile("lgdt %0" : : "m"(g));
	load_segments();
	__asm__ volatile("lidt %0" : : "m"(i));
}

static uint32_t apic_read(uint32_t reg)
{
	if (x2apic_on)
		return (uint32_t)rdmsr(0x800 + (reg >> 4));
	return mmio_read32(lapic_base + reg);
}

static void apic_write(uint32_t reg, uint32_t v)
{
	if (x2apic_on)
		wrmsr(0x800 + (reg >> 4), v);
	else
		mmio_write32(lapic_base + reg, v);
}

static uint32_t apic_id(void)
{
	return x2apic_on ? apic_read(APIC_ID) : apic_read(APIC_ID) >> 24;
}

static void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

void isr_dispatch(struct frame *f)
{
	switch (f->vector) {
	case VEC_DEBUG:
		debug_isr(f->eip, &f->eflags);
		return; /* an exception: no EOI */
	case VEC_ONESHOT:
		n_oneshot++;
		break;
	case VEC_PERIODIC:
		n_periodic++;
		break;
	case VEC_DEADLINE:
		deadline_seen = rdtsc();
		n_deadline++;
		break;
	case VEC_AP_TIMER:
		ap_ticks[apic_id() & 0xff]++;
		break;
	case VEC_AP_IPI:
		ap_ipis[apic_id() & 0xff]++;
		break;
	case VEC_UART:
		uart_iir = inb(COM1_IIR); /* reading IIR acknowledges the THRE interrupt */
		n_uart++;
		break;
	case VEC_NMI:
		ap_nmis[apic_id() & 0xff]++;
		return; /* an NMI is not in the ISR: no EOI */
	case VEC_X2_ONESHOT:
		n_x2++;
		break;
	case VEC_SPURIOUS:
		return; /* no EOI for the spurious vector */
	default:
		if (f->vector < 32 && strio_catch(f->vector, f->error, &f->eip))
			return;
		if (f->vector < 32) {
			/* the console lock may be held by the code that faulted */
			console_lock = 0;
			printf("mbtest: exception %u at eip %x error code %x (cpu %u)\n", f->vector,
			       f->eip, f->error, apic_id());
			machine_exit(0x7f);
		}
		n_unexpected++;
		if (f->vector >= 0x30 && f->vector < 0x40)
			return; /* a (spurious) 8259 interrupt: the PICs are masked */
		break;
	}
	apic_eoi();
}

/* ---- cases ---- */

void case_lapic(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint32_t a, b, c, d, id, ver, svr;

	lapic_base = (uintptr_t)(base & 0xfffff000u);
	if (!(base & APIC_BASE_EN))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_SVR, 0x100 | VEC_SPURIOUS);
	id = apic_id();
	ver = apic_read(APIC_VER);
	svr = apic_read(APIC_SVR);
	bsp_apic_id = id;
	cpuid(1, &a, &b, &c, &d);
	printf("mbtest: IA32_APIC_BASE %x%08x, APIC ID %u, version %x (max LVT %u), SVR %x\n",
	       (uint32_t)(base >> 32), (uint32_t)base, id, ver & 0xff, ((ver >> 16) & 0xff) + 1,
	       svr);
	if ((base & 0xfffffffffffff000ull) != 0xfee00000ull)
		report(0, "lapic", "APIC base %x%08x is not the default 0xfee00000",
		       (uint32_t)(base >> 32), (uint32_t)base);
	else if (!(base & APIC_BASE_BSP))
		report(0, "lapic", "IA32_APIC_BASE.BSP is clear on the boot CPU");
	else if (!(svr & 0x100) || (svr & 0xff) != VEC_SPURIOUS)
		report(0, "lapic", "SVR reads %x after writing %x", svr, 0x100 | VEC_SPURIOUS);
	else if ((ver & 0xff) < 0x10 || (ver & 0xff) > 0x15)
		report(0, "lapic", "version %x is not an integrated APIC's", ver & 0xff);
	else if (id != b >> 24)
		report(0, "lapic", "APIC ID %u differs from CPUID.1:EBX[31:24] = %u", id, b >> 24);
	else
		report(1, "lapic xAPIC mode, SVR and IDT set up", NULL);
}

void case_timer_oneshot(void)
{
	const uint32_t count = 100000;
	uint64_t t0, took;
	uint32_t cur;
	int ok;

	n_oneshot = 0;
	apic_write(APIC_TMR_DIV, DIV_16);
	apic_write(APIC_LVT_TIMER, VEC_ONESHOT);
	t0 = rdtsc();
	apic_write(APIC_TMR_INIT, count);
	ok = wait_count(&n_oneshot, 1, 5000);
	took = rdtsc() - t0;
	if (!ok) {
		report(0, "lapic timer one-shot",
		       "no interrupt on vector 0x20 within 5 s (current count %u)",
		       apic_read(APIC_TMR_CUR));
		apic_write(APIC_LVT_TIMER, LVT_MASKED);
		apic_write(APIC_TMR_INIT, 0);
		return;
	}
	printf("mbtest: one-shot %u ticks (divide 16) fired after %u us\n", count,
	       (uint32_t)udiv64(took * 1000000, tsc_hz, NULL));
	/* stay open for twice as long (at least 5 ms): a one-shot must not re-fire */
	__asm__ volatile("sti");
	delay_us(5000);
	delay_us((uint32_t)udiv64(took * 2000000, tsc_hz, NULL) + 1);
	__asm__ volatile("cli");
	cur = apic_read(APIC_TMR_CUR);
	apic_write(APIC_LVT_TIMER, LVT_MASKED);
	if (n_oneshot != 1)
		report(0, "lapic timer one-shot", "it fired %u times", n_oneshot);
	else if (cur)
		report(0, "lapic timer one-shot", "current count reads %u after expiry, not 0",
		       cur);
	else
		report(1, "lapic timer one-shot", NULL);
}

/* Arm the one-shot timer (vector VEC_ONESHOT, divide 16) for count ticks
 * (0 stops it) and restart the count lapic_oneshots() returns. */
void lapic_oneshot_arm(uint32_t count)
{
	n_oneshot = 0;
	apic_write(APIC_TMR_DIV, DIV_16);
	apic_write(APIC_LVT_TIMER, VEC_ONESHOT);
	apic_write(APIC_TMR_INIT, count);
}

uint32_t lapic_oneshots(void)
{
	return n_oneshot;
}

void case_timer_periodic(void)
{
	uint32_t after;
	int ok;

	n_periodic = 0;
	apic_write(APIC_TMR_DIV, DIV_16);
	apic_write(APIC_LVT_TIMER, VEC_PERIODIC | LVT_PERIODIC);
	apic_write(APIC_TMR_INIT, 20000);
	ok = wait_count(&n_periodic, 5, 5000);
	apic_write(APIC_LVT_TIMER, VEC_PERIODIC | LVT_PERIODIC | LVT_MASKED);
	apic_write(APIC_TMR_INIT, 0);
	/* let one in flight land, then it must stay quiet */
	__asm__ volatile("sti");
	delay_us(2000);
	after = n_periodic;
	delay_us(10000);
	__asm__ volatile("cli");
	if (!ok)
		report(0, "lapic timer periodic", "only %u interrupts on vector 0x21 within 5 s",
		       n_periodic);
	else if (n_periodic != after)
		report(0, "lapic timer periodic", "still firing after mask and count 0 (%u -> %u)",
		       after, n_periodic);
	else
		report(1, "lapic timer periodic", NULL);
}

void case_tsc_deadline(void)
{
	uint32_t a, b, c, d;
	uint64_t deadline, left;
	int ok;

	cpuid(1, &a, &b, &c, &d);
	if (!(c & (1u << 24))) {
		skip("tsc-deadline", "CPUID.1:ECX[24] (TSC-deadline) is 0 on this CPU");
		return;
	}
	printf("mbtest: tsc-deadline available\n");
	n_deadline = 0;
	apic_write(APIC_LVT_TIMER, VEC_DEADLINE | LVT_DEADLINE);
	/* SDM 11.5.4.1: order the LVT write before the deadline WRMSR */
	__asm__ volatile("mfence" ::: "memory");
	deadline = rdtsc() + us_to_tsc(1000);
	wrmsr(MSR_TSC_DEADLINE, deadline);
	ok = wait_count(&n_deadline, 1, 5000);
	left = rdmsr(MSR_TSC_DEADLINE);
	wrmsr(MSR_TSC_DEADLINE, 0);
	apic_write(APIC_LVT_TIMER, LVT_MASKED);
	if (!ok)
		report(0, "tsc-deadline", "no interrupt on vector 0x22 within 5 s");
	else if (deadline_seen < deadline)
		report(0, "tsc-deadline", "handler ran %u cycles before the deadline",
		       (uint32_t)(deadline - deadline_seen));
	else
		report(1, "tsc-deadline", NULL);
	/* SDM 11.5.4.1: firing disarms the timer and clears the MSR (Bochs does not) */
	if (ok && left)
		printf("mbtest: note: IA32_TSC_DEADLINE read %x%08x after firing, not 0\n",
		       (uint32_t)(left >> 32), (uint32_t)left);
}

void case_x2apic(void)
{
	uint32_t a, b, c, d, id, ver, cur;
	int ok;

	cpuid(1, &a, &b, &c, &d);
	if (!(c & (1u << 21))) {
		skip("x2apic", "CPUID.1:ECX[21] (x2APIC) is 0 on this CPU");
		return;
	}
	printf("mbtest: x2apic available\n");
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EN | APIC_BASE_EXTD);
	x2apic_on = 1;
	id = (uint32_t)rdmsr(0x802);
	ver = (uint32_t)rdmsr(0x803);
	wrmsr(0x80f, 0x100 | VEC_SPURIOUS);
	printf("mbtest: x2APIC ID %u, version %x\n", id, ver & 0xff);

	n_x2 = 0;
	wrmsr(0x83e, DIV_16);
	wrmsr(0x832, VEC_X2_ONESHOT);
	wrmsr(0x838, 100000);
	ok = wait_count(&n_x2, 1, 5000);
	__asm__ volatile("sti");
	delay_us(5000);
	__asm__ volatile("cli");
	cur = (uint32_t)rdmsr(0x839);
	wrmsr(0x832, LVT_MASKED);
	if (id != bsp_apic_id)
		report(0, "x2apic", "x2APIC ID %u differs from the xAPIC ID %u", id, bsp_apic_id);
	else if (!ok)
		report(0, "x2apic", "no one-shot interrupt on vector 0x24 within 5 s");
	else if (n_x2 != 1 || cur)
		report(0, "x2apic", "one-shot fired %u times, current count %u", n_x2, cur);
	else
		report(1, "x2apic one-shot timer through MSRs", NULL);
}

/* ---- SMP ---- */

int smp_force_xapic;

/* x2APIC -> disabled -> xAPIC, the only way back (SDM Vol. 3A 11.12.5);
 * disabling resets the APIC, so software-enable it again. */
static void leave_x2apic(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	wrmsr(MSR_APIC_BASE, base & ~(uint64_t)(APIC_BASE_EN | APIC_BASE_EXTD));
	wrmsr(MSR_APIC_BASE, (base & ~(uint64_t)APIC_BASE_EXTD) | APIC_BASE_EN);
	x2apic_on = 0;
	apic_write(APIC_TPR, 0);
	apic_write(APIC_SVR, 0x100 | VEC_SPURIOUS);
	printf("mbtest: left x2APIC mode: APs start through the xAPIC page (ID %u)\n", apic_id());
}

static int send_ipi(uint32_t dest, uint32_t lo)
{
	int i;

	if (x2apic_on) {
		wrmsr(0x830, ((uint64_t)dest << 32) | lo);
		return 1;
	}
	apic_write(APIC_ICR_HI, dest << 24);
	apic_write(APIC_ICR_LO, lo);
	for (i = 0; i < 1000000; i++)
		if (!(apic_read(APIC_ICR_LO) & (1u << 12))) /* delivery status: idle */
			return 1;
	return 0;
}

/* C entry of every AP (from the trampoline, on its own stack, interrupts off). */
void ap_main(void)
{
	uint32_t id;
	int ok;

	cpu_tables_init();
	wrmsr(MSR_APIC_BASE,
	      rdmsr(MSR_APIC_BASE) | APIC_BASE_EN | (x2apic_on ? APIC_BASE_EXTD : 0));
	apic_write(APIC_TPR, 0);
	apic_write(APIC_SVR, 0x100 | VEC_SPURIOUS);
	id = apic_id();
	apic_write(APIC_TMR_DIV, DIV_16);
	apic_write(APIC_LVT_TIMER, VEC_AP_TIMER);
	apic_write(APIC_TMR_INIT, 50000);
	ok = wait_count(&ap_ticks[id & 0xff], 1, 5000);
	apic_write(APIC_LVT_TIMER, LVT_MASKED);
	if (ok) {
		ap_seen[id & 0xff] = 1;
		__atomic_add_fetch(&ap_checked_in, 1, __ATOMIC_SEQ_CST);
		printf("mbtest: cpu %u up\n", id);
	} else {
		__atomic_add_fetch(&ap_failed, 1, __ATOMIC_SEQ_CST);
		printf("mbtest: cpu %u: its LAPIC timer did not fire\n", id);
	}
	/* Parked with interrupts on, so the BSP's fixed IPI and NMI arrive. */
	for (;;)
		__asm__ volatile("sti; hlt");
}

/* After bring-up: a fixed IPI (vector 0x41) and an NMI to every AP, each
 * counted by the AP's handler. Returns 0 or the first APIC ID that missed. */
static int ipis_to_aps(uint32_t *missed_id, const char **what)
{
	uint64_t end;

	for (int i = 0; i < madt_ncpus; i++) {
		if (madt_ids[i] == bsp_apic_id)
			continue;
		send_ipi(madt_ids[i], ICR_FIXED | VEC_AP_IPI);
		send_ipi(madt_ids[i], ICR_NMI);
	}
	end = rdtsc() + us_to_tsc(2000000);
	for (int i = 0; i < madt_ncpus; i++) {
		uint32_t id = madt_ids[i] & 0xff;

		if (madt_ids[i] == bsp_apic_id)
			continue;
		while ((!ap_ipis[id] || !ap_nmis[id]) && rdtsc() < end)
			cpu_relax();
		if (!ap_ipis[id] || !ap_nmis[id]) {
			*missed_id = madt_ids[i];
			*what = !ap_ipis[id] ? "fixed IPI (vector 0x41)" : "NMI";
			return 1;
		}
	}
	return 0;
}

void case_smp(void)
{
	uint32_t want = 0, i;
	uint64_t end;
	char missing[64];
	size_t mlen = 0;

	if (madt_ncpus <= 1) {
		report(1, "smp: 1 CPU, nothing to start", NULL);
		return;
	}
	if (smp_force_xapic && x2apic_on)
		leave_x2apic();
	memcpy(phys(AP_TRAMP_ADDR), ap_tramp_start, (size_t)(ap_tramp_end - ap_tramp_start));
	for (i = 0; i < (uint32_t)madt_ncpus; i++) {
		uint32_t dest = madt_ids[i];

		if (dest == bsp_apic_id)
			continue;
		want++;
		/* INIT assert, 10 ms, SIPI, 200 us, SIPI (vector 0x08 = 0x8000) */
		if (!send_ipi(dest, 0x00004500)) {
			report(0, "smp", "INIT to APIC ID %u stuck in delivery", dest);
			return;
		}
		delay_us(10000);
		if (!send_ipi(dest, 0x00004600 | (AP_TRAMP_ADDR >> 12))) {
			report(0, "smp", "SIPI to APIC ID %u stuck in delivery", dest);
			return;
		}
		delay_us(200);
		send_ipi(dest, 0x00004600 | (AP_TRAMP_ADDR >> 12));
	}
	end = rdtsc() + us_to_tsc(10000000);
	while (ap_checked_in + ap_failed < want && rdtsc() < end)
		cpu_relax();
	missing[0] = 0;
	for (i = 0; i < (uint32_t)madt_ncpus; i++)
		if (madt_ids[i] != bsp_apic_id && !ap_seen[madt_ids[i] & 0xff] &&
		    mlen + 12 < sizeof(missing))
			mlen +=
			    snprintf(missing + mlen, sizeof(missing) - mlen, " %u", madt_ids[i]);
	if (ap_checked_in == want) {
		char name[64];
		uint32_t missed = 0;
		const char *what = "";

		if (ipis_to_aps(&missed, &what)) {
			report(0, "smp", "APIC ID %u took no %s from the BSP", missed, what);
			return;
		}
		snprintf(name, sizeof(name), "smp: %u APs started, timers ran, IPI and NMI taken",
			 want);
		report(1, name, NULL);
	} else
		report(0, "smp", "%u of %u APs checked in (%u timer failures); missing APIC IDs:%s",
		       ap_checked_in, want, ap_failed, missing);
}

/* ---- I/O APIC ---- */

#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10
#define IOAPIC_VER 0x01
#define IOAPIC_REDIR(n) (0x10 + 2 * (n))
#define IOAPIC_MASKED (1u << 16)
#define ISA_IRQ_COM1 4
#define COM1_IER_PORT 0x3f9
#define IER_THRE (1u << 1)

static uint32_t ioapic_read(uint32_t reg)
{
	mmio_write32(madt_ioapic + IOAPIC_REGSEL, reg);
	return mmio_read32(madt_ioapic + IOAPIC_WIN);
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(madt_ioapic + IOAPIC_REGSEL, reg);
	mmio_write32(madt_ioapic + IOAPIC_WIN, v);
}

/*
 * The 16550's interrupt (ISA IRQ 4, through any MADT override) routed by the
 * I/O APIC (82093AA datasheet 3.2.4) to this CPU: enabling the transmitter-
 * empty interrupt raises it at once, and the handler's IIR read ends it.
 */
void case_ioapic_uart(void)
{
	uint32_t gsi = madt_isa_gsi[ISA_IRQ_COM1] ? madt_isa_gsi[ISA_IRQ_COM1] - 1 : ISA_IRQ_COM1;
	uint32_t ver, max_pin;
	int ok;

	if (!madt_ioapic) {
		report(0, "ioapic uart", "the MADT lists no I/O APIC with GSI base 0");
		return;
	}
	ver = ioapic_read(IOAPIC_VER);
	max_pin = (ver >> 16) & 0xff;
	printf("mbtest: I/O APIC at %x, version %x, %u pins; COM1 is GSI %u\n", madt_ioapic,
	       ver & 0xff, max_pin + 1, gsi);
	if (gsi > max_pin) {
		report(0, "ioapic uart", "GSI %u is beyond the I/O APIC's %u pins", gsi,
		       max_pin + 1);
		return;
	}
	n_uart = 0;
	ioapic_write(IOAPIC_REDIR(gsi) + 1, bsp_apic_id << 24);
	ioapic_write(IOAPIC_REDIR(gsi), VEC_UART); /* fixed, physical, edge, active high */
	outb(COM1_IER_PORT, IER_THRE);
	ok = wait_count(&n_uart, 1, 2000);
	outb(COM1_IER_PORT, 0);
	ioapic_write(IOAPIC_REDIR(gsi), IOAPIC_MASKED | VEC_UART);
	if (!ok)
		report(0, "ioapic uart", "no interrupt on vector 0x%x within 2 s", VEC_UART);
	else if ((uart_iir & 0x0f) != 0x02)
		report(0, "ioapic uart", "IIR read %x in the handler, expected THRE (x2)",
		       uart_iir);
	else
		report(1, "ioapic routes the 16550 THRE interrupt", NULL);
}
