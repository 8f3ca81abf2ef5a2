/* SPDX-License-Identifier: MIT */
/*
 * Turning VMX on and off on every core. VMXON acts only on the CPU that
 * executes it (SDM Vol. 3C 24.7), so each step is a cross-CPU call that runs
 * on the target and touches only that CPU's own struct vmx_percpu.
 */
#include "vmx/vmx_smp.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "smp/smp.h"
#include "vmx/caps.h"
#include "vmx/percpu.h"

#define VMX_REPORT_FULL_MAX 16
#define VMX_REPORT_FIRST 4

static struct vmx_cpu_result results[MAX_CPUS];
static struct vmx_caps caps_seen[MAX_CPUS];
static char bsp_reason[VMX_PERCPU_MSG_LEN];

static void record(struct vmx_cpu_result *r, enum err e)
{
	r->err = e;
	r->enabled = vmx_is_enabled();
	vmx_percpu_report_line(r->line, sizeof(r->line));
}

static void enable_here(void *arg)
{
	struct vmx_cpu_result *out = arg;
	unsigned cpu = this_cpu()->cpu_id;
	enum err e = E_OK;

	if (!vmx_percpu_this())
		e = vmx_percpu_init();
	if (e == E_OK)
		e = vmx_hardware_enable();
	if (vmx_percpu_caps())
		caps_seen[cpu] = *vmx_percpu_caps();
	record(&out[cpu], e);
}

static void disable_here(void *arg)
{
	struct vmx_cpu_result *out = arg;
	unsigned cpu = this_cpu()->cpu_id;

	record(&out[cpu], vmx_is_enabled() ? vmx_hardware_disable() : E_OK);
}

static enum err run_all(void (*fn)(void *), struct vmx_cpu_result *out)
{
	enum err e;

	if (!out)
		out = results;
	memset(out, 0, sizeof(*out) * smp_num_cpus());
	e = smp_call_all(fn, out);
	for (unsigned i = 0; i < smp_num_cpus() && e == E_OK; i++) {
		if (smp_cpu_online(i) && out[i].err != E_OK && out[i].err != E_EXIST)
			e = out[i].err;
	}
	return e;
}

enum err vmx_enable_all(struct vmx_cpu_result *out)
{
	return run_all(enable_here, out);
}

enum err vmx_disable_all(struct vmx_cpu_result *out)
{
	return run_all(disable_here, out);
}

unsigned vmx_cpus_enabled(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < smp_num_cpus(); i++)
		n += smp_cpu_online(i) && results[i].enabled;
	return n;
}

const char *vmx_unavailable_reason(void)
{
	return bsp_reason[0] ? bsp_reason : NULL;
}

static void report_mismatches(void)
{
	for (unsigned i = 1; i < smp_num_cpus(); i++) {
		if (smp_cpu_online(i) && caps_seen[i].present &&
		    !vmx_caps_equal(&caps_seen[0], &caps_seen[i])) {
			pr_warn("vmx: cpu %u's VMX capabilities differ from cpu 0's:\n", i);
			vmx_caps_print_diff(&caps_seen[0], 0, &caps_seen[i], i);
		}
	}
}

void vmx_boot_all(bool full_caps_report)
{
	unsigned on;

	vmx_enable_all(results);
	pr_info("vmx: per-CPU VMX state:\n");
	for (unsigned i = 0; i < smp_num_cpus(); i++) {
		/* Big machines: the first rows and every CPU that is not on. */
		bool show = smp_num_cpus() <= VMX_REPORT_FULL_MAX || i < VMX_REPORT_FIRST ||
			    !results[i].enabled;

		if (smp_cpu_online(i) && show)
			pr_info("  %s\n", results[i].line);
	}
	if (caps_seen[0].present) {
		if (full_caps_report)
			vmx_caps_print_full(&caps_seen[0]);
		else
			vmx_caps_print_short(&caps_seen[0]);
		report_mismatches();
	}
	on = vmx_cpus_enabled();
	if (results[0].err != E_OK)
		memcpy(bsp_reason, vmx_percpu_last_error(), sizeof(bsp_reason) - 1);
	if (on == smp_num_online())
		pr_info("vmx: VMX on on all %u CPUs\n", on);
	else if (on)
		pr_warn("vmx: VMX on on %u of %u CPUs; VMs will run only on those\n", on,
			smp_num_online());
	else
		pr_err("vmx: VT-x is not usable on any CPU (%s); Vireo stays up without VMs\n",
		       bsp_reason[0] ? bsp_reason : "see the lines above");
}

void vmx_shutdown_all(void)
{
	unsigned were_on = vmx_cpus_enabled();
	enum err e = vmx_disable_all(results);

	for (unsigned i = 0; i < smp_num_cpus(); i++) {
		if (smp_cpu_online(i) && results[i].enabled)
			pr_err("vmx: cpu %u still has VMX on at shutdown: %s\n", i, results[i].line);
	}
	if (e == E_OK && were_on && !vmx_cpus_enabled())
		pr_info("vmx: VMX off on all %u CPUs\n", smp_num_online());
}
