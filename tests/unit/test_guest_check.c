/* SPDX-License-Identifier: MIT */
/*
 * Host tests for vmx/guest_check.c: the three state builders pass the checker
 * with the real Bochs corei7_skylake_x VMX MSRs, and single-field breakages
 * (plus a few valid variations) each give the expected rule and SDM section.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "arch/x86/x86_regs.h"
#include "tests/unit/fake_cpu.h"
#include "tests/unit/fake_printk.h"
#include "vmx/caps.h"
#include "vmx/guest_check.h"

#define SEC1 "SDM 3C 27.3.1.1"
#define SEC2 "SDM 3C 27.3.1.2"
#define SEC3 "SDM 3C 27.3.1.3"
#define SEC4 "SDM 3C 27.3.1.4"
#define SEC5 "SDM 3C 27.3.1.5"

#define PDBG_BS (1ull << 14)
#define NON_CANONICAL 0x0000800000000000ull
#define AR_DPL3 (3u << VMX_AR_DPL_SHIFT)
#define INJECT(type, vec) (VMX_INTR_INFO_VALID | (type) << VMX_INTR_INFO_TYPE_SHIFT | (vec))

static struct vmx_caps bochs;

static int group_setup(void **state)
{
	fake_cpu_reset();
	fake_cpu_load_bochs_skylake();
	fake_printk_clear();
	vmx_caps_read(&bochs);
	return bochs.present && bochs.has.unrestricted_guest ? 0 : -1;
}

enum base { LONG, PROT32, REAL, V86 };

static void build(struct vmx_guest_state *g, enum base base)
{
	switch (base) {
	case LONG:
		vmx_guest_state_init_long_mode(g, &bochs);
		break;
	case PROT32:
		assert_int_equal(vmx_guest_state_init_protected32(g, &bochs), E_OK);
		break;
	case REAL:
		assert_int_equal(vmx_guest_state_init_real_mode(g, &bochs), E_OK);
		break;
	case V86: {
		/* Virtual-8086 task under a 32-bit protected-mode host OS. */
		struct vmx_seg *segs[] = { &g->es, &g->cs, &g->ss, &g->ds, &g->fs, &g->gs };
		size_t i;

		assert_int_equal(vmx_guest_state_init_protected32(g, &bochs), E_OK);
		g->rflags |= RFLAGS_VM;
		for (i = 0; i < 6; i++) {
			segs[i]->sel = 0x1000 + i;
			segs[i]->base = (uint64_t)segs[i]->sel << 4;
			segs[i]->limit = 0xffff;
			segs[i]->ar = 0xf3;
		}
		break;
	}
	}
}

static void expect_ok(const struct vmx_guest_state *g)
{
	struct vmx_check_result r;
	enum err e = vmx_check_guest_state(g, &r);

	if (e != E_OK)
		fail_msg("unexpected rule \"%s\" (%s): %s", r.rule, r.section, r.detail);
	assert_null(r.rule);
}

static void test_long_mode_ok(void **state)
{
	struct vmx_guest_state g;

	vmx_guest_state_init_long_mode(&g, &bochs);
	assert_true(g.cr4 & CR4_VMXE);
	assert_int_equal(g.cr0 & (CR0_PE | CR0_PG), CR0_PE | CR0_PG);
	assert_int_equal(g.efer, EFER_LME | EFER_LMA);
	assert_true(g.entry_ctls & VMX_ENTRY_IA32E_MODE_GUEST);
	assert_true(g.entry_ctls & VMX_ENTRY_LOAD_EFER);
	assert_true(g.cs.ar & VMX_AR_L);
	assert_int_equal(g.cs.sel, 0x08);
	assert_int_equal(g.tr.ar & VMX_AR_TYPE_MASK, 11);
	assert_true(g.ldtr.ar & VMX_AR_UNUSABLE);
	assert_int_equal(g.rflags, 2);
	assert_int_equal(g.link_pointer, VMX_LINK_POINTER_NONE);
	expect_ok(&g);
}

static void test_protected32_ok(void **state)
{
	struct vmx_guest_state g;

	assert_int_equal(vmx_guest_state_init_protected32(&g, &bochs), E_OK);
	assert_int_equal(g.cr0 & (CR0_PE | CR0_PG), CR0_PE);
	assert_true(g.proc2_ctls & VMX_PROC2_UNRESTRICTED_GUEST);
	assert_false(g.entry_ctls & VMX_ENTRY_IA32E_MODE_GUEST);
	assert_true(g.cs.ar & VMX_AR_DB);
	expect_ok(&g);
}

static void test_real_mode_ok(void **state)
{
	struct vmx_guest_state g;

	assert_int_equal(vmx_guest_state_init_real_mode(&g, &bochs), E_OK);
	assert_int_equal(g.cr0 & (CR0_PE | CR0_PG), 0);
	assert_int_equal(g.cs.ar, 0x9b);
	assert_int_equal(g.ds.ar, 0x93);
	assert_int_equal(g.ds.limit, 0xffff);
	assert_int_equal(g.ds.base, (uint64_t)g.ds.sel << 4);
	expect_ok(&g);
}

static void test_no_unrestricted_guest(void **state)
{
	struct vmx_caps caps = bochs;
	struct vmx_guest_state g;
	struct vmx_check_result r;

	caps.has.unrestricted_guest = false;
	assert_int_equal(vmx_guest_state_init_real_mode(&g, &caps), E_NOTSUP);
	assert_int_equal(vmx_guest_state_init_protected32(&g, &caps), E_NOTSUP);
	/* Without the control, CR0.PE=PG=0 breaks the fixed-0 bits. */
	assert_int_equal(vmx_guest_state_init_real_mode(&g, &bochs), E_OK);
	g.proc2_ctls &= ~VMX_PROC2_UNRESTRICTED_GUEST;
	assert_int_equal(vmx_check_guest_state(&g, &r), E_INVAL);
	assert_string_equal(r.rule, "CR0 fixed-0 bit clear");
	assert_non_null(strstr(r.detail, "lacks 0x80000001"));
}

static void test_null_args(void **state)
{
	struct vmx_guest_state g;
	struct vmx_check_result r;

	vmx_guest_state_init_long_mode(&g, &bochs);
	assert_int_equal(vmx_check_guest_state(NULL, &r), E_INVAL);
	assert_int_equal(vmx_check_guest_state(&g, NULL), E_INVAL);
}

static void test_detail_names_values(void **state)
{
	struct vmx_guest_state g;
	struct vmx_check_result r;

	vmx_guest_state_init_long_mode(&g, &bochs);
	g.cr4 &= ~CR4_VMXE;
	assert_int_equal(vmx_check_guest_state(&g, &r), E_INVAL);
	assert_non_null(strstr(r.detail, "CR4.VMXE"));
	assert_non_null(strstr(r.detail, "lacks 0x2000"));

	vmx_guest_state_init_long_mode(&g, &bochs);
	g.ds.ar &= ~VMX_AR_G;
	assert_int_equal(vmx_check_guest_state(&g, &r), E_INVAL);
	assert_string_equal(r.detail, "DS: sel=0x10 base=0x0 limit=0xffffffff ar=0x4093");
}

/* One single-field change to a built state and the rule it must give (NULL: still valid). */
struct breakage {
	const char *name;
	enum base base;
	void (*mutate)(struct vmx_guest_state *g);
	const char *rule;
	const char *section;
};

#define MUT(name, ...) \
	static void m_##name(struct vmx_guest_state *g) \
	{ \
		__VA_ARGS__; \
	}

MUT(cs_l_and_d, g->cs.ar |= VMX_AR_DB)
MUT(tr_unusable, g->tr.ar |= VMX_AR_UNUSABLE)
MUT(ss_rpl, g->ss.sel |= 3)
MUT(rflags_bit1, g->rflags = 0)
MUT(rip_noncanon, g->rip = NON_CANONICAL)
MUT(rip_canon_high, g->rip = 0xffff800000001000ull)
MUT(rip_la57, { g->linaddr_width = 57; g->rip = NON_CANONICAL; })
MUT(rip_high32, g->rip = 1ull << 32)
MUT(cr4_no_vmxe, g->cr4 &= ~CR4_VMXE)
MUT(cr0_pg_no_pe, g->cr0 = (g->cr0 & ~CR0_PE) | CR0_PG)
MUT(cr0_no_pg, g->cr0 &= ~CR0_PG)
MUT(cr0_no_pg_ug, { g->cr0 &= ~CR0_PG; g->proc2_ctls |= VMX_PROC2_UNRESTRICTED_GUEST; })
MUT(cr0_high, g->cr0 |= 1ull << 32)
MUT(cr4_cet_fixed1, g->cr4 |= CR4_CET)
MUT(cr4_cet_no_wp, { g->cr4_fixed1 |= CR4_CET; g->cr4 |= CR4_CET; })
MUT(ia32e_no_pae, g->cr4 &= ~CR4_PAE)
MUT(pcide_32bit, g->cr4 |= CR4_PCIDE)
MUT(cr3_high, g->cr3 = 1ull << 40)
MUT(cr3_high_ok, { g->cr3 = 1ull << 40; g->maxphyaddr = 46; })
MUT(debugctl_rsvd, g->debugctl = 1ull << 16)
MUT(dr7_high, g->dr7 |= 1ull << 32)
MUT(dr7_high_no_load, { g->dr7 |= 1ull << 32; g->entry_ctls &= ~VMX_ENTRY_LOAD_DEBUG_CTLS; })
MUT(sysenter_esp, g->sysenter_esp = NON_CANONICAL)
MUT(sysenter_eip, g->sysenter_eip = NON_CANONICAL)
MUT(pat_type2, g->pat = 0x0007040600070402ull)
MUT(pat_type8, g->pat = 0x0807040600070406ull)
MUT(efer_rsvd, g->efer |= 1ull << 1)
MUT(efer_no_lma, g->efer &= ~EFER_LMA)
MUT(efer_no_lme, g->efer &= ~EFER_LME)
MUT(efer_lme_no_load, { g->efer = 0; g->entry_ctls &= ~VMX_ENTRY_LOAD_EFER; })
MUT(tr_ti, g->tr.sel |= 4)
MUT(ldtr_ti, { g->ldtr.sel = 0x2c; g->ldtr.ar = 0x82; g->ldtr.limit = 0xff; })
MUT(ldtr_ok, { g->ldtr.sel = 0x28; g->ldtr.ar = 0x82; g->ldtr.limit = 0xff; })
MUT(ldtr_type3, { g->ldtr.sel = 0x28; g->ldtr.ar = 0x83; g->ldtr.limit = 0xff; })
MUT(ldtr_noncanon, { g->ldtr.sel = 0x28; g->ldtr.ar = 0x82; g->ldtr.base = NON_CANONICAL; })
MUT(fs_base, g->fs.base = NON_CANONICAL)
MUT(gs_base_64, g->gs.base = 0xffff888000000000ull)
MUT(tr_base, g->tr.base = NON_CANONICAL)
MUT(cs_base_high, g->cs.base = 1ull << 32)
MUT(ds_base_high, g->ds.base = 1ull << 32)
MUT(ds_base_high_unusable, { g->ds.base = 1ull << 32; g->ds.ar |= VMX_AR_UNUSABLE; })
MUT(ds_limit_g, { g->ds.limit = 0x12345; })
MUT(ds_no_g, g->ds.ar &= ~VMX_AR_G)
MUT(ds_not_accessed, g->ds.ar &= ~1u)
MUT(es_exec_only, g->es.ar = (g->es.ar & ~VMX_AR_TYPE_MASK) | 9)
MUT(es_code_readable, g->es.ar = (g->es.ar & ~VMX_AR_TYPE_MASK) | 11)
MUT(fs_system, g->fs.ar &= ~VMX_AR_S)
MUT(gs_not_present, g->gs.ar &= ~VMX_AR_P)
MUT(gs_rsvd_11_8, g->gs.ar |= 1u << 8)
MUT(ds_rsvd_31_17, g->ds.ar |= 1u << 20)
MUT(ds_dpl_below_rpl, g->ds.sel |= 3)
MUT(ds_dpl_below_rpl_ug, { g->ds.sel |= 3; g->proc2_ctls |= VMX_PROC2_UNRESTRICTED_GUEST; })
MUT(ss_type11, g->ss.ar = (g->ss.ar & ~VMX_AR_TYPE_MASK) | 11)
MUT(ss_unusable, { g->ss.sel = 0; g->ss.ar = VMX_AR_UNUSABLE; })
MUT(ss_dpl_rpl, g->ss.ar |= AR_DPL3)
MUT(ss_dpl_ne_rpl, { g->ss.ar |= AR_DPL3; g->cs.ar |= AR_DPL3; })
MUT(real_ss_dpl3, { g->ss.ar |= AR_DPL3; g->cs.ar |= AR_DPL3; })
MUT(cs_type3_no_ug, g->cs.ar = (g->cs.ar & ~VMX_AR_TYPE_MASK) | 3)
MUT(real_cs_type3_dpl3, g->cs.ar = 0x93 | AR_DPL3)
MUT(real_cs_type3, g->cs.ar = 0x93)
MUT(cs_type8, g->cs.ar = (g->cs.ar & ~VMX_AR_TYPE_MASK) | 8)
MUT(cs_not_present, g->cs.ar &= ~VMX_AR_P)
MUT(cs_dpl_ne_ss, g->cs.ar |= AR_DPL3)
MUT(cs_conforming_dpl, g->cs.ar = (g->cs.ar & ~VMX_AR_TYPE_MASK) | 15 | AR_DPL3)
MUT(cs_conforming_ok, { g->cs.ar = (g->cs.ar & ~VMX_AR_TYPE_MASK) | 15; g->cs.sel |= 3;
		       g->ss.sel |= 3; g->ss.ar |= AR_DPL3; })
MUT(tr_type9, g->tr.ar = (g->tr.ar & ~VMX_AR_TYPE_MASK) | 9)
MUT(tr_type3, g->tr.ar = (g->tr.ar & ~VMX_AR_TYPE_MASK) | 3)
MUT(tr_s, g->tr.ar |= VMX_AR_S)
MUT(tr_limit_g, { g->tr.limit = 0x100067; })
MUT(gdtr_base, g->gdtr_base = NON_CANONICAL)
MUT(idtr_limit, g->idtr_limit = 0x10000)
MUT(rflags_rsvd3, g->rflags |= 1u << 3)
MUT(rflags_vm_long, g->rflags |= RFLAGS_VM)
MUT(v86_ds_ar, g->ds.ar = 0x93)
MUT(v86_gs_base, g->gs.base = 0)
MUT(v86_fs_limit, g->fs.limit = 0xfffff)
MUT(ext_intr_if_clear, g->entry_intr_info = INJECT(VMX_INTR_TYPE_EXT_INTR, 0x20))
MUT(activity5, g->activity = 5)
MUT(hlt_unsupported, { g->activity = VMX_ACTIVITY_HLT; g->vmx_misc = 0; })
MUT(hlt_ok, g->activity = VMX_ACTIVITY_HLT)
MUT(v86_hlt, g->activity = VMX_ACTIVITY_HLT)
MUT(hlt_sti, { g->activity = VMX_ACTIVITY_HLT; g->rflags |= RFLAGS_IF;
	       g->interruptibility = VMX_INTR_BLOCK_STI; })
MUT(hlt_inject_pf, { g->activity = VMX_ACTIVITY_HLT;
		     g->entry_intr_info = INJECT(VMX_INTR_TYPE_HW_EXCEPTION, 14); })
MUT(hlt_inject_intr, { g->activity = VMX_ACTIVITY_HLT; g->rflags |= RFLAGS_IF;
		       g->entry_intr_info = INJECT(VMX_INTR_TYPE_EXT_INTR, 0x30); })
MUT(shutdown_inject_nmi, { g->activity = VMX_ACTIVITY_SHUTDOWN;
			   g->entry_intr_info = INJECT(VMX_INTR_TYPE_NMI, 2); })
MUT(sipi_inject, { g->activity = VMX_ACTIVITY_WAIT_SIPI;
		   g->entry_intr_info = INJECT(VMX_INTR_TYPE_NMI, 2); })
MUT(intr_rsvd, g->interruptibility = 1u << 5)
MUT(sti_and_movss, { g->rflags |= RFLAGS_IF;
		     g->interruptibility = VMX_INTR_BLOCK_STI | VMX_INTR_BLOCK_MOV_SS; })
MUT(sti_if_clear, g->interruptibility = VMX_INTR_BLOCK_STI)
MUT(ext_intr_sti, { g->rflags |= RFLAGS_IF; g->interruptibility = VMX_INTR_BLOCK_STI;
		    g->entry_intr_info = INJECT(VMX_INTR_TYPE_EXT_INTR, 0x20); })
MUT(nmi_movss, { g->interruptibility = VMX_INTR_BLOCK_MOV_SS;
		 g->entry_intr_info = INJECT(VMX_INTR_TYPE_NMI, 2); })
MUT(smi_blocked, g->interruptibility = VMX_INTR_BLOCK_SMI)
MUT(vnmi_blocked, { g->pin_ctls |= VMX_PIN_VIRTUAL_NMIS; g->interruptibility = VMX_INTR_BLOCK_NMI;
		    g->entry_intr_info = INJECT(VMX_INTR_TYPE_NMI, 2); })
MUT(nmi_blocked_ok, { g->interruptibility = VMX_INTR_BLOCK_NMI;
		      g->entry_intr_info = INJECT(VMX_INTR_TYPE_NMI, 2); })
MUT(pdbg_rsvd, g->pending_dbg = 1u << 4)
MUT(pdbg_bs_missing, { g->rflags |= RFLAGS_TF; g->interruptibility = VMX_INTR_BLOCK_MOV_SS; })
MUT(pdbg_bs_ok, { g->rflags |= RFLAGS_TF; g->interruptibility = VMX_INTR_BLOCK_MOV_SS;
		  g->pending_dbg = PDBG_BS; })
MUT(pdbg_bs_stray, { g->interruptibility = VMX_INTR_BLOCK_MOV_SS; g->pending_dbg = PDBG_BS; })
MUT(link_zero, g->link_pointer = 0)
MUT(link_shadow_misaligned, { g->proc2_ctls |= VMX_PROC2_VMCS_SHADOWING;
			      g->link_pointer = 0x1001; })
MUT(link_shadow_high, { g->proc2_ctls |= VMX_PROC2_VMCS_SHADOWING; g->link_pointer = 1ull << 50; })
MUT(link_shadow_ok, { g->proc2_ctls |= VMX_PROC2_VMCS_SHADOWING; g->link_pointer = 0x1000; })

#define CASE(b, m, rule, sec) { #b "/" #m, b, m_##m, rule, sec }

static const struct breakage cases[] = {
	/* 27.3.1.1 control registers, debug registers, MSRs */
	CASE(LONG, cr4_no_vmxe, "CR4 fixed-0 bit clear", SEC1),
	CASE(PROT32, cr0_pg_no_pe, "CR0.PG set without CR0.PE", SEC1),
	CASE(LONG, cr0_no_pg, "CR0 fixed-0 bit clear", SEC1),
	CASE(LONG, cr0_no_pg_ug, "IA-32e mode guest without CR0.PG", SEC1),
	CASE(LONG, cr0_high, "CR0 fixed-1 bit set", SEC1),
	CASE(LONG, cr4_cet_fixed1, "CR4 fixed-1 bit set", SEC1),
	CASE(LONG, cr4_cet_no_wp, "CR4.CET set without CR0.WP", SEC1),
	CASE(LONG, ia32e_no_pae, "IA-32e mode guest without CR4.PAE", SEC1),
	CASE(PROT32, pcide_32bit, "CR4.PCIDE set outside IA-32e mode", SEC1),
	CASE(LONG, cr3_high, "CR3 bits beyond MAXPHYADDR set", SEC1),
	CASE(LONG, cr3_high_ok, NULL, NULL),
	CASE(LONG, debugctl_rsvd, "IA32_DEBUGCTL reserved bits set", SEC1),
	CASE(LONG, dr7_high, "DR7 bits 63:32 not zero", SEC1),
	CASE(LONG, dr7_high_no_load, NULL, NULL),
	CASE(LONG, sysenter_esp, "IA32_SYSENTER_ESP not canonical", SEC1),
	CASE(LONG, sysenter_eip, "IA32_SYSENTER_EIP not canonical", SEC1),
	CASE(LONG, pat_type2, "IA32_PAT invalid memory type", SEC1),
	CASE(LONG, pat_type8, "IA32_PAT invalid memory type", SEC1),
	CASE(LONG, efer_rsvd, "IA32_EFER reserved bits set", SEC1),
	CASE(LONG, efer_no_lma, "EFER.LMA differs from IA-32e mode guest", SEC1),
	CASE(LONG, efer_no_lme, "EFER.LME differs from EFER.LMA with CR0.PG set", SEC1),
	CASE(LONG, efer_lme_no_load, NULL, NULL),
	/* 27.3.1.2 segment registers */
	CASE(LONG, tr_ti, "TR.TI set", SEC2),
	CASE(LONG, ldtr_ti, "LDTR.TI set", SEC2),
	CASE(LONG, ldtr_ok, NULL, NULL),
	CASE(LONG, ldtr_type3, "LDTR type not 2 (LDT)", SEC2),
	CASE(LONG, ldtr_noncanon, "LDTR.base not canonical", SEC2),
	CASE(LONG, ss_rpl, "SS.RPL != CS.RPL", SEC2),
	CASE(LONG, fs_base, "FS.base not canonical", SEC2),
	CASE(LONG, gs_base_64, NULL, NULL),
	CASE(LONG, tr_base, "TR.base not canonical", SEC2),
	CASE(LONG, cs_base_high, "CS.base bits 63:32 not zero", SEC2),
	CASE(LONG, ds_base_high, "DS.base bits 63:32 not zero", SEC2),
	CASE(LONG, ds_base_high_unusable, NULL, NULL),
	CASE(LONG, ds_limit_g, "DS.G inconsistent with DS.limit", SEC2),
	CASE(LONG, ds_no_g, "DS.G inconsistent with DS.limit", SEC2),
	CASE(LONG, ds_not_accessed, "DS type not accessed", SEC2),
	CASE(LONG, es_exec_only, "ES code segment not readable", SEC2),
	CASE(LONG, es_code_readable, NULL, NULL),
	CASE(LONG, fs_system, "FS.S clear (not a code/data segment)", SEC2),
	CASE(LONG, gs_not_present, "GS.P clear (not present)", SEC2),
	CASE(LONG, gs_rsvd_11_8, "GS access-rights bits 11:8 not zero", SEC2),
	CASE(LONG, ds_rsvd_31_17, "DS access-rights bits 31:17 not zero", SEC2),
	CASE(LONG, ds_dpl_below_rpl, "DS.DPL < DS.RPL", SEC2),
	CASE(LONG, ds_dpl_below_rpl_ug, NULL, NULL),
	CASE(LONG, ss_type11, "SS type not 3 or 7", SEC2),
	CASE(LONG, ss_unusable, NULL, NULL),
	CASE(LONG, ss_dpl_rpl, "CS.DPL != SS.DPL (non-conforming code)", SEC2),
	CASE(LONG, ss_dpl_ne_rpl, "SS.DPL != SS.RPL", SEC2),
	CASE(REAL, real_ss_dpl3, "SS.DPL not 0 with CR0.PE clear or CS type 3", SEC2),
	CASE(LONG, cs_type3_no_ug, "CS type not 9, 11, 13 or 15", SEC2),
	CASE(REAL, real_cs_type3, NULL, NULL),
	CASE(REAL, real_cs_type3_dpl3, "CS.DPL not 0 with CS type 3", SEC2),
	CASE(REAL, cs_type8, "CS type not 3, 9, 11, 13 or 15", SEC2),
	CASE(LONG, cs_not_present, "CS.P clear (not present)", SEC2),
	CASE(LONG, cs_dpl_ne_ss, "CS.DPL != SS.DPL (non-conforming code)", SEC2),
	CASE(LONG, cs_conforming_dpl, "CS.DPL > SS.DPL (conforming code)", SEC2),
	CASE(LONG, cs_conforming_ok, NULL, NULL),
	CASE(LONG, cs_l_and_d, "CS.L and CS.D both set in IA-32e mode", SEC2),
	CASE(LONG, tr_unusable, "TR unusable", SEC2),
	CASE(LONG, tr_type9, "TR type not 11 (busy 64-bit TSS) in IA-32e mode", SEC2),
	CASE(LONG, tr_type3, "TR type not 11 (busy 64-bit TSS) in IA-32e mode", SEC2),
	CASE(PROT32, tr_type3, NULL, NULL),
	CASE(PROT32, tr_type9, "TR type not 3 or 11 (busy TSS)", SEC2),
	CASE(LONG, tr_s, "TR.S set (not a system segment)", SEC2),
	CASE(LONG, tr_limit_g, "TR.G inconsistent with TR.limit", SEC2),
	CASE(V86, v86_ds_ar, "DS access rights != 0xf3 in virtual-8086 mode", SEC2),
	CASE(V86, v86_gs_base, "GS.base != selector << 4 in virtual-8086 mode", SEC2),
	CASE(V86, v86_fs_limit, "FS.limit != 0xffff in virtual-8086 mode", SEC2),
	/* 27.3.1.3 descriptor-table registers */
	CASE(LONG, gdtr_base, "GDTR base not canonical", SEC3),
	CASE(LONG, idtr_limit, "IDTR limit bits 31:16 not zero", SEC3),
	/* 27.3.1.4 RIP and RFLAGS */
	CASE(LONG, rip_noncanon, "RIP not canonical in 64-bit mode", SEC4),
	CASE(LONG, rip_canon_high, NULL, NULL),
	CASE(LONG, rip_la57, NULL, NULL),
	CASE(PROT32, rip_high32, "RIP bits 63:32 not zero outside 64-bit mode", SEC4),
	CASE(LONG, rflags_bit1, "RFLAGS bit 1 clear", SEC4),
	CASE(LONG, rflags_rsvd3, "RFLAGS reserved bits set", SEC4),
	CASE(LONG, rflags_vm_long, "RFLAGS.VM set in IA-32e mode or with CR0.PE clear", SEC4),
	CASE(REAL, rflags_vm_long, "RFLAGS.VM set in IA-32e mode or with CR0.PE clear", SEC4),
	CASE(LONG, ext_intr_if_clear, "RFLAGS.IF clear while injecting an external interrupt",
	     SEC4),
	/* 27.3.1.5 non-register state */
	CASE(LONG, activity5, "activity state not 0-3", SEC5),
	CASE(LONG, hlt_unsupported, "activity state not supported by this CPU", SEC5),
	CASE(LONG, hlt_ok, NULL, NULL),
	CASE(V86, v86_hlt, "HLT activity state with SS.DPL != 0", SEC5),
	CASE(LONG, hlt_sti, "activity state not active with STI or MOV-SS blocking", SEC5),
	CASE(LONG, hlt_inject_pf, "injected event not allowed in this activity state", SEC5),
	CASE(LONG, hlt_inject_intr, NULL, NULL),
	CASE(LONG, shutdown_inject_nmi, NULL, NULL),
	CASE(LONG, sipi_inject, "injected event not allowed in this activity state", SEC5),
	CASE(LONG, intr_rsvd, "interruptibility-state reserved bits set", SEC5),
	CASE(LONG, sti_and_movss, "blocking by STI and by MOV-SS both set", SEC5),
	CASE(LONG, sti_if_clear, "blocking by STI with RFLAGS.IF clear", SEC5),
	CASE(LONG, ext_intr_sti, "external interrupt injected while blocked by STI or MOV-SS",
	     SEC5),
	CASE(LONG, nmi_movss, "NMI injected while blocked by STI or MOV-SS", SEC5),
	CASE(LONG, smi_blocked, "blocking by SMI set outside SMM", SEC5),
	CASE(LONG, vnmi_blocked, "NMI injected with virtual-NMI blocking set", SEC5),
	CASE(LONG, nmi_blocked_ok, NULL, NULL),
	CASE(LONG, pdbg_rsvd, "pending debug exceptions reserved bits set", SEC5),
	CASE(LONG, pdbg_bs_missing, "pending BS inconsistent with RFLAGS.TF and DEBUGCTL.BTF",
	     SEC5),
	CASE(LONG, pdbg_bs_ok, NULL, NULL),
	CASE(LONG, pdbg_bs_stray, "pending BS inconsistent with RFLAGS.TF and DEBUGCTL.BTF",
	     SEC5),
	CASE(LONG, link_zero, "VMCS link pointer not FFFFFFFF_FFFFFFFFH", SEC5),
	CASE(LONG, link_shadow_misaligned, "VMCS link pointer not 4-KByte aligned", SEC5),
	CASE(LONG, link_shadow_high, "VMCS link pointer beyond MAXPHYADDR", SEC5),
	CASE(LONG, link_shadow_ok, NULL, NULL),
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void test_breakage(void **state)
{
	const struct breakage *b = *state;
	struct vmx_guest_state g;
	struct vmx_check_result r;
	enum err e;

	build(&g, b->base);
	expect_ok(&g);
	b->mutate(&g);
	e = vmx_check_guest_state(&g, &r);
	if (!b->rule) {
		if (e != E_OK)
			fail_msg("valid variation rejected: \"%s\" (%s): %s", r.rule, r.section,
				 r.detail);
		return;
	}
	assert_int_equal(e, E_INVAL);
	assert_non_null(r.rule);
	if (strcmp(r.rule, b->rule) != 0)
		fail_msg("expected \"%s\", got \"%s\" (%s)", b->rule, r.rule, r.detail);
	assert_string_equal(r.section, b->section);
	assert_true(strlen(r.detail) > 0);
}

static void test_v86_base_ok(void **state)
{
	struct vmx_guest_state g;

	build(&g, V86);
	expect_ok(&g);
}

static const struct CMUnitTest fixed_tests[] = {
	cmocka_unit_test(test_long_mode_ok),
	cmocka_unit_test(test_protected32_ok),
	cmocka_unit_test(test_real_mode_ok),
	cmocka_unit_test(test_v86_base_ok),
	cmocka_unit_test(test_no_unrestricted_guest),
	cmocka_unit_test(test_null_args),
	cmocka_unit_test(test_detail_names_values),
};

#define NFIXED (sizeof(fixed_tests) / sizeof(fixed_tests[0]))

int main(void)
{
	static struct CMUnitTest tests[NFIXED + NCASES];
	size_t i;

	for (i = 0; i < NFIXED; i++)
		tests[i] = fixed_tests[i];
	for (i = 0; i < NCASES; i++)
		tests[NFIXED + i] = (struct CMUnitTest){
			.name = cases[i].name,
			.test_func = test_breakage,
			.initial_state = (void *)&cases[i],
		};
	return _cmocka_run_group_tests("guest_check", tests, NFIXED + NCASES, group_setup, NULL);
}
