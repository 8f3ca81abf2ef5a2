/* SPDX-License-Identifier: MIT */
/*
 * Host tests for arch/x86/tsc.c: the TSC calibration on a simulated machine
 * whose clock advances with every port access and RDTSC. It has an 8254
 * (channel 2 in mode 0, counter latch, OUT2 on port 0x61) or, like QEMU with
 * pit=off, none (the data port floats, port 0x61's output bit toggles), and
 * an ACPI PM timer at 3.579545 MHz, 24 or 32 bits wide, or none, or one that
 * never ticks. The fakes of the arch/x86/cpu.h accessors tsc.c uses live here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "arch/x86/cpu.h"
#include "arch/x86/pit.h"
#include "arch/x86/tsc.h"
#include "tests/unit/fake_printk.h"

#define PS_PER_S 1000000000000ull
#define PORT_ACCESS_PS 700000ull /* an I/O port access: 0.7 us */
#define RDTSC_PS 10000ull
#define PM_HZ 3579545ull
#define PM_PORT 0x608
#define TSC_HZ 2500000000ull
#define PPM_OK 2000 /* 0.2%: a 10 ms window read in 0.7 us steps */

enum pm_kind { PM_NONE, PM_24, PM_32, PM_STUCK };

static struct machine {
	uint64_t now_ps;
	uint64_t tsc_hz;
	bool pit;
	enum pm_kind pm;
	uint64_t pm_offset;	       /* the counter's value at time 0 */
	uint32_t cpuid_max, leaf15[3]; /* EAX, EBX, ECX of leaf 0x15 */
	/* 8254 channel 2 */
	uint16_t count;
	uint8_t write_lo, writes, reads;
	bool gate, latched, toggle;
	uint64_t start_ps;
	uint16_t latch;
	unsigned pm_reads, pit_reads;
} m;

static void machine(uint64_t tsc_hz, bool pit, enum pm_kind pm)
{
	memset(&m, 0, sizeof(m));
	m.tsc_hz = tsc_hz;
	m.pit = pit;
	m.pm = pm;
	tsc_use_pm_timer(pm == PM_NONE ? 0 : PM_PORT, pm == PM_32 ? 32 : 24);
	fake_printk_clear();
}

static uint64_t ticks(uint64_t hz, uint64_t ps)
{
	return (uint64_t)((unsigned __int128)ps * hz / PS_PER_S);
}

static void port_access(void)
{
	m.now_ps += PORT_ACCESS_PS;
}

/* Ticks of the 8254 since counting started; 0 while gated off. */
static uint64_t pit_elapsed(void)
{
	return m.gate ? ticks(PIT_HZ, m.now_ps - m.start_ps) : 0;
}

void cpu_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out)
{
	memset(out, 0, sizeof(*out));
	if (leaf == 0)
		out->eax = m.cpuid_max;
	else if (leaf == 0x15 && m.cpuid_max >= 0x15) {
		out->eax = m.leaf15[0];
		out->ebx = m.leaf15[1];
		out->ecx = m.leaf15[2];
	}
}

uint8_t cpu_inb(uint16_t port)
{
	uint8_t v;

	port_access();
	if (port == PIT_PORT_B) {
		if (!m.pit) /* no 8254: the output bit toggles with every read */
			return (m.toggle = !m.toggle) ? PORT_B_OUT2 : 0;
		v = m.gate ? 1 : 0;
		return pit_elapsed() >= m.count ? v | PORT_B_OUT2 : v;
	}
	if (port == PIT_PORT_CH2 && m.pit && m.latched) {
		m.pit_reads++;
		v = m.reads++ ? (uint8_t)(m.latch >> 8) : (uint8_t)m.latch;
		if (m.reads == 2)
			m.latched = false;
		return v;
	}
	return 0xff;
}

void cpu_outb(uint16_t port, uint8_t value)
{
	port_access();
	if (!m.pit)
		return;
	if (port == PIT_PORT_B) {
		if ((value & 1) && !m.gate)
			m.start_ps = m.now_ps;
		m.gate = value & 1;
	} else if (port == PIT_PORT_CMD && value == 0x80) {
		/* Mode 0 counts down from count, then on from 0xffff. */
		m.latch = (uint16_t)(m.count - pit_elapsed());
		m.latched = true;
		m.reads = 0;
	} else if (port == PIT_PORT_CMD) {
		m.writes = 0;
	} else if (port == PIT_PORT_CH2) {
		if (m.writes++ == 0)
			m.write_lo = value;
		else
			m.count = (uint16_t)(m.write_lo | value << 8);
	}
}

uint32_t cpu_inl(uint16_t port)
{
	uint64_t v;

	port_access();
	if (port != PM_PORT || m.pm == PM_NONE)
		return 0xffffffffu;
	m.pm_reads++;
	if (m.pm == PM_STUCK)
		return 0x123456;
	v = m.pm_offset + ticks(PM_HZ, m.now_ps);
	return (uint32_t)(m.pm == PM_24 ? v & 0xffffff : v);
}

uint64_t cpu_rdtsc(void)
{
	m.now_ps += RDTSC_PS;
	return ticks(m.tsc_hz, m.now_ps);
}

void cpu_pause(void)
{
}

static void assert_close(uint64_t got, uint64_t want)
{
	uint64_t diff = got > want ? got - want : want - got;

	if (diff * 1000000 > want * PPM_OK)
		fail_msg("%llu Hz is not within %u ppm of %llu Hz", (unsigned long long)got, PPM_OK,
			 (unsigned long long)want);
}

static void test_pit_calibrates(void **state)
{
	machine(TSC_HZ, true, PM_24);
	tsc_init();
	assert_int_equal(tsc_source(), TSC_SRC_PIT);
	assert_close(tsc_hz(), TSC_HZ);
	assert_string_equal(tsc_source_name(), "PIT calibration");
	assert_true(fake_printk_contains("MHz against the PIT over 10 ms"));
	/* The PIT works, so the PM timer is not even read. */
	assert_int_equal(m.pm_reads, 0);
	assert_true(m.pit_reads > 0);
}

static void test_pm_timer_when_no_pit(void **state)
{
	machine(TSC_HZ, false, PM_24);
	tsc_init();
	assert_int_equal(tsc_source(), TSC_SRC_PM_TIMER);
	assert_close(tsc_hz(), TSC_HZ);
	assert_string_equal(tsc_source_name(), "ACPI PM timer calibration");
	assert_true(fake_printk_contains("the PIT does not count"));
	assert_true(fake_printk_contains("ACPI PM timer at port 0x608 (24-bit)"));
	assert_true(fake_printk_contains("against the ACPI PM timer over 10 ms"));
	assert_true(fake_printk_contains("(ACPI PM timer calibration)"));
}

/* The counter wraps inside the measuring window, at 24 and at 32 bits. */
static void test_pm_timer_wraps(void **state)
{
	machine(3000000000ull, false, PM_24);
	m.pm_offset = 0xffffff - 1000;
	tsc_init();
	assert_int_equal(tsc_source(), TSC_SRC_PM_TIMER);
	assert_close(tsc_hz(), 3000000000ull);

	machine(4000000ull, false, PM_32); /* Bochs-like: a 4 MHz TSC */
	m.pm_offset = 0xffffffffull - 2000;
	tsc_init();
	assert_int_equal(tsc_source(), TSC_SRC_PM_TIMER);
	assert_close(tsc_hz(), 4000000ull);
	assert_true(fake_printk_contains("(32-bit)"));
}

static void test_nothing_counts(void **state)
{
	machine(TSC_HZ, false, PM_NONE);
	tsc_init();
	assert_int_equal(tsc_source(), TSC_SRC_NONE);
	assert_int_equal(tsc_hz(), 1000000000ull);
	assert_true(fake_printk_contains("no ACPI PM timer is known"));
	assert_true(fake_printk_contains("assuming 1 GHz"));

	machine(TSC_HZ, false, PM_STUCK);
	tsc_init();
	assert_int_equal(tsc_source(), TSC_SRC_NONE);
	assert_true(fake_printk_contains("ACPI PM timer at port 0x608 does not tick either"));
	/* Given up after a bounded number of reads. */
	assert_true(m.pm_reads < 200000);
}

/* CPUID's nominal value stands when the measurement agrees, else the measurement. */
static void test_cpuid_checked_against_pm_timer(void **state)
{
	machine(TSC_HZ, false, PM_24);
	m.cpuid_max = 0x15;
	m.leaf15[0] = 2;
	m.leaf15[1] = 200;
	m.leaf15[2] = 25000000; /* 25 MHz crystal * 100: 2.5 GHz */
	tsc_init();
	assert_int_equal(tsc_source(), TSC_SRC_CPUID_15);
	assert_int_equal(tsc_hz(), TSC_HZ);

	machine(TSC_HZ, false, PM_24);
	m.cpuid_max = 0x15;
	m.leaf15[0] = 1;
	m.leaf15[1] = 100;
	m.leaf15[2] = 25000000; /* says 2.5 GHz, runs at 1.25 */
	m.tsc_hz = TSC_HZ / 2;
	tsc_init();
	assert_int_equal(tsc_source(), TSC_SRC_PM_TIMER);
	assert_close(tsc_hz(), TSC_HZ / 2);
	assert_true(fake_printk_contains("CPUID leaf 0x15 says 2500000 kHz but the ACPI PM timer "
					 "measures 1250"));

	/* No PIT, no PM timer: CPUID alone. */
	machine(TSC_HZ, false, PM_NONE);
	m.cpuid_max = 0x15;
	m.leaf15[0] = 2;
	m.leaf15[1] = 200;
	m.leaf15[2] = 25000000;
	tsc_init();
	assert_int_equal(tsc_source(), TSC_SRC_CPUID_15);
}

static void test_conversions(void **state)
{
	machine(TSC_HZ, true, PM_NONE);
	tsc_init();
	assert_int_equal(tsc_from_us(1000), tsc_hz() / 1000000 * 1000);
	assert_int_equal(tsc_to_us(tsc_from_us(12345)), 12345);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pit_calibrates),
	    cmocka_unit_test(test_pm_timer_when_no_pit),
	    cmocka_unit_test(test_pm_timer_wraps),
	    cmocka_unit_test(test_nothing_counts),
	    cmocka_unit_test(test_cpuid_checked_against_pm_timer),
	    cmocka_unit_test(test_conversions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
