/* SPDX-License-Identifier: MIT */
/*
 * The VMCS: every field encoding of the SDM (Vol. 3D Appendix B) as a named
 * constant, the encoding-bit helpers (SDM 3C 25.11.2), checked VMCLEAR /
 * VMPTRLD / VMPTRST / VMREAD / VMWRITE wrappers that name the field and the
 * VM-instruction error on failure, vmcs_dump(), and VMCS region allocation.
 */
#ifndef VIREO_VMX_VMCS_H
#define VIREO_VMX_VMCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/error.h"

/*
 * Every VMCS field, X(name, encoding), grouped as in SDM 3D Appendix B. The
 * constant is VMCS_<name>; vmcs_field_name() returns "<name>". Names start
 * with GUEST_ exactly for guest-state fields and HOST_ for host-state fields;
 * read-only VM-exit information fields start with EXIT_, IDT_VECTORING_,
 * VM_INSTRUCTION_ERROR or ORIGINAL_EVENT_DATA. Only the full encoding of each
 * 64-bit field is listed; VMCS_HIGH() gives the high half's encoding.
 */
#define VMCS_FIELD_LIST(X)                                                              \
	/* B.1.1 16-bit control fields */                                               \
	X(VPID, 0x0000)                                                                 \
	X(POSTED_INTR_NOTIFY_VECTOR, 0x0002)                                            \
	X(EPTP_INDEX, 0x0004)                                                           \
	X(HLAT_PREFIX_SIZE, 0x0006)                                                     \
	X(LAST_PID_POINTER_INDEX, 0x0008)                                               \
	/* B.1.2 16-bit guest-state fields */                                           \
	X(GUEST_ES_SELECTOR, 0x0800)                                                    \
	X(GUEST_CS_SELECTOR, 0x0802)                                                    \
	X(GUEST_SS_SELECTOR, 0x0804)                                                    \
	X(GUEST_DS_SELECTOR, 0x0806)                                                    \
	X(GUEST_FS_SELECTOR, 0x0808)                                                    \
	X(GUEST_GS_SELECTOR, 0x080a)                                                    \
	X(GUEST_LDTR_SELECTOR, 0x080c)                                                  \
	X(GUEST_TR_SELECTOR, 0x080e)                                                    \
	X(GUEST_INTR_STATUS, 0x0810)                                                    \
	X(GUEST_PML_INDEX, 0x0812)                                                      \
	X(GUEST_UINV, 0x0814)                                                           \
	/* B.1.3 16-bit host-state fields */                                            \
	X(HOST_ES_SELECTOR, 0x0c00)                                                     \
	X(HOST_CS_SELECTOR, 0x0c02)                                                     \
	X(HOST_SS_SELECTOR, 0x0c04)                                                     \
	X(HOST_DS_SELECTOR, 0x0c06)                                                     \
	X(HOST_FS_SELECTOR, 0x0c08)                                                     \
	X(HOST_GS_SELECTOR, 0x0c0a)                                                     \
	X(HOST_TR_SELECTOR, 0x0c0c)                                                     \
	/* B.2.1 64-bit control fields */                                               \
	X(IO_BITMAP_A, 0x2000)                                                          \
	X(IO_BITMAP_B, 0x2002)                                                          \
	X(MSR_BITMAP, 0x2004)                                                           \
	X(VM_EXIT_MSR_STORE_ADDR, 0x2006)                                               \
	X(VM_EXIT_MSR_LOAD_ADDR, 0x2008)                                                \
	X(VM_ENTRY_MSR_LOAD_ADDR, 0x200a)                                               \
	X(EXECUTIVE_VMCS_POINTER, 0x200c)                                               \
	X(PML_ADDR, 0x200e)                                                             \
	X(TSC_OFFSET, 0x2010)                                                           \
	X(VIRTUAL_APIC_ADDR, 0x2012)                                                    \
	X(APIC_ACCESS_ADDR, 0x2014)                                                     \
	X(POSTED_INTR_DESC_ADDR, 0x2016)                                                \
	X(VM_FUNCTION_CONTROLS, 0x2018)                                                 \
	X(EPT_POINTER, 0x201a)                                                          \
	X(EOI_EXIT_BITMAP0, 0x201c)                                                     \
	X(EOI_EXIT_BITMAP1, 0x201e)                                                     \
	X(EOI_EXIT_BITMAP2, 0x2020)                                                     \
	X(EOI_EXIT_BITMAP3, 0x2022)                                                     \
	X(EPTP_LIST_ADDR, 0x2024)                                                       \
	X(VMREAD_BITMAP_ADDR, 0x2026)                                                   \
	X(VMWRITE_BITMAP_ADDR, 0x2028)                                                  \
	X(VE_INFO_ADDR, 0x202a)                                                         \
	X(XSS_EXITING_BITMAP, 0x202c)                                                   \
	X(ENCLS_EXITING_BITMAP, 0x202e)                                                 \
	X(SPP_TABLE_POINTER, 0x2030)                                                    \
	X(TSC_MULTIPLIER, 0x2032)                                                       \
	X(TERTIARY_PROC_CONTROLS, 0x2034)                                               \
	X(ENCLV_EXITING_BITMAP, 0x2036)                                                 \
	X(LOW_PASID_DIR_ADDR, 0x2038)                                                   \
	X(HIGH_PASID_DIR_ADDR, 0x203a)                                                  \
	X(SHARED_EPT_POINTER, 0x203c)                                                   \
	X(PCONFIG_EXITING_BITMAP, 0x203e)                                               \
	X(HLAT_POINTER, 0x2040)                                                         \
	X(PID_POINTER_TABLE_ADDR, 0x2042)                                               \
	X(SECONDARY_VM_EXIT_CONTROLS, 0x2044)                                           \
	X(SPEC_CTRL_MASK, 0x204a)                                                       \
	X(SPEC_CTRL_SHADOW, 0x204c)                                                     \
	X(INJECTED_EVENT_DATA, 0x2052)                                                  \
	/* B.2.2 64-bit read-only data fields */                                        \
	X(EXIT_GUEST_PHYSICAL_ADDR, 0x2400)                                             \
	X(ORIGINAL_EVENT_DATA, 0x2404)                                                  \
	/* B.2.3 64-bit guest-state fields */                                           \
	X(GUEST_LINK_POINTER, 0x2800)                                                   \
	X(GUEST_IA32_DEBUGCTL, 0x2802)                                                  \
	X(GUEST_IA32_PAT, 0x2804)                                                       \
	X(GUEST_IA32_EFER, 0x2806)                                                      \
	X(GUEST_IA32_PERF_GLOBAL_CTRL, 0x2808)                                          \
	X(GUEST_PDPTE0, 0x280a)                                                         \
	X(GUEST_PDPTE1, 0x280c)                                                         \
	X(GUEST_PDPTE2, 0x280e)                                                         \
	X(GUEST_PDPTE3, 0x2810)                                                         \
	X(GUEST_IA32_BNDCFGS, 0x2812)                                                   \
	X(GUEST_IA32_RTIT_CTL, 0x2814)                                                  \
	X(GUEST_IA32_LBR_CTL, 0x2816)                                                   \
	X(GUEST_IA32_PKRS, 0x2818)                                                      \
	X(GUEST_IA32_FRED_CONFIG, 0x281a)                                               \
	X(GUEST_IA32_FRED_RSP1, 0x281c)                                                 \
	X(GUEST_IA32_FRED_RSP2, 0x281e)                                                 \
	X(GUEST_IA32_FRED_RSP3, 0x2820)                                                 \
	X(GUEST_IA32_FRED_STKLVLS, 0x2822)                                              \
	X(GUEST_IA32_FRED_SSP1, 0x2824)                                                 \
	X(GUEST_IA32_FRED_SSP2, 0x2826)                                                 \
	X(GUEST_IA32_FRED_SSP3, 0x2828)                                                 \
	/* B.2.4 64-bit host-state fields */                                            \
	X(HOST_IA32_PAT, 0x2c00)                                                        \
	X(HOST_IA32_EFER, 0x2c02)                                                       \
	X(HOST_IA32_PERF_GLOBAL_CTRL, 0x2c04)                                           \
	X(HOST_IA32_PKRS, 0x2c06)                                                       \
	X(HOST_IA32_FRED_CONFIG, 0x2c08)                                                \
	X(HOST_IA32_FRED_RSP1, 0x2c0a)                                                  \
	X(HOST_IA32_FRED_RSP2, 0x2c0c)                                                  \
	X(HOST_IA32_FRED_RSP3, 0x2c0e)                                                  \
	X(HOST_IA32_FRED_STKLVLS, 0x2c10)                                               \
	X(HOST_IA32_FRED_SSP1, 0x2c12)                                                  \
	X(HOST_IA32_FRED_SSP2, 0x2c14)                                                  \
	X(HOST_IA32_FRED_SSP3, 0x2c16)                                                  \
	/* B.3.1 32-bit control fields */                                               \
	X(PIN_BASED_CONTROLS, 0x4000)                                                   \
	X(PROC_BASED_CONTROLS, 0x4002)                                                  \
	X(EXCEPTION_BITMAP, 0x4004)                                                     \
	X(PF_ERROR_CODE_MASK, 0x4006)                                                   \
	X(PF_ERROR_CODE_MATCH, 0x4008)                                                  \
	X(CR3_TARGET_COUNT, 0x400a)                                                     \
	X(VM_EXIT_CONTROLS, 0x400c)                                                     \
	X(VM_EXIT_MSR_STORE_COUNT, 0x400e)                                              \
	X(VM_EXIT_MSR_LOAD_COUNT, 0x4010)                                               \
	X(VM_ENTRY_CONTROLS, 0x4012)                                                    \
	X(VM_ENTRY_MSR_LOAD_COUNT, 0x4014)                                              \
	X(VM_ENTRY_INTR_INFO, 0x4016)                                                   \
	X(VM_ENTRY_EXCEPTION_ERROR_CODE, 0x4018)                                        \
	X(VM_ENTRY_INSTRUCTION_LEN, 0x401a)                                             \
	X(TPR_THRESHOLD, 0x401c)                                                        \
	X(SECONDARY_PROC_CONTROLS, 0x401e)                                              \
	X(PLE_GAP, 0x4020)                                                              \
	X(PLE_WINDOW, 0x4022)                                                           \
	X(INSTRUCTION_TIMEOUT_CONTROL, 0x4024)                                          \
	/* B.3.2 32-bit read-only data fields */                                        \
	X(VM_INSTRUCTION_ERROR, 0x4400)                                                 \
	X(EXIT_REASON, 0x4402)                                                          \
	X(EXIT_INTR_INFO, 0x4404)                                                       \
	X(EXIT_INTR_ERROR_CODE, 0x4406)                                                 \
	X(IDT_VECTORING_INFO, 0x4408)                                                   \
	X(IDT_VECTORING_ERROR_CODE, 0x440a)                                             \
	X(EXIT_INSTRUCTION_LEN, 0x440c)                                                 \
	X(EXIT_INSTRUCTION_INFO, 0x440e)                                                \
	/* B.3.3 32-bit guest-state fields */                                           \
	X(GUEST_ES_LIMIT, 0x4800)                                                       \
	X(GUEST_CS_LIMIT, 0x4802)                                                       \
	X(GUEST_SS_LIMIT, 0x4804)                                                       \
	X(GUEST_DS_LIMIT, 0x4806)                                                       \
	X(GUEST_FS_LIMIT, 0x4808)                                                       \
	X(GUEST_GS_LIMIT, 0x480a)                                                       \
	X(GUEST_LDTR_LIMIT, 0x480c)                                                     \
	X(GUEST_TR_LIMIT, 0x480e)                                                       \
	X(GUEST_GDTR_LIMIT, 0x4810)                                                     \
	X(GUEST_IDTR_LIMIT, 0x4812)                                                     \
	X(GUEST_ES_AR, 0x4814)                                                          \
	X(GUEST_CS_AR, 0x4816)                                                          \
	X(GUEST_SS_AR, 0x4818)                                                          \
	X(GUEST_DS_AR, 0x481a)                                                          \
	X(GUEST_FS_AR, 0x481c)                                                          \
	X(GUEST_GS_AR, 0x481e)                                                          \
	X(GUEST_LDTR_AR, 0x4820)                                                        \
	X(GUEST_TR_AR, 0x4822)                                                          \
	X(GUEST_INTERRUPTIBILITY, 0x4824)                                               \
	X(GUEST_ACTIVITY_STATE, 0x4826)                                                 \
	X(GUEST_SMBASE, 0x4828)                                                         \
	X(GUEST_IA32_SYSENTER_CS, 0x482a)                                               \
	X(GUEST_PREEMPTION_TIMER, 0x482e)                                               \
	/* B.3.4 32-bit host-state field */                                             \
	X(HOST_IA32_SYSENTER_CS, 0x4c00)                                                \
	/* B.4.1 natural-width control fields */                                        \
	X(CR0_GUEST_HOST_MASK, 0x6000)                                                  \
	X(CR4_GUEST_HOST_MASK, 0x6002)                                                  \
	X(CR0_READ_SHADOW, 0x6004)                                                      \
	X(CR4_READ_SHADOW, 0x6006)                                                      \
	X(CR3_TARGET_VALUE0, 0x6008)                                                    \
	X(CR3_TARGET_VALUE1, 0x600a)                                                    \
	X(CR3_TARGET_VALUE2, 0x600c)                                                    \
	X(CR3_TARGET_VALUE3, 0x600e)                                                    \
	/* B.4.2 natural-width read-only data fields */                                 \
	X(EXIT_QUALIFICATION, 0x6400)                                                   \
	X(EXIT_IO_RCX, 0x6402)                                                          \
	X(EXIT_IO_RSI, 0x6404)                                                          \
	X(EXIT_IO_RDI, 0x6406)                                                          \
	X(EXIT_IO_RIP, 0x6408)                                                          \
	X(EXIT_GUEST_LINEAR_ADDR, 0x640a)                                               \
	/* B.4.3 natural-width guest-state fields */                                    \
	X(GUEST_CR0, 0x6800)                                                            \
	X(GUEST_CR3, 0x6802)                                                            \
	X(GUEST_CR4, 0x6804)                                                            \
	X(GUEST_ES_BASE, 0x6806)                                                        \
	X(GUEST_CS_BASE, 0x6808)                                                        \
	X(GUEST_SS_BASE, 0x680a)                                                        \
	X(GUEST_DS_BASE, 0x680c)                                                        \
	X(GUEST_FS_BASE, 0x680e)                                                        \
	X(GUEST_GS_BASE, 0x6810)                                                        \
	X(GUEST_LDTR_BASE, 0x6812)                                                      \
	X(GUEST_TR_BASE, 0x6814)                                                        \
	X(GUEST_GDTR_BASE, 0x6816)                                                      \
	X(GUEST_IDTR_BASE, 0x6818)                                                      \
	X(GUEST_DR7, 0x681a)                                                            \
	X(GUEST_RSP, 0x681c)                                                            \
	X(GUEST_RIP, 0x681e)                                                            \
	X(GUEST_RFLAGS, 0x6820)                                                         \
	X(GUEST_PENDING_DBG_EXCEPTIONS, 0x6822)                                         \
	X(GUEST_IA32_SYSENTER_ESP, 0x6824)                                              \
	X(GUEST_IA32_SYSENTER_EIP, 0x6826)                                              \
	X(GUEST_IA32_S_CET, 0x6828)                                                     \
	X(GUEST_SSP, 0x682a)                                                            \
	X(GUEST_IA32_INTR_SSP_TABLE_ADDR, 0x682c)                                       \
	/* B.4.4 natural-width host-state fields */                                     \
	X(HOST_CR0, 0x6c00)                                                             \
	X(HOST_CR3, 0x6c02)                                                             \
	X(HOST_CR4, 0x6c04)                                                             \
	X(HOST_FS_BASE, 0x6c06)                                                         \
	X(HOST_GS_BASE, 0x6c08)                                                         \
	X(HOST_TR_BASE, 0x6c0a)                                                         \
	X(HOST_GDTR_BASE, 0x6c0c)                                                       \
	X(HOST_IDTR_BASE, 0x6c0e)                                                       \
	X(HOST_IA32_SYSENTER_ESP, 0x6c10)                                               \
	X(HOST_IA32_SYSENTER_EIP, 0x6c12)                                               \
	X(HOST_RSP, 0x6c14)                                                             \
	X(HOST_RIP, 0x6c16)                                                             \
	X(HOST_IA32_S_CET, 0x6c18)                                                      \
	X(HOST_SSP, 0x6c1a)                                                             \
	X(HOST_IA32_INTR_SSP_TABLE_ADDR, 0x6c1c)

enum vmcs_field {
#define VMCS_FIELD_ENUM(name, enc) VMCS_##name = (enc),
	VMCS_FIELD_LIST(VMCS_FIELD_ENUM)
#undef VMCS_FIELD_ENUM
};

/* The SDM's name for GUEST_LINK_POINTER ("VMCS link pointer", SDM 3C 25.4.2). */
#define VMCS_LINK_POINTER VMCS_GUEST_LINK_POINTER

/* Encoding bits of a field (SDM 3C 25.11.2, Table 25-21). */
#define VMCS_ENC_HIGH 0x1u /* bit 0: access the high 32 bits of a 64-bit field */
#define VMCS_ENC_INDEX_SHIFT 1
#define VMCS_ENC_INDEX_MASK 0x1ffu /* bits 9:1 */
#define VMCS_ENC_TYPE_SHIFT 10
#define VMCS_ENC_TYPE_MASK 0x3u /* bits 11:10 */
#define VMCS_ENC_WIDTH_SHIFT 13
#define VMCS_ENC_WIDTH_MASK 0x3u /* bits 14:13 */
#define VMCS_ENC_RESERVED 0xffff9000u /* bit 12 and bits 31:15 must be 0 */

/* The encoding that reads or writes the high 32 bits of a 64-bit field. */
#define VMCS_HIGH(field) ((uint32_t)(field) | VMCS_ENC_HIGH)

enum vmcs_field_type {
	VMCS_TYPE_CONTROL = 0,
	VMCS_TYPE_READ_ONLY = 1, /* VM-exit information */
	VMCS_TYPE_GUEST = 2,
	VMCS_TYPE_HOST = 3,
};

enum vmcs_field_width {
	VMCS_WIDTH_16 = 0,
	VMCS_WIDTH_64 = 1,
	VMCS_WIDTH_32 = 2,
	VMCS_WIDTH_NATURAL = 3, /* 64 bits on a processor with Intel 64 */
};

static inline bool vmcs_field_is_high(uint32_t enc)
{
	return enc & VMCS_ENC_HIGH;
}

static inline unsigned int vmcs_field_index(uint32_t enc)
{
	return (enc >> VMCS_ENC_INDEX_SHIFT) & VMCS_ENC_INDEX_MASK;
}

static inline enum vmcs_field_type vmcs_field_type(uint32_t enc)
{
	return (enum vmcs_field_type)((enc >> VMCS_ENC_TYPE_SHIFT) & VMCS_ENC_TYPE_MASK);
}

static inline enum vmcs_field_width vmcs_field_width(uint32_t enc)
{
	return (enum vmcs_field_width)((enc >> VMCS_ENC_WIDTH_SHIFT) & VMCS_ENC_WIDTH_MASK);
}

/* Bits VMREAD returns / VMWRITE uses for this encoding (a HIGH access: 32). */
unsigned int vmcs_field_bits(uint32_t enc);
static inline unsigned int vmcs_field_bytes(uint32_t enc)
{
	return vmcs_field_bits(enc) / 8;
}

/* Reserved bits clear, and the high-access bit only on a 64-bit field. */
bool vmcs_encoding_valid(uint32_t enc);
/* "control", "read-only", "guest-state", "host-state". */
const char *vmcs_field_type_name(enum vmcs_field_type type);
/* "16-bit", "64-bit", "32-bit", "natural-width". */
const char *vmcs_field_width_name(enum vmcs_field_width width);

/* The field table (vmx/vmcs_fields.c): one entry per field, full encodings only. */
struct vmcs_field_info {
	uint32_t encoding;
	const char *name;
};

size_t vmcs_field_count(void);
/* Entry i (0 <= i < vmcs_field_count()), NULL past the end. */
const struct vmcs_field_info *vmcs_field_at(size_t i);
/* The entry for a full encoding, or NULL; a HIGH encoding finds its 64-bit field. */
const struct vmcs_field_info *vmcs_field_lookup(uint32_t enc);
/* The field's name without "VMCS_" (GUEST_RIP), or "unknown field" if not in the table. */
const char *vmcs_field_name(uint32_t enc);
/*
 * Writes "GUEST_RIP (0x681e)", "IO_BITMAP_A_HIGH (0x2001)" or
 * "unknown field 0x1234" into buf; returns buf. For messages.
 */
#define VMCS_FIELD_DESC_LEN 64
const char *vmcs_field_describe(uint32_t enc, char *buf, size_t len);

/*
 * VM-instruction error numbers (SDM 3C 31.4, Table 31-1), read from
 * VMCS_VM_INSTRUCTION_ERROR after a VMfailValid.
 */
#define VMX_INSN_ERROR_LIST(X)                                                          \
	X(VMX_INSN_ERR_VMCALL_IN_ROOT, 1, "VMCALL executed in VMX root operation")       \
	X(VMX_INSN_ERR_VMCLEAR_BAD_ADDR, 2, "VMCLEAR with invalid physical address")     \
	X(VMX_INSN_ERR_VMCLEAR_VMXON_PTR, 3, "VMCLEAR with VMXON pointer")                \
	X(VMX_INSN_ERR_VMLAUNCH_NOT_CLEAR, 4, "VMLAUNCH with non-clear VMCS")             \
	X(VMX_INSN_ERR_VMRESUME_NOT_LAUNCHED, 5, "VMRESUME with non-launched VMCS")       \
	X(VMX_INSN_ERR_VMRESUME_AFTER_VMXOFF, 6,                                         \
	  "VMRESUME after VMXOFF (VMXOFF and VMXON between VMLAUNCH and VMRESUME)")      \
	X(VMX_INSN_ERR_ENTRY_BAD_CONTROLS, 7, "VM entry with invalid control field(s)")  \
	X(VMX_INSN_ERR_ENTRY_BAD_HOST_STATE, 8, "VM entry with invalid host-state field(s)") \
	X(VMX_INSN_ERR_VMPTRLD_BAD_ADDR, 9, "VMPTRLD with invalid physical address")     \
	X(VMX_INSN_ERR_VMPTRLD_VMXON_PTR, 10, "VMPTRLD with VMXON pointer")               \
	X(VMX_INSN_ERR_VMPTRLD_BAD_REVISION, 11,                                         \
	  "VMPTRLD with incorrect VMCS revision identifier")                             \
	X(VMX_INSN_ERR_UNSUPPORTED_FIELD, 12,                                            \
	  "VMREAD/VMWRITE from/to unsupported VMCS component")                           \
	X(VMX_INSN_ERR_VMWRITE_READ_ONLY, 13, "VMWRITE to read-only VMCS component")      \
	X(VMX_INSN_ERR_VMXON_IN_ROOT, 15, "VMXON executed in VMX root operation")         \
	X(VMX_INSN_ERR_ENTRY_BAD_EXEC_VMCS_PTR, 16,                                      \
	  "VM entry with invalid executive-VMCS pointer")                                \
	X(VMX_INSN_ERR_ENTRY_EXEC_VMCS_NOT_LAUNCHED, 17,                                 \
	  "VM entry with non-launched executive VMCS")                                   \
	X(VMX_INSN_ERR_ENTRY_EXEC_VMCS_NOT_VMXON, 18,                                    \
	  "VM entry with executive-VMCS pointer not VMXON pointer "                      \
	  "(when deactivating the dual-monitor treatment)")                              \
	X(VMX_INSN_ERR_VMCALL_NOT_CLEAR, 19,                                             \
	  "VMCALL with non-clear VMCS (when activating the dual-monitor treatment)")     \
	X(VMX_INSN_ERR_VMCALL_BAD_EXIT_CONTROLS, 20, "VMCALL with invalid VM-exit control fields") \
	X(VMX_INSN_ERR_VMCALL_BAD_MSEG_REVISION, 22,                                     \
	  "VMCALL with incorrect MSEG revision identifier")                              \
	X(VMX_INSN_ERR_VMXOFF_DUAL_MONITOR, 23,                                          \
	  "VMXOFF under dual-monitor treatment of SMIs and SMM")                         \
	X(VMX_INSN_ERR_VMCALL_BAD_SMM_FEATURES, 24, "VMCALL with invalid SMM-monitor features") \
	X(VMX_INSN_ERR_ENTRY_BAD_EXEC_CONTROLS_IN_EXEC_VMCS, 25,                         \
	  "VM entry with invalid VM-execution control fields in executive VMCS")        \
	X(VMX_INSN_ERR_ENTRY_MOV_SS_BLOCKING, 26, "VM entry with events blocked by MOV SS") \
	X(VMX_INSN_ERR_INVEPT_INVVPID_BAD_OPERAND, 28, "invalid operand to INVEPT/INVVPID")

enum vmx_insn_error {
#define VMX_INSN_ERROR_ENUM(name, num, text) name = (num),
	VMX_INSN_ERROR_LIST(VMX_INSN_ERROR_ENUM)
#undef VMX_INSN_ERROR_ENUM
};

/* Text for a VM-instruction error number; "unknown VM-instruction error" otherwise. */
const char *vmx_insn_error_name(uint32_t n);

/*
 * Basic exit reasons (SDM 3D Appendix C; 78-85 from the SDM's later
 * revisions and the ISE). The exit-reason field holds the basic reason in
 * bits 15:0 and sets bit 31 when VM entry failed (SDM 3C 28.2.1).
 */
#define VMX_EXIT_REASON_BASIC_MASK 0xffffu
#define VMX_EXIT_REASON_ENTRY_FAILED (1u << 31)

#define VMX_EXIT_REASON_LIST(X)                                                         \
	X(VMX_EXIT_REASON_EXCEPTION_NMI, 0, "exception or NMI")                          \
	X(VMX_EXIT_REASON_EXTERNAL_INTR, 1, "external interrupt")                        \
	X(VMX_EXIT_REASON_TRIPLE_FAULT, 2, "triple fault")                               \
	X(VMX_EXIT_REASON_INIT, 3, "INIT signal")                                        \
	X(VMX_EXIT_REASON_SIPI, 4, "start-up IPI (SIPI)")                                \
	X(VMX_EXIT_REASON_IO_SMI, 5, "SMI right after an I/O instruction (I/O SMI)")     \
	X(VMX_EXIT_REASON_OTHER_SMI, 6, "SMI not following an I/O instruction")          \
	X(VMX_EXIT_REASON_INTR_WINDOW, 7, "interrupt window open")                       \
	X(VMX_EXIT_REASON_NMI_WINDOW, 8, "NMI window open")                              \
	X(VMX_EXIT_REASON_TASK_SWITCH, 9, "task switch")                                 \
	X(VMX_EXIT_REASON_CPUID, 10, "CPUID instruction")                                \
	X(VMX_EXIT_REASON_GETSEC, 11, "GETSEC instruction")                              \
	X(VMX_EXIT_REASON_HLT, 12, "HLT instruction")                                    \
	X(VMX_EXIT_REASON_INVD, 13, "INVD instruction")                                  \
	X(VMX_EXIT_REASON_INVLPG, 14, "INVLPG instruction")                              \
	X(VMX_EXIT_REASON_RDPMC, 15, "RDPMC instruction")                                \
	X(VMX_EXIT_REASON_RDTSC, 16, "RDTSC instruction")                                \
	X(VMX_EXIT_REASON_RSM, 17, "RSM instruction in SMM")                             \
	X(VMX_EXIT_REASON_VMCALL, 18, "VMCALL instruction (hypercall)")                  \
	X(VMX_EXIT_REASON_VMCLEAR, 19, "VMCLEAR instruction")                            \
	X(VMX_EXIT_REASON_VMLAUNCH, 20, "VMLAUNCH instruction")                          \
	X(VMX_EXIT_REASON_VMPTRLD, 21, "VMPTRLD instruction")                            \
	X(VMX_EXIT_REASON_VMPTRST, 22, "VMPTRST instruction")                            \
	X(VMX_EXIT_REASON_VMREAD, 23, "VMREAD instruction")                              \
	X(VMX_EXIT_REASON_VMRESUME, 24, "VMRESUME instruction")                          \
	X(VMX_EXIT_REASON_VMWRITE, 25, "VMWRITE instruction")                            \
	X(VMX_EXIT_REASON_VMXOFF, 26, "VMXOFF instruction")                              \
	X(VMX_EXIT_REASON_VMXON, 27, "VMXON instruction")                                \
	X(VMX_EXIT_REASON_CR_ACCESS, 28, "control-register access (MOV CR, CLTS, LMSW)") \
	X(VMX_EXIT_REASON_DR_ACCESS, 29, "debug-register access (MOV DR)")               \
	X(VMX_EXIT_REASON_IO, 30, "I/O instruction (IN, OUT, INS, OUTS)")                \
	X(VMX_EXIT_REASON_RDMSR, 31, "RDMSR instruction")                                \
	X(VMX_EXIT_REASON_WRMSR, 32, "WRMSR instruction")                                \
	X(VMX_EXIT_REASON_ENTRY_BAD_GUEST_STATE, 33, "VM-entry failure: invalid guest state") \
	X(VMX_EXIT_REASON_ENTRY_MSR_LOAD, 34, "VM-entry failure: MSR loading")           \
	X(VMX_EXIT_REASON_MWAIT, 36, "MWAIT instruction")                                \
	X(VMX_EXIT_REASON_MONITOR_TRAP_FLAG, 37, "monitor trap flag")                    \
	X(VMX_EXIT_REASON_MONITOR, 39, "MONITOR instruction")                            \
	X(VMX_EXIT_REASON_PAUSE, 40, "PAUSE instruction")                                \
	X(VMX_EXIT_REASON_ENTRY_MACHINE_CHECK, 41, "VM-entry failure: machine-check event") \
	X(VMX_EXIT_REASON_TPR_BELOW_THRESHOLD, 43, "TPR below threshold")                \
	X(VMX_EXIT_REASON_APIC_ACCESS, 44, "APIC-access page access")                    \
	X(VMX_EXIT_REASON_VIRTUALIZED_EOI, 45, "virtualized EOI")                        \
	X(VMX_EXIT_REASON_GDTR_IDTR, 46, "GDTR or IDTR access (LGDT, LIDT, SGDT, SIDT)") \
	X(VMX_EXIT_REASON_LDTR_TR, 47, "LDTR or TR access (LLDT, LTR, SLDT, STR)")       \
	X(VMX_EXIT_REASON_EPT_VIOLATION, 48, "EPT violation")                            \
	X(VMX_EXIT_REASON_EPT_MISCONFIG, 49, "EPT misconfiguration")                     \
	X(VMX_EXIT_REASON_INVEPT, 50, "INVEPT instruction")                              \
	X(VMX_EXIT_REASON_RDTSCP, 51, "RDTSCP instruction")                              \
	X(VMX_EXIT_REASON_PREEMPTION_TIMER, 52, "VMX-preemption timer expired")          \
	X(VMX_EXIT_REASON_INVVPID, 53, "INVVPID instruction")                            \
	X(VMX_EXIT_REASON_WBINVD, 54, "WBINVD or WBNOINVD instruction")                  \
	X(VMX_EXIT_REASON_XSETBV, 55, "XSETBV instruction")                              \
	X(VMX_EXIT_REASON_APIC_WRITE, 56, "APIC write")                                  \
	X(VMX_EXIT_REASON_RDRAND, 57, "RDRAND instruction")                              \
	X(VMX_EXIT_REASON_INVPCID, 58, "INVPCID instruction")                            \
	X(VMX_EXIT_REASON_VMFUNC, 59, "VMFUNC instruction")                              \
	X(VMX_EXIT_REASON_ENCLS, 60, "ENCLS instruction")                                \
	X(VMX_EXIT_REASON_RDSEED, 61, "RDSEED instruction")                              \
	X(VMX_EXIT_REASON_PML_FULL, 62, "page-modification log full")                    \
	X(VMX_EXIT_REASON_XSAVES, 63, "XSAVES instruction")                              \
	X(VMX_EXIT_REASON_XRSTORS, 64, "XRSTORS instruction")                            \
	X(VMX_EXIT_REASON_PCONFIG, 65, "PCONFIG instruction")                            \
	X(VMX_EXIT_REASON_SPP_EVENT, 66, "sub-page-permission event")                    \
	X(VMX_EXIT_REASON_UMWAIT, 67, "UMWAIT instruction")                              \
	X(VMX_EXIT_REASON_TPAUSE, 68, "TPAUSE instruction")                              \
	X(VMX_EXIT_REASON_LOADIWKEY, 69, "LOADIWKEY instruction")                        \
	X(VMX_EXIT_REASON_ENCLV, 70, "ENCLV instruction")                                \
	X(VMX_EXIT_REASON_ENQCMD_PASID, 72, "ENQCMD PASID translation failure")          \
	X(VMX_EXIT_REASON_ENQCMDS_PASID, 73, "ENQCMDS PASID translation failure")        \
	X(VMX_EXIT_REASON_BUS_LOCK, 74, "bus lock")                                      \
	X(VMX_EXIT_REASON_INSTRUCTION_TIMEOUT, 75, "instruction timeout")                \
	X(VMX_EXIT_REASON_SEAMCALL, 76, "SEAMCALL instruction")                          \
	X(VMX_EXIT_REASON_TDCALL, 77, "TDCALL instruction")                              \
	X(VMX_EXIT_REASON_RDMSRLIST, 78, "RDMSRLIST instruction")                        \
	X(VMX_EXIT_REASON_WRMSRLIST, 79, "WRMSRLIST instruction")                        \
	X(VMX_EXIT_REASON_URDMSR, 80, "URDMSR instruction")                              \
	X(VMX_EXIT_REASON_UWRMSR, 81, "UWRMSR instruction")                              \
	X(VMX_EXIT_REASON_RDMSR_IMM, 84, "RDMSR with an immediate operand")              \
	X(VMX_EXIT_REASON_WRMSRNS_IMM, 85, "WRMSRNS with an immediate operand")

enum vmx_exit_reason {
#define VMX_EXIT_REASON_ENUM(name, num, text) name = (num),
	VMX_EXIT_REASON_LIST(VMX_EXIT_REASON_ENUM)
#undef VMX_EXIT_REASON_ENUM
};

/* Text for a basic exit reason (bits 15:0 are used); "unknown exit reason" otherwise. */
const char *vmx_exit_reason_name(uint32_t basic_reason);

/* ---- VMCS regions and the checked instruction wrappers (vmx/vmcs.c) ---- */

/* What VMPTRST stores when no VMCS is current (SDM 3C 31.3, VMPTRST). */
#define VMCS_NONE (~0ull)
/* Bits 30:0 of a VMCS region's first dword hold the revision id (SDM 3C 25.2). */
#define VMCS_REVISION_MASK 0x7fffffffu

/*
 * A zeroed page from the frame allocator with revision_id (IA32_VMX_BASIC
 * bits 30:0) in its first dword and shadow-VMCS indicator clear; *pa is its
 * physical address. E_INVAL if revision_id has bit 31 set, E_NOMEM (reported).
 */
enum err vmcs_alloc(uint32_t revision_id, uint64_t *pa);
/*
 * Return the page to the frame allocator. The caller must first VMCLEAR it
 * on the CPU where it was last active (SDM 3C 25.11.1), or that CPU may
 * later write cached VMCS data into the freed page.
 */
void vmcs_free(uint64_t pa);

/*
 * The checked wrappers. Each returns E_OK, E_ALIGN (pa not 4 KiB-aligned,
 * reported, nothing executed), E_VMFAIL_INVALID or E_VMFAIL_VALID; failures
 * are reported with pr_err() naming the instruction, the field or address,
 * and for VMfailValid the VM-instruction error number and its text.
 */
enum err vmcs_clear(uint64_t pa);
enum err vmcs_load(uint64_t pa);
/* The current VMCS of this CPU, VMCS_NONE if none. */
uint64_t vmcs_current(void);
enum err vmcs_read(uint32_t field, uint64_t *val);
enum err vmcs_write(uint32_t field, uint64_t val);
/* As vmcs_read() but silent on failure: for probing which fields exist. */
enum err vmcs_read_quiet(uint32_t field, uint64_t *val);
/* The field's value, or dflt if VMREAD failed (the failure is reported). */
uint64_t vmcs_read_or(uint32_t field, uint64_t dflt);
/*
 * INVEPT / INVVPID (SDM 3C 31.3) with the descriptor built here; types are
 * VMX_INVEPT_* and VMX_INVVPID_* from vmx/vmx_insn.h. Failures are reported.
 */
enum err vmx_invept(uint32_t type, uint64_t eptp);
enum err vmx_invvpid(uint32_t type, uint16_t vpid, uint64_t linear_addr);
/* The VM-instruction error field of the current VMCS (0 if none is current). */
uint32_t vmcs_insn_error(void);

/* Typed reads (0 on failure, reported) for fields of the matching width. */
static inline uint16_t vmcs_read16(uint32_t field)
{
	return (uint16_t)vmcs_read_or(field, 0);
}

static inline uint32_t vmcs_read32(uint32_t field)
{
	return (uint32_t)vmcs_read_or(field, 0);
}

static inline uint64_t vmcs_read64(uint32_t field)
{
	return vmcs_read_or(field, 0);
}

/*
 * Print every field of the current VMCS by name and value, grouped control /
 * read-only / guest / host, several to a line, skipping fields this CPU does
 * not support and saying how many were skipped. It starts with the
 * VM-instruction error, which its own probing VMREADs may overwrite.
 */
void vmcs_dump(void);

#endif
