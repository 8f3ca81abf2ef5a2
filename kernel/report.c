/* SPDX-License-Identifier: MIT */
/*
 * The machine report printed at the end of boot: the answer to "can this
 * machine run Vireo's VMs?" for a person who just booted it from USB.
 */
#include "kernel/report.h"
#include "kernel/boot.h"
#include "arch/x86/cpu.h"
#include "arch/x86/spec.h"
#include "arch/x86/tsc.h"
#include "arch/x86/topology.h"
#include "lib/printk.h"
#include "kernel/report_topo.h"
#include "lib/string.h"
#include "mm/pmm.h"
#include "smp/smp.h"
#include "guest/vcpu.h"

#define CPUID_BRAND_FIRST 0x80000002u
#define CPUID_BRAND_LAST 0x80000004u
#define CPUID_POWER_MGMT 0x80000007u
#define CPUID_INVARIANT_TSC (1u << 8)

static void cpu_brand(char out[49])
{
	struct cpuid_regs r;
	uint32_t *w = (uint32_t *)out;

	cpu_cpuid(0x80000000u, 0, &r);
	out[0] = '\0';
	if (r.eax < CPUID_BRAND_LAST)
		return;
	for (uint32_t leaf = CPUID_BRAND_FIRST; leaf <= CPUID_BRAND_LAST; leaf++, w += 4) {
		cpu_cpuid(leaf, 0, &r);
		w[0] = r.eax;
		w[1] = r.ebx;
		w[2] = r.ecx;
		w[3] = r.edx;
	}
	out[48] = '\0';
}

static bool invariant_tsc(void)
{
	struct cpuid_regs r;

	cpu_cpuid(0x80000000u, 0, &r);
	if (r.eax < CPUID_POWER_MGMT)
		return false;
	cpu_cpuid(CPUID_POWER_MGMT, 0, &r);
	return r.edx & CPUID_INVARIANT_TSC;
}

#define TOPO_TEXT_MAX 96

static uint32_t online_apic_ids[MAX_CPUS];

/* "1 package, 4 cores, 2 threads per core" for the CPUs online. */
static void report_cpus(void)
{
	struct report_topo t;
	char text[TOPO_TEXT_MAX];
	unsigned n = 0;

	for (unsigned i = 0; i < smp_num_cpus() && n < MAX_CPUS; i++) {
		if (smp_cpu_online(i))
			online_apic_ids[n++] = smp_percpu(i)->apic_id;
	}
	report_topo_count(online_apic_ids, n, topo_read_shifts(), &t);
	report_topo_text(&t, text, sizeof(text));
	pr_info("  CPUs online      %u of %u listed: %s\n", smp_num_online(), smp_num_cpus(), text);
}

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

void report_machine(void)
{
	char brand[49];
	struct cpuid_regs r;
	bool can_run;

	cpu_brand(brand);
	cpu_cpuid(1, 0, &r);
	can_run = vcpu_backend_can_run_guests();
	pr_info("===== Vireo machine report =====\n");
	pr_info("  CPU              %s\n", brand[0] ? brand : "(no brand string)");
	report_cpus();
	pr_info("  memory           %llu MiB usable, %llu MiB free\n",
		(unsigned long long)(pmm_total_count() * PAGE_SIZE >> 20),
		(unsigned long long)(pmm_free_count() * PAGE_SIZE >> 20));
	vcpu_backend_report();
	pr_info("  x2APIC           %s\n", yes(r.ecx & CPUID_1_ECX_X2APIC));
	spec_report();
	pr_info("  TSC              %llu MHz (%s), invariant %s\n",
		(unsigned long long)(tsc_hz() / 1000000), tsc_source_name(), yes(invariant_tsc()));
	pr_info("  => this machine %s run Vireo's VMs%s\n", can_run ? "CAN" : "CANNOT",
		can_run ? "" : " (see the VT-x lines above)");
	pr_info("  boot to report   %llu ms (from kmain)\n",
		(unsigned long long)(tsc_to_us(cpu_rdtsc() - boot_state()->start_tsc) / 1000));
	pr_info("================================\n");
}
