// SPDX-License-Identifier: MIT
/*
 * Guest-state checker: replays the VM-entry checks on the guest-state area
 * (SDM Vol. 3C 27.3.1) in plain C and names the first rule a state breaks,
 * so a bad guest is reported by rule instead of an opaque entry failure.
 * Also builds known-good long-mode, protected-mode and real-mode states.
 */
#include <stdarg.h>
#include <stddef.h>
#include "arch/x86/x86_regs.h"
#include "guest/vcpu.h"
#include "lib/format.h"
#include "lib/string.h"
#include "vmx/guest_check.h"

#define SEC_CR_MSR "SDM 3C 27.3.1.1"
#define SEC_SEG "SDM 3C 27.3.1.2"
#define SEC_DTR "SDM 3C 27.3.1.3"
#define SEC_RIP_RFLAGS "SDM 3C 27.3.1.4"
#define SEC_NONREG "SDM 3C 27.3.1.5"

/* IA32_EFER (SDM 3A 2.2.1): the bits Intel defines; all others are reserved. */
#define VMXGC_EFER_DEFINED (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)

/* RFLAGS (SDM 3A 2.3): bit 1 reads as 1; bits 63:22, 15, 5 and 3 are reserved. */
#define VMXGC_RFLAGS_RESERVED (~0ull << 22 | 1ull << 15 | 1ull << 5 | 1ull << 3)

/*
 * IA32_DEBUGCTL (SDM 3B 17.4.1): BTF is bit 1. Bits 63:16 are reserved on
 * every processor; the low reserved bits differ by model (bit 2 is bus-lock
 * detection on recent ones), so only the high range is checked here.
 */
#define VMXGC_DEBUGCTL_BTF (1ull << 1)
#define VMXGC_DEBUGCTL_RESERVED (~0ull << 16)
#define VMXGC_DR7_HIGH (~0ull << 32)
#define VMXGC_DR7_INIT 0x400ull

/*
 * Pending debug exceptions (SDM 3C 25.4.2, Table 25-4): B3:0, enabled
 * breakpoint (12), BS (14), RTM (16). Bits 11:4, 13, 15 and 63:17 are
 * reserved; bit 16 is counted as reserved too, as Vireo offers guests no RTM.
 */
#define VMXGC_PDBG_BS (1ull << 14)
#define VMXGC_PDBG_RESERVED (~0ull << 16 | 1ull << 15 | 1ull << 13 | 0xff0ull)

/* The power-up IA32_PAT value (SDM 3A 13.12.4) and the valid memory types. */
#define VMXGC_PAT_DEFAULT 0x0007040600070406ull
#define VMXGC_PAT_ENTRIES 8u
#define VMXGC_PAT_VALID_TYPES (1u << 0 | 1u << 1 | 1u << 4 | 1u << 5 | 1u << 6 | 1u << 7)

/* Segment selectors and descriptor types (SDM 3A 3.4.2, 3.4.5.1, Table 3-2). */
#define VMXGC_SEL_RPL_MASK 0x3u
#define VMXGC_SEL_TI (1u << 2)
#define VMXGC_TYPE_ACCESSED (1u << 0)
#define VMXGC_TYPE_READABLE (1u << 1)
#define VMXGC_TYPE_CONFORMING (1u << 2)
#define VMXGC_TYPE_CODE (1u << 3)
#define VMXGC_TYPE_DATA_RW_ACC 3u
#define VMXGC_TYPE_DATA_RW_DOWN_ACC 7u
#define VMXGC_TYPE_CODE_X_ACC 9u
#define VMXGC_TYPE_CODE_XR_ACC 11u
#define VMXGC_TYPE_CODE_XC_ACC 13u
#define VMXGC_TYPE_CODE_XRC_ACC 15u
#define VMXGC_TYPE_LDT 2u
#define VMXGC_TYPE_TSS16_BUSY 3u
#define VMXGC_TYPE_TSS_BUSY 11u
#define VMXGC_AR_RESERVED_11_8 0xf00u
#define VMXGC_AR_RESERVED_31_17 0xfffe0000u
#define VMXGC_V86_AR 0xf3u
#define VMXGC_V86_LIMIT 0xffffu
#define VMXGC_V86_BASE_SHIFT 4
#define VMXGC_LIMIT_LOW_ONES 0xfffu
#define VMXGC_LIMIT_HIGH_BITS 0xfff00000u
#define VMXGC_DTR_LIMIT_MAX 0xffffu

/* Interruptibility bits 31:5 are reserved; bit 4 needs SGX, which guests never get. */
#define VMXGC_INTR_RESERVED (~0u << 5 | VMX_INTR_ENCLAVE)
#define VMXGC_INTR_BLOCK_STI_MOVSS (VMX_INTR_BLOCK_STI | VMX_INTR_BLOCK_MOV_SS)
#define VMXGC_VECTOR_DB 1u
#define VMXGC_VECTOR_MC 18u
#define VMXGC_VECTOR_MTF 0u
/* IA32_VMX_MISC bit 6 + (state - 1) reports HLT, shutdown, wait-for-SIPI (SDM 3D A.6). */
#define VMXGC_MISC_ACTIVITY_SHIFT 6
#define VMXGC_LINK_ALIGN_MASK 0xfffull

/* Values the state builders use (SDM 3A Table 9-1 and Vireo's guest GDT layout). */
#define VMXGC_GUEST_CODE_SEL VCPU_BOOT_CS
#define VMXGC_GUEST_DATA_SEL VCPU_BOOT_DS
#define VMXGC_GUEST_TSS_SEL 0x18u
#define VMXGC_FLAT_LIMIT 0xffffffffu
#define VMXGC_REAL_LIMIT 0xffffu
#define VMXGC_TSS_LIMIT 0x67u
#define VMXGC_RESET_DTR_LIMIT 0xffffu
#define VMXGC_AR_CODE64 (VMX_AR_G | VMX_AR_L | VMX_AR_P | VMX_AR_S | VMXGC_TYPE_CODE_XR_ACC)
#define VMXGC_AR_CODE32 (VMX_AR_G | VMX_AR_DB | VMX_AR_P | VMX_AR_S | VMXGC_TYPE_CODE_XR_ACC)
#define VMXGC_AR_DATA32 (VMX_AR_G | VMX_AR_DB | VMX_AR_P | VMX_AR_S | VMXGC_TYPE_DATA_RW_ACC)
#define VMXGC_AR_CODE16 (VMX_AR_P | VMX_AR_S | VMXGC_TYPE_CODE_XR_ACC)
#define VMXGC_AR_DATA16 (VMX_AR_P | VMX_AR_S | VMXGC_TYPE_DATA_RW_ACC)
#define VMXGC_AR_TSS_BUSY (VMX_AR_P | VMXGC_TYPE_TSS_BUSY)

enum gc_seg { GC_ES, GC_CS, GC_SS, GC_DS, GC_FS, GC_GS, GC_TR, GC_LDTR, GC_SEGS };

static const size_t gc_seg_offset[GC_SEGS] = {
	[GC_ES] = offsetof(struct vmx_guest_state, es),
	[GC_CS] = offsetof(struct vmx_guest_state, cs),
	[GC_SS] = offsetof(struct vmx_guest_state, ss),
	[GC_DS] = offsetof(struct vmx_guest_state, ds),
	[GC_FS] = offsetof(struct vmx_guest_state, fs),
	[GC_GS] = offsetof(struct vmx_guest_state, gs),
	[GC_TR] = offsetof(struct vmx_guest_state, tr),
	[GC_LDTR] = offsetof(struct vmx_guest_state, ldtr),
};

static const char *const gc_seg_name[GC_SEGS] = {
	"ES", "CS", "SS", "DS", "FS", "GS", "TR", "LDTR",
};

/* Rules that apply alike to several segment registers, named per register. */
enum gc_seg_rule {
	SR_BASE_V86,
	SR_BASE_CANONICAL,
	SR_BASE_HIGH,
	SR_LIMIT_V86,
	SR_AR_V86,
	SR_NOT_CODE_DATA,
	SR_NOT_SYSTEM,
	SR_NOT_PRESENT,
	SR_AR_RESERVED_11_8,
	SR_LIMIT_G,
	SR_AR_RESERVED_31_17,
	SR_NOT_ACCESSED,
	SR_CODE_UNREADABLE,
	SR_DPL_BELOW_RPL,
	SR_RULES
};

#define GC_SEG_RULES(s)                                                        \
	{                                                                      \
		[SR_BASE_V86] = s ".base != selector << 4 in virtual-8086 mode", \
		[SR_BASE_CANONICAL] = s ".base not canonical",                 \
		[SR_BASE_HIGH] = s ".base bits 63:32 not zero",                \
		[SR_LIMIT_V86] = s ".limit != 0xffff in virtual-8086 mode",    \
		[SR_AR_V86] = s " access rights != 0xf3 in virtual-8086 mode", \
		[SR_NOT_CODE_DATA] = s ".S clear (not a code/data segment)",   \
		[SR_NOT_SYSTEM] = s ".S set (not a system segment)",           \
		[SR_NOT_PRESENT] = s ".P clear (not present)",                 \
		[SR_AR_RESERVED_11_8] = s " access-rights bits 11:8 not zero", \
		[SR_LIMIT_G] = s ".G inconsistent with " s ".limit",           \
		[SR_AR_RESERVED_31_17] = s " access-rights bits 31:17 not zero", \
		[SR_NOT_ACCESSED] = s " type not accessed",                    \
		[SR_CODE_UNREADABLE] = s " code segment not readable",         \
		[SR_DPL_BELOW_RPL] = s ".DPL < " s ".RPL",                     \
	}

static const char *const gc_seg_rule_name[GC_SEGS][SR_RULES] = {
	[GC_ES] = GC_SEG_RULES("ES"), [GC_CS] = GC_SEG_RULES("CS"),
	[GC_SS] = GC_SEG_RULES("SS"), [GC_DS] = GC_SEG_RULES("DS"),
	[GC_FS] = GC_SEG_RULES("FS"), [GC_GS] = GC_SEG_RULES("GS"),
	[GC_TR] = GC_SEG_RULES("TR"), [GC_LDTR] = GC_SEG_RULES("LDTR"),
};

/* One check run: the state, where to report, and the modes derived once. */
struct gc_ctx {
	const struct vmx_guest_state *g;
	struct vmx_check_result *r;
	bool ia32e;    /* "IA-32e mode guest" VM-entry control */
	bool ug;       /* "unrestricted guest" VM-execution control */
	bool v86;      /* RFLAGS.VM: the guest will be in virtual-8086 mode */
	bool injecting; /* VM-entry interruption information valid */
	uint32_t inject_type, inject_vector;
};

__attribute__((format(printf, 4, 5))) static bool gc_fail(struct gc_ctx *c, const char *rule,
							   const char *section, const char *fmt, ...)
{
	va_list ap;

	c->r->rule = rule;
	c->r->section = section;
	va_start(ap, fmt);
	fmt_vsnprintf(c->r->detail, sizeof(c->r->detail), fmt, ap);
	va_end(ap);
	return false;
}

static const struct vmx_seg *gc_seg(const struct gc_ctx *c, enum gc_seg s)
{
	return (const struct vmx_seg *)((const char *)c->g + gc_seg_offset[s]);
}

/* Report a segment rule with the register's four fields as the detail. */
static bool gc_seg_fail(struct gc_ctx *c, enum gc_seg s, const char *rule)
{
	const struct vmx_seg *sg = gc_seg(c, s);

	return gc_fail(c, rule, SEC_SEG, "%s: sel=0x%x base=0x%lx limit=0x%x ar=0x%x",
		       gc_seg_name[s], sg->sel, sg->base, sg->limit, sg->ar);
}

static bool gc_seg_rule(struct gc_ctx *c, enum gc_seg s, enum gc_seg_rule rule)
{
	return gc_seg_fail(c, s, gc_seg_rule_name[s][rule]);
}

static uint32_t gc_width(uint32_t width, uint32_t fallback)
{
	return width ? width : fallback;
}

/* Bits 63:N-1 all equal, N being the processor's linear-address width. */
static bool gc_canonical(const struct gc_ctx *c, uint64_t v)
{
	uint32_t n = gc_width(c->g->linaddr_width, VMX_GUEST_DEFAULT_LINADDR_WIDTH);
	uint64_t top;

	if (n >= 64)
		return true;
	top = v >> (n - 1);
	return top == 0 || top == ~0ull >> (n - 1);
}

/* No bit at or above the processor's physical-address width. */
static bool gc_fits_phys(const struct gc_ctx *c, uint64_t pa)
{
	uint32_t n = gc_width(c->g->maxphyaddr, VMX_GUEST_DEFAULT_MAXPHYADDR);

	return n >= 64 || (pa >> n) == 0;
}

static bool gc_usable(const struct vmx_seg *s)
{
	return !(s->ar & VMX_AR_UNUSABLE);
}

static uint32_t gc_type(const struct vmx_seg *s)
{
	return s->ar & VMX_AR_TYPE_MASK;
}

static uint32_t gc_dpl(const struct vmx_seg *s)
{
	return (s->ar >> VMX_AR_DPL_SHIFT) & VMX_AR_DPL_MASK;
}

static uint32_t gc_rpl(const struct vmx_seg *s)
{
	return s->sel & VMXGC_SEL_RPL_MASK;
}

/* SDM 3C 27.3.1.1: CR0 and CR4 against the fixed-bit MSRs, and CR0.PG/PE. */
static bool gc_check_cr0_cr4(struct gc_ctx *c)
{
	const struct vmx_guest_state *g = c->g;
	uint64_t relaxed = c->ug ? (CR0_PE | CR0_PG) : 0;
	uint64_t bad;

	bad = g->cr0_fixed0 & ~relaxed & ~g->cr0;
	if (bad)
		return gc_fail(c, "CR0 fixed-0 bit clear", SEC_CR_MSR,
			       "cr0=0x%lx lacks 0x%lx (CR0_FIXED0=0x%lx%s)", g->cr0, bad,
			       g->cr0_fixed0, c->ug ? ", PE/PG exempt: unrestricted guest" : "");
	bad = g->cr0 & ~relaxed & ~g->cr0_fixed1;
	if (bad)
		return gc_fail(c, "CR0 fixed-1 bit set", SEC_CR_MSR,
			       "cr0=0x%lx sets 0x%lx (CR0_FIXED1=0x%lx)", g->cr0, bad, g->cr0_fixed1);
	if ((g->cr0 & CR0_PG) && !(g->cr0 & CR0_PE))
		return gc_fail(c, "CR0.PG set without CR0.PE", SEC_CR_MSR, "cr0=0x%lx", g->cr0);
	bad = g->cr4_fixed0 & ~g->cr4;
	if (bad)
		return gc_fail(c, "CR4 fixed-0 bit clear", SEC_CR_MSR,
			       "cr4=0x%lx lacks 0x%lx%s (CR4_FIXED0=0x%lx)", g->cr4, bad,
			       (bad & CR4_VMXE) ? " (CR4.VMXE)" : "", g->cr4_fixed0);
	bad = g->cr4 & ~g->cr4_fixed1;
	if (bad)
		return gc_fail(c, "CR4 fixed-1 bit set", SEC_CR_MSR,
			       "cr4=0x%lx sets 0x%lx (CR4_FIXED1=0x%lx)", g->cr4, bad, g->cr4_fixed1);
	if ((g->cr4 & CR4_CET) && !(g->cr0 & CR0_WP))
		return gc_fail(c, "CR4.CET set without CR0.WP", SEC_CR_MSR, "cr0=0x%lx cr4=0x%lx",
			       g->cr0, g->cr4);
	return true;
}

/* SDM 3C 27.3.1.1: IA-32e mode, CR3, DR7 and IA32_DEBUGCTL, SYSENTER. */
static bool gc_check_mode_regs(struct gc_ctx *c)
{
	const struct vmx_guest_state *g = c->g;
	bool load_dbg = g->entry_ctls & VMX_ENTRY_LOAD_DEBUG_CTLS;

	if (load_dbg && (g->debugctl & VMXGC_DEBUGCTL_RESERVED))
		return gc_fail(c, "IA32_DEBUGCTL reserved bits set", SEC_CR_MSR,
			       "debugctl=0x%lx (bits 63:16 are reserved)", g->debugctl);
	if (c->ia32e && !(g->cr0 & CR0_PG))
		return gc_fail(c, "IA-32e mode guest without CR0.PG", SEC_CR_MSR,
			       "cr0=0x%lx entry_ctls=0x%x", g->cr0, g->entry_ctls);
	if (c->ia32e && !(g->cr4 & CR4_PAE))
		return gc_fail(c, "IA-32e mode guest without CR4.PAE", SEC_CR_MSR,
			       "cr4=0x%lx entry_ctls=0x%x", g->cr4, g->entry_ctls);
	if (!c->ia32e && (g->cr4 & CR4_PCIDE))
		return gc_fail(c, "CR4.PCIDE set outside IA-32e mode", SEC_CR_MSR,
			       "cr4=0x%lx entry_ctls=0x%x", g->cr4, g->entry_ctls);
	if (!gc_fits_phys(c, g->cr3))
		return gc_fail(c, "CR3 bits beyond MAXPHYADDR set", SEC_CR_MSR,
			       "cr3=0x%lx maxphyaddr=%u", g->cr3,
			       gc_width(g->maxphyaddr, VMX_GUEST_DEFAULT_MAXPHYADDR));
	if (load_dbg && (g->dr7 & VMXGC_DR7_HIGH))
		return gc_fail(c, "DR7 bits 63:32 not zero", SEC_CR_MSR, "dr7=0x%lx", g->dr7);
	if (!gc_canonical(c, g->sysenter_esp))
		return gc_fail(c, "IA32_SYSENTER_ESP not canonical", SEC_CR_MSR,
			       "sysenter_esp=0x%lx", g->sysenter_esp);
	if (!gc_canonical(c, g->sysenter_eip))
		return gc_fail(c, "IA32_SYSENTER_EIP not canonical", SEC_CR_MSR,
			       "sysenter_eip=0x%lx", g->sysenter_eip);
	return true;
}

/* SDM 3C 27.3.1.1: IA32_PAT and IA32_EFER when the entry loads them. */
static bool gc_check_pat_efer(struct gc_ctx *c)
{
	const struct vmx_guest_state *g = c->g;
	bool lma, lme;
	uint32_t i;

	for (i = 0; (g->entry_ctls & VMX_ENTRY_LOAD_PAT) && i < VMXGC_PAT_ENTRIES; i++) {
		uint32_t type = (g->pat >> (i * 8)) & 0xff;

		if (type > 7 || !(VMXGC_PAT_VALID_TYPES & (1u << type)))
			return gc_fail(c, "IA32_PAT invalid memory type", SEC_CR_MSR,
				       "pat=0x%lx: PA%u=%u (valid: 0, 1, 4, 5, 6, 7)", g->pat, i,
				       type);
	}
	if (!(g->entry_ctls & VMX_ENTRY_LOAD_EFER))
		return true;
	if (g->efer & ~VMXGC_EFER_DEFINED)
		return gc_fail(c, "IA32_EFER reserved bits set", SEC_CR_MSR, "efer=0x%lx", g->efer);
	lma = g->efer & EFER_LMA;
	lme = g->efer & EFER_LME;
	if (lma != c->ia32e)
		return gc_fail(c, "EFER.LMA differs from IA-32e mode guest", SEC_CR_MSR,
			       "efer=0x%lx IA-32e mode guest=%d", g->efer, c->ia32e);
	if ((g->cr0 & CR0_PG) && lme != lma)
		return gc_fail(c, "EFER.LME differs from EFER.LMA with CR0.PG set", SEC_CR_MSR,
			       "efer=0x%lx cr0=0x%lx", g->efer, g->cr0);
	return true;
}

/* SDM 3C 27.3.1.2, selector fields. */
static bool gc_check_selectors(struct gc_ctx *c)
{
	const struct vmx_guest_state *g = c->g;

	if (g->tr.sel & VMXGC_SEL_TI)
		return gc_seg_fail(c, GC_TR, "TR.TI set");
	if (gc_usable(&g->ldtr) && (g->ldtr.sel & VMXGC_SEL_TI))
		return gc_seg_fail(c, GC_LDTR, "LDTR.TI set");
	if (!c->v86 && !c->ug && gc_rpl(&g->ss) != gc_rpl(&g->cs))
		return gc_fail(c, "SS.RPL != CS.RPL", SEC_SEG, "SS.sel=0x%x CS.sel=0x%x",
			       g->ss.sel, g->cs.sel);
	return true;
}

/* SDM 3C 27.3.1.2, base-address and (virtual-8086) limit fields. */
static bool gc_check_bases_limits(struct gc_ctx *c)
{
	static const enum gc_seg canonical[] = { GC_TR, GC_FS, GC_GS };
	static const enum gc_seg high_zero[] = { GC_SS, GC_DS, GC_ES };
	const struct vmx_guest_state *g = c->g;
	enum gc_seg s;
	size_t i;

	for (s = GC_ES; c->v86 && s <= GC_GS; s++)
		if (gc_seg(c, s)->base != (uint64_t)gc_seg(c, s)->sel << VMXGC_V86_BASE_SHIFT)
			return gc_seg_rule(c, s, SR_BASE_V86);
	for (i = 0; i < sizeof(canonical) / sizeof(canonical[0]); i++)
		if (!gc_canonical(c, gc_seg(c, canonical[i])->base))
			return gc_seg_rule(c, canonical[i], SR_BASE_CANONICAL);
	if (gc_usable(&g->ldtr) && !gc_canonical(c, g->ldtr.base))
		return gc_seg_rule(c, GC_LDTR, SR_BASE_CANONICAL);
	if (g->cs.base >> 32)
		return gc_seg_rule(c, GC_CS, SR_BASE_HIGH);
	for (i = 0; i < sizeof(high_zero) / sizeof(high_zero[0]); i++) {
		const struct vmx_seg *sg = gc_seg(c, high_zero[i]);

		if (gc_usable(sg) && (sg->base >> 32))
			return gc_seg_rule(c, high_zero[i], SR_BASE_HIGH);
	}
	for (s = GC_ES; c->v86 && s <= GC_GS; s++)
		if (gc_seg(c, s)->limit != VMXGC_V86_LIMIT)
			return gc_seg_rule(c, s, SR_LIMIT_V86);
	return true;
}

/* G must be 0 unless limit 11:0 are all ones, and 1 if any of limit 31:20 is set. */
static bool gc_limit_g_ok(const struct vmx_seg *s)
{
	if ((s->limit & VMXGC_LIMIT_LOW_ONES) != VMXGC_LIMIT_LOW_ONES && (s->ar & VMX_AR_G))
		return false;
	if ((s->limit & VMXGC_LIMIT_HIGH_BITS) && !(s->ar & VMX_AR_G))
		return false;
	return true;
}

/* The access-rights checks shared by every register: P, reserved bits, G/limit. */
static bool gc_check_ar_common(struct gc_ctx *c, enum gc_seg s, bool check_p)
{
	const struct vmx_seg *sg = gc_seg(c, s);

	if (check_p && !(sg->ar & VMX_AR_P))
		return gc_seg_rule(c, s, SR_NOT_PRESENT);
	if (sg->ar & VMXGC_AR_RESERVED_11_8)
		return gc_seg_rule(c, s, SR_AR_RESERVED_11_8);
	if (s == GC_CS && c->ia32e && (sg->ar & VMX_AR_L) && (sg->ar & VMX_AR_DB))
		return gc_seg_fail(c, s, "CS.L and CS.D both set in IA-32e mode");
	if (!gc_limit_g_ok(sg))
		return gc_seg_rule(c, s, SR_LIMIT_G);
	if (sg->ar & VMXGC_AR_RESERVED_31_17)
		return gc_seg_rule(c, s, SR_AR_RESERVED_31_17);
	return true;
}

static bool gc_check_cs_ar(struct gc_ctx *c)
{
	const struct vmx_seg *cs = &c->g->cs, *ss = &c->g->ss;
	uint32_t type = gc_type(cs);

	switch (type) {
	case VMXGC_TYPE_CODE_X_ACC:
	case VMXGC_TYPE_CODE_XR_ACC:
		if (!(cs->ar & VMX_AR_S))
			return gc_seg_rule(c, GC_CS, SR_NOT_CODE_DATA);
		if (gc_dpl(cs) != gc_dpl(ss))
			return gc_fail(c, "CS.DPL != SS.DPL (non-conforming code)", SEC_SEG,
				       "CS.ar=0x%x SS.ar=0x%x", cs->ar, ss->ar);
		break;
	case VMXGC_TYPE_CODE_XC_ACC:
	case VMXGC_TYPE_CODE_XRC_ACC:
		if (!(cs->ar & VMX_AR_S))
			return gc_seg_rule(c, GC_CS, SR_NOT_CODE_DATA);
		if (gc_dpl(cs) > gc_dpl(ss))
			return gc_fail(c, "CS.DPL > SS.DPL (conforming code)", SEC_SEG,
				       "CS.ar=0x%x SS.ar=0x%x", cs->ar, ss->ar);
		break;
	case VMXGC_TYPE_DATA_RW_ACC:
		if (!c->ug)
			return gc_seg_fail(c, GC_CS, "CS type not 9, 11, 13 or 15");
		if (!(cs->ar & VMX_AR_S))
			return gc_seg_rule(c, GC_CS, SR_NOT_CODE_DATA);
		if (gc_dpl(cs) != 0)
			return gc_seg_fail(c, GC_CS, "CS.DPL not 0 with CS type 3");
		break;
	default:
		return gc_seg_fail(c, GC_CS, c->ug ? "CS type not 3, 9, 11, 13 or 15"
						   : "CS type not 9, 11, 13 or 15");
	}
	return gc_check_ar_common(c, GC_CS, true);
}

static bool gc_check_ss_ar(struct gc_ctx *c)
{
	const struct vmx_seg *ss = &c->g->ss;
	bool usable = gc_usable(ss);
	uint32_t type = gc_type(ss);

	if (usable && type != VMXGC_TYPE_DATA_RW_ACC && type != VMXGC_TYPE_DATA_RW_DOWN_ACC)
		return gc_seg_fail(c, GC_SS, "SS type not 3 or 7");
	if (usable && !(ss->ar & VMX_AR_S))
		return gc_seg_rule(c, GC_SS, SR_NOT_CODE_DATA);
	if (!c->ug && gc_dpl(ss) != gc_rpl(ss))
		return gc_seg_fail(c, GC_SS, "SS.DPL != SS.RPL");
	if ((gc_type(&c->g->cs) == VMXGC_TYPE_DATA_RW_ACC || !(c->g->cr0 & CR0_PE)) &&
	    gc_dpl(ss) != 0)
		return gc_fail(c, "SS.DPL not 0 with CR0.PE clear or CS type 3", SEC_SEG,
			       "SS.ar=0x%x CS.ar=0x%x cr0=0x%lx", ss->ar, c->g->cs.ar, c->g->cr0);
	return !usable || gc_check_ar_common(c, GC_SS, true);
}

static bool gc_check_data_ar(struct gc_ctx *c, enum gc_seg s)
{
	const struct vmx_seg *sg = gc_seg(c, s);
	uint32_t type = gc_type(sg);

	if (!gc_usable(sg))
		return true;
	if (!(type & VMXGC_TYPE_ACCESSED))
		return gc_seg_rule(c, s, SR_NOT_ACCESSED);
	if ((type & VMXGC_TYPE_CODE) && !(type & VMXGC_TYPE_READABLE))
		return gc_seg_rule(c, s, SR_CODE_UNREADABLE);
	if (!(sg->ar & VMX_AR_S))
		return gc_seg_rule(c, s, SR_NOT_CODE_DATA);
	if (!c->ug && type <= VMXGC_TYPE_CODE_XR_ACC && gc_dpl(sg) < gc_rpl(sg))
		return gc_seg_rule(c, s, SR_DPL_BELOW_RPL);
	return gc_check_ar_common(c, s, true);
}

/* SDM 3C 27.3.1.2, access-rights fields of CS, SS, DS, ES, FS and GS. */
static bool gc_check_code_data_ar(struct gc_ctx *c)
{
	static const enum gc_seg data[] = { GC_DS, GC_ES, GC_FS, GC_GS };
	enum gc_seg s;
	size_t i;

	if (c->v86) {
		for (s = GC_ES; s <= GC_GS; s++)
			if (gc_seg(c, s)->ar != VMXGC_V86_AR)
				return gc_seg_rule(c, s, SR_AR_V86);
		return true;
	}
	if (!gc_check_cs_ar(c) || !gc_check_ss_ar(c))
		return false;
	for (i = 0; i < sizeof(data) / sizeof(data[0]); i++)
		if (!gc_check_data_ar(c, data[i]))
			return false;
	return true;
}

/* SDM 3C 27.3.1.2, TR and LDTR access rights. */
static bool gc_check_system_ar(struct gc_ctx *c)
{
	const struct vmx_seg *tr = &c->g->tr, *ldtr = &c->g->ldtr;
	uint32_t type = gc_type(tr);

	if (c->ia32e && type != VMXGC_TYPE_TSS_BUSY)
		return gc_seg_fail(c, GC_TR, "TR type not 11 (busy 64-bit TSS) in IA-32e mode");
	if (!c->ia32e && type != VMXGC_TYPE_TSS_BUSY && type != VMXGC_TYPE_TSS16_BUSY)
		return gc_seg_fail(c, GC_TR, "TR type not 3 or 11 (busy TSS)");
	if (tr->ar & VMX_AR_S)
		return gc_seg_rule(c, GC_TR, SR_NOT_SYSTEM);
	if (!(tr->ar & VMX_AR_P))
		return gc_seg_rule(c, GC_TR, SR_NOT_PRESENT);
	if (tr->ar & VMXGC_AR_RESERVED_11_8)
		return gc_seg_rule(c, GC_TR, SR_AR_RESERVED_11_8);
	if (!gc_limit_g_ok(tr))
		return gc_seg_rule(c, GC_TR, SR_LIMIT_G);
	if (!gc_usable(tr))
		return gc_seg_fail(c, GC_TR, "TR unusable");
	if (tr->ar & VMXGC_AR_RESERVED_31_17)
		return gc_seg_rule(c, GC_TR, SR_AR_RESERVED_31_17);
	if (!gc_usable(ldtr))
		return true;
	if (gc_type(ldtr) != VMXGC_TYPE_LDT)
		return gc_seg_fail(c, GC_LDTR, "LDTR type not 2 (LDT)");
	if (ldtr->ar & VMX_AR_S)
		return gc_seg_rule(c, GC_LDTR, SR_NOT_SYSTEM);
	return gc_check_ar_common(c, GC_LDTR, true);
}

/* SDM 3C 27.3.1.3: GDTR and IDTR. */
static bool gc_check_dtr(struct gc_ctx *c)
{
	const struct vmx_guest_state *g = c->g;

	if (!gc_canonical(c, g->gdtr_base))
		return gc_fail(c, "GDTR base not canonical", SEC_DTR, "gdtr_base=0x%lx",
			       g->gdtr_base);
	if (!gc_canonical(c, g->idtr_base))
		return gc_fail(c, "IDTR base not canonical", SEC_DTR, "idtr_base=0x%lx",
			       g->idtr_base);
	if (g->gdtr_limit > VMXGC_DTR_LIMIT_MAX)
		return gc_fail(c, "GDTR limit bits 31:16 not zero", SEC_DTR, "gdtr_limit=0x%x",
			       g->gdtr_limit);
	if (g->idtr_limit > VMXGC_DTR_LIMIT_MAX)
		return gc_fail(c, "IDTR limit bits 31:16 not zero", SEC_DTR, "idtr_limit=0x%x",
			       g->idtr_limit);
	return true;
}

/* SDM 3C 27.3.1.4: RIP and RFLAGS. */
static bool gc_check_rip_rflags(struct gc_ctx *c)
{
	const struct vmx_guest_state *g = c->g;
	bool long64 = c->ia32e && (g->cs.ar & VMX_AR_L);

	if (!long64 && (g->rip >> 32))
		return gc_fail(c, "RIP bits 63:32 not zero outside 64-bit mode", SEC_RIP_RFLAGS,
			       "rip=0x%lx IA-32e mode guest=%d CS.ar=0x%x", g->rip, c->ia32e,
			       g->cs.ar);
	if (long64 && !gc_canonical(c, g->rip))
		return gc_fail(c, "RIP not canonical in 64-bit mode", SEC_RIP_RFLAGS,
			       "rip=0x%lx linear-address width=%u", g->rip,
			       gc_width(g->linaddr_width, VMX_GUEST_DEFAULT_LINADDR_WIDTH));
	if (g->rflags & VMXGC_RFLAGS_RESERVED)
		return gc_fail(c, "RFLAGS reserved bits set", SEC_RIP_RFLAGS,
			       "rflags=0x%lx sets 0x%lx (63:22, 15, 5, 3)", g->rflags,
			       (uint64_t)(g->rflags & VMXGC_RFLAGS_RESERVED));
	if (!(g->rflags & RFLAGS_FIXED1))
		return gc_fail(c, "RFLAGS bit 1 clear", SEC_RIP_RFLAGS, "rflags=0x%lx", g->rflags);
	if (c->v86 && (c->ia32e || !(g->cr0 & CR0_PE)))
		return gc_fail(c, "RFLAGS.VM set in IA-32e mode or with CR0.PE clear",
			       SEC_RIP_RFLAGS, "rflags=0x%lx cr0=0x%lx IA-32e mode guest=%d",
			       g->rflags, g->cr0, c->ia32e);
	if (c->injecting && c->inject_type == VMX_INTR_TYPE_EXT_INTR &&
	    !(g->rflags & RFLAGS_IF))
		return gc_fail(c, "RFLAGS.IF clear while injecting an external interrupt",
			       SEC_RIP_RFLAGS, "rflags=0x%lx entry_intr_info=0x%x", g->rflags,
			       g->entry_intr_info);
	return true;
}

/* Whether the event being injected may be delivered in this activity state. */
static bool gc_event_allowed(const struct gc_ctx *c)
{
	uint32_t type = c->inject_type, vec = c->inject_vector;

	switch (c->g->activity) {
	case VMX_ACTIVITY_HLT:
		return type == VMX_INTR_TYPE_EXT_INTR || type == VMX_INTR_TYPE_NMI ||
		       (type == VMX_INTR_TYPE_HW_EXCEPTION &&
			(vec == VMXGC_VECTOR_DB || vec == VMXGC_VECTOR_MC)) ||
		       (type == VMX_INTR_TYPE_OTHER && vec == VMXGC_VECTOR_MTF);
	case VMX_ACTIVITY_SHUTDOWN:
		return type == VMX_INTR_TYPE_NMI ||
		       (type == VMX_INTR_TYPE_HW_EXCEPTION && vec == VMXGC_VECTOR_MC);
	case VMX_ACTIVITY_WAIT_SIPI:
		return false;
	default:
		return true;
	}
}

/* SDM 3C 27.3.1.5: the activity state. */
static bool gc_check_activity(struct gc_ctx *c)
{
	const struct vmx_guest_state *g = c->g;
	uint32_t act = g->activity;

	if (act > VMX_ACTIVITY_WAIT_SIPI)
		return gc_fail(c, "activity state not 0-3", SEC_NONREG, "activity=%u", act);
	if (act != VMX_ACTIVITY_ACTIVE &&
	    !(g->vmx_misc & (1ull << (VMXGC_MISC_ACTIVITY_SHIFT + act - 1))))
		return gc_fail(c, "activity state not supported by this CPU", SEC_NONREG,
			       "activity=%u IA32_VMX_MISC=0x%lx", act, g->vmx_misc);
	if (act == VMX_ACTIVITY_HLT && gc_dpl(&g->ss) != 0)
		return gc_fail(c, "HLT activity state with SS.DPL != 0", SEC_NONREG,
			       "SS.ar=0x%x", g->ss.ar);
	if (act != VMX_ACTIVITY_ACTIVE && (g->interruptibility & VMXGC_INTR_BLOCK_STI_MOVSS))
		return gc_fail(c, "activity state not active with STI or MOV-SS blocking",
			       SEC_NONREG, "activity=%u interruptibility=0x%x", act,
			       g->interruptibility);
	if (c->injecting && !gc_event_allowed(c))
		return gc_fail(c, "injected event not allowed in this activity state", SEC_NONREG,
			       "activity=%u entry_intr_info=0x%x", act, g->entry_intr_info);
	if (act == VMX_ACTIVITY_WAIT_SIPI && (g->entry_ctls & VMX_ENTRY_TO_SMM))
		return gc_fail(c, "wait-for-SIPI activity state with entry to SMM", SEC_NONREG,
			       "entry_ctls=0x%x", g->entry_ctls);
	return true;
}

/*
 * SDM 3C 27.3.1.5: the interruptibility state. Blocking by SMI must be 0:
 * Vireo never executes VM entry in SMM. For an injected NMI some processors
 * also reject blocking by STI (SDM footnote), so both blockings are refused.
 */
static bool gc_check_interruptibility(struct gc_ctx *c)
{
	const struct vmx_guest_state *g = c->g;
	uint32_t intr = g->interruptibility;
	bool nmi = c->injecting && c->inject_type == VMX_INTR_TYPE_NMI;

	if (intr & VMXGC_INTR_RESERVED)
		return gc_fail(c, "interruptibility-state reserved bits set", SEC_NONREG,
			       "interruptibility=0x%x (bits 31:4 must be 0)", intr);
	if ((intr & VMXGC_INTR_BLOCK_STI_MOVSS) == VMXGC_INTR_BLOCK_STI_MOVSS)
		return gc_fail(c, "blocking by STI and by MOV-SS both set", SEC_NONREG,
			       "interruptibility=0x%x", intr);
	if ((intr & VMX_INTR_BLOCK_STI) && !(g->rflags & RFLAGS_IF))
		return gc_fail(c, "blocking by STI with RFLAGS.IF clear", SEC_NONREG,
			       "interruptibility=0x%x rflags=0x%lx", intr, g->rflags);
	if (c->injecting && c->inject_type == VMX_INTR_TYPE_EXT_INTR &&
	    (intr & VMXGC_INTR_BLOCK_STI_MOVSS))
		return gc_fail(c, "external interrupt injected while blocked by STI or MOV-SS",
			       SEC_NONREG, "interruptibility=0x%x entry_intr_info=0x%x", intr,
			       g->entry_intr_info);
	if (nmi && (intr & VMXGC_INTR_BLOCK_STI_MOVSS))
		return gc_fail(c, "NMI injected while blocked by STI or MOV-SS", SEC_NONREG,
			       "interruptibility=0x%x entry_intr_info=0x%x", intr,
			       g->entry_intr_info);
	if (intr & VMX_INTR_BLOCK_SMI)
		return gc_fail(c, "blocking by SMI set outside SMM", SEC_NONREG,
			       "interruptibility=0x%x", intr);
	if (nmi && (g->pin_ctls & VMX_PIN_VIRTUAL_NMIS) && (intr & VMX_INTR_BLOCK_NMI))
		return gc_fail(c, "NMI injected with virtual-NMI blocking set", SEC_NONREG,
			       "interruptibility=0x%x pin_ctls=0x%x", intr, g->pin_ctls);
	return true;
}

/* SDM 3C 27.3.1.5: pending debug exceptions and the VMCS link pointer. */
static bool gc_check_pending_dbg_link(struct gc_ctx *c)
{
	const struct vmx_guest_state *g = c->g;
	bool stepping = (g->rflags & RFLAGS_TF) && !(g->debugctl & VMXGC_DEBUGCTL_BTF);
	bool bs = g->pending_dbg & VMXGC_PDBG_BS;

	if (g->pending_dbg & VMXGC_PDBG_RESERVED)
		return gc_fail(c, "pending debug exceptions reserved bits set", SEC_NONREG,
			       "pending_dbg=0x%lx", g->pending_dbg);
	if (((g->interruptibility & VMXGC_INTR_BLOCK_STI_MOVSS) ||
	     g->activity == VMX_ACTIVITY_HLT) && bs != stepping)
		return gc_fail(c, "pending BS inconsistent with RFLAGS.TF and DEBUGCTL.BTF",
			       SEC_NONREG, "pending_dbg=0x%lx rflags=0x%lx debugctl=0x%lx",
			       g->pending_dbg, g->rflags, g->debugctl);
	if (g->link_pointer == VMX_LINK_POINTER_NONE)
		return true;
	if (!(g->proc2_ctls & VMX_PROC2_VMCS_SHADOWING))
		return gc_fail(c, "VMCS link pointer not FFFFFFFF_FFFFFFFFH", SEC_NONREG,
			       "link_pointer=0x%lx (VMCS shadowing off)", g->link_pointer);
	if (g->link_pointer & VMXGC_LINK_ALIGN_MASK)
		return gc_fail(c, "VMCS link pointer not 4-KByte aligned", SEC_NONREG,
			       "link_pointer=0x%lx", g->link_pointer);
	if (!gc_fits_phys(c, g->link_pointer))
		return gc_fail(c, "VMCS link pointer beyond MAXPHYADDR", SEC_NONREG,
			       "link_pointer=0x%lx maxphyaddr=%u", g->link_pointer,
			       gc_width(g->maxphyaddr, VMX_GUEST_DEFAULT_MAXPHYADDR));
	return true;
}

enum err vmx_check_guest_state(const struct vmx_guest_state *g, struct vmx_check_result *r)
{
	struct gc_ctx c;
	bool ok;

	if (!g || !r)
		return E_INVAL;
	memset(r, 0, sizeof(*r));
	c = (struct gc_ctx){
		.g = g,
		.r = r,
		.ia32e = g->entry_ctls & VMX_ENTRY_IA32E_MODE_GUEST,
		.ug = g->proc2_ctls & VMX_PROC2_UNRESTRICTED_GUEST,
		.v86 = g->rflags & RFLAGS_VM,
		.injecting = g->entry_intr_info & VMX_INTR_INFO_VALID,
		.inject_type = (g->entry_intr_info >> VMX_INTR_INFO_TYPE_SHIFT) &
			       VMX_INTR_INFO_TYPE_MASK,
		.inject_vector = g->entry_intr_info & VMX_INTR_INFO_VECTOR_MASK,
	};
	/* RIP/RFLAGS first: RFLAGS.VM decides which segment rules apply. */
	ok = gc_check_cr0_cr4(&c) && gc_check_mode_regs(&c) && gc_check_pat_efer(&c) &&
	     gc_check_rip_rflags(&c) && gc_check_selectors(&c) && gc_check_bases_limits(&c) &&
	     gc_check_code_data_ar(&c) && gc_check_system_ar(&c) && gc_check_dtr(&c) &&
	     gc_check_activity(&c) && gc_check_interruptibility(&c) &&
	     gc_check_pending_dbg_link(&c);
	return ok ? E_OK : E_INVAL;
}

static void gc_set_seg(struct vmx_seg *s, uint16_t sel, uint64_t base, uint32_t limit,
		       uint32_t ar)
{
	s->sel = sel;
	s->base = base;
	s->limit = limit;
	s->ar = ar;
}

/* Every segment but CS and TR: ES, SS, DS, FS, GS alike. */
static void gc_set_data_segs(struct vmx_guest_state *g, uint16_t sel, uint64_t base,
			     uint32_t limit, uint32_t ar)
{
	gc_set_seg(&g->es, sel, base, limit, ar);
	gc_set_seg(&g->ss, sel, base, limit, ar);
	gc_set_seg(&g->ds, sel, base, limit, ar);
	gc_set_seg(&g->fs, sel, base, limit, ar);
	gc_set_seg(&g->gs, sel, base, limit, ar);
}

/* What every built state shares: CPU limits, controls, reset-like MSRs. */
static void gc_init_common(struct vmx_guest_state *g, const struct vmx_caps *caps)
{
	const uint32_t optional = VMX_ENTRY_LOAD_DEBUG_CTLS | VMX_ENTRY_LOAD_EFER |
				  VMX_ENTRY_LOAD_PAT;

	memset(g, 0, sizeof(*g));
	g->cr0_fixed0 = caps->msr.cr0_fixed0;
	g->cr0_fixed1 = caps->msr.cr0_fixed1;
	g->cr4_fixed0 = caps->msr.cr4_fixed0;
	g->cr4_fixed1 = caps->msr.cr4_fixed1;
	g->vmx_misc = caps->msr.misc;
	g->maxphyaddr = VMX_GUEST_DEFAULT_MAXPHYADDR;
	g->linaddr_width = VMX_GUEST_DEFAULT_LINADDR_WIDTH;
	g->pin_ctls = caps->ctl[VMX_CTL_PIN].allowed0;
	g->entry_ctls = caps->ctl[VMX_CTL_ENTRY].allowed0 |
			(caps->ctl[VMX_CTL_ENTRY].allowed1 & optional);
	g->rflags = RFLAGS_FIXED1;
	g->dr7 = VMXGC_DR7_INIT;
	g->pat = VMXGC_PAT_DEFAULT;
	g->link_pointer = VMX_LINK_POINTER_NONE;
	g->gdtr_limit = VMXGC_RESET_DTR_LIMIT;
	g->idtr_limit = VMXGC_RESET_DTR_LIMIT;
	g->ldtr.ar = VMX_AR_UNUSABLE;
	g->activity = VMX_ACTIVITY_ACTIVE;
}

/* Unrestricted guest (which needs EPT, SDM 3C 27.2.1.1) for CR0.PE/PG = 0. */
static enum err gc_init_unrestricted(struct vmx_guest_state *g, const struct vmx_caps *caps)
{
	g->proc2_ctls |= VMX_PROC2_UNRESTRICTED_GUEST | VMX_PROC2_EPT;
	return caps->has.unrestricted_guest ? E_OK : E_NOTSUP;
}

void vmx_guest_state_init_long_mode(struct vmx_guest_state *g, const struct vmx_caps *caps)
{
	gc_init_common(g, caps);
	g->cr0 = g->cr0_fixed0 | CR0_PE | CR0_PG | CR0_NE | CR0_ET;
	g->cr4 = g->cr4_fixed0 | CR4_PAE;
	g->efer = EFER_LME | EFER_LMA;
	g->entry_ctls |= VMX_ENTRY_IA32E_MODE_GUEST;
	gc_set_seg(&g->cs, VMXGC_GUEST_CODE_SEL, 0, VMXGC_FLAT_LIMIT, VMXGC_AR_CODE64);
	gc_set_data_segs(g, VMXGC_GUEST_DATA_SEL, 0, VMXGC_FLAT_LIMIT, VMXGC_AR_DATA32);
	gc_set_seg(&g->tr, VMXGC_GUEST_TSS_SEL, 0, VMXGC_TSS_LIMIT, VMXGC_AR_TSS_BUSY);
}

enum err vmx_guest_state_init_protected32(struct vmx_guest_state *g,
					  const struct vmx_caps *caps)
{
	gc_init_common(g, caps);
	g->cr0 = (g->cr0_fixed0 & ~CR0_PG) | CR0_PE | CR0_NE | CR0_ET;
	g->cr4 = g->cr4_fixed0;
	gc_set_seg(&g->cs, VMXGC_GUEST_CODE_SEL, 0, VMXGC_FLAT_LIMIT, VMXGC_AR_CODE32);
	gc_set_data_segs(g, VMXGC_GUEST_DATA_SEL, 0, VMXGC_FLAT_LIMIT, VMXGC_AR_DATA32);
	gc_set_seg(&g->tr, VMXGC_GUEST_TSS_SEL, 0, VMXGC_TSS_LIMIT, VMXGC_AR_TSS_BUSY);
	return gc_init_unrestricted(g, caps);
}

enum err vmx_guest_state_init_real_mode(struct vmx_guest_state *g, const struct vmx_caps *caps)
{
	gc_init_common(g, caps);
	g->cr0 = (g->cr0_fixed0 & ~(CR0_PE | CR0_PG)) | CR0_NE | CR0_ET;
	g->cr4 = g->cr4_fixed0;
	/* Selector 0 everywhere, so base = selector << 4 = 0. */
	gc_set_seg(&g->cs, 0, 0, VMXGC_REAL_LIMIT, VMXGC_AR_CODE16);
	gc_set_data_segs(g, 0, 0, VMXGC_REAL_LIMIT, VMXGC_AR_DATA16);
	gc_set_seg(&g->tr, 0, 0, VMXGC_REAL_LIMIT, VMXGC_AR_TSS_BUSY);
	return gc_init_unrestricted(g, caps);
}
