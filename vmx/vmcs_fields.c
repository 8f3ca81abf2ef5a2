/* SPDX-License-Identifier: MIT */
/*
 * The VMCS field table (SDM Vol. 3D Appendix B) built from VMCS_FIELD_LIST,
 * the encoding-bit helpers (SDM 3C 25.11.2), and the text of VM-instruction
 * errors (SDM 3C 31.4) and basic exit reasons (SDM 3D Appendix C).
 */
#include "lib/format.h"
#include "vmx/vmcs.h"

#define VMCS_HIGH_BITS 32u
#define VMX_EXIT_REASON_TABLE_SIZE 86u
#define VMX_INSN_ERROR_TABLE_SIZE 29u

static const struct vmcs_field_info vmcs_fields[] = {
#define VMCS_FIELD_ENTRY(name, enc) {(enc), #name},
	VMCS_FIELD_LIST(VMCS_FIELD_ENTRY)
#undef VMCS_FIELD_ENTRY
};

#define VMCS_FIELD_COUNT (sizeof(vmcs_fields) / sizeof(vmcs_fields[0]))

static const char *const vmx_exit_reason_names[VMX_EXIT_REASON_TABLE_SIZE] = {
#define VMX_EXIT_REASON_TEXT(name, num, text) [num] = text,
	VMX_EXIT_REASON_LIST(VMX_EXIT_REASON_TEXT)
#undef VMX_EXIT_REASON_TEXT
};

static const char *const vmx_insn_error_names[VMX_INSN_ERROR_TABLE_SIZE] = {
#define VMX_INSN_ERROR_TEXT(name, num, text) [num] = text,
	VMX_INSN_ERROR_LIST(VMX_INSN_ERROR_TEXT)
#undef VMX_INSN_ERROR_TEXT
};

unsigned int vmcs_field_bits(uint32_t enc)
{
	static const unsigned int bits[] = {
		[VMCS_WIDTH_16] = 16,
		[VMCS_WIDTH_64] = 64,
		[VMCS_WIDTH_32] = 32,
		[VMCS_WIDTH_NATURAL] = 64,
	};

	if (vmcs_field_is_high(enc))
		return VMCS_HIGH_BITS;
	return bits[vmcs_field_width(enc)];
}

bool vmcs_encoding_valid(uint32_t enc)
{
	if (enc & VMCS_ENC_RESERVED)
		return false;
	return !vmcs_field_is_high(enc) || vmcs_field_width(enc) == VMCS_WIDTH_64;
}

const char *vmcs_field_type_name(enum vmcs_field_type type)
{
	static const char *const names[] = {
		[VMCS_TYPE_CONTROL] = "control",
		[VMCS_TYPE_READ_ONLY] = "read-only",
		[VMCS_TYPE_GUEST] = "guest-state",
		[VMCS_TYPE_HOST] = "host-state",
	};

	if ((unsigned int)type > VMCS_TYPE_HOST)
		return "invalid type";
	return names[type];
}

const char *vmcs_field_width_name(enum vmcs_field_width width)
{
	static const char *const names[] = {
		[VMCS_WIDTH_16] = "16-bit",
		[VMCS_WIDTH_64] = "64-bit",
		[VMCS_WIDTH_32] = "32-bit",
		[VMCS_WIDTH_NATURAL] = "natural-width",
	};

	if ((unsigned int)width > VMCS_WIDTH_NATURAL)
		return "invalid width";
	return names[width];
}

size_t vmcs_field_count(void)
{
	return VMCS_FIELD_COUNT;
}

const struct vmcs_field_info *vmcs_field_at(size_t i)
{
	return i < VMCS_FIELD_COUNT ? &vmcs_fields[i] : NULL;
}

const struct vmcs_field_info *vmcs_field_lookup(uint32_t enc)
{
	size_t i;

	if (!vmcs_encoding_valid(enc))
		return NULL;
	enc &= ~VMCS_ENC_HIGH;
	for (i = 0; i < VMCS_FIELD_COUNT; i++)
		if (vmcs_fields[i].encoding == enc)
			return &vmcs_fields[i];
	return NULL;
}

const char *vmcs_field_name(uint32_t enc)
{
	const struct vmcs_field_info *f = vmcs_field_lookup(enc);

	return f ? f->name : "unknown field";
}

const char *vmcs_field_describe(uint32_t enc, char *buf, size_t len)
{
	const struct vmcs_field_info *f = vmcs_field_lookup(enc);

	if (!f)
		fmt_snprintf(buf, len, "unknown field 0x%04x", enc);
	else
		fmt_snprintf(buf, len, "%s%s (0x%04x)", f->name,
			     vmcs_field_is_high(enc) ? "_HIGH" : "", enc);
	return buf;
}

const char *vmx_insn_error_name(uint32_t n)
{
	if (n >= VMX_INSN_ERROR_TABLE_SIZE || !vmx_insn_error_names[n])
		return "unknown VM-instruction error";
	return vmx_insn_error_names[n];
}

const char *vmx_exit_reason_name(uint32_t basic_reason)
{
	uint32_t n = basic_reason & VMX_EXIT_REASON_BASIC_MASK;

	if (n >= VMX_EXIT_REASON_TABLE_SIZE || !vmx_exit_reason_names[n])
		return "unknown exit reason";
	return vmx_exit_reason_names[n];
}
