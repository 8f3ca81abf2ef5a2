/* SPDX-License-Identifier: MIT */
/*
 * VMX on every CPU: each core runs vmx_percpu_init() and
 * vmx_hardware_enable() itself, reached by a cross-CPU call; the results
 * and the capability report are printed by the boot CPU.
 */
#ifndef VIREO_VMX_VMX_SMP_H
#define VIREO_VMX_VMX_SMP_H

#include <stdbool.h>
#include "lib/error.h"

struct vmx_cpu_result {
	enum err err;
	bool enabled;
	char line[160];
};

/* Boot: init + enable on all online CPUs in parallel, then report. */
void vmx_boot_all(bool full_caps_report);
/* Enable / disable on every online CPU; results per CPU in out (may be NULL). */
enum err vmx_enable_all(struct vmx_cpu_result *out);
enum err vmx_disable_all(struct vmx_cpu_result *out);
unsigned vmx_cpus_enabled(void);
/* Why VMX is not usable here (for SKIP reasons), or NULL if it is on the BSP. */
const char *vmx_unavailable_reason(void);
/* Shutdown hook: VMX off on every CPU, then "vmx: VMX off on all N CPUs". */
void vmx_shutdown_all(void);

#endif
