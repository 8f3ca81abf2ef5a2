/* SPDX-License-Identifier: MIT */
/*
 * TSC frequency. CPUID 0x15 (SDM Vol. 3B 19.7.3) and 0x16 give a nominal
 * value; emulators often report one that does not match the TSC they really
 * run, so the value is checked against PIT channel 2 (8254, 1.193182 MHz)
 * and the measurement wins when they disagree by more than 10%.
 */
#include "arch/x86/tsc.h"
#include "arch/x86/cpu.h"
#include "kernel/printk.h"

#define PIT_HZ 1193182ull
#define PIT_CH2_DATA 0x42
#define PIT_MODE_CMD 0x43
#define PIT_CH2_GATE 0x61
#define PIT_GATE_ON 0x01
#define PIT_SPEAKER 0x02
#define PIT_OUT2 0x20
#define PIT_CMD_CH2_MODE0_LOHI 0xb0
#define PIT_CALIBRATE_MS 10
#define PIT_MAX_SPINS 1000000ull /* about a second of port reads: no PIT */
#define TSC_FALLBACK_HZ 1000000000ull
#define TSC_AGREE_PERCENT 10

static uint64_t hz;
static enum tsc_source source;

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

/* Count TSC ticks while PIT channel 2 counts down PIT_CALIBRATE_MS. */
static uint64_t tsc_from_pit(void)
{
	uint16_t count = PIT_HZ * PIT_CALIBRATE_MS / 1000;
	uint8_t gate = cpu_inb(PIT_CH2_GATE);
	uint64_t start, end, spins = 0;

	cpu_outb(PIT_CH2_GATE, (gate & ~PIT_SPEAKER) & ~PIT_GATE_ON);
	cpu_outb(PIT_MODE_CMD, PIT_CMD_CH2_MODE0_LOHI);
	cpu_outb(PIT_CH2_DATA, count & 0xff);
	cpu_outb(PIT_CH2_DATA, count >> 8);
	cpu_outb(PIT_CH2_GATE, (gate & ~PIT_SPEAKER) | PIT_GATE_ON);
	start = cpu_rdtsc();
	while (!(cpu_inb(PIT_CH2_GATE) & PIT_OUT2)) {
		if (++spins > PIT_MAX_SPINS)
			return 0;
	}
	end = cpu_rdtsc();
	cpu_outb(PIT_CH2_GATE, gate);
	return (end - start) * 1000 / PIT_CALIBRATE_MS;
}

static const char *const source_names[] = {"fallback guess", "CPUID leaf 0x15",
					   "CPUID leaf 0x16", "PIT calibration"};

void tsc_init(void)
{
	enum tsc_source csrc = TSC_SRC_NONE;
	uint64_t chz = tsc_from_cpuid(&csrc);
	uint64_t phz = tsc_from_pit();

	if (chz && phz) {
		uint64_t diff = chz > phz ? chz - phz : phz - chz;

		if (diff * 100 <= phz * TSC_AGREE_PERCENT) {
			hz = chz;
			source = csrc;
		} else {
			pr_warn("tsc: %s says %llu kHz but the PIT measures %llu kHz; using the "
				"measurement\n",
				source_names[csrc], (unsigned long long)chz / 1000,
				(unsigned long long)phz / 1000);
			hz = phz;
			source = TSC_SRC_PIT;
		}
	} else if (chz || phz) {
		hz = chz ? chz : phz;
		source = chz ? csrc : TSC_SRC_PIT;
	} else {
		hz = TSC_FALLBACK_HZ;
		source = TSC_SRC_NONE;
		pr_warn("tsc: no CPUID frequency and the PIT did not count; assuming 1 GHz, "
			"delays may be wrong\n");
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
