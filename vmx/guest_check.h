/* SPDX-License-Identifier: MIT */
/*
 * The guest-state checker: a pure-C replay of the VM-entry checks on the
 * guest-state area (SDM Vol. 3C 27.3.1) that names the first rule a guest
 * state breaks, plus builders of known-good 64-bit, 32-bit protected-mode
 * and real-mode guest states.
 */
#ifndef VIREO_VMX_GUEST_CHECK_H
#define VIREO_VMX_GUEST_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/error.h"
#include "vmx/caps.h"

/* Segment access-rights bits as held in the VMCS (SDM 3C 25.4.1, Table 25-2). */
#define VMX_AR_TYPE_MASK 0xfu
#define VMX_AR_S (1u << 4)
#define VMX_AR_DPL_SHIFT 5
#define VMX_AR_DPL_MASK 0x3u
#define VMX_AR_P (1u << 7)
#define VMX_AR_AVL (1u << 12)
#define VMX_AR_L (1u << 13)
#define VMX_AR_DB (1u << 14)
#define VMX_AR_G (1u << 15)
#define VMX_AR_UNUSABLE (1u << 16)

/* Activity states (SDM 3C 25.4.2, Table 25-3). */
#define VMX_ACTIVITY_ACTIVE 0u
#define VMX_ACTIVITY_HLT 1u
#define VMX_ACTIVITY_SHUTDOWN 2u
#define VMX_ACTIVITY_WAIT_SIPI 3u

/* Interruptibility state (SDM 3C 25.4.2, Table 25-3). */
#define VMX_INTR_BLOCK_STI (1u << 0)
#define VMX_INTR_BLOCK_MOV_SS (1u << 1)
#define VMX_INTR_BLOCK_SMI (1u << 2)
#define VMX_INTR_BLOCK_NMI (1u << 3)
#define VMX_INTR_ENCLAVE (1u << 4)

/* VM-entry interruption-information field (SDM 3C 25.8.3, Table 25-17). */
#define VMX_INTR_INFO_VECTOR_MASK 0xffu
#define VMX_INTR_INFO_TYPE_SHIFT 8
#define VMX_INTR_INFO_TYPE_MASK 0x7u
#define VMX_INTR_INFO_DELIVER_ERROR (1u << 11)
#define VMX_INTR_INFO_VALID (1u << 31)
#define VMX_INTR_TYPE_EXT_INTR 0u
#define VMX_INTR_TYPE_NMI 2u
#define VMX_INTR_TYPE_HW_EXCEPTION 3u
#define VMX_INTR_TYPE_SW_INTR 4u
#define VMX_INTR_TYPE_PRIV_SW_EXCEPTION 5u
#define VMX_INTR_TYPE_SW_EXCEPTION 6u
#define VMX_INTR_TYPE_OTHER 7u

/* The VMCS link pointer value meaning "no link VMCS" (SDM 3C 25.4.2). */
#define VMX_LINK_POINTER_NONE 0xffffffffffffffffull

/*
 * Widths assumed when maxphyaddr / linaddr_width are 0: 36 is the smallest
 * physical-address width of a processor with CPUID.80000008H (SDM 3A 4.1.4),
 * and 48 the linear-address width without 5-level paging.
 */
#define VMX_GUEST_DEFAULT_MAXPHYADDR 36u
#define VMX_GUEST_DEFAULT_LINADDR_WIDTH 48u

/*
 * One segment register as in the VMCS guest-state area. ar: type 3:0, S 4,
 * DPL 6:5, P 7, AVL 12, L 13, D/B 14, G 15, unusable 16.
 */
struct vmx_seg {
	uint16_t sel;
	uint64_t base;
	uint32_t limit;
	uint32_t ar;
};

/*
 * Everything the VM-entry guest-state checks look at: the guest-state fields,
 * the VM-execution and VM-entry controls they depend on, and the processor's
 * limits. Whether IA32_EFER, IA32_PAT and the debug controls are loaded is
 * read from entry_ctls (VMX_ENTRY_LOAD_EFER, _LOAD_PAT, _LOAD_DEBUG_CTLS).
 * proc2_ctls is the effective secondary control field: 0 when the primary
 * "activate secondary controls" bit is 0.
 */
struct vmx_guest_state {
	uint64_t cr0, cr3, cr4, dr7, rsp, rip, rflags;
	uint64_t efer, pat, debugctl, sysenter_esp, sysenter_eip;
	uint64_t link_pointer, pending_dbg;
	uint32_t sysenter_cs, activity, interruptibility;
	struct vmx_seg es, cs, ss, ds, fs, gs, ldtr, tr;
	uint64_t gdtr_base, idtr_base;
	uint32_t gdtr_limit, idtr_limit;

	uint32_t entry_ctls, proc2_ctls, pin_ctls;
	uint32_t entry_intr_info; /* VM-entry interruption information */

	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1; /* SDM 3D A.7, A.8 */
	uint64_t vmx_misc;      /* IA32_VMX_MISC: activity states supported (SDM 3D A.6) */
	uint32_t maxphyaddr;    /* CPUID.80000008H:EAX[7:0]; 0: the default above */
	uint32_t linaddr_width; /* CPUID.80000008H:EAX[15:8]; 0: the default above */
};

/* The first rule a guest state breaks. */
struct vmx_check_result {
	const char *rule;    /* short name, e.g. "CS.L and CS.D both set in IA-32e mode" */
	const char *section; /* e.g. "SDM 3C 27.3.1.2" */
	char detail[160];    /* the values seen */
};

/*
 * Check g against the VM-entry checks on the guest-state area (SDM 3C
 * 27.3.1.1-27.3.1.5, in the SDM's order except that RIP and RFLAGS (27.3.1.4)
 * come before the segment checks, as RFLAGS.VM decides which of those apply,
 * so a bad RFLAGS.VM is named as such). E_OK: every modelled check holds
 * (r->rule is NULL). E_INVAL: r names the first rule broken, its section and
 * the values seen. Not modelled: the PDPTE checks of 27.3.1.6 (they read guest
 * memory), CET/PKRS/LBR/BNDCFGS/RTIT/perf-global state, and the link VMCS's
 * revision identifier.
 */
enum err vmx_check_guest_state(const struct vmx_guest_state *g, struct vmx_check_result *r);

/*
 * Known-good guest states built from this CPU's capabilities. Each fills
 * every field: the fixed-bit MSRs, IA32_VMX_MISC, pin controls = their
 * allowed-0 bits, entry controls = allowed-0 bits plus "load debug controls",
 * "load IA32_EFER" and "load IA32_PAT" where allowed. The caller then sets
 * CR3, RIP, RSP, the GDTR/IDTR/TR bases and limits to its guest's layout,
 * maxphyaddr and linaddr_width from CPUID.80000008H, and proc2_ctls / pin_ctls
 * / entry_ctls to the values it writes to the VMCS.
 *
 * Long mode: CR0 PE|PG|NE|ET, CR4 PAE, EFER LME|LMA, "IA-32e mode guest",
 * CS 0x08 (L=1), flat data segments 0x10, TR 0x18 (busy 64-bit TSS, type
 * 11), LDTR unusable, RFLAGS 0x2, link pointer all ones.
 */
void vmx_guest_state_init_long_mode(struct vmx_guest_state *g, const struct vmx_caps *caps);
/*
 * Flat 32-bit protected mode with paging off: CS 0x08 (D=1), data 0x10,
 * TR 0x18 (busy 32-bit TSS). Needs unrestricted guest (CR0.PG=0), so
 * proc2_ctls gets "unrestricted guest" and "enable EPT". E_NOTSUP when caps
 * does not offer both; g is filled either way.
 */
enum err vmx_guest_state_init_protected32(struct vmx_guest_state *g,
					  const struct vmx_caps *caps);
/*
 * Real mode: CR0.PE=PG=0, all selectors 0 with base = selector << 4 and
 * limit 0xffff, data AR 0x93, CS AR 0x9b, TR busy 32-bit TSS. Needs
 * unrestricted guest like vmx_guest_state_init_protected32().
 */
enum err vmx_guest_state_init_real_mode(struct vmx_guest_state *g, const struct vmx_caps *caps);

#endif
