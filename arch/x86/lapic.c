/* SPDX-License-Identifier: MIT */
/*
 * Local APIC driver. Register offsets are the xAPIC MMIO offsets; in x2APIC
 * mode the MSR is 0x800 + offset / 16 and the ICR is one 64-bit MSR
 * (SDM Vol. 3A 11.12.1.2, Table 11-6).
 */
#include "arch/x86/lapic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "lib/printk.h"

#define LVT_TIMER_PERIODIC (APIC_TIMER_PERIODIC << APIC_LVT_TIMER_MODE_SHIFT)
#define TIMER_DIV_16 0x3
#define ICR_BUSY_SPINS 1000000
#define CPUID_LEAF_TOPOLOGY 0xb

#define TIMER_CALIBRATE_US 10000
#define TIMER_MAX_COUNT 0xffffffffu

static uint64_t apic_base;
static bool x2apic;
static uint64_t timer_khz;

static uint32_t apic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)cpu_rdmsr(X2APIC_MSR(reg));
	return *(volatile uint32_t *)(uintptr_t)(apic_base + reg);
}

static void apic_write(uint32_t reg, uint32_t value)
{
	if (x2apic)
		cpu_wrmsr(X2APIC_MSR(reg), value);
	else
		*(volatile uint32_t *)(uintptr_t)(apic_base + reg) = value;
}

uint32_t lapic_cpuid_apic_id(void)
{
	struct cpuid_regs r;

	cpu_cpuid(0, 0, &r);
	if (r.eax >= CPUID_LEAF_TOPOLOGY) {
		cpu_cpuid(CPUID_LEAF_TOPOLOGY, 0, &r);
		if (r.ebx)
			return r.edx; /* full 32-bit x2APIC ID (SDM Vol. 3A 11.12.8.1) */
	}
	cpu_cpuid(1, 0, &r);
	return r.ebx >> 24;
}

void lapic_init_cpu(void)
{
	struct cpuid_regs r;
	uint64_t msr = cpu_rdmsr(MSR_IA32_APIC_BASE);

	cpu_cpuid(1, 0, &r);
	x2apic = r.ecx & CPUID_1_ECX_X2APIC;
	apic_base = msr & APIC_BASE_ADDR_MASK;
	msr |= APIC_BASE_ENABLE;
	cpu_wrmsr(MSR_IA32_APIC_BASE, msr);
	if (x2apic)
		cpu_wrmsr(MSR_IA32_APIC_BASE, msr | APIC_BASE_X2APIC);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	apic_write(APIC_LVT_ERROR, VECTOR_ERROR);
	apic_write(APIC_ESR, 0);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | VECTOR_SPURIOUS);
	apic_write(APIC_EOI, 0);
}

bool lapic_x2apic_mode(void)
{
	return x2apic;
}

uint64_t lapic_mmio_base(void)
{
	return apic_base ? apic_base : LAPIC_DEFAULT_BASE;
}

uint32_t lapic_id(void)
{
	uint32_t id = apic_read(APIC_ID);

	return x2apic ? id : id >> APIC_ID_XAPIC_SHIFT;
}

uint32_t lapic_tpr(void)
{
	return apic_read(APIC_TPR);
}

uint32_t lapic_version(void)
{
	return apic_read(APIC_VERSION);
}

void lapic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

static bool icr_wait_idle(void)
{
	if (x2apic)
		return true;
	for (int i = 0; i < ICR_BUSY_SPINS; i++) {
		if (!(apic_read(APIC_ICR_LO) & ICR_DELIVERY_PENDING))
			return true;
		cpu_pause();
	}
	return false;
}

static bool icr_send(uint32_t dest, uint32_t low)
{
	uint64_t flags = cpu_irq_save();
	bool ok;

	if (x2apic) {
		cpu_wrmsr(X2APIC_MSR(APIC_ICR_LO), ((uint64_t)dest << 32) | low);
		ok = true;
	} else {
		ok = icr_wait_idle();
		apic_write(APIC_ICR_HI, dest << ICR_XAPIC_DEST_SHIFT);
		apic_write(APIC_ICR_LO, low);
		ok = ok && icr_wait_idle();
	}
	cpu_irq_restore(flags);
	return ok;
}

static uint32_t icr_low(enum lapic_delivery mode, uint8_t vector)
{
	uint32_t low = ((uint32_t)mode << ICR_DM_SHIFT) | vector;

	if (mode != LAPIC_DM_STARTUP)
		low |= ICR_LEVEL_ASSERT;
	return low;
}

bool lapic_send_ipi(uint32_t apic_id, enum lapic_delivery mode, uint8_t vector)
{
	return icr_send(apic_id, icr_low(mode, vector));
}

bool lapic_send_ipi_all_but_self(enum lapic_delivery mode, uint8_t vector)
{
	return icr_send(0, icr_low(mode, vector) | ICR_DEST_ALL_BUT_SELF);
}

void lapic_timer_start(uint32_t ticks, uint8_t vector, bool periodic)
{
	apic_write(APIC_TIMER_DCR, TIMER_DIV_16);
	apic_write(APIC_LVT_TIMER, vector | (periodic ? LVT_TIMER_PERIODIC : 0));
	apic_write(APIC_TIMER_INIT, ticks);
}

void lapic_timer_stop(void)
{
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_TIMER_INIT, 0);
}

uint32_t lapic_timer_current(void)
{
	return apic_read(APIC_TIMER_CUR);
}

/* Count the timer (divide by 16) against the TSC for TIMER_CALIBRATE_US. */
void lapic_timer_calibrate(void)
{
	uint32_t left;

	lapic_timer_start(TIMER_MAX_COUNT, VECTOR_TIMER, false);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	tsc_delay_us(TIMER_CALIBRATE_US);
	left = lapic_timer_current();
	lapic_timer_stop();
	timer_khz = (uint64_t)(TIMER_MAX_COUNT - left) * 1000 / TIMER_CALIBRATE_US;
	pr_info("lapic: %s mode, timer %llu kHz (bus clock / 16, measured against the TSC)\n",
		x2apic ? "x2APIC" : "xAPIC", (unsigned long long)timer_khz);
}

uint32_t lapic_timer_ticks_for_us(uint64_t us)
{
	uint64_t ticks = timer_khz * us / 1000;

	return ticks ? (ticks > TIMER_MAX_COUNT ? TIMER_MAX_COUNT : (uint32_t)ticks) : 1;
}
