/* SPDX-License-Identifier: MIT */
/*
 * vCPU lifecycle: VMCS allocation and controls (SDM Vol. 3C 25.6-25.8,
 * adjusted against the capability MSRs), host state (25.5), guest state
 * (25.4) checked before the first VMLAUNCH, the run loop around
 * vmx_enter(), XSAVE/XRSTOR, per-vCPU MSRs and debug registers around guest
 * execution.
 */
#include <stddef.h>
#include "vmx/vcpu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/spinlock.h"
#include "arch/x86/traps.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "smp/percpu.h"
#include "smp/smp.h"
#include "vmx/caps.h"
#include "vmx/debugreg.h"
#include "vmx/exit.h"
#include "vmx/msr.h"
#include "vmx/percpu.h"
#include "vmx/spec.h"
#include "vmx/tpr.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_fast.h"
#include "vmx/vmx_insn.h"
#include "guest/event_combine.h"
#include "guest/io_bp.h"
#include "guest/xstate.h"

/* vmx/regs.inc: the guest GPRs and HOST_RSP where vmx/entry.asm finds them. */
#define REGS_CR2 120
#define REGS_HOST_RSP 392
_Static_assert(offsetof(struct vmx_vcpu, vcpu) == 0, "vmx/entry.asm");
_Static_assert(offsetof(struct vcpu, regs) == 0, "vmx/entry.asm");
_Static_assert(offsetof(struct vcpu_regs, r15) == REGS_CR2 - 8, "vmx/regs.inc");
_Static_assert(offsetof(struct vcpu_regs, cr2) == REGS_CR2, "vmx/regs.inc");
_Static_assert(offsetof(struct vmx_vcpu, host_rsp) == REGS_HOST_RSP, "vmx/regs.inc");

#define VPID_MAX 4096
#define IO_BITMAP_PAGES 2
#define EXIT_CTL_HOST_64 VMX_EXIT_HOST_ADDR_SPACE_SIZE
#define RESET_TABLE_LIMIT 0xffff /* GDTR/IDTR limit after INIT (SDM 3A 10.1.1) */
/* Each guest segment's limit, access-rights and base fields sit at a fixed
 * distance from its selector field (SDM 3D Appendix B: 0x0800+2i selector,
 * 0x4800+2i limit, 0x4814+2i access rights, 0x6806+2i base). */
#define VMCS_SEG_LIMIT_DELTA 0x4000
#define VMCS_SEG_AR_DELTA 0x4014
#define VMCS_SEG_BASE_DELTA 0x6006

int vmx_enter(struct vmx_vcpu *v, int launched);
int vmx_exit_step(struct vmx_vcpu *v);
extern char vmx_exit_stub[];

static struct spinlock vpid_lock = SPINLOCK_INIT;
static uint64_t vpid_used[VPID_MAX / 64];

static uint16_t vpid_alloc(void)
{
	uint64_t flags = spin_lock_irqsave(&vpid_lock);
	uint16_t id = 0;

	for (unsigned i = 1; i < VPID_MAX && !id; i++) {
		if (!(vpid_used[i / 64] & (1ull << (i % 64)))) {
			vpid_used[i / 64] |= 1ull << (i % 64);
			id = (uint16_t)i;
		}
	}
	spin_unlock_irqrestore(&vpid_lock, flags);
	return id;
}

static void vpid_free(uint16_t id)
{
	uint64_t flags = spin_lock_irqsave(&vpid_lock);

	vpid_used[id / 64] &= ~(1ull << (id % 64));
	spin_unlock_irqrestore(&vpid_lock, flags);
}

/* Every MSR access exits except those the MSR model (vmx/msr.c) passes
 * through: FS/GS base live in the VMCS, the SYSCALL MSRs, KERNEL_GS_BASE
 * and TSC_AUX are switched with the vCPU (vmx_vcpu_msrs_load/save), PAT
 * reads see the VMCS guest PAT loaded on entry. */
static enum err setup_bitmaps(struct vmx_vcpu *v)
{
	uint8_t *bm;
	enum err e = pmm_alloc_page(&v->msr_bitmap_pa);

	if (e == E_OK)
		e = pmm_alloc_pages(IO_BITMAP_PAGES, 1, &v->io_bitmap_pa);
	if (e != E_OK)
		return e;
	bm = phys_to_virt(v->msr_bitmap_pa);
	memset(bm, 0xff, PAGE_SIZE);
	vmx_msr_bitmap_setup(bm);
	memset(phys_to_virt(v->io_bitmap_pa), 0xff, IO_BITMAP_PAGES * PAGE_SIZE);
	return E_OK;
}

static enum err adjust(const struct vmx_caps *c, enum vmx_ctl_kind kind, uint32_t req, uint32_t opt,
		       uint32_t field)
{
	uint32_t val;
	const char *bad = 0;
	enum err e = vmx_caps_adjust(c, kind, req, opt, &val, &bad);

	if (e != E_OK) {
		pr_err("vcpu: the %s control '%s' is required but this CPU does not allow it\n",
		       vmx_ctl_kind_name(kind), bad ? bad : "?");
		return e;
	}
	return vmcs_write(field, val);
}

/* CR4 bits the guest may not own: VMXE (no nested VMX), and PKE on a CPU
 * with protection keys whose PKRU the vCPU's XSAVE area cannot hold
 * (guest/xstate.c); a MOV to CR4 that sets one exits and raises #GP. */
uint64_t vmx_vcpu_cr4_host_owned(void)
{
	struct cpuid_regs r;

	cpu_cpuid(CPUID_LEAF_EXT_FEATURES, 0, &r);
	if ((r.ecx & CPUID_7_ECX_PKU) && !xstate_guest_pkru())
		return CR4_VMXE | CR4_PKE;
	return CR4_VMXE;
}

uint64_t vmx_vcpu_guest_cr4(void)
{
	uint64_t mask = vmcs_rd(VMCS_CR4_GUEST_HOST_MASK);

	return (vmcs_rd(VMCS_GUEST_CR4) & ~mask) | (vmcs_rd(VMCS_CR4_READ_SHADOW) & mask);
}

/* The control fields beside the control words: bitmaps, pointers, masks. */
static void write_control_fields(struct vmx_vcpu *v)
{
	/* #DB and #AC always exit (vmx/exit.c reflect_exception). */
	vmcs_write(VMCS_EXCEPTION_BITMAP, (1u << X86_TRAP_DB) | (1u << X86_TRAP_AC));
	vmcs_write(VMCS_IO_BITMAP_A, v->io_bitmap_pa);
	vmcs_write(VMCS_IO_BITMAP_B, v->io_bitmap_pa + PAGE_SIZE);
	vmcs_write(VMCS_MSR_BITMAP, v->msr_bitmap_pa);
	vmx_tpr_setup_vmcs(v);
	vmcs_write(VMCS_EPT_POINTER, ept_eptp(v->ept));
	vmcs_write(VMCS_VPID, v->vpid);
	vmcs_write(VMCS_LINK_POINTER, ~0ull);
	vmcs_write(VMCS_VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VMCS_VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_VM_ENTRY_INTR_INFO, 0);
	/* CR0.NE, CD and NW and CR4.VMXE belong to the host (and CR4.PKE where
	 * PKRU cannot be switched, guest/xstate.c); the guest sees its shadows. */
	vmcs_write(VMCS_CR0_GUEST_HOST_MASK, CR0_HOST_OWNED);
	vmcs_write(VMCS_CR4_GUEST_HOST_MASK, vmx_vcpu_cr4_host_owned());
}

static enum err setup_controls(struct vmx_vcpu *v, const struct vcpu_config *cfg)
{
	const struct vmx_caps *c = vmx_percpu_caps();
	uint32_t proc2 = VMX_PROC2_EPT | VMX_PROC2_VPID;
	/* DR7 and IA32_DEBUGCTL are the guest's, in the VMCS (vmx/debugreg.c). */
	uint32_t entry = VMX_ENTRY_LOAD_EFER | VMX_ENTRY_LOAD_PAT | VMX_ENTRY_LOAD_DEBUG_CTLS,
		 tpr_ctls;
	enum err e;

	if (cfg->boot.mode != VCPU_MODE_LONG)
		proc2 |= VMX_PROC2_UNRESTRICTED_GUEST;
	else
		entry |= VMX_ENTRY_IA32E_MODE_GUEST;
	/* Virtual NMIs (SDM 3C 25.6.1, 26.3): with NMI exiting alone, a guest
	 * IRET would never end the blocking an injected NMI starts. */
	e = vmx_tpr_create(v, c, &tpr_ctls);
	if (e == E_OK)
		e = adjust(c, VMX_CTL_PIN, VMX_PIN_EXT_INTR_EXITING | VMX_PIN_NMI_EXITING,
			   VMX_PIN_VIRTUAL_NMIS, VMCS_PIN_BASED_CONTROLS);
	if (e == E_OK)
		e = adjust(c, VMX_CTL_PROC,
			   VMX_PROC_HLT_EXITING | VMX_PROC_IO_BITMAPS | VMX_PROC_MSR_BITMAPS |
			       tpr_ctls | VMX_PROC_MWAIT_EXITING | VMX_PROC_MONITOR_EXITING |
			       VMX_PROC_MOV_DR_EXITING | VMX_PROC_RDPMC_EXITING |
			       VMX_PROC_TSC_OFFSETTING | VMX_PROC_SECONDARY_CTLS,
			   0, VMCS_PROC_BASED_CONTROLS);
	/* WBINVD exiting (SDM 3C 25.6.2, Table 25-7) when offered: the exit
	 * handler skips it, as guest memory is write-back through EPT and no
	 * device does non-coherent DMA, so flushing the host's caches would
	 * only stall this core. INVD exits unconditionally (SDM 3C 26.1.2). */
	if (e == E_OK)
		e = adjust(c, VMX_CTL_PROC2, proc2,
			   VMX_PROC2_RDTSCP | VMX_PROC2_INVPCID | VMX_PROC2_XSAVES |
			       VMX_PROC2_WBINVD_EXITING,
			   VMCS_SECONDARY_PROC_CONTROLS);
	if (e == E_OK)
		e = adjust(c, VMX_CTL_EXIT,
			   EXIT_CTL_HOST_64 | VMX_EXIT_ACK_INTR_ON_EXIT | VMX_EXIT_SAVE_EFER |
			       VMX_EXIT_LOAD_EFER | VMX_EXIT_SAVE_PAT | VMX_EXIT_LOAD_PAT |
			       VMX_EXIT_SAVE_DEBUG_CTLS,
			   0, VMCS_VM_EXIT_CONTROLS);
	if (e == E_OK)
		e = adjust(c, VMX_CTL_ENTRY, entry, 0, VMCS_VM_ENTRY_CONTROLS);
	if (e == E_OK)
		write_control_fields(v);
	return e;
}

void vmx_vcpu_write_host_state(struct vmx_vcpu *v)
{
	struct percpu *cpu = this_cpu();
	struct desc_ptr gdtr, idtr;

	xstate_cpu_init();
	gdt_read_gdtr(&gdtr);
	__asm__ volatile("sidt %0" : "=m"(idtr));
	vmcs_write(VMCS_HOST_CR0, cpu_read_cr0());
	vmcs_write(VMCS_HOST_CR3, cpu_read_cr3());
	vmcs_write(VMCS_HOST_CR4, cpu_read_cr4());
	vmcs_write(VMCS_HOST_CS_SELECTOR, GDT_KERNEL_CS);
	vmcs_write(VMCS_HOST_SS_SELECTOR, GDT_KERNEL_DS);
	vmcs_write(VMCS_HOST_DS_SELECTOR, GDT_KERNEL_DS);
	vmcs_write(VMCS_HOST_ES_SELECTOR, GDT_KERNEL_DS);
	vmcs_write(VMCS_HOST_FS_SELECTOR, 0);
	vmcs_write(VMCS_HOST_GS_SELECTOR, 0);
	vmcs_write(VMCS_HOST_TR_SELECTOR, GDT_TSS);
	vmcs_write(VMCS_HOST_FS_BASE, 0);
	vmcs_write(VMCS_HOST_GS_BASE, (uint64_t)(uintptr_t)cpu);
	vmcs_write(VMCS_HOST_TR_BASE, (uint64_t)(uintptr_t)&cpu->tables->tss);
	vmcs_write(VMCS_HOST_GDTR_BASE, gdtr.base);
	vmcs_write(VMCS_HOST_IDTR_BASE, idtr.base);
	vmcs_write(VMCS_HOST_IA32_SYSENTER_CS, 0);
	vmcs_write(VMCS_HOST_IA32_SYSENTER_ESP, 0);
	vmcs_write(VMCS_HOST_IA32_SYSENTER_EIP, 0);
	vmcs_write(VMCS_HOST_IA32_EFER, cpu_rdmsr(MSR_IA32_EFER));
	vmcs_write(VMCS_HOST_IA32_PAT, cpu_rdmsr(MSR_IA32_PAT));
	vmcs_write(VMCS_HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_stub);
	v->host_rsp = 0; /* vmx_enter writes HOST_RSP on the next entry */
}

static void write_seg(uint32_t sel_field, const struct vmx_seg *s)
{
	/* Selector, base, limit and access-rights fields of one segment are
	 * laid out at a fixed distance from the selector's index (SDM 3D B). */
	vmcs_write(sel_field, s->sel);
	vmcs_write(sel_field + VMCS_SEG_BASE_DELTA, s->base);
	vmcs_write(sel_field + VMCS_SEG_LIMIT_DELTA, s->limit);
	vmcs_write(sel_field + VMCS_SEG_AR_DELTA, s->ar);
}

static void write_guest_state(const struct vmx_guest_state *g)
{
	write_seg(VMCS_GUEST_ES_SELECTOR, &g->es);
	write_seg(VMCS_GUEST_CS_SELECTOR, &g->cs);
	write_seg(VMCS_GUEST_SS_SELECTOR, &g->ss);
	write_seg(VMCS_GUEST_DS_SELECTOR, &g->ds);
	write_seg(VMCS_GUEST_FS_SELECTOR, &g->fs);
	write_seg(VMCS_GUEST_GS_SELECTOR, &g->gs);
	write_seg(VMCS_GUEST_LDTR_SELECTOR, &g->ldtr);
	write_seg(VMCS_GUEST_TR_SELECTOR, &g->tr);
	vmcs_write(VMCS_GUEST_GDTR_BASE, g->gdtr_base);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, g->gdtr_limit);
	vmcs_write(VMCS_GUEST_IDTR_BASE, g->idtr_base);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, g->idtr_limit);
	vmcs_write(VMCS_GUEST_CR0, g->cr0);
	vmcs_write(VMCS_GUEST_CR3, g->cr3);
	vmcs_write(VMCS_GUEST_CR4, g->cr4);
	vmcs_write(VMCS_GUEST_DR7, g->dr7);
	vmcs_write(VMCS_GUEST_RSP, g->rsp);
	vmcs_write(VMCS_GUEST_RIP, g->rip);
	vmcs_write(VMCS_GUEST_RFLAGS, g->rflags);
	vmcs_write(VMCS_GUEST_IA32_EFER, g->efer);
	vmcs_write(VMCS_GUEST_IA32_PAT, g->pat);
	vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, g->debugctl);
	vmcs_write(VMCS_GUEST_IA32_SYSENTER_CS, g->sysenter_cs);
	vmcs_write(VMCS_GUEST_IA32_SYSENTER_ESP, g->sysenter_esp);
	vmcs_write(VMCS_GUEST_IA32_SYSENTER_EIP, g->sysenter_eip);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, g->activity);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, g->interruptibility);
	vmcs_write(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, g->pending_dbg);
}

static void guest_state_caps(struct vmx_guest_state *g, const struct vmx_caps *c)
{
	struct cpuid_regs r;

	g->cr0_fixed0 = c->msr.cr0_fixed0;
	g->cr0_fixed1 = c->msr.cr0_fixed1;
	g->cr4_fixed0 = c->msr.cr4_fixed0;
	g->cr4_fixed1 = c->msr.cr4_fixed1;
	g->vmx_misc = c->msr.misc;
	cpu_cpuid(0x80000008, 0, &r);
	g->maxphyaddr = r.eax & 0xff;
	g->linaddr_width = (r.eax >> 8) & 0xff;
}

void vmx_vcpu_read_seg(uint32_t sel_field, struct vmx_seg *s)
{
	s->sel = (uint16_t)vmcs_read_or(sel_field, 0);
	s->base = vmcs_read_or(sel_field + VMCS_SEG_BASE_DELTA, 0);
	s->limit = (uint32_t)vmcs_read_or(sel_field + VMCS_SEG_LIMIT_DELTA, 0);
	s->ar = (uint32_t)vmcs_read_or(sel_field + VMCS_SEG_AR_DELTA, 0);
}

void vmx_vcpu_read_guest_state(struct vmx_vcpu *v, struct vmx_guest_state *g)
{
	const struct vmx_caps *c = vmx_percpu_caps();

	(void)v;
	memset(g, 0, sizeof(*g));
	vmx_vcpu_read_seg(VMCS_GUEST_ES_SELECTOR, &g->es);
	vmx_vcpu_read_seg(VMCS_GUEST_CS_SELECTOR, &g->cs);
	vmx_vcpu_read_seg(VMCS_GUEST_SS_SELECTOR, &g->ss);
	vmx_vcpu_read_seg(VMCS_GUEST_DS_SELECTOR, &g->ds);
	vmx_vcpu_read_seg(VMCS_GUEST_FS_SELECTOR, &g->fs);
	vmx_vcpu_read_seg(VMCS_GUEST_GS_SELECTOR, &g->gs);
	vmx_vcpu_read_seg(VMCS_GUEST_LDTR_SELECTOR, &g->ldtr);
	vmx_vcpu_read_seg(VMCS_GUEST_TR_SELECTOR, &g->tr);
	g->gdtr_base = vmcs_read_or(VMCS_GUEST_GDTR_BASE, 0);
	g->gdtr_limit = (uint32_t)vmcs_read_or(VMCS_GUEST_GDTR_LIMIT, 0);
	g->idtr_base = vmcs_read_or(VMCS_GUEST_IDTR_BASE, 0);
	g->idtr_limit = (uint32_t)vmcs_read_or(VMCS_GUEST_IDTR_LIMIT, 0);
	g->cr0 = vmcs_read_or(VMCS_GUEST_CR0, 0);
	g->cr3 = vmcs_read_or(VMCS_GUEST_CR3, 0);
	g->cr4 = vmcs_read_or(VMCS_GUEST_CR4, 0);
	g->dr7 = vmcs_read_or(VMCS_GUEST_DR7, 0);
	g->rsp = vmcs_read_or(VMCS_GUEST_RSP, 0);
	g->rip = vmcs_read_or(VMCS_GUEST_RIP, 0);
	g->rflags = vmcs_read_or(VMCS_GUEST_RFLAGS, 0);
	g->efer = vmcs_read_or(VMCS_GUEST_IA32_EFER, 0);
	g->pat = vmcs_read_or(VMCS_GUEST_IA32_PAT, 0);
	g->debugctl = vmcs_read_or(VMCS_GUEST_IA32_DEBUGCTL, 0);
	g->sysenter_cs = (uint32_t)vmcs_read_or(VMCS_GUEST_IA32_SYSENTER_CS, 0);
	g->sysenter_esp = vmcs_read_or(VMCS_GUEST_IA32_SYSENTER_ESP, 0);
	g->sysenter_eip = vmcs_read_or(VMCS_GUEST_IA32_SYSENTER_EIP, 0);
	g->activity = (uint32_t)vmcs_read_or(VMCS_GUEST_ACTIVITY_STATE, 0);
	g->interruptibility = (uint32_t)vmcs_read_or(VMCS_GUEST_INTERRUPTIBILITY, 0);
	g->pending_dbg = vmcs_read_or(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
	g->link_pointer = vmcs_read_or(VMCS_LINK_POINTER, 0);
	g->entry_ctls = (uint32_t)vmcs_read_or(VMCS_VM_ENTRY_CONTROLS, 0);
	g->proc2_ctls = (uint32_t)vmcs_read_or(VMCS_SECONDARY_PROC_CONTROLS, 0);
	g->pin_ctls = (uint32_t)vmcs_read_or(VMCS_PIN_BASED_CONTROLS, 0);
	g->entry_intr_info = (uint32_t)vmcs_read_or(VMCS_VM_ENTRY_INTR_INFO, 0);
	guest_state_caps(g, c);
}

static void init_guest_state(struct vmx_guest_state *g, const struct vcpu_boot_state *bs)
{
	const struct vmx_caps *c = vmx_percpu_caps();

	if (bs->mode == VCPU_MODE_LONG)
		vmx_guest_state_init_long_mode(g, c);
	else if (bs->mode == VCPU_MODE_PROTECTED32)
		vmx_guest_state_init_protected32(g, c);
	else
		vmx_guest_state_init_real_mode(g, c);
	g->rip = bs->rip;
	g->rsp = bs->gpr[VCPU_RSP];
	g->cr0 |= bs->cr0;
	g->cr3 = bs->cr3;
	g->cr4 |= bs->cr4;
	g->efer |= bs->efer;
	g->gdtr_base = bs->gdt_base;
	g->gdtr_limit = bs->gdt_limit;
	if (bs->idt_limit)
		g->idtr_limit = bs->idt_limit;
	if (bs->mode == VCPU_MODE_REAL) {
		g->cs.sel = (uint16_t)(bs->real_mode_cs_base >> 4);
		g->cs.base = bs->real_mode_cs_base;
		g->rsp &= 0xfff0;
		return;
	}
	/* Only the visible selectors change: the hidden parts stay flat. */
	if (bs->code_sel)
		g->cs.sel = bs->code_sel;
	if (bs->data_sel) {
		g->ds.sel = g->es.sel = g->ss.sel = bs->data_sel;
		g->fs.sel = g->gs.sel = bs->data_sel;
	}
}

/*
 * The controls that follow the guest's mode: "IA-32e mode guest" is EFER.LMA
 * (SDM Vol. 3C 26.2.1.3 and 27.3.1.1, which VM exits update but a reset
 * here must set itself), and a vCPU leaving long mode by INIT/SIPI needs
 * unrestricted guest for real mode (SDM Vol. 3A 9.1.1, Table 9-1: INIT
 * clears EFER; Vol. 3C 25.6.2). Without it the entry fails and the VM is
 * stopped with the reason.
 */
static void mode_controls(uint64_t efer)
{
	const struct vmx_caps *c = vmx_percpu_caps();
	uint64_t entry = vmcs_read_or(VMCS_VM_ENTRY_CONTROLS, 0);
	uint64_t proc2 = vmcs_read_or(VMCS_SECONDARY_PROC_CONTROLS, 0);
	bool lma = efer & EFER_LMA;

	entry = lma ? entry | VMX_ENTRY_IA32E_MODE_GUEST
		    : entry & ~(uint64_t)VMX_ENTRY_IA32E_MODE_GUEST;
	vmcs_write(VMCS_VM_ENTRY_CONTROLS, entry);
	if (!lma && c->has.unrestricted_guest)
		vmcs_write(VMCS_SECONDARY_PROC_CONTROLS, proc2 | VMX_PROC2_UNRESTRICTED_GUEST);
}

/*
 * CR0.CD and NW as the guest reads them. VM entry and exit never load them
 * (SDM Vol. 3C 26.3.2.1, 27.5.1): the CPU keeps the host's, so they are
 * host-owned and live in the read shadow, and a guest that disables its
 * caches cannot disable the host's.
 */
static uint64_t boot_cache_bits(const struct vmx_vcpu *v, const struct vcpu_boot_state *bs)
{
	if (bs->cache == VCPU_CACHE_KEEP)
		return v->cr0_shadow & CR0_CACHE_BITS;
	if (bs->cache == VCPU_CACHE_ON)
		return 0;
	return cpu_read_cr0() & CR0_CACHE_BITS;
}

/* A fresh guest state from bs, the VMCS current here; GPRs from bs too. */
void vmx_vcpu_apply_boot_state(struct vmx_vcpu *v, const struct vcpu_boot_state *bs)
{
	struct vcpu_regs *r = &v->vcpu.regs;
	struct vmx_guest_state g;

	init_guest_state(&g, bs);
	g.pat = v->msr.pat; /* INIT leaves PAT alone (SDM Vol. 3A Table 10-1) */
	write_guest_state(&g);
	mode_controls(g.efer);
	/* CR0.NE is fixed to 1 in VMX operation (SDM Vol. 3C 24.8, A.7) and
	 * host-owned: the guest reads the value its boot state gives, as on the
	 * CPU (0 after INIT, SDM Vol. 3A Table 10-1; GRUB leaves it clear). */
	v->cr0_shadow = (g.cr0 & ~CR0_HOST_OWNED) | (bs->cr0 & CR0_NE) | boot_cache_bits(v, bs);
	v->cr4_shadow = g.cr4 & ~CR4_VMXE;
	vmcs_write(VMCS_CR0_READ_SHADOW, v->cr0_shadow);
	vmcs_write(VMCS_CR4_READ_SHADOW, v->cr4_shadow);
	vmcs_write(VMCS_VM_ENTRY_INTR_INFO, 0);
	vmx_dr_reset(v);
	*r = (struct vcpu_regs){
	    .rax = bs->gpr[VCPU_RAX],
	    .rcx = bs->gpr[VCPU_RCX],
	    .rdx = bs->gpr[VCPU_RDX],
	    .rbx = bs->gpr[VCPU_RBX],
	    .rbp = bs->gpr[VCPU_RBP],
	    .rsi = bs->gpr[VCPU_RSI],
	    .rdi = bs->gpr[VCPU_RDI],
	    .r8 = bs->gpr[VCPU_R8],
	    .r9 = bs->gpr[VCPU_R9],
	    .r10 = bs->gpr[VCPU_R10],
	    .r11 = bs->gpr[VCPU_R11],
	    .r12 = bs->gpr[VCPU_R12],
	    .r13 = bs->gpr[VCPU_R13],
	    .r14 = bs->gpr[VCPU_R14],
	    .r15 = bs->gpr[VCPU_R15],
	};
}

void vmx_vcpu_reset_sipi(struct vmx_vcpu *v, uint8_t vector)
{
	struct vcpu_boot_state bs;

	vcpu_boot_state_init(&bs, VCPU_MODE_REAL);
	bs.cache = VCPU_CACHE_KEEP;
	bs.real_mode_cs_base = (uint64_t)vector << 12;
	bs.gdt_limit = RESET_TABLE_LIMIT;
	bs.idt_limit = RESET_TABLE_LIMIT;
	vmx_vcpu_apply_boot_state(v, &bs);
}

/* struct vcpu_regs is in SDM order except that RSP lives in the VMCS. */
static uint64_t *gpr_slot(struct vmx_vcpu *v, enum vcpu_gpr n)
{
	uint64_t *r = &v->vcpu.regs.rax;

	return &r[n < VCPU_RSP ? n : n - 1];
}

uint64_t vmx_vcpu_get_gpr(struct vmx_vcpu *v, enum vcpu_gpr n)
{
	if (n == VCPU_RSP)
		return vmcs_rd(VMCS_GUEST_RSP);
	return *gpr_slot(v, n);
}

void vmx_vcpu_set_gpr(struct vmx_vcpu *v, enum vcpu_gpr n, uint64_t val)
{
	if (n == VCPU_RSP)
		vmcs_wr(VMCS_GUEST_RSP, val);
	else
		*gpr_slot(v, n) = val;
}

#define AR_L (1u << 13)
#define AR_DB (1u << 14)

void vmx_vcpu_code_state(struct vcpu_code_state *cs)
{
	uint32_t ar = (uint32_t)vmcs_rd(VMCS_GUEST_CS_AR);

	cs->cs_base = vmcs_rd(VMCS_GUEST_CS_BASE);
	cs->rip = vmcs_rd(VMCS_GUEST_RIP);
	cs->protected_mode = vmcs_rd(VMCS_GUEST_CR0) & CR0_PE;
	cs->bits = (ar & AR_L) && (vmcs_rd(VMCS_GUEST_IA32_EFER) & EFER_LMA) ? 64
		   : (ar & AR_DB)					     ? 32
									     : 16;
}

bool vmx_vcpu_guest_if(void)
{
	return vmcs_rd(VMCS_GUEST_RFLAGS) & RFLAGS_IF;
}

void vmx_vcpu_paging(struct vcpu_paging *p)
{
	p->cr0 = vmcs_read_or(VMCS_GUEST_CR0, 0);
	p->cr3 = vmcs_read_or(VMCS_GUEST_CR3, 0);
	p->cr4 = vmcs_read_or(VMCS_GUEST_CR4, 0);
	p->efer = vmcs_read_or(VMCS_GUEST_IA32_EFER, 0);
}

static enum err vcpu_alloc(struct vmx_vcpu **out, const struct vcpu_config *cfg)
{
	struct vmx_vcpu *v = kzalloc(sizeof(*v));
	enum err e;

	if (!v)
		return E_NOMEM;
	v->vcpu.id = cfg->id;
	v->vcpu.gspace = cfg->gspace;
	v->ept = &cfg->gspace->ept;
	v->vcpu.ops = cfg->ops;
	v->vcpu.owner = cfg->owner;
	v->vcpu.last_cpu = VCPU_NO_CPU;
	v->vmcs_cpu = VCPU_NO_CPU;
	v->vcpu.pending_irq = -1;
	v->vpid = vpid_alloc();
	*out = v;
	if (!v->vpid)
		return E_NOMEM;
	e = vmcs_alloc(vmx_percpu_this()->revision_id, &v->vmcs_pa);
	if (e == E_OK)
		e = setup_bitmaps(v);
	if (e == E_OK)
		e = xstate_alloc(&v->xsave_area, &v->xcr0);
	return e;
}

/*
 * Drop what this CPU may cache for v's VPID and EPT (SDM 3C 29.4.3.1,
 * 29.4.3.3): single-context where the CPU offers that type, else
 * all-context (IA32_VMX_EPT_VPID_CAP bits 41/42 and 25/26 say which).
 */
static void flush_guest_tlbs(struct vmx_vcpu *v)
{
	const struct vmx_caps *c = vmx_percpu_caps();

	if (c->vpid.invvpid_single)
		vmx_invvpid(VMX_INVVPID_SINGLE_CONTEXT, v->vpid, 0);
	else if (c->vpid.invvpid_all)
		vmx_invvpid(VMX_INVVPID_ALL_CONTEXT, 0, 0);
	if (c->ept.invept_single)
		vmx_invept(VMX_INVEPT_SINGLE_CONTEXT, ept_eptp(v->ept));
	else if (c->ept.invept_all)
		vmx_invept(VMX_INVEPT_ALL_CONTEXT, 0);
}

static enum err vcpu_load_new(struct vmx_vcpu *v)
{
	enum err e = vmcs_clear(v->vmcs_pa);

	if (e == E_OK)
		e = vmcs_load(v->vmcs_pa);
	if (e == E_OK) {
		v->vmcs_state = VMCS_STATE_ACTIVE;
		v->vmcs_cpu = (int32_t)this_cpu()->cpu_id;
		v->vcpu.last_cpu = v->vmcs_cpu;
		/* A recycled VPID or EPT root may have stale translations (SDM 3C
		 * 29.4.3): flush both before this vCPU's first entry. */
		flush_guest_tlbs(v);
	}
	return e;
}

enum err vmx_vcpu_create(struct vmx_vcpu **out, const struct vcpu_config *cfg)
{
	struct vmx_vcpu *v = 0;
	enum err e;

	*out = 0;
	if (!vmx_is_enabled())
		return E_STATE;
	e = vcpu_alloc(&v, cfg);
	if (e == E_OK)
		e = vcpu_load_new(v);
	if (e == E_OK)
		e = setup_controls(v, cfg);
	if (e != E_OK) {
		pr_err("vcpu %u: creation failed: %s\n", cfg->id, err_text(e));
		if (v)
			vmx_vcpu_destroy(v);
		return e;
	}
	vmx_vcpu_write_host_state(v);
	vmx_msr_reset(v);
	vmx_vcpu_apply_boot_state(v, &cfg->boot);
	*out = v;
	return E_OK;
}

void vmx_vcpu_destroy(struct vmx_vcpu *v)
{
	if (v->vmcs_state != VMCS_STATE_CLEAR && v->vmcs_cpu == (int32_t)this_cpu()->cpu_id)
		vmcs_clear(v->vmcs_pa);
	if (v->vmcs_pa)
		vmcs_free(v->vmcs_pa);
	if (v->msr_bitmap_pa)
		pmm_free_pages(v->msr_bitmap_pa, 1);
	if (v->io_bitmap_pa)
		pmm_free_pages(v->io_bitmap_pa, IO_BITMAP_PAGES);
	if (v->xsave_area)
		xstate_free(v->xsave_area);
	vmx_tpr_destroy(v);
	if (v->vpid)
		vpid_free(v->vpid);
	kfree(v);
}

uint64_t vmx_vcpu_exits_total(const struct vmx_vcpu *v)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < VCPU_EXIT_COUNTERS; i++)
		n += v->exits[i];
	return n;
}

uint64_t vmx_vcpu_rip(void)
{
	return vmcs_rd(VMCS_GUEST_RIP);
}

/* SDM 3C 25.8.3: vector 7:0, type 10:8 (3 = hardware exception), deliver
 * error code 11, valid 31. */
/*
 * Exceptions of the fault class (SDM Vol. 3A 6.5, Table 6-1): #DE, #BR,
 * #UD, #NM, #TS, #NP, #SS, #GP, #PF, #MF, #AC, #XM, #VE, #CP. The CPU sets
 * RF in the RFLAGS image a fault pushes (Vol. 3A 6.8.3), so the instruction
 * re-executed after the handler does not hit its own instruction breakpoint.
 */
#define FAULT_VECTORS                                                                              \
	((1u << 0) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 10) | (1u << 11) | (1u << 12) |    \
	 (1u << 13) | (1u << 14) | (1u << 16) | (1u << 17) | (1u << 19) | (1u << 20) | (1u << 21))
#define EXCEPTION_VECTORS 32

void vmx_vcpu_fault_rf(uint8_t vector)
{
	if (vector < EXCEPTION_VECTORS && (FAULT_VECTORS & (1u << vector)))
		vmcs_write(VMCS_GUEST_RFLAGS, vmcs_read_or(VMCS_GUEST_RFLAGS, 0) | RFLAGS_RF);
}

#define IDT_VEC_VECTOR_MASK 0xffu
#define IDT_VEC_TYPE_MASK 0x7u
#define IDT_VEC_TYPE_SW_INTR 4u	     /* INT n */
#define IDT_VEC_TYPE_SW_EXCEPTION 6u /* INT3, INTO */
#define ERROR_CODE_EXT 1u
#define DF_VECTOR 8

/*
 * An exit during the delivery of an event (IDT-vectoring information valid,
 * SDM Vol. 3C 28.2.4) after which Vireo raises a fault: the pair follows
 * the CPU's double-fault rules (guest/event_combine.c). Serially, the
 * fault's error code has EXT set when the interrupted event was external
 * to the program (SDM Vol. 3A 6.13); a contributory fault or #PF during
 * #DF delivery shuts the guest down: the VM stops as on a triple fault.
 * False: stopped.
 */
static bool combine_with_delivery(struct vmx_vcpu *v, uint8_t *vector, bool *has_error,
				  uint32_t *error)
{
	uint32_t info = (uint32_t)vmcs_rd(VMCS_IDT_VECTORING_INFO);
	uint32_t type = (info >> VMX_INTR_INFO_TYPE_SHIFT) & IDT_VEC_TYPE_MASK;
	uint8_t first = (uint8_t)(info & IDT_VEC_VECTOR_MASK);

	if (!(info & VMX_INTR_INFO_VALID))
		return true;
	switch (event_combine(type == VMX_INTR_TYPE_HW_EXCEPTION, first, *vector)) {
	case EVENT_SHUTDOWN:
		vcpu_stop(&v->vcpu,
			  "triple fault (shutdown): vector %u during delivery of #DF at RIP 0x%llx",
			  *vector, (unsigned long long)vmx_vcpu_rip());
		return false;
	case EVENT_DOUBLE_FAULT:
		*vector = DF_VECTOR;
		*has_error = true;
		*error = 0;
		return true;
	default:
		if (type != IDT_VEC_TYPE_SW_INTR && type != IDT_VEC_TYPE_SW_EXCEPTION)
			*error |= ERROR_CODE_EXT;
		return true;
	}
}

/*
 * A hardware exception injected at the next entry (SDM Vol. 3C 27.6.1.1),
 * as the CPU would deliver it: RF set in the pushed RFLAGS for a fault, and
 * no error code in real mode (6.12.1; VM entry refuses one, 27.2.1.3);
 * raised during an event's delivery, combined with it first.
 */
void vmx_vcpu_inject_exception(struct vmx_vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	bool with_error;
	uint32_t info;

	if (!combine_with_delivery(v, &vector, &has_error, &error))
		return;
	with_error = has_error && (vmcs_read_or(VMCS_GUEST_CR0, 0) & CR0_PE);
	info = vector | (VMX_INTR_TYPE_HW_EXCEPTION << VMX_INTR_INFO_TYPE_SHIFT) |
	       VMX_INTR_INFO_VALID | (with_error ? VMX_INTR_INFO_DELIVER_ERROR : 0);
	vmx_vcpu_fault_rf(vector);
	vmcs_write(VMCS_VM_ENTRY_INTR_INFO, info);
	if (with_error)
		vmcs_write(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, error);
}

enum err vmx_vcpu_clear(struct vmx_vcpu *v)
{
	enum err e;

	if (v->vmcs_state == VMCS_STATE_CLEAR)
		return E_OK;
	if (v->vmcs_cpu != (int32_t)this_cpu()->cpu_id)
		return E_WRONG_CPU;
	e = vmcs_clear(v->vmcs_pa);
	if (e == E_OK) {
		v->vmcs_state = VMCS_STATE_CLEAR;
		v->vmcs_cpu = VCPU_NO_CPU;
	}
	return e;
}

static void clear_remote(void *arg)
{
	enum err e = vmx_vcpu_clear(arg);

	BUG_ON(e != E_OK);
}

enum err vmx_vcpu_release(struct vmx_vcpu *v)
{
	if (v->vmcs_state == VMCS_STATE_CLEAR || v->vmcs_cpu == (int32_t)this_cpu()->cpu_id)
		return vmx_vcpu_clear(v);
	return smp_call((unsigned)v->vmcs_cpu, clear_remote, v);
}

/* A clear VMCS becomes active here: VMPTRLD, this CPU's host state, no
 * stale VPID/EPT translations; vmcs_state ACTIVE means VMLAUNCH next. */
static enum err load_clear_vmcs(struct vmx_vcpu *v)
{
	enum err e = vmcs_load(v->vmcs_pa);

	if (e != E_OK)
		return e;
	v->vmcs_state = VMCS_STATE_ACTIVE;
	v->vmcs_cpu = (int32_t)this_cpu()->cpu_id;
	vmx_vcpu_write_host_state(v);
	flush_guest_tlbs(v);
	return E_OK;
}

/* SDM Vol. 3C 25.11.1: VMCLEAR where it was active (cross-call), then
 * VMPTRLD here with new host state; the next entry is a VMLAUNCH. */
enum err vmx_vcpu_switch(struct vmx_vcpu *v, enum vcpu_load_kind *how)
{
	int32_t here = (int32_t)this_cpu()->cpu_id;
	enum vcpu_load_kind k = v->vmcs_cpu == here	     ? VCPU_LOAD_NONE
				: v->vmcs_cpu == VCPU_NO_CPU ? VCPU_LOAD_SWITCH
							     : VCPU_LOAD_MOVE;
	enum err e = E_OK;

	if (k == VCPU_LOAD_MOVE)
		e = smp_call((unsigned)v->vmcs_cpu, clear_remote, v);
	if (k == VCPU_LOAD_NONE && vmcs_current() != v->vmcs_pa) {
		k = VCPU_LOAD_SWITCH;
		e = vmcs_load(v->vmcs_pa); /* still active here: no new host state */
	} else if (k != VCPU_LOAD_NONE && e == E_OK) {
		e = load_clear_vmcs(v);
	}
	if (e == E_OK) {
		v->vcpu.last_cpu = here;
		vmx_spec_switch_in(v);
	}
	if (how)
		*how = k;
	return e;
}

/* SDM 3C 26.5.1: the timer counts down at the TSC rate >> IA32_VMX_MISC[4:0]
 * and, with "save VMX-preemption timer value", keeps counting across exits.
 * The save control is only valid together with the pin control (27.2.1.2). */
void vmx_vcpu_set_slice(struct vmx_vcpu *v, uint64_t tsc_ticks)
{
	const struct vmx_caps *c = vmx_percpu_caps();
	uint64_t pin = vmcs_rd(VMCS_PIN_BASED_CONTROLS), ext = vmcs_rd(VMCS_VM_EXIT_CONTROLS);
	uint64_t value = tsc_ticks >> c->misc.preemption_shift;
	bool save = c->ctl[VMX_CTL_EXIT].allowed1 & VMX_EXIT_SAVE_PREEMPTION_TIMER;

	v->slice_end_tsc = tsc_ticks ? cpu_rdtsc() + tsc_ticks : 0;
	if (!c->has.preemption_timer)
		return;
	if (!tsc_ticks) {
		vmcs_wr(VMCS_PIN_BASED_CONTROLS, pin & ~(uint64_t)VMX_PIN_PREEMPTION_TIMER);
		vmcs_wr(VMCS_VM_EXIT_CONTROLS, ext & ~(uint64_t)VMX_EXIT_SAVE_PREEMPTION_TIMER);
		return;
	}
	vmcs_wr(VMCS_GUEST_PREEMPTION_TIMER, value > 0xffffffffu ? 0xffffffffu : value ? value : 1);
	vmcs_wr(VMCS_PIN_BASED_CONTROLS, pin | VMX_PIN_PREEMPTION_TIMER);
	if (save)
		vmcs_wr(VMCS_VM_EXIT_CONTROLS, ext | VMX_EXIT_SAVE_PREEMPTION_TIMER);
}

#define INTERRUPTIBILITY_STI_MOVSS 0x3u
#define INTR_INFO_VALID (1u << 31)

void vmx_vcpu_queue_interrupt(struct vmx_vcpu *v, uint8_t vector)
{
	v->vcpu.pending_irq = vector;
}

void vmx_vcpu_irq_window(bool on)
{
	uint64_t ctl = vmcs_rd(VMCS_PROC_BASED_CONTROLS);
	uint64_t want =
	    on ? ctl | VMX_PROC_INTR_WINDOW_EXITING : ctl & ~(uint64_t)VMX_PROC_INTR_WINDOW_EXITING;

	if (want != ctl)
		vmcs_wr(VMCS_PROC_BASED_CONTROLS, want);
}

/*
 * A pending debug exception (the trap of an instruction Vireo completed,
 * vmx/insn_debug.c) goes before an NMI or an external interrupt (SDM Vol.
 * 3A 6.9, Table 6-2), and an entry that injected one would drop it (SDM
 * Vol. 3C 27.7.3): the interrupt waits for the window after the #DB.
 */
static bool debug_trap_pending(void)
{
	return vmcs_rd(VMCS_GUEST_PENDING_DBG_EXCEPTIONS) &
	       (DBG_PENDING_BS | DBG_PENDING_ENABLED_BP);
}

static bool interrupt_window_open(void)
{
	return (vmcs_rd(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmcs_rd(VMCS_GUEST_INTERRUPTIBILITY) & INTERRUPTIBILITY_STI_MOVSS) &&
	       !(vmcs_rd(VMCS_VM_ENTRY_INTR_INFO) & INTR_INFO_VALID) && !debug_trap_pending();
}

/* SDM 3C 27.3.2.5 / 28.x: an external interrupt (type 0) can be injected
 * only when RFLAGS.IF = 1 and there is no STI or MOV-SS blocking;
 * otherwise ask for an exit as soon as the guest opens the window. */
void vmx_vcpu_deliver_interrupt(struct vmx_vcpu *v)
{
	if (!interrupt_window_open()) {
		vmx_vcpu_irq_window(true);
		return;
	}
	vmx_vcpu_irq_window(false);
	vmcs_wr(VMCS_VM_ENTRY_INTR_INFO, (uint8_t)v->vcpu.pending_irq | INTR_INFO_VALID);
	v->vcpu.pending_irq = -1;
}

#define INTERRUPTIBILITY_NMI (1u << 3)
#define INTR_TYPE_NMI (2u << 8)
#define X86_NMI_VECTOR 2

static void nmi_window(bool on)
{
	uint64_t ctl = vmcs_rd(VMCS_PROC_BASED_CONTROLS);

	if (on && !(vmx_percpu_caps()->ctl[VMX_CTL_PROC].allowed1 & VMX_PROC_NMI_WINDOW_EXITING))
		return; /* no NMI-window exits: retried at the next entry */
	vmcs_wr(VMCS_PROC_BASED_CONTROLS, on ? ctl | VMX_PROC_NMI_WINDOW_EXITING
					     : ctl & ~(uint64_t)VMX_PROC_NMI_WINDOW_EXITING);
}

/* SDM 3C 27.6.1.1: an NMI needs no RFLAGS.IF but must not be blocked by a
 * previous (virtual) NMI or by STI/MOV SS; if it is, NMI-window exiting
 * (25.6.2) brings the vCPU back as soon as the guest's IRET unblocks it. */
void vmx_vcpu_inject_nmi(struct vmx_vcpu *v)
{
	if ((vmcs_rd(VMCS_GUEST_INTERRUPTIBILITY) &
	     (INTERRUPTIBILITY_NMI | INTERRUPTIBILITY_STI_MOVSS)) ||
	    (vmcs_rd(VMCS_VM_ENTRY_INTR_INFO) & INTR_INFO_VALID) || debug_trap_pending()) {
		nmi_window(true);
		return;
	}
	nmi_window(false);
	vmcs_wr(VMCS_VM_ENTRY_INTR_INFO, X86_NMI_VECTOR | INTR_TYPE_NMI | INTR_INFO_VALID);
	v->vcpu.ops->irq_ack(&v->vcpu, VCPU_IRQ_NMI);
}

/*
 * A virtual platform's interrupt controller and timers, before each entry:
 * inject the highest pending vector when the guest can take it (SDM 3C
 * 27.6.1; otherwise interrupt-window exiting, 25.6.2), and let the
 * VMX-preemption timer (26.5.1) end the entry at the end of the slice or at
 * the platform's next timer event, whichever comes first.
 */
static void platform_before_entry(struct vmx_vcpu *v)
{
	const struct vmx_caps *c = vmx_percpu_caps();
	int vec = v->vcpu.ops->irq_pending(&v->vcpu);
	uint64_t now, end, ev, val;

	if (vec == VCPU_IRQ_NMI) {
		vmx_vcpu_inject_nmi(v);
	} else if (vec >= 0 && interrupt_window_open()) {
		vmx_vcpu_irq_window(false);
		vmcs_wr(VMCS_VM_ENTRY_INTR_INFO, (uint8_t)vec | INTR_INFO_VALID);
		v->vcpu.ops->irq_ack(&v->vcpu, vec);
	} else {
		vmx_vcpu_irq_window(vec >= 0);
	}
	if (!v->vcpu.ops->next_event || !v->slice_end_tsc || !c->has.preemption_timer)
		return;
	now = cpu_rdtsc();
	end = v->slice_end_tsc;
	ev = v->vcpu.ops->next_event(&v->vcpu);
	if (ev && ev < end)
		end = ev;
	val = end > now ? (end - now) >> c->misc.preemption_shift : 0;
	vmcs_wr(VMCS_GUEST_PREEMPTION_TIMER, val > 0xffffffffu ? 0xffffffffu : val);
}

static bool check_before_launch(struct vmx_vcpu *v)
{
	struct vmx_guest_state g;
	struct vmx_check_result r;

	vmx_vcpu_read_guest_state(v, &g);
	if (vmx_check_guest_state(&g, &r) == E_OK)
		return true;
	vcpu_stop(&v->vcpu, "invalid guest state, not launched: %s (%s): %s", r.rule, r.section,
		  r.detail);
	return false;
}

static void entry_failed(struct vmx_vcpu *v, int how)
{
	uint64_t err = vmcs_read_or(VMCS_VM_INSTRUCTION_ERROR, 0);

	if (how == 1)
		vcpu_stop(&v->vcpu, "VM entry failed: VMfailInvalid (no current VMCS)");
	else
		vcpu_stop(&v->vcpu, "VM entry failed: VMfailValid, error %llu: %s",
			  (unsigned long long)err, vmx_insn_error_name((uint32_t)err));
	vmcs_dump();
}

/* The guest-owned MSRs the MSR bitmap passes through (see setup_bitmaps):
 * the host never uses them, so they are switched only when a vCPU starts or
 * stops running on a CPU, not on every exit. */
static const uint32_t switched_msrs[] = {
    MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_IA32_KERNEL_GS_BASE, MSR_TSC_AUX};

static uint64_t *msr_slot(struct vmx_vcpu *v, unsigned i)
{
	uint64_t *slots[] = {&v->msrs.star,   &v->msrs.lstar,	       &v->msrs.cstar,
			     &v->msrs.sfmask, &v->msrs.kernel_gs_base, &v->msrs.tsc_aux};

	return slots[i];
}

static void msrs_load(struct vmx_vcpu *v)
{
	for (unsigned i = 0; i < sizeof(switched_msrs) / sizeof(switched_msrs[0]); i++)
		cpu_wrmsr(switched_msrs[i], *msr_slot(v, i));
}

static void msrs_save(struct vmx_vcpu *v)
{
	for (unsigned i = 0; i < sizeof(switched_msrs) / sizeof(switched_msrs[0]); i++)
		*msr_slot(v, i) = cpu_rdmsr(switched_msrs[i]);
}

/*
 * Before every entry: leave the run when another CPU asked for it (INIT or
 * STARTUP for this vCPU), else inject what the platform or the hypercalls
 * queued. False: do not enter, v->vcpu.run_action says why.
 */
static inline __attribute__((always_inline)) bool before_entry(struct vmx_vcpu *v)
{
	if (__builtin_expect(v->vcpu.exit_request, 0)) {
		v->vcpu.exit_request = false;
		v->vcpu.run_action = VCPU_PREEMPT;
		return false;
	}
	if (v->vcpu.ops && v->vcpu.ops->irq_pending)
		platform_before_entry(v);
	else if (__builtin_expect(v->vcpu.pending_irq >= 0, 0))
		vmx_vcpu_deliver_interrupt(v);
	return true;
}

/*
 * Called by vmx/entry.asm after every VM exit, the guest GPRs saved in v:
 * handle the exit and prepare the next entry. Nonzero: VMRESUME at once;
 * zero: vmx_enter() returns and v->vcpu.run_action says what the vCPU does next.
 */
int vmx_exit_step(struct vmx_vcpu *v)
{
	v->vmcs_state = VMCS_STATE_LAUNCHED;
	vmx_tpr_from_guest(v);
	v->vcpu.run_action = vmx_exit_dispatch(v);
	if (v->vcpu.run_action != VCPU_RESUME || v->vcpu.stopped)
		return 0;
	return before_entry(v);
}

enum vcpu_action vmx_vcpu_run(struct vmx_vcpu *v)
{
	uint64_t flags;
	int r;

	if (v->vcpu.stopped)
		return VCPU_STOP;
	if (v->vmcs_state == VMCS_STATE_ACTIVE && !check_before_launch(v))
		return VCPU_STOP;
	flags = cpu_irq_save();
	xstate_enter_guest(v->xsave_area, v->xcr0);
	cpu_write_cr2(v->vcpu.regs.cr2);
	msrs_load(v);
	vmx_dr_before_run(v);
	vmx_spec_run(v);
	v->vcpu.run_action = VCPU_RESUME;
	if (before_entry(v)) {
		r = vmx_enter(v, v->vmcs_state == VMCS_STATE_LAUNCHED);
		if (r)
			entry_failed(v, r);
	}
	msrs_save(v);
	vmx_dr_after_run(v);
	v->vcpu.regs.cr2 = cpu_read_cr2();
	xstate_leave_guest(v->xsave_area, &v->xcr0);
	cpu_irq_restore(flags);
	return v->vcpu.stopped ? VCPU_STOP : v->vcpu.run_action;
}

void vmcs_fast_failed(uint32_t field, bool write, uint64_t val)
{
	uint64_t dummy;

	if (write)
		vmcs_write(field, val);
	else
		vmcs_read(field, &dummy);
	panic("VM%s of VMCS field 0x%x failed on the exit path: a hypervisor defect "
	      "(see the vmcs error above); please report it with this log",
	      write ? "WRITE" : "READ", field);
}
