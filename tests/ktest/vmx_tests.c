/* SPDX-License-Identifier: MIT */
/*
 * The "vmx" self-test suite: VMX on every CPU from its own per-CPU area,
 * 100 disable/enable cycles without leaking frames, refusal of an operation
 * on another CPU's state, enable-twice/disable-twice, and VMX off everywhere.
 * Every case SKIPs with the reason on a CPU without VT-x (QEMU TCG); under
 * Bochs they must run.
 */
#include "arch/x86/cpu.h"
#include "kernel/ktest.h"
#include "lib/string.h"
#include "mm/pmm.h"
#include "smp/smp.h"
#include "vmx/caps.h"
#include "vmx/percpu.h"
#include "vmx/vmx_smp.h"

#define VMX_CYCLES 100
#define VMX_REVISION_MASK 0x7fffffffu

struct vmx_probe {
	bool enabled;
	bool cr4_vmxe;
	uint32_t revision;
	uint32_t msr_revision;
	uint64_t vmxon_pa;
	enum err err1, err2;
};

static struct vmx_probe probes[MAX_CPUS];
static struct vmx_cpu_result results[MAX_CPUS];

static bool vmx_skip(struct ktest *t)
{
	struct cpuid_regs r;

	cpu_cpuid(1, 0, &r);
	if (!(r.ecx & CPUID_1_ECX_VMX)) {
		ktest_skip(t, "this CPU has no VT-x");
		return true;
	}
	return false;
}

static void probe_fn(void *arg)
{
	struct vmx_probe *p = &probes[this_cpu()->cpu_id];
	struct vmx_percpu *s = vmx_percpu_this();

	(void)arg;
	p->enabled = vmx_is_enabled();
	p->cr4_vmxe = cpu_read_cr4() & CR4_VMXE;
	p->revision = s ? s->revision_id : 0;
	p->vmxon_pa = s ? s->vmxon_pa : 0;
	p->msr_revision = (uint32_t)cpu_rdmsr(MSR_IA32_VMX_BASIC) & VMX_REVISION_MASK;
}

static bool probe_all(struct ktest *t)
{
	memset(probes, 0, sizeof(probes));
	if (smp_call_all(probe_fn, 0) != E_OK) {
		ktest_fail(t, "cross-call to probe every CPU failed");
		return false;
	}
	return true;
}

KTEST(vmx, on_everywhere)
{
	if (vmx_skip(t) || !probe_all(t))
		return;
	for (unsigned i = 0; i < smp_num_cpus(); i++) {
		struct vmx_probe *p = &probes[i];

		KT_ASSERT(t, p->enabled && p->cr4_vmxe, "cpu %u: VMX on %d, CR4.VMXE %d", i,
			  p->enabled, p->cr4_vmxe);
		KT_ASSERT(t, p->revision == p->msr_revision,
			  "cpu %u: revision 0x%x, IA32_VMX_BASIC says 0x%x", i, p->revision,
			  p->msr_revision);
		KT_ASSERT(t, p->vmxon_pa && !(p->vmxon_pa & (PAGE_SIZE - 1)),
			  "cpu %u: VMXON region 0x%llx", i, (unsigned long long)p->vmxon_pa);
		KT_ASSERT(t, *(uint32_t *)phys_to_virt(p->vmxon_pa) == p->revision,
			  "cpu %u: VMXON region does not start with the revision id", i);
		for (unsigned j = 0; j < i; j++)
			KT_ASSERT(t, probes[j].vmxon_pa != p->vmxon_pa,
				  "cpus %u and %u share VMXON region 0x%llx", j, i,
				  (unsigned long long)p->vmxon_pa);
	}
	ktest_diag(t, "VMX on on %u CPUs, revision 0x%x", smp_num_cpus(), probes[0].revision);
}

KTEST(vmx, cycles_keep_frames)
{
	size_t start = pmm_free_count();

	if (vmx_skip(t))
		return;
	for (int i = 0; i < VMX_CYCLES; i++) {
		enum err e = vmx_disable_all(results);

		KT_ASSERT(t, e == E_OK, "cycle %d: disable failed: %s", i, err_name(e));
		e = vmx_enable_all(results);
		KT_ASSERT(t, e == E_OK, "cycle %d: enable failed: %s", i, err_name(e));
	}
	KT_ASSERT(t, pmm_free_count() == start, "free frames %zu after %d cycles, %zu before",
		  pmm_free_count(), VMX_CYCLES, start);
	KT_ASSERT(t, probe_all(t), "probe failed");
	for (unsigned i = 0; i < smp_num_cpus(); i++)
		KT_ASSERT(t, probes[i].enabled, "cpu %u is off after the cycles", i);
}

static void twice_fn(void *arg)
{
	struct vmx_probe *p = &probes[this_cpu()->cpu_id];

	(void)arg;
	p->err1 = vmx_hardware_enable();  /* already on */
	vmx_hardware_disable();
	p->err2 = vmx_hardware_disable(); /* already off */
	p->enabled = vmx_hardware_enable() == E_OK;
}

KTEST(vmx, enable_twice_disable_twice)
{
	if (vmx_skip(t))
		return;
	memset(probes, 0, sizeof(probes));
	KT_ASSERT(t, smp_call_all(twice_fn, 0) == E_OK, "cross-call failed");
	for (unsigned i = 0; i < smp_num_cpus(); i++) {
		KT_ASSERT(t, probes[i].err1 == E_EXIST, "cpu %u: second enable gave %s", i,
			  err_name(probes[i].err1));
		KT_ASSERT(t, probes[i].err2 == E_STATE, "cpu %u: second disable gave %s", i,
			  err_name(probes[i].err2));
		KT_ASSERT(t, probes[i].enabled, "cpu %u could not re-enable", i);
	}
}

KTEST(vmx, wrong_cpu_refused)
{
	struct vmx_percpu *other, before;
	enum err e;

	if (vmx_skip(t))
		return;
	if (smp_num_cpus() < 2) {
		/* One CPU: aim at a copy owned by a CPU id that does not exist. */
		before = *vmx_percpu_this();
		before.owner_cpu = MAX_CPUS;
		e = vmx_percpu_disable_state(&before);
		KT_ASSERT(t, e == E_WRONG_CPU, "disable of a foreign state gave %s", err_name(e));
		KT_ASSERT(t, vmx_is_enabled(), "this CPU's VMX went off");
		return;
	}
	other = smp_percpu(1)->backend;
	KT_ASSERT(t, other && other->enabled, "cpu 1 has no enabled VMX state");
	before = *other;
	e = vmx_percpu_disable_state(other);
	KT_ASSERT(t, e == E_WRONG_CPU, "disable of cpu 1's state from cpu 0 gave %s", err_name(e));
	e = vmx_percpu_enable_state(other);
	KT_ASSERT(t, e == E_WRONG_CPU, "enable of cpu 1's state from cpu 0 gave %s", err_name(e));
	KT_ASSERT(t, !memcmp(&before, other, sizeof(before)), "cpu 1's state changed");
	KT_ASSERT(t, probe_all(t) && probes[1].enabled, "cpu 1's VMX is no longer on");
}

KTEST(vmx, off_everywhere)
{
	if (vmx_skip(t))
		return;
	KT_ASSERT(t, vmx_disable_all(results) == E_OK, "disable on every CPU failed");
	KT_ASSERT(t, probe_all(t), "probe failed");
	for (unsigned i = 0; i < smp_num_cpus(); i++)
		KT_ASSERT(t, !probes[i].enabled && !probes[i].cr4_vmxe,
			  "cpu %u: VMX on %d, CR4.VMXE %d after disable", i, probes[i].enabled,
			  probes[i].cr4_vmxe);
	KT_ASSERT(t, vmx_enable_all(results) == E_OK, "re-enable failed");
}
