/* SPDX-License-Identifier: MIT */
/*
 * Time: the TSC frequency (CPUID leaf 0x15/0x16 cross-checked against a
 * measurement with the PIT, or with the ACPI PM timer where the PIT does not
 * count) and busy-wait delays built on it.
 */
#ifndef VIREO_ARCH_X86_TSC_H
#define VIREO_ARCH_X86_TSC_H

#include <stdint.h>

enum tsc_source {
	TSC_SRC_NONE,
	TSC_SRC_CPUID_15,
	TSC_SRC_CPUID_16,
	TSC_SRC_PIT,
	TSC_SRC_PM_TIMER,
};

/*
 * Offer the ACPI PM timer (the FADT's TMR_VAL at I/O port @port, @bits 24 or
 * 32 wide) as the reference tsc_init() measures against when the PIT does
 * not count. Port 0 withdraws it. Call before tsc_init().
 */
void tsc_use_pm_timer(uint16_t port, unsigned bits);

void tsc_init(void);
uint64_t tsc_hz(void);
enum tsc_source tsc_source(void);
const char *tsc_source_name(void);
uint64_t tsc_to_us(uint64_t ticks);
uint64_t tsc_from_us(uint64_t us);
void tsc_delay_us(uint64_t us);

#endif
