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
	bool answered; /* the CPU ran the cross-call (a hung one does not) */
	char line[160];
};

/* Boot: init + enable on all online CPUs in parallel, then report. */
void vmx_boot_all(bool full_caps_report);
/* Enable / disable on every online CPU; results per CPU in out (may be NULL). */
enum err vmx_enable_all(struct vmx_cpu_result *out);
enum err vmx_disable_all(struct vmx_cpu_result *out);
unsigned vmx_cpus_enabled(void);
/* VMX is on on this online CPU (as of the last enable/disable on all CPUs):
 * only such CPUs may run vCPUs. */
bool vmx_cpu_on(unsigned cpu);
/* Before vmx_boot_all(): leave VMX off on one CPU (-1: none), as firmware
 * that disabled VT-x there would; tests VMs running on the others. */
void vmx_leave_off(int cpu);
/* Why VMX is not usable here (for SKIP reasons), or NULL if it is on the BSP. */
const char *vmx_unavailable_reason(void);
/* Shutdown hook: VMX off on every CPU, then "vmx: VMX off on all N CPUs";
 * a CPU that does not answer keeps VMX on and is named, with the count of
 * CPUs turned off. */
void vmx_shutdown_all(void);

#endif
