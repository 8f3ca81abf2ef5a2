/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU VMX state: the checks before VMXON, VMXON/VMXOFF on the calling CPU
 * with rollback on failure, and the ownership check that keeps each CPU's
 * state to itself. The sequence follows SDM Vol. 3C 24.7 and 24.8.
 */
#include <stdarg.h>
#include "vmx/percpu.h"
#include "vmx/vmx_insn.h"
#include "arch/x86/cpu.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/pmm.h"
#include "smp/percpu.h"

/* IA32_FEATURE_CONTROL (SDM 3C 24.7; Vol. 4 Table 2-2). */
#define FC_LOCK (1ull << 0)
#define FC_VMXON_IN_SMX (1ull << 1)
#define FC_VMXON_OUTSIDE_SMX (1ull << 2)

#define MSG_NO_VTX "this CPU has no VT-x"
#define MSG_FW_DISABLED \
	"VT-x is disabled by the firmware: enable Intel Virtualization Technology in the " \
	"firmware setup"
#define MSG_NO_STATE "VMX state is not initialised on this CPU (vmx_percpu_init failed or not run)"

_Static_assert(sizeof(struct vmx_percpu) <= PAGE_SIZE, "struct vmx_percpu must fit one page");

/* CR0/CR4 before and after applying the VMX fixed bits. */
struct cr_plan {
	uint64_t cr0_old, cr0_new;
	uint64_t cr4_old, cr4_new;
};

__attribute__((format(printf, 3, 4))) static enum err record(struct vmx_percpu *s, enum err e,
							     const char *fmt, ...)
{
	va_list ap;

	if (!s)
		return e;
	va_start(ap, fmt);
	fmt_vsnprintf(s->last_error, sizeof(s->last_error), fmt, ap);
	va_end(ap);
	s->last_err = e;
	return e;
}

enum err vmx_percpu_init(void)
{
	uint64_t flags = cpu_irq_save();
	struct percpu *cpu = this_cpu();
	struct vmx_percpu *s;
	uint64_t pa;
	enum err e = E_EXIST;

	if (cpu->backend)
		goto out;
	e = pmm_alloc_page(&pa);
	if (e != E_OK)
		goto out;
	s = phys_to_virt(pa);
	memset(s, 0, sizeof(*s));
	s->owner_cpu = cpu->cpu_id;
	vmx_caps_read(&s->caps);
	s->revision_id = s->caps.revision_id;
	s->true_ctls = s->caps.true_ctls;
	cpu->backend = s;
out:
	cpu_irq_restore(flags);
	return e;
}

enum err vmx_percpu_destroy(void)
{
	uint64_t flags = cpu_irq_save();
	struct percpu *cpu = this_cpu();
	struct vmx_percpu *s = cpu->backend;
	enum err e;

	if (!s) {
		e = E_STATE;
	} else if (s->enabled) {
		e = record(s, E_BUSY,
			   "VMX state of CPU %u not freed: VMX is still on (disable it first)",
			   s->owner_cpu);
	} else {
		cpu->backend = NULL;
		e = pmm_free_pages(virt_to_phys(s), 1);
	}
	cpu_irq_restore(flags);
	return e;
}

/*
 * The caller must run on the CPU that owns s, with interrupts off. A refusal
 * is recorded in the caller's own state, never in s.
 */
static enum err check_owner(struct vmx_percpu *s)
{
	struct percpu *cpu = this_cpu();
	struct vmx_percpu *mine = cpu->backend;

	if (!s || !mine)
		return record(mine, E_STATE, "VMX state is not initialised on CPU %u", cpu->cpu_id);
	if (s == mine && s->owner_cpu == cpu->cpu_id)
		return E_OK;
	return record(mine == s ? NULL : mine, E_WRONG_CPU,
		      "CPU %u refused to touch the VMX state of CPU %u: VMX state changes only on "
		      "its own CPU (use a cross-CPU call)",
		      cpu->cpu_id, s->owner_cpu);
}

/* Step 1 (SDM 3C 24.6 "Discovering support for VMX"): CPUID.1:ECX.VMX[bit 5]. */
static enum err check_cpuid(struct vmx_percpu *s, struct cpuid_regs *r)
{
	cpu_cpuid(1, 0, r);
	if (!(r->ecx & CPUID_1_ECX_VMX) || !s->caps.present)
		return record(s, E_NOTSUP, MSG_NO_VTX);
	return E_OK;
}

/*
 * Step 2 (SDM 3C 24.7): VMXON needs IA32_FEATURE_CONTROL locked with the enable
 * bit for the mode the CPU is in: bit 1 inside SMX operation (taken to be
 * CR4.SMXE = 1), bit 2 outside. Unlocked, we set the bits and lock it.
 */
static enum err check_feature_control(struct vmx_percpu *s, const struct cpuid_regs *r)
{
	bool in_smx = (cpu_read_cr4() & CR4_SMXE) != 0;
	uint64_t need = in_smx ? FC_VMXON_IN_SMX : FC_VMXON_OUTSIDE_SMX;
	uint64_t fc = cpu_rdmsr(MSR_IA32_FEATURE_CONTROL);
	uint64_t set;

	if (!(fc & FC_LOCK)) {
		set = fc | FC_VMXON_OUTSIDE_SMX | FC_LOCK;
		if (in_smx && (r->ecx & CPUID_1_ECX_SMX))
			set |= FC_VMXON_IN_SMX;
		cpu_wrmsr(MSR_IA32_FEATURE_CONTROL, set);
		fc = cpu_rdmsr(MSR_IA32_FEATURE_CONTROL);
		if (!(fc & FC_LOCK))
			return record(s, E_DISABLED,
				      "could not lock IA32_FEATURE_CONTROL: wrote %#llx, read back "
				      "%#llx; enable VT-x in the firmware setup",
				      (unsigned long long)set, (unsigned long long)fc);
	}
	if (!(fc & need))
		return record(s, E_DISABLED, MSG_FW_DISABLED);
	return E_OK;
}

/* Step 3 (SDM 3D A.1): the VMXON region this CPU wants. */
static enum err check_basic(struct vmx_percpu *s)
{
	const struct vmx_caps *c = &s->caps;
	unsigned long long basic = c->msr.basic;

	if (c->region_size == 0 || c->region_size > VMX_REGION_MAX_SIZE)
		return record(s, E_NOTSUP,
			      "IA32_VMX_BASIC %#llx gives a VMXON region size of %u bytes; Vireo "
			      "supports 1..%u (this CPU cannot run Vireo)",
			      basic, c->region_size, VMX_REGION_MAX_SIZE);
	if (c->mem_type != VMX_MEMTYPE_WB)
		return record(s, E_NOTSUP,
			      "IA32_VMX_BASIC %#llx gives VMCS memory type %u; Vireo needs "
			      "write-back (%u) (this CPU cannot run Vireo)",
			      basic, c->mem_type, VMX_MEMTYPE_WB);
	if (c->addr_32bit)
		return record(s, E_NOTSUP,
			      "IA32_VMX_BASIC %#llx limits VMX structures to 32-bit physical "
			      "addresses (bit 48); Vireo needs 64-bit ones (this CPU cannot run "
			      "Vireo)",
			      basic);
	s->revision_id = c->revision_id;
	s->true_ctls = c->true_ctls;
	return E_OK;
}

/*
 * SDM 3D A.7/A.8: a bit 1 in FIXED0 must be 1, a bit 0 in FIXED1 must be 0.
 * Apply both, then verify: a bit required by FIXED0 and forbidden by FIXED1
 * cannot be satisfied and survives the construction as a missing bit.
 */
static enum err apply_fixed(struct vmx_percpu *s, const char *reg, uint64_t cur, uint64_t must1,
			    uint64_t may1, uint64_t *out)
{
	uint64_t v = (cur | must1) & may1;

	if ((v & must1) != must1 || (v & ~may1) != 0)
		return record(s, E_NOTSUP,
			      "%s %#llx cannot meet the VMX fixed bits: must be 1 %#llx, may be 1 "
			      "%#llx, bits both required and forbidden %#llx (this CPU cannot run "
			      "Vireo)",
			      reg, (unsigned long long)cur, (unsigned long long)must1,
			      (unsigned long long)may1, (unsigned long long)(must1 & ~may1));
	*out = v;
	return E_OK;
}

/*
 * Step 4: CR0 and CR4 (with CR4.VMXE, SDM 3C 24.7) as they must be for VMXON and
 * stay during VMX operation (SDM 3C 24.8).
 */
static enum err plan_crs(struct vmx_percpu *s, struct cr_plan *p)
{
	const struct vmx_caps_msrs *m = &s->caps.msr;
	enum err e;

	p->cr0_old = cpu_read_cr0();
	p->cr4_old = cpu_read_cr4();
	e = apply_fixed(s, "CR0", p->cr0_old, m->cr0_fixed0, m->cr0_fixed1, &p->cr0_new);
	if (e != E_OK)
		return e;
	return apply_fixed(s, "CR4", p->cr4_old, m->cr4_fixed0 | CR4_VMXE, m->cr4_fixed1,
			   &p->cr4_new);
}

/* SDM 3C 25.11.5: a zeroed, 4 KiB-aligned region starting with the revision id. */
static enum err alloc_region(struct vmx_percpu *s, uint64_t *pa)
{
	uint32_t *region;
	enum err e = pmm_alloc_page(pa);

	if (e != E_OK)
		return record(s, e,
			      "could not allocate the VMXON region on CPU %u: %s (%zu pages free)",
			      s->owner_cpu, err_text(e), pmm_free_count());
	region = phys_to_virt(*pa);
	memset(region, 0, PAGE_SIZE);
	region[0] = s->revision_id & (uint32_t)VMX_BASIC_REVISION_MASK;
	return E_OK;
}

/* Step 5: set the CRs, VMXON; on failure put everything back as it was. */
static enum err enter_vmx(struct vmx_percpu *s, const struct cr_plan *p)
{
	enum vmx_insn_result r;
	uint64_t pa;
	enum err e = alloc_region(s, &pa);

	if (e != E_OK)
		return e;
	cpu_write_cr0(p->cr0_new);
	cpu_write_cr4(p->cr4_new);
	r = vmx_insn_vmxon(pa);
	if (r != VMX_INSN_OK) {
		cpu_write_cr4(p->cr4_old);
		cpu_write_cr0(p->cr0_old);
		pmm_free_pages(pa, 1);
		return record(s, vmx_insn_err(r),
			      "VMXON on CPU %u failed: %s (region %#llx, revision %#x, CR0 %#llx, "
			      "CR4 %#llx)%s",
			      s->owner_cpu, err_text(vmx_insn_err(r)), (unsigned long long)pa,
			      s->revision_id, (unsigned long long)p->cr0_new,
			      (unsigned long long)p->cr4_new,
			      r == VMX_INSN_VMFAIL_VALID ? "; is VMX already on (another VMM?)"
							 : "");
	}
	s->vmxon_pa = pa;
	s->enabled = true;
	return E_OK;
}

static enum err enable_owned(struct vmx_percpu *s)
{
	struct cpuid_regs r;
	struct cr_plan plan = {0};
	enum err e;

	if (s->enabled)
		return record(s, E_EXIST, "VMX is already enabled on CPU %u (VMXON region %#llx)",
			      s->owner_cpu, (unsigned long long)s->vmxon_pa);
	e = check_cpuid(s, &r);
	if (e == E_OK)
		e = check_feature_control(s, &r);
	if (e == E_OK)
		e = check_basic(s);
	if (e == E_OK)
		e = plan_crs(s, &plan);
	if (e == E_OK)
		e = enter_vmx(s, &plan);
	s->failed = e != E_OK;
	return e;
}

enum err vmx_percpu_enable_state(struct vmx_percpu *s)
{
	uint64_t flags = cpu_irq_save();
	enum err e = check_owner(s);

	if (e == E_OK)
		e = enable_owned(s);
	cpu_irq_restore(flags);
	return e;
}

/* SDM 3C 24.7: VMXOFF, then CR4.VMXE may be cleared and the region reused. */
static enum err disable_owned(struct vmx_percpu *s)
{
	enum vmx_insn_result r;
	uint64_t pa;
	enum err e;

	if (!s->enabled)
		return record(s, E_STATE, "VMX is not enabled on CPU %u", s->owner_cpu);
	r = vmx_insn_vmxoff();
	if (r != VMX_INSN_OK)
		return record(s, vmx_insn_err(r), "VMXOFF on CPU %u failed: %s; VMX stays on",
			      s->owner_cpu, err_text(vmx_insn_err(r)));
	cpu_write_cr4(cpu_read_cr4() & ~CR4_VMXE);
	pa = s->vmxon_pa;
	s->vmxon_pa = 0;
	s->enabled = false;
	s->failed = false;
	e = pmm_free_pages(pa, 1);
	if (e != E_OK)
		return record(s, e,
			      "VMX is off on CPU %u but freeing its VMXON region %#llx failed: %s",
			      s->owner_cpu, (unsigned long long)pa, err_text(e));
	return E_OK;
}

enum err vmx_percpu_disable_state(struct vmx_percpu *s)
{
	uint64_t flags = cpu_irq_save();
	enum err e = check_owner(s);

	if (e == E_OK)
		e = disable_owned(s);
	cpu_irq_restore(flags);
	return e;
}

enum err vmx_hardware_enable(void)
{
	return vmx_percpu_enable_state(this_cpu()->backend);
}

enum err vmx_hardware_disable(void)
{
	return vmx_percpu_disable_state(this_cpu()->backend);
}

bool vmx_is_enabled(void)
{
	uint64_t flags = cpu_irq_save();
	struct vmx_percpu *s = this_cpu()->backend;
	bool on = s && s->enabled;

	cpu_irq_restore(flags);
	return on;
}

struct vmx_percpu *vmx_percpu_this(void)
{
	return this_cpu()->backend;
}

const struct vmx_caps *vmx_percpu_caps(void)
{
	struct vmx_percpu *s = this_cpu()->backend;

	return s ? &s->caps : NULL;
}

const char *vmx_percpu_last_error(void)
{
	struct vmx_percpu *s = this_cpu()->backend;

	if (!s)
		return MSG_NO_STATE;
	return s->last_err == E_OK ? "no error" : s->last_error;
}

void vmx_percpu_report_line(char *buf, size_t n)
{
	uint64_t flags = cpu_irq_save();
	struct percpu *cpu = this_cpu();
	struct vmx_percpu *s = cpu->backend;

	if (!s)
		fmt_snprintf(buf, n, "cpu %u: VMX state not initialised", cpu->cpu_id);
	else if (s->enabled)
		fmt_snprintf(buf, n, "cpu %u: rev %#x vmxon %#llx state on", cpu->cpu_id,
			     s->revision_id, (unsigned long long)s->vmxon_pa);
	else
		fmt_snprintf(buf, n, "cpu %u: rev %#x vmxon - state %s%s%s%s", cpu->cpu_id,
			     s->revision_id, s->failed ? "failed" : "off", s->failed ? "(" : "",
			     s->failed ? s->last_error : "", s->failed ? ")" : "");
	cpu_irq_restore(flags);
}
