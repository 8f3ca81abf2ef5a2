/* SPDX-License-Identifier: MIT */
/*
 * Time: the TSC frequency (CPUID leaf 0x15/0x16 cross-checked against a PIT
 * calibration) and busy-wait delays built on it.
 */
#ifndef VIREO_ARCH_X86_TSC_H
#define VIREO_ARCH_X86_TSC_H

#include <stdint.h>

enum tsc_source { TSC_SRC_NONE, TSC_SRC_CPUID_15, TSC_SRC_CPUID_16, TSC_SRC_PIT };

void tsc_init(void);
uint64_t tsc_hz(void);
enum tsc_source tsc_source(void);
const char *tsc_source_name(void);
uint64_t tsc_to_us(uint64_t ticks);
uint64_t tsc_from_us(uint64_t us);
void tsc_delay_us(uint64_t us);

#endif
