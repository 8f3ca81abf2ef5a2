/* SPDX-License-Identifier: MIT */
/*
 * TSC frequency. CPUID 0x15 (SDM Vol. 3B 19.7.3) and 0x16 give a nominal
 * value; emulators often report one that does not match the TSC they really
 * run, so the value is checked against a measurement and the measurement
 * wins when they disagree by more than 10%. The measurement uses PIT channel
 * 2 (8254, 1.193182 MHz) when its counter is seen counting, else the ACPI PM
 * timer (3.579545 MHz, ACPI 6.5 4.8.3.3) that the FADT lists.
 */
#include "arch/x86/tsc.h"
#include "arch/x86/acpi_tables.h"
#include "arch/x86/cpu.h"
#include "arch/x86/pit.h"
#include "lib/bytes.h"
#include "lib/printk.h"

#define PIT_CMD_CH2_MODE0_LOHI                                                                     \
	(PIT_CH2 << PIT_CMD_CHANNEL_SHIFT | PIT_ACCESS_LOHI << PIT_CMD_ACCESS_SHIFT |              \
	 PIT_MODE_ONESHOT << PIT_CMD_MODE_SHIFT)
#define PIT_CMD_CH2_LATCH                                                                          \
	(PIT_CH2 << PIT_CMD_CHANNEL_SHIFT | PIT_ACCESS_LATCH << PIT_CMD_ACCESS_SHIFT)
#define PIT_MAX_SPINS 1000000ull /* about a second of port reads: no PIT */
#define PIT_PROBE_READS 64	 /* latched reads that must show the count moving */
#define PM_TIMER_EDGE_SPINS 100000ull /* reads without a tick: the timer is dead */
#define PM_TIMER_MAX_SPINS 10000000ull /* 10 ms takes a few 10000 reads */
#define TSC_CALIBRATE_MS 10
#define MS_PER_S 1000
#define TSC_FALLBACK_HZ 1000000000ull
#define TSC_AGREE_PERCENT 10

static uint64_t hz;
static enum tsc_source source;
static uint16_t pm_port;
static unsigned pm_bits;
static uint32_t pm_mask;

static const char *const source_names[] = {
	[TSC_SRC_NONE] = "fallback guess",
	[TSC_SRC_CPUID_15] = "CPUID leaf 0x15",
	[TSC_SRC_CPUID_16] = "CPUID leaf 0x16",
	[TSC_SRC_PIT] = "PIT calibration",
	[TSC_SRC_PM_TIMER] = "ACPI PM timer calibration",
};

static const char *reference_name(enum tsc_source src)
{
	return src == TSC_SRC_PM_TIMER ? "ACPI PM timer" : "PIT";
}

static uint64_t tsc_from_cpuid(enum tsc_source *src)
{
	struct cpuid_regs r;
	uint32_t max;

	cpu_cpuid(0, 0, &r);
	max = r.eax;
	if (max >= 0x15) {
		cpu_cpuid(0x15, 0, &r);
		if (r.eax && r.ebx && r.ecx) {
			*src = TSC_SRC_CPUID_15;
			return (uint64_t)r.ecx * r.ebx / r.eax;
		}
	}
	if (max >= 0x16) {
		cpu_cpuid(0x16, 0, &r);
		if (r.eax & 0xffff) {
			*src = TSC_SRC_CPUID_16;
			return (uint64_t)(r.eax & 0xffff) * 1000000ull;
		}
	}
	return 0;
}

/* Channel 2's current count, through the counter-latch command. */
static uint16_t pit_ch2_count(void)
{
	uint8_t lo, hi;

	cpu_outb(PIT_PORT_CMD, PIT_CMD_CH2_LATCH);
	lo = cpu_inb(PIT_PORT_CH2);
	hi = cpu_inb(PIT_PORT_CH2);
	return (uint16_t)(lo | hi << BITS_PER_BYTE);
}

/*
 * A PIT is there and counting when channel 2, after its terminal count (it
 * goes on down from 0xffff in mode 0), reads lower the next time it moves.
 * Without one the data port floats (0xff) while port 0x61's output bit may
 * still toggle, which alone would pass for a very fast countdown.
 */
static bool pit_ch2_counts(void)
{
	uint16_t first = pit_ch2_count(), now;

	for (unsigned i = 0; i < PIT_PROBE_READS; i++) {
		now = pit_ch2_count();
		if (now != first)
			return now < first;
	}
	return false;
}

/* TSC ticks per second while PIT channel 2 counts down; 0 when it does not count. */
static uint64_t tsc_from_pit(void)
{
	uint16_t count = PIT_HZ * TSC_CALIBRATE_MS / MS_PER_S;
	uint8_t gate = cpu_inb(PIT_PORT_B);
	uint64_t start, end, spins = 0;
	bool counted;

	cpu_outb(PIT_PORT_B, (gate & ~PORT_B_SPEAKER) & ~PORT_B_GATE2);
	cpu_outb(PIT_PORT_CMD, PIT_CMD_CH2_MODE0_LOHI);
	cpu_outb(PIT_PORT_CH2, count & 0xff);
	cpu_outb(PIT_PORT_CH2, count >> BITS_PER_BYTE);
	cpu_outb(PIT_PORT_B, (gate & ~PORT_B_SPEAKER) | PORT_B_GATE2);
	start = cpu_rdtsc();
	while (!(cpu_inb(PIT_PORT_B) & PORT_B_OUT2)) {
		if (++spins > PIT_MAX_SPINS)
			break;
	}
	end = cpu_rdtsc();
	counted = spins <= PIT_MAX_SPINS && pit_ch2_counts();
	cpu_outb(PIT_PORT_B, gate);
	return counted ? (end - start) * MS_PER_S / TSC_CALIBRATE_MS : 0;
}

static uint32_t pm_timer_read(void)
{
	return cpu_inl(pm_port) & pm_mask;
}

/*
 * TSC ticks per second over TSC_CALIBRATE_MS of PM timer ticks, from one
 * tick edge to another, the counter's wrap-around included; 0 when the
 * timer does not tick.
 */
static uint64_t tsc_from_pm_timer(void)
{
	uint32_t want = ACPI_PM_TIMER_HZ * TSC_CALIBRATE_MS / MS_PER_S;
	uint32_t first = pm_timer_read(), start, elapsed;
	uint64_t t0, t1, spins = 0;

	while ((start = pm_timer_read()) == first) {
		if (++spins > PM_TIMER_EDGE_SPINS)
			return 0;
	}
	t0 = cpu_rdtsc();
	do {
		elapsed = (pm_timer_read() - start) & pm_mask;
		if (++spins > PM_TIMER_MAX_SPINS)
			return 0;
	} while (elapsed < want);
	t1 = cpu_rdtsc();
	return (t1 - t0) * ACPI_PM_TIMER_HZ / elapsed;
}

void tsc_use_pm_timer(uint16_t port, unsigned bits)
{
	pm_port = port;
	pm_bits = bits == ACPI_PM_TIMER_BITS_32 ? ACPI_PM_TIMER_BITS_32 : ACPI_PM_TIMER_BITS_24;
	pm_mask = bits == ACPI_PM_TIMER_BITS_32 ? ACPI_PM_TIMER_MASK_32 : ACPI_PM_TIMER_MASK_24;
}

static void report_measure(uint64_t meas_hz, enum tsc_source src)
{
	pr_info("tsc: measured %llu.%03llu MHz against the %s over %u ms\n",
		(unsigned long long)meas_hz / 1000000, (unsigned long long)(meas_hz / 1000) % 1000,
		reference_name(src), TSC_CALIBRATE_MS);
}

/* The TSC rate measured against the PIT, else the ACPI PM timer; 0 if neither counts. */
static uint64_t tsc_measure(enum tsc_source *src)
{
	uint64_t meas_hz = tsc_from_pit();

	*src = TSC_SRC_PIT;
	if (meas_hz) {
		report_measure(meas_hz, *src);
		return meas_hz;
	}
	if (!pm_port) {
		pr_info("tsc: the PIT does not count and no ACPI PM timer is known\n");
		return 0;
	}
	pr_info("tsc: the PIT does not count (no 8254, or it is clock-gated); using the ACPI PM "
		"timer at port 0x%x (%u-bit)\n", pm_port, pm_bits);
	*src = TSC_SRC_PM_TIMER;
	meas_hz = tsc_from_pm_timer();
	if (meas_hz)
		report_measure(meas_hz, *src);
	else
		pr_warn("tsc: the ACPI PM timer at port 0x%x does not tick either\n", pm_port);
	return meas_hz;
}

void tsc_init(void)
{
	enum tsc_source csrc = TSC_SRC_NONE, msrc;
	uint64_t chz = tsc_from_cpuid(&csrc);
	uint64_t meas_hz = tsc_measure(&msrc);

	if (chz && meas_hz) {
		uint64_t diff = chz > meas_hz ? chz - meas_hz : meas_hz - chz;

		if (diff * 100 <= meas_hz * TSC_AGREE_PERCENT) {
			hz = chz;
			source = csrc;
		} else {
			pr_warn("tsc: %s says %llu kHz but the %s measures %llu kHz; using the "
				"measurement\n",
				source_names[csrc], (unsigned long long)chz / 1000,
				reference_name(msrc), (unsigned long long)meas_hz / 1000);
			hz = meas_hz;
			source = msrc;
		}
	} else if (chz || meas_hz) {
		hz = chz ? chz : meas_hz;
		source = chz ? csrc : msrc;
	} else {
		hz = TSC_FALLBACK_HZ;
		source = TSC_SRC_NONE;
		pr_warn("tsc: no CPUID frequency and neither the PIT nor an ACPI PM timer counted; "
			"assuming 1 GHz, delays may be wrong\n");
	}
	pr_info("tsc: %llu.%03llu MHz (%s)\n", (unsigned long long)hz / 1000000,
		(unsigned long long)(hz / 1000) % 1000, source_names[source]);
}

uint64_t tsc_hz(void)
{
	return hz ? hz : TSC_FALLBACK_HZ;
}

enum tsc_source tsc_source(void)
{
	return source;
}

const char *tsc_source_name(void)
{
	return source_names[source];
}

uint64_t tsc_to_us(uint64_t ticks)
{
	return ticks / (tsc_hz() / 1000000 ? tsc_hz() / 1000000 : 1);
}

uint64_t tsc_from_us(uint64_t us)
{
	return us * (tsc_hz() / 1000000);
}

void tsc_delay_us(uint64_t us)
{
	uint64_t end = cpu_rdtsc() + tsc_from_us(us);

	while (cpu_rdtsc() < end)
		cpu_pause();
}
