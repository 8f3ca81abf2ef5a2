/* SPDX-License-Identifier: MIT */
/*
 * VMX capabilities: every IA32_VMX_* capability MSR read once per CPU into
 * struct vmx_caps and decoded there (SDM Vol. 3D Appendix A, "VMX Capability
 * Reporting Facility"), the VM-execution/exit/entry control bit names, the
 * control-adjust arithmetic, and the boot-time capability report.
 */
#ifndef VIREO_VMX_CAPS_H
#define VIREO_VMX_CAPS_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/error.h"

/* Capability MSR indices (SDM Vol. 4 Table 2-2; Vol. 3D A.1-A.11). */
#define MSR_IA32_VMX_BASIC 0x480
#define MSR_IA32_VMX_PINBASED_CTLS 0x481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_EXIT_CTLS 0x483
#define MSR_IA32_VMX_ENTRY_CTLS 0x484
#define MSR_IA32_VMX_MISC 0x485
#define MSR_IA32_VMX_CR0_FIXED0 0x486
#define MSR_IA32_VMX_CR0_FIXED1 0x487
#define MSR_IA32_VMX_CR4_FIXED0 0x488
#define MSR_IA32_VMX_CR4_FIXED1 0x489
#define MSR_IA32_VMX_VMCS_ENUM 0x48a
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490
#define MSR_IA32_VMX_VMFUNC 0x491

/* IA32_VMX_BASIC fields (SDM 3D A.1). */
#define VMX_BASIC_REVISION_MASK 0x7fffffffull
#define VMX_BASIC_SIZE_SHIFT 32
#define VMX_BASIC_SIZE_MASK 0x1fffull
#define VMX_BASIC_ADDR32 (1ull << 48)
#define VMX_BASIC_DUAL_MONITOR (1ull << 49)
#define VMX_BASIC_MEMTYPE_SHIFT 50
#define VMX_BASIC_MEMTYPE_MASK 0xfull
#define VMX_BASIC_INS_OUTS_INFO (1ull << 54)
#define VMX_BASIC_TRUE_CTLS (1ull << 55)
#define VMX_BASIC_ENTRY_ERRCODE_ANY (1ull << 56)
#define VMX_MEMTYPE_UC 0
#define VMX_MEMTYPE_WB 6
#define VMX_REGION_MAX_SIZE 4096u

/* Pin-based VM-execution controls (SDM 3C 25.6.1, Table 25-5). */
#define VMX_PIN_EXT_INTR_EXITING (1u << 0)
#define VMX_PIN_NMI_EXITING (1u << 3)
#define VMX_PIN_VIRTUAL_NMIS (1u << 5)
#define VMX_PIN_PREEMPTION_TIMER (1u << 6)
#define VMX_PIN_POSTED_INTR (1u << 7)

/* Primary processor-based VM-execution controls (SDM 3C 25.6.2, Table 25-6). */
#define VMX_PROC_INTR_WINDOW_EXITING (1u << 2)
#define VMX_PROC_TSC_OFFSETTING (1u << 3)
#define VMX_PROC_HLT_EXITING (1u << 7)
#define VMX_PROC_INVLPG_EXITING (1u << 9)
#define VMX_PROC_MWAIT_EXITING (1u << 10)
#define VMX_PROC_RDPMC_EXITING (1u << 11)
#define VMX_PROC_RDTSC_EXITING (1u << 12)
#define VMX_PROC_CR3_LOAD_EXITING (1u << 15)
#define VMX_PROC_CR3_STORE_EXITING (1u << 16)
#define VMX_PROC_TERTIARY_CTLS (1u << 17)
#define VMX_PROC_CR8_LOAD_EXITING (1u << 19)
#define VMX_PROC_CR8_STORE_EXITING (1u << 20)
#define VMX_PROC_TPR_SHADOW (1u << 21)
#define VMX_PROC_NMI_WINDOW_EXITING (1u << 22)
#define VMX_PROC_MOV_DR_EXITING (1u << 23)
#define VMX_PROC_UNCOND_IO_EXITING (1u << 24)
#define VMX_PROC_IO_BITMAPS (1u << 25)
#define VMX_PROC_MONITOR_TRAP_FLAG (1u << 27)
#define VMX_PROC_MSR_BITMAPS (1u << 28)
#define VMX_PROC_MONITOR_EXITING (1u << 29)
#define VMX_PROC_PAUSE_EXITING (1u << 30)
#define VMX_PROC_SECONDARY_CTLS (1u << 31)

/* Secondary processor-based VM-execution controls (SDM 3C 25.6.2, Table 25-7). */
#define VMX_PROC2_VIRT_APIC_ACCESSES (1u << 0)
#define VMX_PROC2_EPT (1u << 1)
#define VMX_PROC2_DESC_TABLE_EXITING (1u << 2)
#define VMX_PROC2_RDTSCP (1u << 3)
#define VMX_PROC2_VIRT_X2APIC (1u << 4)
#define VMX_PROC2_VPID (1u << 5)
#define VMX_PROC2_WBINVD_EXITING (1u << 6)
#define VMX_PROC2_UNRESTRICTED_GUEST (1u << 7)
#define VMX_PROC2_APIC_REG_VIRT (1u << 8)
#define VMX_PROC2_VIRT_INTR_DELIVERY (1u << 9)
#define VMX_PROC2_PAUSE_LOOP_EXITING (1u << 10)
#define VMX_PROC2_RDRAND_EXITING (1u << 11)
#define VMX_PROC2_INVPCID (1u << 12)
#define VMX_PROC2_VMFUNC (1u << 13)
#define VMX_PROC2_VMCS_SHADOWING (1u << 14)
#define VMX_PROC2_RDSEED_EXITING (1u << 16)
#define VMX_PROC2_PML (1u << 17)
#define VMX_PROC2_EPT_VE (1u << 18)
#define VMX_PROC2_XSAVES (1u << 20)
#define VMX_PROC2_TSC_SCALING (1u << 25)

/* Primary VM-exit controls (SDM 3C 25.7.1). */
#define VMX_EXIT_SAVE_DEBUG_CTLS (1u << 2)
#define VMX_EXIT_HOST_ADDR_SPACE_SIZE (1u << 9)
#define VMX_EXIT_LOAD_PERF_GLOBAL_CTRL (1u << 12)
#define VMX_EXIT_ACK_INTR_ON_EXIT (1u << 15)
#define VMX_EXIT_SAVE_PAT (1u << 18)
#define VMX_EXIT_LOAD_PAT (1u << 19)
#define VMX_EXIT_SAVE_EFER (1u << 20)
#define VMX_EXIT_LOAD_EFER (1u << 21)
#define VMX_EXIT_SAVE_PREEMPTION_TIMER (1u << 22)

/* VM-entry controls (SDM 3C 25.8.1). */
#define VMX_ENTRY_LOAD_DEBUG_CTLS (1u << 2)
#define VMX_ENTRY_IA32E_MODE_GUEST (1u << 9)
#define VMX_ENTRY_TO_SMM (1u << 10)
#define VMX_ENTRY_DEACT_DUAL_MONITOR (1u << 11)
#define VMX_ENTRY_LOAD_PERF_GLOBAL_CTRL (1u << 13)
#define VMX_ENTRY_LOAD_PAT (1u << 14)
#define VMX_ENTRY_LOAD_EFER (1u << 15)

/* IA32_VMX_MISC (SDM 3D A.6). */
#define VMX_MISC_PREEMPTION_SHIFT_MASK 0x1full
#define VMX_MISC_STORE_LMA (1ull << 5)
#define VMX_MISC_ACT_HLT (1ull << 6)
#define VMX_MISC_ACT_SHUTDOWN (1ull << 7)
#define VMX_MISC_ACT_WAIT_SIPI (1ull << 8)
#define VMX_MISC_PT_IN_VMX (1ull << 14)
#define VMX_MISC_SMBASE_READ (1ull << 15)
#define VMX_MISC_CR3_TARGETS_SHIFT 16
#define VMX_MISC_CR3_TARGETS_MASK 0x1ffull
#define VMX_MISC_MSR_LIST_SHIFT 25
#define VMX_MISC_MSR_LIST_MASK 0x7ull
#define VMX_MISC_MSR_LIST_UNIT 512u
#define VMX_MISC_SMM_MONITOR_CTL_B2 (1ull << 28)
#define VMX_MISC_VMWRITE_ANY (1ull << 29)
#define VMX_MISC_INJECT_LEN0 (1ull << 30)
#define VMX_MISC_MSEG_SHIFT 32

/* IA32_VMX_VMCS_ENUM (SDM 3D A.9). */
#define VMX_VMCS_ENUM_INDEX_SHIFT 1
#define VMX_VMCS_ENUM_INDEX_MASK 0x1ffull

/* IA32_VMX_EPT_VPID_CAP (SDM 3D A.10). */
#define VMX_EPT_EXEC_ONLY (1ull << 0)
#define VMX_EPT_WALK_4 (1ull << 6)
#define VMX_EPT_WALK_5 (1ull << 7)
#define VMX_EPT_MEMTYPE_UC (1ull << 8)
#define VMX_EPT_MEMTYPE_WB (1ull << 14)
#define VMX_EPT_PAGE_2M (1ull << 16)
#define VMX_EPT_PAGE_1G (1ull << 17)
#define VMX_EPT_INVEPT (1ull << 20)
#define VMX_EPT_AD_BITS (1ull << 21)
#define VMX_EPT_ADV_EXIT_INFO (1ull << 22)
#define VMX_EPT_SSS (1ull << 23)
#define VMX_EPT_INVEPT_SINGLE (1ull << 25)
#define VMX_EPT_INVEPT_ALL (1ull << 26)
#define VMX_VPID_INVVPID (1ull << 32)
#define VMX_VPID_INVVPID_ADDR (1ull << 40)
#define VMX_VPID_INVVPID_SINGLE (1ull << 41)
#define VMX_VPID_INVVPID_ALL (1ull << 42)
#define VMX_VPID_INVVPID_SINGLE_GLOBALS (1ull << 43)

/* IA32_VMX_VMFUNC (SDM 3D A.11). */
#define VMX_VMFUNC_EPTP_SWITCHING (1ull << 0)

/* The five control fields, in the order of struct vmx_caps.ctl[]. */
enum vmx_ctl_kind {
	VMX_CTL_PIN,
	VMX_CTL_PROC,
	VMX_CTL_PROC2,
	VMX_CTL_EXIT,
	VMX_CTL_ENTRY,
	VMX_CTL_KINDS
};

/* The capability MSRs exactly as read; 0 for those not read. */
struct vmx_caps_msrs {
	uint64_t basic;
	uint64_t pinbased;
	uint64_t procbased;
	uint64_t exit;
	uint64_t entry;
	uint64_t misc;
	uint64_t cr0_fixed0;
	uint64_t cr0_fixed1;
	uint64_t cr4_fixed0;
	uint64_t cr4_fixed1;
	uint64_t vmcs_enum;
	uint64_t procbased2;
	uint64_t ept_vpid_cap;
	uint64_t true_pinbased;
	uint64_t true_procbased;
	uint64_t true_exit;
	uint64_t true_entry;
	uint64_t vmfunc;
};

/*
 * One control field's capability (SDM 3D A.3-A.5, A.8.1): msr is the MSR the
 * field is adjusted against (the TRUE_* variant when BASIC bit 55 is set),
 * allowed0 its low half (a 1 bit: the control must be 1) and allowed1 its
 * high half (a 1 bit: the control may be 1).
 */
struct vmx_ctl_caps {
	uint64_t msr;
	uint32_t allowed0;
	uint32_t allowed1;
};

struct vmx_ept_caps {
	bool exec_only;
	bool walk4;
	bool walk5;
	bool memtype_uc;
	bool memtype_wb;
	bool pages_2m;
	bool pages_1g;
	bool invept;
	bool invept_single;
	bool invept_all;
	bool ad_bits;
	bool adv_exit_info;
};

struct vmx_vpid_caps {
	bool invvpid;
	bool invvpid_addr;
	bool invvpid_single;
	bool invvpid_all;
	bool invvpid_single_globals;
};

struct vmx_misc_caps {
	uint8_t preemption_shift; /* the timer counts down when TSC bit N changes */
	bool store_lma;           /* exits save EFER.LMA in "IA-32e mode guest" */
	bool act_hlt;
	bool act_shutdown;
	bool act_wait_sipi;
	bool pt_in_vmx;
	bool smbase_read;
	uint16_t cr3_targets;
	uint32_t max_msr_list; /* recommended maximum entries per MSR list */
	bool smm_monitor_ctl_b2;
	bool vmwrite_any;  /* VMWRITE may write VM-exit information fields */
	bool inject_len0;  /* software events may be injected with length 0 */
	uint32_t mseg_revision;
};

/* The features later code asks about, each usable as reported. */
struct vmx_features {
	bool secondary_ctls;
	bool ept;
	bool vpid;
	bool unrestricted_guest;
	bool preemption_timer;
	bool msr_bitmaps;
	bool io_bitmaps;
	bool hlt_exiting;
	bool true_ctls;
	bool ept_wb_4level;
	bool ept_2m;
	bool ept_1g;
	bool ept_ad;
	bool invept_single;
	bool invept_all;
	bool invvpid;
	bool vmfunc;
};

struct vmx_caps {
	bool present; /* CPUID.1:ECX.VMX; nothing else is valid without it */
	struct vmx_caps_msrs msr;

	/* IA32_VMX_BASIC (SDM 3D A.1) */
	uint32_t revision_id;
	uint32_t region_size;
	uint8_t mem_type;
	bool addr_32bit;
	bool dual_monitor;
	bool ins_outs_info;
	bool true_ctls;
	bool entry_errcode_any;

	struct vmx_ctl_caps ctl[VMX_CTL_KINDS];
	struct vmx_misc_caps misc;
	uint16_t vmcs_max_index; /* IA32_VMX_VMCS_ENUM bits 9:1 (SDM 3D A.9) */
	struct vmx_ept_caps ept;
	struct vmx_vpid_caps vpid;
	uint64_t vmfunc; /* allowed VM functions (SDM 3D A.11) */
	struct vmx_features has;
};

/*
 * Read every capability MSR this CPU reports and decode them. Safe on a CPU
 * without VMX: it checks CPUID.1:ECX.VMX first and leaves c->present false.
 * Conditional MSRs are read only when reported (SDM 3D A.3.1, A.3.3, A.10,
 * A.11); the others stay 0.
 */
void vmx_caps_read(struct vmx_caps *c);
/* Derive every decoded field from c->present and c->msr (pure). */
void vmx_caps_decode(struct vmx_caps *c);

/*
 * Adjust a control field to what cap_msr allows (SDM 3D A.3-A.5): the result
 * is requested | (optional & allowed-1) | allowed-0. A requested bit that is
 * not allowed to be 1 gives E_NOTSUP, and an MSR that requires a bit it does
 * not allow gives E_MALFORMED; then *failed_bit_name (if not NULL) names the
 * lowest such bit from bit_names (which may be NULL or hold NULL entries) and
 * *out is left unchanged.
 */
enum err vmx_adjust_controls(uint64_t cap_msr, uint32_t requested, uint32_t optional,
			     uint32_t *out, const char *const *bit_names,
			     const char **failed_bit_name);
/* vmx_adjust_controls() against this CPU's field of that kind, with its names. */
enum err vmx_caps_adjust(const struct vmx_caps *c, enum vmx_ctl_kind kind, uint32_t requested,
			 uint32_t optional, uint32_t *out, const char **failed_bit_name);

/* Control bit names, 32 entries each, NULL for reserved bits. */
extern const char *const vmx_pin_ctl_names[32];
extern const char *const vmx_proc_ctl_names[32];
extern const char *const vmx_proc2_ctl_names[32];
extern const char *const vmx_exit_ctl_names[32];
extern const char *const vmx_entry_ctl_names[32];
const char *const *vmx_ctl_names(enum vmx_ctl_kind kind);
/* "pin-based", "primary processor-based", ... */
const char *vmx_ctl_kind_name(enum vmx_ctl_kind kind);
/* names[bit] if it has a name, else "bit N". */
const char *vmx_bit_label(const char *const *names, unsigned int bit);

/* Boot line(s): "VMX rev 0x2b: EPT yes, VPID yes, ...". */
void vmx_caps_print_short(const struct vmx_caps *c);
/* Every decoded field and every control's must-be-1 / may-be-1 bits by name. */
void vmx_caps_print_full(const struct vmx_caps *c);
/* True when both CPUs report the same capability MSRs. */
bool vmx_caps_equal(const struct vmx_caps *a, const struct vmx_caps *b);
/* Print each MSR that differs between cpu_a and cpu_b; returns how many differ. */
unsigned int vmx_caps_print_diff(const struct vmx_caps *a, uint32_t cpu_a,
				 const struct vmx_caps *b, uint32_t cpu_b);

#endif
