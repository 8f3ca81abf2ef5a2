/* SPDX-License-Identifier: MIT */
/*
 * CPUID exits (SDM Vol. 3C 26.1.2: CPUID always exits): the answer is the
 * policy of guest/cpuid_policy.c, turned into masks once at boot for what
 * this machine backs, plus the values known only at CPUID time (the guest's
 * CR4, the VM's topology, the XSAVE size of its XCR0) and Vireo's own
 * hypervisor leaves. Out-of-range leaves give the highest basic leaf, as the
 * CPU does (SDM Vol. 2A CPUID, "If a value entered for CPUID.EAX is higher").
 */
#include "vmx/cpuid.h"
#include "arch/x86/tsc.h"
#include "guest/xstate.h"
#include "lib/printk.h"
#include "lib/format.h"
#include "lib/string.h"
#include "vmx/exit.h"
#include "vmx/guest_check.h"
#include "vmx/msr.h"
#include "vmx/percpu.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_fast.h"

#define LEAF_7_MAX_SUB 1u
#define LEAF_XSTATE 0xdu
#define XSTATE_SUB_MAIN 0
#define XSTATE_SUB_FEATURES 1
#define XSTATE_FEATURES_OFFERED 0x5u /* XSAVEOPT, XGETBV ECX=1 */
#define XSTATE_LAST_COMPONENT 62u
#define XCR0_AVX512_STATE (0x7ull << 5) /* opmask, ZMM_Hi256, Hi16_ZMM */
#define LEAF_TSC 0x15u
#define HZ_PER_KHZ 1000u
#define HZ_PER_MHZ 1000000u
#define HV_RANGE 0x100u
#define NBASIC VMX_CPUID_NBASIC
#define NEXT VMX_CPUID_NEXT
#define REPORT_WIDTH 60

struct vmx_cpuid_cache vmx_cpuid_cache;

static uint8_t kind[NBASIC + NEXT];
static struct cpuid_masks masks[NBASIC + NEXT];
static struct cpuid_masks leaf7_sub1;
static uint32_t max_basic, max_ext, needs;

static unsigned slot(uint32_t leaf)
{
	return leaf < NBASIC ? leaf : NBASIC + (leaf - CPUID_POLICY_EXT_BASE);
}

static uint32_t needs_of_machine(void)
{
	const struct vmx_caps *c = vmx_percpu_caps();
	uint32_t proc2 = c ? c->ctl[VMX_CTL_PROC2].allowed1 : 0;
	uint64_t xcr0 = xstate_guest_allowed();
	uint32_t n = 0;

	n |= (xcr0 & XCR0_AVX) ? CPUID_NEED_AVX : 0;
	n |= (xcr0 & XCR0_AVX512_STATE) == XCR0_AVX512_STATE ? CPUID_NEED_AVX512 : 0;
	n |= xstate_guest_pkru() ? CPUID_NEED_PKRU : 0;
	n |= (proc2 & VMX_PROC2_RDTSCP) ? CPUID_NEED_RDTSCP : 0;
	n |= (proc2 & VMX_PROC2_INVPCID) ? CPUID_NEED_INVPCID : 0;
	n |= vmx_msr_offers(VMX_MSR_FEAT_MTRR) ? CPUID_NEED_MTRR : 0;
	n |= vmx_msr_offers(VMX_MSR_FEAT_MCA) ? CPUID_NEED_MCA : 0;
	n |= vmx_msr_offers(VMX_MSR_FEAT_TSC_ADJUST) ? CPUID_NEED_TSC_ADJUST : 0;
	return n;
}

static void init_leaf(uint32_t leaf)
{
	const struct cpuid_leaf_rule *l = cpuid_policy_leaf(leaf);

	kind[slot(leaf)] = l ? l->kind : CPUID_LEAF_ZERO;
	if (l && l->kind == CPUID_LEAF_BITS)
		cpuid_policy_masks(leaf, 0, needs, &masks[slot(leaf)]);
}

/* Leaves whose answer never changes are computed here once, so their exits
 * are a table read (vmx_cpuid in vmx/cpuid.h). */
static bool leaf_static(uint32_t leaf)
{
	const struct cpuid_leaf_rule *l = cpuid_policy_leaf(leaf);

	return !l || cpuid_policy_leaf_static(l);
}

static void fill_cache(void)
{
	struct vmx_cpuid_cache *c = &vmx_cpuid_cache;

	for (uint32_t leaf = 0; leaf <= max_basic; leaf++) {
		if (leaf_static(leaf)) {
			vmx_cpuid_slow(0, leaf, 0, &c->basic[leaf]);
			c->static_basic |= 1u << leaf;
		}
	}
	for (uint32_t leaf = CPUID_POLICY_EXT_BASE; leaf <= max_ext; leaf++) {
		if (leaf_static(leaf)) {
			vmx_cpuid_slow(0, leaf, 0, &c->ext[leaf - CPUID_POLICY_EXT_BASE]);
			c->static_ext |= 1u << (leaf - CPUID_POLICY_EXT_BASE);
		}
	}
	for (uint32_t i = 0; i < VMX_CPUID_NHV; i++)
		vmx_cpuid_slow(0, VIREO_CPUID_BASE + i, 0, &c->hv[i]);
}

void vmx_cpuid_init(void)
{
	struct cpuid_regs r;

	needs = needs_of_machine();
	cpu_cpuid(0, 0, &r);
	max_basic = r.eax < CPUID_POLICY_MAX_BASIC ? r.eax : CPUID_POLICY_MAX_BASIC;
	cpu_cpuid(CPUID_POLICY_EXT_BASE, 0, &r);
	max_ext = r.eax < CPUID_POLICY_MAX_EXT ? r.eax : CPUID_POLICY_MAX_EXT;
	if (max_ext < CPUID_POLICY_EXT_BASE)
		max_ext = CPUID_POLICY_EXT_BASE;
	for (uint32_t leaf = 0; leaf < NBASIC; leaf++)
		init_leaf(leaf);
	for (uint32_t leaf = CPUID_POLICY_EXT_BASE; leaf <= CPUID_POLICY_MAX_EXT; leaf++)
		init_leaf(leaf);
	cpuid_policy_masks(CPUID_LEAF_EXT_FEATURES, 1, needs, &leaf7_sub1);
	fill_cache();
}

static void hypervisor_leaf(uint32_t leaf, struct cpuid_regs *r)
{
	static const union {
		char text[12];
		uint32_t words[3];
	} sig = {.text = VIREO_CPUID_SIGNATURE};

	*r = (struct cpuid_regs){0};
	if (leaf == VIREO_CPUID_BASE) {
		r->eax = VIREO_CPUID_MAX;
		r->ebx = sig.words[0];
		r->ecx = sig.words[1];
		r->edx = sig.words[2];
	} else if (leaf == VIREO_CPUID_FEATURES) {
		r->eax = VIREO_HYPERCALL_ABI_VERSION;
	} else if (leaf == VIREO_CPUID_TIMING) {
		r->eax = (uint32_t)(tsc_hz() / HZ_PER_KHZ);
		r->ebx = r->eax;
	}
}

/*
 * Leaves 15H and 16H describe the TSC the guest runs on: what Vireo
 * measured, never a nominal rate the TSC does not keep (Bochs' model
 * reports 3.5 GHz for a TSC counting about 4 MHz). 15H: TSC = crystal (ECX,
 * Hz) * EBX / EAX with a ratio of 1; 16H: base and maximum MHz.
 */
static void measured_leaf(uint32_t leaf, struct cpuid_regs *r)
{
	uint64_t hz = tsc_hz();

	if (leaf == LEAF_TSC) {
		*r = (struct cpuid_regs){.eax = 1, .ebx = 1, .ecx = (uint32_t)hz};
		return;
	}
	*r = (struct cpuid_regs){.eax = (uint32_t)(hz / HZ_PER_MHZ)};
	r->ebx = r->eax;
}

/*
 * Leaf 0DH (SDM Vol. 1 13.2): sub-leaf 0 lists the XCR0 bits guests may set
 * and the sizes for the guest's XCR0 (EBX) and for all of them (ECX);
 * sub-leaf 1 offers XSAVEOPT and XGETBV with ECX = 1, not XSAVES (IA32_XSS is
 * not offered) nor XSAVEC: the compacted format's layout follows XCOMP_BV
 * (SDM Vol. 1 13.4.3, 13.8.2), which Bochs 2.7's XRSTOR gets wrong, and a
 * Linux guest that saw XSAVEC switched tasks with corrupted user state
 * (docs/cpuid.md). Components guests may not enable read 0.
 */
static void xstate_leaf(const struct vmx_vcpu *v, uint32_t sub, struct cpuid_regs *r)
{
	uint64_t allowed = xstate_guest_allowed();

	if (sub == XSTATE_SUB_MAIN) {
		*r = (struct cpuid_regs){.eax = (uint32_t)allowed,
					 .ebx = (uint32_t)xstate_area_size(v->xcr0),
					 .ecx = (uint32_t)xstate_area_size(allowed),
					 .edx = (uint32_t)(allowed >> 32)};
	} else if (sub == XSTATE_SUB_FEATURES) {
		cpu_cpuid(LEAF_XSTATE, sub, r);
		*r = (struct cpuid_regs){.eax = r->eax & XSTATE_FEATURES_OFFERED,
					 .ebx = (uint32_t)xstate_compacted_size(v->xcr0)};
	} else if (sub <= XSTATE_LAST_COMPONENT && (allowed & (1ull << sub))) {
		cpu_cpuid(LEAF_XSTATE, sub, r);
	} else {
		*r = (struct cpuid_regs){0};
	}
}

/* Is the guest running 64-bit code (IA-32e mode, CS.L)? */
static bool guest_64bit(void)
{
	return vmcs_rd(VMCS_GUEST_CS_AR) & VMX_AR_L;
}

static void apply(const struct cpuid_masks *m, struct cpuid_regs *r)
{
	struct cpuid_regs host = *r;

	r->eax = (r->eax & m->keep[CPUID_EAX]) | m->set[CPUID_EAX];
	r->ebx = (r->ebx & m->keep[CPUID_EBX]) | m->set[CPUID_EBX];
	r->ecx = (r->ecx & m->keep[CPUID_ECX]) | m->set[CPUID_ECX];
	r->edx = (r->edx & m->keep[CPUID_EDX]) | m->set[CPUID_EDX];
	if ((m->long64[CPUID_EDX] | m->long64[CPUID_ECX]) && guest_64bit()) {
		r->ecx |= host.ecx & m->long64[CPUID_ECX];
		r->edx |= host.edx & m->long64[CPUID_EDX];
	}
}

/* A CPUID_LEAF_BITS leaf: the static masks, then the clamps and CR4 bits. */
static void bits_leaf(uint32_t leaf, uint32_t sub, struct cpuid_regs *r)
{
	if (leaf == CPUID_LEAF_EXT_FEATURES && sub > LEAF_7_MAX_SUB) {
		*r = (struct cpuid_regs){0};
		return;
	}
	cpu_cpuid(leaf, sub, r);
	if (leaf == CPUID_LEAF_EXT_FEATURES && sub == 1) {
		apply(&leaf7_sub1, r);
		return;
	}
	apply(&masks[slot(leaf)], r);
	if (leaf == 0)
		r->eax = max_basic;
	else if (leaf == CPUID_POLICY_EXT_BASE)
		r->eax = max_ext;
	else if (leaf == 1 && (vmx_vcpu_guest_cr4() & CR4_OSXSAVE))
		r->ecx |= CPUID_1_ECX_OSXSAVE;
	else if (leaf == CPUID_LEAF_EXT_FEATURES) {
		r->eax = r->eax < LEAF_7_MAX_SUB ? r->eax : LEAF_7_MAX_SUB;
		r->ecx |= (vmx_vcpu_guest_cr4() & CR4_PKE) ? CPUID_7_ECX_OSPKE : 0;
	}
}

/* The leaf the CPU answers for leaf: itself when in range, else the highest
 * basic leaf (hypervisor leaves are checked before). */
static uint32_t in_range(uint32_t leaf)
{
	if (leaf <= max_basic || (leaf >= CPUID_POLICY_EXT_BASE && leaf <= max_ext))
		return leaf;
	return max_basic;
}

void vmx_cpuid_slow(struct vmx_vcpu *v, uint32_t leaf, uint32_t sub, struct cpuid_regs *r)
{
	uint8_t k;

	if (leaf - VIREO_CPUID_BASE < HV_RANGE) {
		hypervisor_leaf(leaf, r);
		return;
	}
	leaf = in_range(leaf);
	k = kind[slot(leaf)];
	if (k == CPUID_LEAF_BITS)
		bits_leaf(leaf, sub, r);
	else if (k == CPUID_LEAF_PASS || k == CPUID_LEAF_TOPOLOGY)
		cpu_cpuid(leaf, sub, r);
	else if (k == CPUID_LEAF_XSTATE)
		xstate_leaf(v, sub, r);
	else if (k == CPUID_LEAF_MEASURED)
		measured_leaf(leaf, r);
	else
		*r = (struct cpuid_regs){0};
	if ((k == CPUID_LEAF_TOPOLOGY || leaf == 1) && v->vcpu.ops && v->vcpu.ops->cpuid)
		v->vcpu.ops->cpuid(&v->vcpu, leaf, sub, r);
}

static bool host_has(const struct cpuid_bit_rule *b)
{
	struct cpuid_regs r;

	cpu_cpuid(b->leaf, b->sub, &r);
	return *cpuid_reg_of(&r, b->reg) & b->mask;
}

/* One line per REPORT_WIDTH characters: the features of this CPU that the
 * policy keeps from guests. */
void vmx_cpuid_report(void)
{
	const struct cpuid_bit_rule *b;
	size_t n, len = 0;
	char line[REPORT_WIDTH + 32];

	b = cpuid_policy_bits(&n);
	line[0] = 0;
	for (size_t i = 0; i < n; i++, b++) {
		if (b->action == CPUID_SET || b->action == CPUID_CR4 || b->action == CPUID_VM ||
		    cpuid_policy_rule_passes(b, needs) || !host_has(b))
			continue;
		if (len + strlen(b->name) + 2 > REPORT_WIDTH) {
			pr_info("  guests lack      %s\n", line);
			len = 0;
		}
		len +=
		    fmt_snprintf(line + len, sizeof(line) - len, "%s%s", len ? " " : "", b->name);
	}
	pr_info("  guests lack      %s%s\n", len ? line : "nothing the host has",
		len ? " (docs/cpuid.md)" : "");
}
