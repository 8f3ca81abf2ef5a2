/* SPDX-License-Identifier: MIT */
/*
 * The VT-x implementation of struct vcpu_backend (guest/vcpu.h): thin
 * adapters from the vendor-neutral calls to vmx/vcpu.c, vmx/exit.c,
 * vmx/ept.c and vmx/vmx_smp.c, the exit-reason mapping of the neutral exit
 * kinds (SDM Vol. 3D Appendix C), and the machine report's VT-x section.
 */
#include "vmx/backend.h"
#include "arch/x86/cpu.h"
#include "arch/x86/traps.h"
#include "lib/printk.h"
#include "mm/heap.h"
#include "smp/smp.h"
#include "vmx/caps.h"
#include "vmx/cpuid.h"
#include "vmx/percpu.h"
#include "vmx/tpr.h"
#include "vmx/vcpu.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_smp.h"

_Static_assert(VCPU_ACCESS_READ == EPT_R && VCPU_ACCESS_WRITE == EPT_W &&
		   VCPU_ACCESS_FETCH == EPT_X,
	       "guest/vcpu.h access bits are EPT permissions");

static const uint16_t kind_reason[VCPU_EXIT_KINDS] = {
    [VCPU_EXIT_IO] = VMX_EXIT_REASON_IO,
    [VCPU_EXIT_MMIO] = VMX_EXIT_REASON_EPT_VIOLATION,
    [VCPU_EXIT_RDMSR] = VMX_EXIT_REASON_RDMSR,
    [VCPU_EXIT_WRMSR] = VMX_EXIT_REASON_WRMSR,
    [VCPU_EXIT_HLT] = VMX_EXIT_REASON_HLT,
    [VCPU_EXIT_CPUID] = VMX_EXIT_REASON_CPUID,
    [VCPU_EXIT_EXTINT] = VMX_EXIT_REASON_EXTERNAL_INTR,
    [VCPU_EXIT_TIMER] = VMX_EXIT_REASON_PREEMPTION_TIMER,
    [VCPU_EXIT_IRQWIN] = VMX_EXIT_REASON_INTR_WINDOW,
};

static bool usable_here(void)
{
	return vmx_is_enabled();
}

static bool can_run_guests(void)
{
	return vmx_cpus_enabled() > 0 && vmx_percpu_caps()->has.ept;
}

static bool has_real_mode(void)
{
	return vmx_percpu_caps()->has.unrestricted_guest;
}

static bool has_slice_timer(void)
{
	return vmx_percpu_caps()->has.preemption_timer;
}

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

static void report(void)
{
	const struct vmx_caps *c = vmx_percpu_caps();
	const char *why = vmx_unavailable_reason();

	if (vmx_cpus_enabled()) {
		pr_info("  VT-x             enabled on %u of %u CPUs\n", vmx_cpus_enabled(),
			smp_num_online());
	} else {
		pr_info("  VT-x             NOT USABLE: %s\n", why ? why : "unknown reason");
		if (!c || !c->present)
			return;
		/* e.g. disabled by the firmware: the capability MSRs still say
		 * what the CPU offers once VT-x is switched on. */
		pr_info("  once enabled, this CPU offers:\n");
	}
	pr_info("  EPT              %s (4-level write-back %s, 2 MiB %s, 1 GiB %s)\n",
		yes(c->has.ept), yes(c->ept.walk4 && c->ept.memtype_wb), yes(c->ept.pages_2m),
		yes(c->ept.pages_1g));
	pr_info("  VPID             %s\n", yes(c->has.vpid));
	pr_info("  unrestricted     %s (real- and protected-mode guests)\n",
		yes(c->has.unrestricted_guest));
	pr_info("  preemption timer %s (TSC >> %u)\n", yes(c->has.preemption_timer),
		c->misc.preemption_shift);
	vmx_cpuid_report();
}

static void gspace_destroy(struct vcpu_gspace *gs)
{
	if (!gs)
		return;
	if (gs->ept.root_pa)
		ept_destroy(&gs->ept);
	kfree(gs);
}

static enum err gspace_create(struct vcpu_gspace **out)
{
	const struct vmx_caps *c = vmx_percpu_caps();
	struct vcpu_gspace *gs = kzalloc(sizeof(*gs));
	enum err e;

	*out = 0;
	if (!gs)
		return E_NOMEM;
	e = ept_init_kernel(&gs->ept, c->ept.pages_1g, c->ept.pages_2m, false);
	if (e != E_OK) {
		gspace_destroy(gs);
		return e;
	}
	*out = gs;
	return E_OK;
}

static enum err gspace_map(struct vcpu_gspace *gs, uint64_t gpa, uint64_t hpa, uint64_t size,
			   unsigned access, enum vcpu_gspace_type type)
{
	return ept_map(&gs->ept, gpa, hpa, size, access & VCPU_ACCESS_RWX,
		       type == VCPU_GSPACE_WB ? EPT_MT_WB : EPT_MT_UC);
}

static enum err gspace_unmap(struct vcpu_gspace *gs, uint64_t gpa, uint64_t size)
{
	return ept_unmap(&gs->ept, gpa, size);
}

static enum err gspace_translate(struct vcpu_gspace *gs, uint64_t gpa, uint64_t *hpa)
{
	return ept_translate(&gs->ept, gpa, hpa, 0);
}

static enum err create(struct vcpu **out, const struct vcpu_config *cfg)
{
	struct vmx_vcpu *v;
	enum err e = vmx_vcpu_create(&v, cfg);

	*out = e == E_OK ? &v->vcpu : 0;
	return e;
}

static void destroy(struct vcpu *v)
{
	vmx_vcpu_destroy(to_vmx_vcpu(v));
}

static enum err load(struct vcpu *v, enum vcpu_load_kind *how)
{
	return vmx_vcpu_switch(to_vmx_vcpu(v), how);
}

static enum err put(struct vcpu *v)
{
	return vmx_vcpu_release(to_vmx_vcpu(v));
}

/* A VMCS is active on one CPU at most (SDM Vol. 3C 25.11.1). */
static int32_t loaded_cpu(const struct vcpu *v)
{
	const struct vmx_vcpu *x = to_vmx_vcpu_const(v);

	return x->vmcs_state == VMCS_STATE_CLEAR ? VCPU_NO_CPU : x->vmcs_cpu;
}

static void set_slice(struct vcpu *v, uint64_t tsc_ticks)
{
	vmx_vcpu_set_slice(to_vmx_vcpu(v), tsc_ticks);
}

static enum vcpu_action run(struct vcpu *v)
{
	return vmx_vcpu_run(to_vmx_vcpu(v));
}

static uint64_t get_gpr(struct vcpu *v, enum vcpu_gpr n)
{
	return vmx_vcpu_get_gpr(to_vmx_vcpu(v), n);
}

static void set_gpr(struct vcpu *v, enum vcpu_gpr n, uint64_t val)
{
	vmx_vcpu_set_gpr(to_vmx_vcpu(v), n, val);
}

static void code_state(struct vcpu *v, struct vcpu_code_state *cs)
{
	(void)v; /* the current VMCS is v's while it runs */
	vmx_vcpu_code_state(cs);
}

static void paging(struct vcpu *v, struct vcpu_paging *p)
{
	(void)v;
	vmx_vcpu_paging(p);
}

static uint64_t rip(struct vcpu *v)
{
	(void)v;
	return vmx_vcpu_rip();
}

static bool interrupts_enabled(struct vcpu *v)
{
	(void)v;
	return vmx_vcpu_guest_if();
}

static void advance_rip(struct vcpu *v, unsigned n)
{
	(void)v;
	vmx_vcpu_advance_rip(n);
}

/*
 * Between exits of one vmx_vcpu_run() the guest's CR2 is in the CPU (the
 * host takes no page faults), and regs.cr2 is read back when the run ends.
 */
static void inject_page_fault(struct vcpu *v, uint64_t addr, uint32_t error)
{
	cpu_write_cr2(addr);
	v->regs.cr2 = addr;
	vmx_vcpu_inject_exception(to_vmx_vcpu(v), X86_TRAP_PF, true, error);
}

static void set_tpr(struct vcpu *v, uint8_t tpr)
{
	vmx_tpr_set(to_vmx_vcpu(v), tpr);
}

static void queue_interrupt(struct vcpu *v, uint8_t vector)
{
	vmx_vcpu_queue_interrupt(to_vmx_vcpu(v), vector);
}

static void inject_nmi(struct vcpu *v)
{
	vmx_vcpu_inject_nmi(to_vmx_vcpu(v));
}

static void inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	vmx_vcpu_inject_exception(to_vmx_vcpu(v), vector, has_error, error);
}

static void request_irq_window(struct vcpu *v, bool on)
{
	(void)v;
	vmx_vcpu_irq_window(on);
}

static void startup_ipi(struct vcpu *v, uint8_t vector)
{
	vmx_vcpu_reset_sipi(to_vmx_vcpu(v), vector);
}

static void apply_boot_state(struct vcpu *v, const struct vcpu_boot_state *bs)
{
	vmx_vcpu_apply_boot_state(to_vmx_vcpu(v), bs);
}

static uint64_t exit_count(const struct vcpu *v, enum vcpu_exit_kind kind)
{
	return kind < VCPU_EXIT_KINDS ? to_vmx_vcpu_const(v)->exits[kind_reason[kind]] : 0;
}

static uint64_t exits_total(const struct vcpu *v)
{
	return vmx_vcpu_exits_total(to_vmx_vcpu_const(v));
}

static bool exit_reason(const struct vcpu *v, unsigned i, const char **name, uint64_t *count)
{
	if (i >= VCPU_EXIT_COUNTERS)
		return false;
	*name = vmx_exit_reason_name(i);
	*count = to_vmx_vcpu_const(v)->exits[i];
	return true;
}

const struct vcpu_backend vmx_backend = {
    .name = "VT-x",
    .enable_all = vmx_boot_all,
    .leave_off = vmx_leave_off,
    .shutdown = vmx_shutdown_all,
    .enabled_here = usable_here,
    .cpu_usable = vmx_cpu_on,
    .cpus_usable = vmx_cpus_enabled,
    .unavailable_reason = vmx_unavailable_reason,
    .can_run_guests = can_run_guests,
    .has_real_mode = has_real_mode,
    .has_slice_timer = has_slice_timer,
    .report = report,
    .gspace_create = gspace_create,
    .gspace_destroy = gspace_destroy,
    .gspace_map = gspace_map,
    .gspace_unmap = gspace_unmap,
    .gspace_translate = gspace_translate,
    .create = create,
    .destroy = destroy,
    .load = load,
    .put = put,
    .loaded_cpu = loaded_cpu,
    .set_slice = set_slice,
    .run = run,
    .get_gpr = get_gpr,
    .set_gpr = set_gpr,
    .code_state = code_state,
    .paging = paging,
    .rip = rip,
    .interrupts_enabled = interrupts_enabled,
    .advance_rip = advance_rip,
    .queue_interrupt = queue_interrupt,
    .inject_nmi = inject_nmi,
    .inject_exception = inject_exception,
    .inject_page_fault = inject_page_fault,
    .set_tpr = set_tpr,
    .request_irq_window = request_irq_window,
    .startup_ipi = startup_ipi,
    .apply_boot_state = apply_boot_state,
    .exit_count = exit_count,
    .exits_total = exits_total,
    .exit_reason = exit_reason,
};
