/* SPDX-License-Identifier: MIT */
/*
 * Turning VMX on and off on every core. VMXON acts only on the CPU that
 * executes it (SDM Vol. 3C 24.7), so each step is a cross-CPU call that runs
 * on the target and touches only that CPU's own struct vmx_percpu.
 */
#include "vmx/vmx_smp.h"
#include "lib/printk.h"
#include "lib/format.h"
#include "lib/string.h"
#include "smp/smp.h"
#include "vmx/caps.h"
#include "vmx/cpuid.h"
#include "vmx/percpu.h"
#include "vmx/msr.h"
#include "vmx/spec.h"

#define VMX_REPORT_FULL_MAX 16
#define VMX_REPORT_FIRST 4

static struct vmx_cpu_result results[MAX_CPUS];
static int left_off_cpu = -1; /* vireo.vmx_off_cpu: VMX stays off there */
static struct vmx_caps caps_seen[MAX_CPUS];
static char bsp_reason[VMX_PERCPU_MSG_LEN];

static void record(struct vmx_cpu_result *r, enum err e)
{
	r->err = e;
	r->enabled = vmx_is_enabled();
	r->answered = true;
	vmx_percpu_report_line(r->line, sizeof(r->line));
}

static void enable_here(void *arg)
{
	struct vmx_cpu_result *out = arg;
	unsigned cpu = this_cpu()->cpu_id;
	enum err e = E_OK;

	if (!vmx_percpu_this())
		e = vmx_percpu_init();
	if (e == E_OK && (int)cpu == left_off_cpu) {
		record(&out[cpu], E_STATE);
		fmt_snprintf(out[cpu].line, sizeof(out[cpu].line),
			     "cpu %u: VMX left off (vireo.vmx_off_cpu=%u)", cpu, cpu);
		return;
	}
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

void vmx_leave_off(int cpu)
{
	left_off_cpu = cpu;
}

bool vmx_cpu_on(unsigned cpu)
{
	return cpu < smp_num_cpus() && smp_cpu_online(cpu) && results[cpu].enabled;
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

/* A row's text after its "cpu N: " prefix: what happened there. */
static const char *row_state(const struct vmx_cpu_result *r)
{
	const char *p = strchr(r->line, ':');

	return p ? p : r->line;
}

/* Print rows first..last-1 that were held back as repeats of row `like`. */
static void report_run(unsigned first, unsigned last, unsigned like)
{
	if (last - first == 1)
		pr_info("  %s\n", results[first].line);
	else if (last > first)
		pr_info("  cpus %u-%u%s (as cpu %u)\n", first, last - 1, row_state(&results[like]),
			like);
}

/*
 * One row per CPU on small machines. On big ones: the first rows, then only
 * CPUs that are not on, a run of CPUs in the same state as the row before
 * them folded into one line, so 1024 CPUs with VT-x off stay readable.
 */
static void report_table(void)
{
	unsigned run_start = 0, run_like = 0;
	bool in_run = false;

	for (unsigned i = 0; i < smp_num_cpus(); i++) {
		bool small = smp_num_cpus() <= VMX_REPORT_FULL_MAX || i < VMX_REPORT_FIRST;

		if (!smp_cpu_online(i) || (!small && results[i].enabled))
			continue;
		if (!small && i > 0 && !strcmp(row_state(&results[i]), row_state(&results[i - 1]))) {
			if (!in_run) {
				run_start = i;
				run_like = i - 1;
				in_run = true;
			}
			continue;
		}
		if (in_run)
			report_run(run_start, i, run_like);
		in_run = false;
		pr_info("  %s\n", results[i].line);
	}
	if (in_run)
		report_run(run_start, smp_num_cpus(), run_like);
}

void vmx_boot_all(bool full_caps_report)
{
	unsigned on;

	vmx_spec_init();
	vmx_msr_init();
	vmx_enable_all(results);
	vmx_cpuid_init();
	pr_info("vmx: per-CPU VMX state:\n");
	report_table();
	if (caps_seen[0].present) {
		if (full_caps_report)
			vmx_caps_print_full(&caps_seen[0]);
		else
			vmx_caps_print_short(&caps_seen[0]);
		report_mismatches();
	}
	on = vmx_cpus_enabled();
	if (results[0].err != E_OK)
		memcpy(bsp_reason, vmx_percpu_last_error()[0] ? vmx_percpu_last_error() : results[0].line,
		       sizeof(bsp_reason) - 1);
	if (on == smp_num_online())
		pr_info("vmx: VMX on on all %u CPUs\n", on);
	else if (on)
		pr_warn("vmx: VMX on on %u of %u CPUs; VMs will run only on those\n", on,
			smp_num_online());
	else
		pr_err("vmx: VT-x is not usable on any CPU (%s); Vireo stays up without VMs\n",
		       bsp_reason[0] ? bsp_reason : "see the lines above");
}

/* A CPU that did not run the VMXOFF cross-call (hung) keeps what it had. */
static unsigned mark_unanswered(const bool *was_on)
{
	unsigned n = 0;

	for (unsigned i = 0; i < smp_num_cpus(); i++) {
		if (!smp_cpu_online(i) || results[i].answered)
			continue;
		n++;
		results[i].enabled = was_on[i];
		fmt_snprintf(results[i].line, sizeof(results[i].line),
			     "cpu %u: did not answer the VMXOFF cross-call (hung)", i);
	}
	return n;
}

void vmx_shutdown_all(void)
{
	static bool was_on[MAX_CPUS];
	unsigned were_on = vmx_cpus_enabled(), silent, still_on;
	enum err e;

	for (unsigned i = 0; i < smp_num_cpus(); i++)
		was_on[i] = vmx_cpu_on(i);
	e = vmx_disable_all(results);
	silent = mark_unanswered(was_on);
	still_on = vmx_cpus_enabled();
	for (unsigned i = 0; i < smp_num_cpus(); i++) {
		if (smp_cpu_online(i) && results[i].enabled)
			pr_err("vmx: cpu %u still has VMX on at shutdown: %s\n", i, results[i].line);
	}
	if (e == E_OK && were_on && !still_on)
		pr_info("vmx: VMX off on all %u CPUs\n", smp_num_online());
	else if (silent)
		pr_err(
		    "vmx: VMX off on %u of %u CPUs; %u did not answer and may still have it on\n",
		    smp_num_online() - still_on, smp_num_online(), silent);
}
