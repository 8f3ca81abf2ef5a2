/* SPDX-License-Identifier: MIT */
/*
 * The vCPU side of a Multiboot kernel VM's platform: its virtual LAPIC
 * (interrupt delivery, timer events, x2APIC and APIC-base MSRs, the xAPIC
 * page as MMIO through EPT violations), IPIs between the VM's own vCPUs
 * (fixed, NMI, INIT, STARTUP; SDM Vol. 3A 11.6), HLT and CPUID.
 */
#include "arch/x86/cpu.h"
#include "lib/printk.h"
#include "lib/format.h"
#include "vm/hypercall.h"
#include "vm/vm_io.h"
#include "vm/vm.h"

#define APIC_PAGE_MASK (~0xfffull)
#define BUS_NOBODY 0xffffffffu /* a read nothing answers */
#define CPUID_B_TYPE_SMT 1u
#define CPUID_B_TYPE_CORE 2u
/* Leaf 04H EAX fields (SDM Vol. 2A CPUID, Table 3-8). */
#define CPUID_4_TYPE_MASK 0x1fu
#define CPUID_4_LEVEL_SHIFT 5
#define CPUID_4_LEVEL_MASK (0x7u << CPUID_4_LEVEL_SHIFT)
#define CPUID_4_LEVEL_PACKAGE 3u /* the last-level cache, shared by all cores */
#define CPUID_4_SHARING_SHIFT 14
#define CPUID_4_SHARING_MASK (0xfffu << CPUID_4_SHARING_SHIFT)
#define CPUID_4_CORES_SHIFT 26
#define CPUID_4_CORES_MASK (0x3fu << CPUID_4_CORES_SHIFT)
#define DROPPED_IPI_REPORTS 4

static struct vm *vm_of(struct vcpu *v)
{
	return v->owner;
}

static struct vm_vcpu_plat *plat_of(struct vcpu *v)
{
	return vm_of(v)->plat[v->id];
}

/* Before every entry. The common case, nothing requested and no timer
 * due, is answered without the lock: a racing IPI sets the IRR before it
 * wakes or kicks this vCPU, so the next check sees it. */
static int plat_irq_pending(struct vcpu *v)
{
	struct vm_vcpu_plat *p = plat_of(v);
	uint64_t next = vlapic_timer_next(&p->lapic), flags;
	int vec;

	if (!p->nmi_pending && !vlapic_irr_any(&p->lapic) && (!next || cpu_rdtsc() < next))
		return -1;
	flags = spin_lock_irqsave(&p->lock);
	vlapic_timer_update(&p->lapic, cpu_rdtsc());
	vec = p->nmi_pending ? VCPU_IRQ_NMI : vlapic_pending(&p->lapic);
	spin_unlock_irqrestore(&p->lock, flags);
	return vec;
}

static void plat_irq_ack(struct vcpu *v, int vector)
{
	struct vm_vcpu_plat *p = plat_of(v);
	uint64_t flags = spin_lock_irqsave(&p->lock);

	if (vector == VCPU_IRQ_NMI)
		p->nmi_pending = false;
	else
		vlapic_ack(&p->lapic, (uint8_t)vector);
	spin_unlock_irqrestore(&p->lock, flags);
}

static uint64_t plat_next_event(struct vcpu *v)
{
	return vlapic_timer_next(&plat_of(v)->lapic);
}

/* Deliver one IPI to vCPU t of the same VM. */
static void ipi_to(struct vm *vm, unsigned t, const struct vlapic_icr *icr)
{
	struct vm_vcpu_plat *p = vm->plat[t];
	uint64_t flags = spin_lock_irqsave(&p->lock);
	bool wake = true;

	switch (icr->delivery_mode) {
	case VLAPIC_DM_FIXED:
	case VLAPIC_DM_LOWEST:
		wake = vlapic_accept(&p->lapic, icr->vector);
		break;
	case VLAPIC_DM_NMI:
		p->nmi_pending = true;
		break;
	case VLAPIC_DM_INIT:
		/* INIT level de-assert only synchronises arbitration IDs. */
		wake = icr->level_assert || !icr->trigger_level;
		p->init_pending |= wake;
		break;
	case VLAPIC_DM_SIPI:
		/* SDM 3A 9.4.4.1: a SIPI reaches only a CPU waiting for one. */
		wake = p->wait_sipi || p->init_pending;
		if (wake)
			p->sipi_vector = icr->vector;
		break;
	default:
		wake = false; /* SMI and reserved modes: ignored */
		break;
	}
	spin_unlock_irqrestore(&p->lock, flags);
	if (wake && (icr->delivery_mode == VLAPIC_DM_INIT || icr->delivery_mode == VLAPIC_DM_SIPI))
		vm->vcpus[t]->exit_request = true; /* applied by vm_vcpu_prepare() */
	if (wake && vm->wake)
		vm->wake(vm, t);
}

/* Deliver to every matching vCPU of this VM (the first, for lowest
 * priority); returns how many took it. */
static unsigned deliver(struct vm *vm, const struct vlapic_icr *icr, uint32_t src_id)
{
	unsigned hits = 0;

	for (unsigned t = 0; t < vm->nvcpus; t++) {
		if (!vlapic_match_dest(&vm->plat[t]->lapic, icr, src_id))
			continue;
		ipi_to(vm, t, icr);
		hits++;
		if (icr->delivery_mode == VLAPIC_DM_LOWEST)
			break;
	}
	return hits;
}

static void report_dropped(struct vm *vm, const char *from, const struct vlapic_icr *icr)
{
	if (__atomic_fetch_add(&vm->ipis_dropped, 1, __ATOMIC_RELAXED) < DROPPED_IPI_REPORTS)
		pr_warn("[%s] %s sent an IPI (mode %u, vector 0x%x) to APIC ID 0x%x, which no "
			"vCPU of this VM has: ignored\n",
			vm->name, from, icr->delivery_mode, icr->vector, icr->dest);
}

/* Destinations are looked up among this VM's vCPUs only: no IPI can reach
 * another VM or the host. One that matches nobody is dropped, as on
 * hardware, and reported a few times. */
static void ipi_send(struct vcpu *src, const struct vlapic_icr *icr)
{
	struct vm *vm = vm_of(src);
	char from[16];

	if (deliver(vm, icr, src->id) || icr->shorthand != VLAPIC_SH_NONE)
		return;
	fmt_snprintf(from, sizeof(from), "vCPU %u", src->id);
	report_dropped(vm, from, icr);
}

/* An I/O APIC message is an interrupt message like an IPI without a
 * shorthand (82093AA datasheet 3.2.4; SDM Vol. 3A 11.6.2 destinations). */
void vm_irq_deliver(struct vm *vm, const struct vioapic_msg *m)
{
	struct vlapic_icr icr = {
	    .valid = true,
	    .vector = m->vector,
	    .delivery_mode = m->delivery_mode,
	    .level_assert = true,
	    .trigger_level = m->level,
	    .shorthand = VLAPIC_SH_NONE,
	    .dest_logical = m->dest_logical,
	    .dest = m->dest,
	};

	if (!deliver(vm, &icr, 0))
		report_dropped(vm, "the I/O APIC", &icr);
}

/* The vector an EOI written now retires: the highest in service (read
 * through the ISR registers, as MSRs in x2APIC mode). -1 if none. Under
 * p->lock. */
static int isr_highest(struct vlapic *l)
{
	for (int bank = 7; bank >= 0; bank--) {
		uint32_t reg = APIC_ISR + 0x10 * (uint32_t)bank, bits = 0;
		uint64_t msr_val = 0;

		if (vlapic_x2apic_mode(l) && vlapic_msr_read(l, X2APIC_MSR(reg), &msr_val, 0))
			bits = (uint32_t)msr_val;
		else
			vlapic_mmio_read(l, reg, 4, &bits, 0);
		if (bits)
			return bank * 32 + 31 - __builtin_clz(bits);
	}
	return -1;
}

/* A guest EOI also reaches the I/O APIC (level-triggered pins end their
 * Remote IRR, and may fire again while their line stays asserted). */
static void eoi_to_ioapic(struct vm *vm, int vector)
{
	if (vector >= 0)
		iobus_eoi(&vm->bus, (uint8_t)vector);
}

/* An x2APIC register write; for the EOI register, *eoi names the vector it
 * retires. Under p->lock. */
static bool eoi_then_write(struct vm_vcpu_plat *p, uint32_t msr, uint64_t val, uint64_t now,
			   struct vlapic_icr *icr, int *eoi)
{
	if (msr == X2APIC_MSR(APIC_EOI) && vlapic_x2apic_mode(&p->lapic))
		*eoi = isr_highest(&p->lapic);
	return vlapic_msr_write(&p->lapic, msr, val, now, icr);
}

/* The backend's copy of the TPR (guest/vcpu.h set_tpr) follows a change
 * made through the APIC's registers or by INIT. */
static void tpr_follows(struct vcpu *v, uint8_t before, uint8_t after)
{
	if (before != after)
		vcpu_set_tpr(v, after);
}

/*
 * IA32_TSC_DEADLINE is in guest TSC terms (host TSC + v->tsc_offset, which
 * the guest's TSC writes set in the backend's MSR model); the vLAPIC's
 * timer runs on the host TSC. A deadline the guest TSC has passed fires at
 * once (SDM Vol. 3A 11.5.4.1); 0 disarms.
 */
static uint64_t deadline_to_host(const struct vcpu *v, uint64_t val, uint64_t now)
{
	uint64_t guest_now = now + v->tsc_offset;

	if (!val)
		return 0;
	return (int64_t)(val - guest_now) > 0 ? val - v->tsc_offset : now;
}

static uint64_t deadline_to_guest(const struct vcpu *v, uint64_t host_deadline)
{
	return host_deadline ? host_deadline + v->tsc_offset : 0;
}

static enum vcpu_msr_result lapic_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	struct vm_vcpu_plat *p = plat_of(v);
	struct vlapic_icr icr = {0};
	uint64_t now = cpu_rdtsc(), flags = spin_lock_irqsave(&p->lock);
	uint8_t tpr_before = vlapic_tpr(&p->lapic), tpr;
	bool ok = true;
	int eoi = -1;

	if (msr == MSR_IA32_APIC_BASE && write)
		ok = vlapic_set_base(&p->lapic, *val);
	else if (msr == MSR_IA32_APIC_BASE)
		*val = vlapic_base(&p->lapic);
	else if (msr == MSR_IA32_TSC_DEADLINE && write)
		vlapic_set_tsc_deadline(&p->lapic, deadline_to_host(v, *val, now), now);
	else if (msr == MSR_IA32_TSC_DEADLINE)
		*val = deadline_to_guest(v, vlapic_tsc_deadline(&p->lapic));
	else if (write)
		ok = eoi_then_write(p, msr, *val, now, &icr, &eoi);
	else
		ok = vlapic_msr_read(&p->lapic, msr, val, now);
	tpr = vlapic_tpr(&p->lapic);
	spin_unlock_irqrestore(&p->lock, flags);
	tpr_follows(v, tpr_before, tpr);
	if (ok)
		eoi_to_ioapic(vm_of(v), eoi);
	if (icr.valid)
		ipi_send(v, &icr);
	return ok ? VCPU_MSR_OK : VCPU_MSR_GP;
}

static enum vcpu_msr_result plat_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	if (msr == MSR_IA32_APIC_BASE || msr == MSR_IA32_TSC_DEADLINE ||
	    (msr >= X2APIC_MSR_FIRST && msr <= X2APIC_MSR_LAST))
		return lapic_msr(v, msr, write, val);
	return VCPU_MSR_UNHANDLED;
}

bool vm_lapic_page(struct vcpu *v, uint64_t gpa)
{
	struct vm_vcpu_plat *p = plat_of(v);

	return (gpa & APIC_PAGE_MASK) == (vlapic_base(&p->lapic) & APIC_BASE_ADDR_MASK);
}

/*
 * One decoded access to the xAPIC page; an EOI also goes to the I/O APIC.
 * With the APIC disabled or in x2APIC mode the page is not the APIC's (SDM
 * Vol. 3A 11.4.3, 11.12.1): the access goes to the bus, where nothing
 * answers, as on a PC: reads give all ones and writes are dropped.
 */
void vm_lapic_mmio(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint32_t *val)
{
	struct vm_vcpu_plat *p = plat_of(v);
	uint32_t off = (uint32_t)(gpa & ~APIC_PAGE_MASK);
	struct vlapic_icr icr = {0};
	uint64_t flags;
	uint8_t tpr;
	int eoi = -1;

	if (!vlapic_enabled(&p->lapic) || vlapic_x2apic_mode(&p->lapic)) {
		*val = write ? *val : BUS_NOBODY; /* the mode is this vCPU's own: no lock */
		return;
	}
	flags = spin_lock_irqsave(&p->lock);
	tpr = vlapic_tpr(&p->lapic);
	if (write && off == APIC_EOI)
		eoi = isr_highest(&p->lapic);
	if (write)
		vlapic_mmio_write(&p->lapic, off, size, *val, cpu_rdtsc(), &icr);
	else
		vlapic_mmio_read(&p->lapic, off, size, val, cpu_rdtsc());
	spin_unlock_irqrestore(&p->lock, flags);
	tpr_follows(v, tpr, vlapic_tpr(&p->lapic));
	eoi_to_ioapic(vm_of(v), eoi);
	if (icr.valid)
		ipi_send(v, &icr);
}

/* The xAPIC and I/O APIC pages are not mapped in the guest's address space
 * (an EPT violation under VT-x), nor is what lies above RAM: their accesses
 * are decoded and routed by vm/vm_io.c. */
static bool plat_mmio(struct vcpu *v, const struct vcpu_gpa_fault *f, enum vcpu_action *act)
{
	return vm_io_mmio(v, f, act);
}

/* Would anything end a HLT now? An NMI always; a maskable interrupt only
 * with RFLAGS.IF set (SDM Vol. 2A HLT). The VMCS must be current; p locked. */
static bool hlt_wakes(struct vcpu *v, struct vm_vcpu_plat *p)
{
	return p->nmi_pending || (vlapic_pending(&p->lapic) >= 0 && vcpu_interrupts_enabled(v));
}

/* CR8 is the vLAPIC's TPR[7:4]; a lower priority takes effect at the next
 * entry, where pending interrupts are evaluated again. */
static uint8_t plat_cr8(struct vcpu *v, bool write, uint8_t val)
{
	struct vm_vcpu_plat *p = plat_of(v);
	uint64_t flags = spin_lock_irqsave(&p->lock);

	if (write)
		vlapic_set_cr8(&p->lapic, val);
	val = vlapic_cr8(&p->lapic);
	spin_unlock_irqrestore(&p->lock, flags);
	return val;
}

/* HLT ends the entry unless something that wakes it is already waiting. */
static enum vcpu_action plat_hlt(struct vcpu *v)
{
	struct vm_vcpu_plat *p = plat_of(v);
	uint64_t flags = spin_lock_irqsave(&p->lock);
	bool pending;

	vlapic_timer_update(&p->lapic, cpu_rdtsc());
	pending = hlt_wakes(v, p);
	p->halted = !pending;
	spin_unlock_irqrestore(&p->lock, flags);
	return pending ? VCPU_RESUME : VCPU_BLOCK;
}

static unsigned bits_for(unsigned n)
{
	unsigned b = 0;

	while ((1u << b) < n)
		b++;
	return b;
}

/* Leaf 04H (SDM Vol. 2A CPUID): the host's caches, shared as the VM's
 * topology says: no SMT, so L1/L2 belong to one vCPU, L3 to the package. */
static void cache_topology(unsigned nvcpus, struct cpuid_regs *r)
{
	uint32_t ids = (1u << bits_for(nvcpus)) - 1;
	uint32_t level = (r->eax & CPUID_4_LEVEL_MASK) >> CPUID_4_LEVEL_SHIFT;

	if (!(r->eax & CPUID_4_TYPE_MASK))
		return;
	r->eax &= ~(CPUID_4_CORES_MASK | CPUID_4_SHARING_MASK);
	r->eax |= ids << CPUID_4_CORES_SHIFT;
	if (level == CPUID_4_LEVEL_PACKAGE)
		r->eax |= ids << CPUID_4_SHARING_SHIFT;
}

/* The VM's topology: one package of nvcpus cores, APIC ID = vCPU index;
 * the APIC feature bit follows IA32_APIC_BASE's enable. The rest of these
 * leaves is the CPUID policy's (vmx/cpuid.c). SDM Vol. 2A CPUID leaves
 * 01H, 04H, 0BH, 1FH. */
static void plat_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, struct cpuid_regs *r)
{
	struct vm *vm = vm_of(v);
	struct vm_vcpu_plat *p = plat_of(v);

	if (leaf == 1) {
		r->ebx =
		    (r->ebx & 0xffffu) | (1u << bits_for(vm->nvcpus)) << 16 | (v->id & 0xffu) << 24;
		r->edx = (r->edx & ~CPUID_1_EDX_HTT) | (vm->nvcpus > 1 ? CPUID_1_EDX_HTT : 0);
		r->edx = vlapic_enabled(&p->lapic) ? r->edx | CPUID_1_EDX_APIC
						   : r->edx & ~CPUID_1_EDX_APIC;
	} else if (leaf == 4) {
		cache_topology(vm->nvcpus, r);
	} else if (leaf == 0xb || leaf == 0x1f) {
		r->eax = sub == 0 ? 0 : sub == 1 ? bits_for(vm->nvcpus) : 0;
		r->ebx = sub == 0 ? 1 : sub == 1 ? vm->nvcpus : 0;
		r->ecx = (sub & 0xffu) | (sub == 0   ? CPUID_B_TYPE_SMT << 8
					  : sub == 1 ? CPUID_B_TYPE_CORE << 8
						     : 0);
		r->edx = v->id;
	}
}

/* A triple fault resets a PC (its chipset turns shutdown into a reset). */
static bool plat_shutdown(struct vcpu *v)
{
	struct vm *vm = vm_of(v);

	if (!vm->on_reboot_restart)
		return false;
	vm_restart_request(vm, "triple fault");
	return true;
}

const struct vcpu_platform_ops vm_platform_vcpu_ops = {
    .io = vm_io_port,
    .hypercall = vm_hypercall,
    .irq_pending = plat_irq_pending,
    .irq_ack = plat_irq_ack,
    .next_event = plat_next_event,
    .msr = plat_msr,
    .mmio = plat_mmio,
    .hlt = plat_hlt,
    .cpuid = plat_cpuid,
    .cr8 = plat_cr8,
    .shutdown = plat_shutdown,
};

bool vm_vcpu_prepare(struct vm *vm, unsigned idx)
{
	struct vm_vcpu_plat *p;
	uint64_t flags;
	bool run, init = false;
	int sipi;

	if (!vm->platform)
		return true;
	if (__builtin_expect(__atomic_load_n(&vm->restart_pending, __ATOMIC_ACQUIRE), 0))
		return vm_restart_vcpu(vm, idx);
	p = vm->plat[idx];
	flags = spin_lock_irqsave(&p->lock);
	if (p->init_pending) {
		p->init_pending = false;
		p->wait_sipi = true;
		p->halted = false;
		p->nmi_pending = false;
		vlapic_reset_init(&p->lapic);
		init = true;
	}
	sipi = p->sipi_vector;
	p->sipi_vector = -1;
	if (sipi >= 0 && p->wait_sipi) {
		p->wait_sipi = false;
		vcpu_startup_ipi(vm->vcpus[idx], (uint8_t)sipi);
	}
	vlapic_timer_update(&p->lapic, cpu_rdtsc());
	if (p->halted && hlt_wakes(vm->vcpus[idx], p))
		p->halted = false;
	run = !p->wait_sipi && !p->halted;
	spin_unlock_irqrestore(&p->lock, flags);
	if (init)
		vcpu_set_tpr(vm->vcpus[idx], vlapic_tpr(&p->lapic));
	return run;
}

uint64_t vm_vcpu_wake_tsc(struct vm *vm, unsigned idx)
{
	if (!vm->platform || vm->plat[idx]->wait_sipi)
		return 0;
	return vlapic_timer_next(&vm->plat[idx]->lapic);
}
