/* SPDX-License-Identifier: MIT */
/*
 * Local APIC in xAPIC (MMIO) or x2APIC (MSR) mode, x2APIC whenever the CPU
 * offers it (SDM Vol. 3A chapter 11 and 11.12): EOI, IPIs (fixed, NMI, INIT,
 * SIPI) and the timer.
 */
#ifndef VIREO_ARCH_X86_LAPIC_H
#define VIREO_ARCH_X86_LAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/apic_regs.h"

#define VECTOR_TIMER 0xec
#define VECTOR_CALL_FUNCTION 0xf0
#define VECTOR_RESCHEDULE 0xf1
#define VECTOR_ERROR 0xfe
#define VECTOR_SPURIOUS 0xff

enum lapic_delivery {
	LAPIC_DM_FIXED = APIC_DM_FIXED,
	LAPIC_DM_NMI = APIC_DM_NMI,
	LAPIC_DM_INIT = APIC_DM_INIT,
	LAPIC_DM_STARTUP = APIC_DM_STARTUP,
};

/* Per CPU: enable the APIC (x2APIC mode if supported), SVR, LVTs masked. */
void lapic_init_cpu(void);
bool lapic_x2apic_mode(void);
uint64_t lapic_mmio_base(void);
uint32_t lapic_id(void);
uint32_t lapic_version(void);
uint32_t lapic_tpr(void); /* this CPU's task priority (guests never change it) */
void lapic_eoi(void);
/* Send an IPI; returns false if an xAPIC ICR stayed busy (delivery failed). */
bool lapic_send_ipi(uint32_t apic_id, enum lapic_delivery mode, uint8_t vector);
bool lapic_send_ipi_all_but_self(enum lapic_delivery mode, uint8_t vector);
/* Timer: count down `ticks` at the bus rate / 16, one-shot or periodic. */
void lapic_timer_start(uint32_t ticks, uint8_t vector, bool periodic);
void lapic_timer_stop(void);
uint32_t lapic_timer_current(void);
/* Measure the timer rate against the TSC (BSP, once, after tsc_init). */
void lapic_timer_calibrate(void);
uint32_t lapic_timer_ticks_for_us(uint64_t us);
/* APIC ID of the calling CPU read from CPUID (valid before the APIC is set up). */
uint32_t lapic_cpuid_apic_id(void);

#endif
