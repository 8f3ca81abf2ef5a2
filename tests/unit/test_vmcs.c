/* SPDX-License-Identifier: MIT */
/*
 * Host tests for vmx/vmcs.c and vmx/vmcs_fields.c on the fake VMCS: encoding
 * helpers, the field table's consistency, error and exit-reason text, the
 * checked wrappers' success and failure reports, vmcs_dump() and regions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "mm/pmm.h"
#include "tests/unit/fake_pmm.h"
#include "tests/unit/fake_printk.h"
#include "tests/unit/fake_vmcs.h"
#include "vmx/vmcs.h"

#define REVISION 0x12345u
#define BAD_REVISION 0x54321u
#define MIN_FIELDS 180
#define DUMP_MAX_COLS 100
#define UNKNOWN_ENC 0x6c3eu /* host natural-width index 31: not defined */

static uint64_t vmcs_a, vmcs_b;

static int setup(void **state)
{
	fake_vmcs_reset();
	fake_pmm_reset(64);
	fake_printk_clear();
	vmcs_a = vmcs_b = 0;
	return 0;
}

static int teardown(void **state)
{
	vmcs_free(vmcs_a);
	vmcs_free(vmcs_b);
	assert_int_equal(fake_pmm_outstanding(), 0);
	return 0;
}

/* Two regions with REVISION; the fake checks the revision id on VMPTRLD. */
static void alloc_two(void)
{
	assert_int_equal(vmcs_alloc(REVISION, &vmcs_a), E_OK);
	assert_int_equal(vmcs_alloc(REVISION, &vmcs_b), E_OK);
	fake_vmcs_set_revision(REVISION);
}

static void load_a(void)
{
	alloc_two();
	assert_int_equal(vmcs_load(vmcs_a), E_OK);
	fake_printk_clear();
}

/* ---- encoding helpers ---- */

static void test_encoding_helpers(void **state)
{
	assert_int_equal(vmcs_field_type(VMCS_GUEST_RIP), VMCS_TYPE_GUEST);
	assert_int_equal(vmcs_field_width(VMCS_GUEST_RIP), VMCS_WIDTH_NATURAL);
	assert_int_equal(vmcs_field_bits(VMCS_GUEST_RIP), 64);
	assert_int_equal(vmcs_field_index(VMCS_GUEST_RIP), 0xf);

	assert_int_equal(vmcs_field_type(VMCS_EXIT_REASON), VMCS_TYPE_READ_ONLY);
	assert_int_equal(vmcs_field_width(VMCS_EXIT_REASON), VMCS_WIDTH_32);
	assert_int_equal(vmcs_field_bits(VMCS_EXIT_REASON), 32);

	assert_int_equal(vmcs_field_type(VMCS_LINK_POINTER), VMCS_TYPE_GUEST);
	assert_int_equal(vmcs_field_width(VMCS_LINK_POINTER), VMCS_WIDTH_64);
	assert_int_equal(VMCS_LINK_POINTER, 0x2800);

	assert_int_equal(vmcs_field_type(VMCS_HOST_CR3), VMCS_TYPE_HOST);
	assert_int_equal(vmcs_field_width(VMCS_HOST_CR3), VMCS_WIDTH_NATURAL);

	assert_int_equal(vmcs_field_type(VMCS_VPID), VMCS_TYPE_CONTROL);
	assert_int_equal(vmcs_field_bits(VMCS_VPID), 16);
	assert_int_equal(vmcs_field_bytes(VMCS_VPID), 2);
	assert_int_equal(vmcs_field_type(VMCS_PIN_BASED_CONTROLS), VMCS_TYPE_CONTROL);
	assert_int_equal(vmcs_field_width(VMCS_PIN_BASED_CONTROLS), VMCS_WIDTH_32);
	assert_int_equal(vmcs_field_type(VMCS_HOST_IA32_EFER), VMCS_TYPE_HOST);
	assert_int_equal(vmcs_field_width(VMCS_HOST_IA32_EFER), VMCS_WIDTH_64);

	/* The SDM's own examples of encodings. */
	assert_int_equal(VMCS_GUEST_RIP, 0x681e);
	assert_int_equal(VMCS_VM_INSTRUCTION_ERROR, 0x4400);
	assert_int_equal(VMCS_EXIT_REASON, 0x4402);

	assert_true(vmcs_field_is_high(VMCS_HIGH(VMCS_IO_BITMAP_A)));
	assert_false(vmcs_field_is_high(VMCS_IO_BITMAP_A));
	assert_int_equal(vmcs_field_bits(VMCS_HIGH(VMCS_TSC_OFFSET)), 32);
	assert_int_equal(vmcs_field_bytes(VMCS_HIGH(VMCS_TSC_OFFSET)), 4);
}

static void test_encoding_valid(void **state)
{
	assert_true(vmcs_encoding_valid(VMCS_GUEST_RIP));
	assert_true(vmcs_encoding_valid(VMCS_HIGH(VMCS_EPT_POINTER)));
	assert_false(vmcs_encoding_valid(VMCS_HIGH(VMCS_GUEST_RIP)));   /* natural */
	assert_false(vmcs_encoding_valid(VMCS_HIGH(VMCS_EXIT_REASON))); /* 32-bit */
	assert_false(vmcs_encoding_valid(VMCS_GUEST_RIP | 0x1000));     /* bit 12 */
	assert_false(vmcs_encoding_valid(VMCS_GUEST_RIP | 0x8000));     /* bit 15 */
	assert_false(vmcs_encoding_valid(0x80000000u));
}

static void test_type_and_width_names(void **state)
{
	assert_string_equal(vmcs_field_type_name(VMCS_TYPE_READ_ONLY), "read-only");
	assert_string_equal(vmcs_field_type_name(VMCS_TYPE_HOST), "host-state");
	assert_string_equal(vmcs_field_width_name(VMCS_WIDTH_NATURAL), "natural-width");
	assert_string_equal(vmcs_field_width_name(VMCS_WIDTH_64), "64-bit");
}

/* ---- the field table ---- */

static void test_table_has_no_duplicates(void **state)
{
	size_t n = vmcs_field_count(), i, j;

	assert_true(n >= MIN_FIELDS);
	assert_null(vmcs_field_at(n));
	for (i = 0; i < n; i++) {
		const struct vmcs_field_info *a = vmcs_field_at(i);

		assert_non_null(a);
		for (j = i + 1; j < n; j++) {
			const struct vmcs_field_info *b = vmcs_field_at(j);

			if (a->encoding == b->encoding || !strcmp(a->name, b->name))
				fail_msg("duplicate: %s 0x%04x and %s 0x%04x", a->name, a->encoding,
					 b->name, b->encoding);
		}
	}
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool read_only_name(const char *name)
{
	return starts_with(name, "EXIT_") || starts_with(name, "IDT_VECTORING_") ||
	       !strcmp(name, "VM_INSTRUCTION_ERROR") || !strcmp(name, "ORIGINAL_EVENT_DATA");
}

static enum vmcs_field_type type_from_name(const char *name)
{
	if (starts_with(name, "GUEST_"))
		return VMCS_TYPE_GUEST;
	if (starts_with(name, "HOST_"))
		return VMCS_TYPE_HOST;
	if (read_only_name(name))
		return VMCS_TYPE_READ_ONLY;
	return VMCS_TYPE_CONTROL;
}

static void test_table_types_match_names(void **state)
{
	size_t i;

	for (i = 0; i < vmcs_field_count(); i++) {
		const struct vmcs_field_info *f = vmcs_field_at(i);

		if (!vmcs_encoding_valid(f->encoding) || vmcs_field_is_high(f->encoding))
			fail_msg("%s: 0x%04x is not a full encoding", f->name, f->encoding);
		if (vmcs_field_type(f->encoding) != type_from_name(f->name))
			fail_msg("%s (0x%04x) has type bits for %s fields", f->name, f->encoding,
				 vmcs_field_type_name(vmcs_field_type(f->encoding)));
		assert_ptr_equal(vmcs_field_lookup(f->encoding), f);
		assert_string_equal(vmcs_field_name(f->encoding), f->name);
	}
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static void expect_width(const struct vmcs_field_info *f, bool cond, enum vmcs_field_width w)
{
	if (cond && vmcs_field_width(f->encoding) != w)
		fail_msg("%s (0x%04x) is %s, expected %s", f->name, f->encoding,
			 vmcs_field_width_name(vmcs_field_width(f->encoding)),
			 vmcs_field_width_name(w));
}

/* Field kinds whose width the SDM fixes agree with their encodings' width bits. */
static void test_table_widths_match_field_kinds(void **state)
{
	size_t i;

	for (i = 0; i < vmcs_field_count(); i++) {
		const struct vmcs_field_info *f = vmcs_field_at(i);

		expect_width(f, ends_with(f->name, "_SELECTOR"), VMCS_WIDTH_16);
		expect_width(f, ends_with(f->name, "_LIMIT") || ends_with(f->name, "_AR"),
			     VMCS_WIDTH_32);
		expect_width(f, ends_with(f->name, "_BASE") || ends_with(f->name, "_CR0") ||
				     ends_with(f->name, "_CR3") || ends_with(f->name, "_CR4"),
			     VMCS_WIDTH_NATURAL);
		expect_width(f, ends_with(f->name, "_CONTROLS") && !starts_with(f->name, "TERT") &&
				     !starts_with(f->name, "SECONDARY_VM_EXIT") &&
				     !starts_with(f->name, "VM_FUNCTION"),
			     VMCS_WIDTH_32);
		expect_width(f, ends_with(f->name, "_ADDR") && vmcs_field_type(f->encoding) ==
								     VMCS_TYPE_CONTROL,
			     VMCS_WIDTH_64);
		expect_width(f, strstr(f->name, "IA32_PAT") || strstr(f->name, "IA32_EFER") ||
				     strstr(f->name, "FRED"),
			     VMCS_WIDTH_64);
	}
}

static void test_lookup_and_describe(void **state)
{
	char buf[VMCS_FIELD_DESC_LEN];

	assert_string_equal(vmcs_field_name(VMCS_EXIT_QUALIFICATION), "EXIT_QUALIFICATION");
	assert_string_equal(vmcs_field_name(UNKNOWN_ENC), "unknown field");
	assert_null(vmcs_field_lookup(UNKNOWN_ENC));
	assert_ptr_equal(vmcs_field_lookup(VMCS_HIGH(VMCS_IO_BITMAP_A)),
			 vmcs_field_lookup(VMCS_IO_BITMAP_A));
	assert_null(vmcs_field_lookup(VMCS_HIGH(VMCS_GUEST_RIP)));

	assert_string_equal(vmcs_field_describe(VMCS_GUEST_RIP, buf, sizeof(buf)),
			    "GUEST_RIP (0x681e)");
	assert_string_equal(vmcs_field_describe(VMCS_HIGH(VMCS_IO_BITMAP_A), buf, sizeof(buf)),
			    "IO_BITMAP_A_HIGH (0x2001)");
	assert_string_equal(vmcs_field_describe(0x1234, buf, sizeof(buf)),
			    "unknown field 0x1234");
}

/* ---- error and exit-reason text ---- */

static void test_insn_error_names(void **state)
{
	assert_string_equal(vmx_insn_error_name(7), "VM entry with invalid control field(s)");
	assert_string_equal(vmx_insn_error_name(12),
			    "VMREAD/VMWRITE from/to unsupported VMCS component");
	assert_string_equal(vmx_insn_error_name(26), "VM entry with events blocked by MOV SS");
	assert_string_equal(vmx_insn_error_name(VMX_INSN_ERR_VMPTRLD_BAD_REVISION),
			    "VMPTRLD with incorrect VMCS revision identifier");
	assert_string_equal(vmx_insn_error_name(28), "invalid operand to INVEPT/INVVPID");
	assert_string_equal(vmx_insn_error_name(0), "unknown VM-instruction error");
	assert_string_equal(vmx_insn_error_name(14), "unknown VM-instruction error");
	assert_string_equal(vmx_insn_error_name(29), "unknown VM-instruction error");
	assert_string_equal(vmx_insn_error_name(0xffffffffu), "unknown VM-instruction error");
}

static void test_exit_reason_names(void **state)
{
	uint32_t n;

	assert_string_equal(vmx_exit_reason_name(0), "exception or NMI");
	assert_string_equal(vmx_exit_reason_name(10), "CPUID instruction");
	assert_string_equal(vmx_exit_reason_name(18), "VMCALL instruction (hypercall)");
	assert_string_equal(vmx_exit_reason_name(48), "EPT violation");
	assert_string_equal(vmx_exit_reason_name(VMX_EXIT_REASON_ENTRY_FAILED | 33),
			    "VM-entry failure: invalid guest state");
	assert_string_equal(vmx_exit_reason_name(35), "unknown exit reason");
	assert_string_equal(vmx_exit_reason_name(86), "unknown exit reason");
	assert_string_equal(vmx_exit_reason_name(0xfffe), "unknown exit reason");
	assert_int_equal(VMX_EXIT_REASON_EPT_VIOLATION, 48);
	for (n = 0; n <= VMX_EXIT_REASON_TDCALL; n++) {
		if (n == 35 || n == 38 || n == 42 || n == 71)
			continue;
		if (!strcmp(vmx_exit_reason_name(n), "unknown exit reason"))
			fail_msg("exit reason %u has no name", n);
	}
}

/* ---- VMREAD / VMWRITE ---- */

static void test_write_read_roundtrip(void **state)
{
	uint64_t v = 0;

	load_a();
	assert_int_equal(vmcs_write(VMCS_GUEST_RIP, 0xffffffff81000000ull), E_OK);
	assert_int_equal(vmcs_read(VMCS_GUEST_RIP, &v), E_OK);
	assert_int_equal(v, 0xffffffff81000000ull);
	assert_int_equal(fake_vmcs_field(vmcs_a, VMCS_GUEST_RIP), 0xffffffff81000000ull);

	assert_int_equal(vmcs_write(VMCS_GUEST_CS_SELECTOR, 0x10), E_OK);
	assert_int_equal(vmcs_read16(VMCS_GUEST_CS_SELECTOR), 0x10);
	assert_int_equal(vmcs_write(VMCS_GUEST_CS_AR, 0xa09b), E_OK);
	assert_int_equal(vmcs_read32(VMCS_GUEST_CS_AR), 0xa09b);
	assert_int_equal(vmcs_write(VMCS_EPT_POINTER, 0x123456789000ull | 0x5e), E_OK);
	assert_int_equal(vmcs_read64(VMCS_EPT_POINTER), 0x12345678905eull);
	assert_int_equal(vmcs_read32(VMCS_HIGH(VMCS_EPT_POINTER)), 0x1234);
	assert_string_equal(fake_printk_log(), "");
}

static void test_write_checks_width(void **state)
{
	unsigned int before;

	load_a();
	before = fake_vmcs_calls(FAKE_VMWRITE);
	assert_int_equal(vmcs_write(VMCS_GUEST_CS_SELECTOR, 0x10008), E_RANGE);
	assert_int_equal(vmcs_write(VMCS_EXCEPTION_BITMAP, 0x100000000ull), E_RANGE);
	assert_int_equal(fake_vmcs_calls(FAKE_VMWRITE), before);
	assert_true(fake_printk_contains("vmcs: VMWRITE of GUEST_CS_SELECTOR (0x0802) refused: "
					 "value 0x10008 does not fit its 16 bits"));
	assert_true(fake_printk_contains("EXCEPTION_BITMAP (0x4004)"));
	assert_int_equal(vmcs_write(VMCS_EXCEPTION_BITMAP, 0xffffffffull), E_OK);
}

static void test_vmfail_valid_names_field_and_error(void **state)
{
	load_a();
	fake_vmcs_set_unsupported(VMCS_GUEST_RIP, true);
	assert_int_equal(vmcs_write(VMCS_GUEST_RIP, 0x1000), E_VMFAIL_VALID);
	assert_true(fake_printk_contains(
		"vmcs: VMWRITE of GUEST_RIP (0x681e) failed: VMfailValid, error 12: "
		"VMREAD/VMWRITE from/to unsupported VMCS component\n"));

	fake_printk_clear();
	assert_int_equal(vmcs_read_or(VMCS_GUEST_RIP, 0xdead), 0xdead);
	assert_true(fake_printk_contains("vmcs: VMREAD of GUEST_RIP (0x681e) failed: "
					 "VMfailValid, error 12"));
	assert_int_equal(vmcs_insn_error(), 12);
}

static void test_vmwrite_read_only(void **state)
{
	load_a();
	assert_int_equal(vmcs_write(VMCS_EXIT_REASON, 10), E_VMFAIL_VALID);
	assert_true(fake_printk_contains("vmcs: VMWRITE of EXIT_REASON (0x4402) failed: "
					 "VMfailValid, error 13: VMWRITE to read-only VMCS "
					 "component"));
}

static void test_vmfail_invalid_without_current_vmcs(void **state)
{
	uint64_t v = 0x77;

	assert_int_equal(vmcs_current(), VMCS_NONE);
	assert_int_equal(vmcs_read(VMCS_EXIT_REASON, &v), E_VMFAIL_INVALID);
	assert_int_equal(v, 0x77);
	assert_true(fake_printk_contains("vmcs: VMREAD of EXIT_REASON (0x4402) failed: "
					 "VMfailInvalid: no current VMCS on this CPU"));
	fake_printk_clear();
	assert_int_equal(vmcs_write(VMCS_HOST_RIP, 0x1000), E_VMFAIL_INVALID);
	assert_true(fake_printk_contains("VMWRITE of HOST_RIP (0x6c16) failed: VMfailInvalid"));
	assert_true(fake_printk_contains("VMPTRLD one first"));
}

static void test_read_quiet_is_silent(void **state)
{
	uint64_t v;

	assert_int_equal(vmcs_read_quiet(VMCS_GUEST_RIP, &v), E_VMFAIL_INVALID);
	load_a();
	fake_vmcs_set_unsupported(VMCS_GUEST_IA32_PKRS, true);
	assert_int_equal(vmcs_read_quiet(VMCS_GUEST_IA32_PKRS, &v), E_VMFAIL_VALID);
	assert_string_equal(fake_printk_log(), "");
	fake_vmcs_set_field(vmcs_a, VMCS_GUEST_RSP, 0x8000);
	assert_int_equal(vmcs_read_quiet(VMCS_GUEST_RSP, &v), E_OK);
	assert_int_equal(v, 0x8000);
}

static void test_unknown_field_is_named_unknown(void **state)
{
	load_a();
	fake_vmcs_set_unsupported(UNKNOWN_ENC, true);
	assert_int_equal(vmcs_write(UNKNOWN_ENC, 1), E_VMFAIL_VALID);
	assert_true(fake_printk_contains("VMWRITE of unknown field 0x6c3e failed: VMfailValid, "
					 "error 12"));
}

/* ---- VMCLEAR / VMPTRLD / VMPTRST ---- */

static void test_load_clear_current(void **state)
{
	alloc_two();
	assert_int_equal(vmcs_current(), VMCS_NONE);
	assert_int_equal(vmcs_load(vmcs_a), E_OK);
	assert_int_equal(vmcs_current(), vmcs_a);
	assert_false(fake_vmcs_is_clear(vmcs_a));
	assert_int_equal(vmcs_load(vmcs_b), E_OK);
	assert_int_equal(vmcs_current(), vmcs_b);
	assert_int_equal(vmcs_clear(vmcs_a), E_OK);
	assert_true(fake_vmcs_is_clear(vmcs_a));
	assert_int_equal(vmcs_current(), vmcs_b);
	assert_int_equal(vmcs_clear(vmcs_b), E_OK);
	assert_int_equal(vmcs_current(), VMCS_NONE);
	assert_int_equal(fake_vmcs_last(FAKE_VMCLEAR)->arg, vmcs_b);
	assert_string_equal(fake_printk_log(), "");
}

static void test_misaligned_region_refused_before_executing(void **state)
{
	assert_int_equal(vmcs_load(0x12345010), E_ALIGN);
	assert_int_equal(vmcs_clear(0x12345008), E_ALIGN);
	assert_int_equal(fake_vmcs_calls(FAKE_VMPTRLD), 0);
	assert_int_equal(fake_vmcs_calls(FAKE_VMCLEAR), 0);
	assert_true(fake_printk_contains("vmcs: VMPTRLD of VMCS 0x12345010 refused: a VMCS "
					 "region must be 4 KiB-aligned"));
	assert_true(fake_printk_contains("VMCLEAR of VMCS 0x12345008 refused"));
}

static void test_load_wrong_revision(void **state)
{
	char expect[128];

	alloc_two();
	*(uint32_t *)phys_to_virt(vmcs_b) = BAD_REVISION;
	/* No current VMCS: the error number has nowhere to go. */
	assert_int_equal(vmcs_load(vmcs_b), E_VMFAIL_INVALID);
	snprintf(expect, sizeof(expect), "vmcs: VMPTRLD of VMCS 0x%llx failed: VMfailInvalid: ",
		 (unsigned long long)vmcs_b);
	assert_true(fake_printk_contains(expect));
	assert_true(fake_printk_contains("revision id"));

	/* With a current VMCS it is VMfailValid, error 11. */
	assert_int_equal(vmcs_load(vmcs_a), E_OK);
	fake_printk_clear();
	assert_int_equal(vmcs_load(vmcs_b), E_VMFAIL_VALID);
	snprintf(expect, sizeof(expect),
		 "vmcs: VMPTRLD of VMCS 0x%llx failed: VMfailValid, error 11: "
		 "VMPTRLD with incorrect VMCS revision identifier\n",
		 (unsigned long long)vmcs_b);
	assert_true(fake_printk_contains(expect));
	assert_int_equal(vmcs_current(), vmcs_a);
}

static void test_clear_failures(void **state)
{
	char expect[128];

	alloc_two();
	fake_vmcs_force(FAKE_VMCLEAR, VMX_INSN_VMFAIL_INVALID, 0);
	assert_int_equal(vmcs_clear(vmcs_a), E_VMFAIL_INVALID);
	snprintf(expect, sizeof(expect), "VMCLEAR of VMCS 0x%llx failed: VMfailInvalid",
		 (unsigned long long)vmcs_a);
	assert_true(fake_printk_contains(expect));

	assert_int_equal(vmcs_load(vmcs_b), E_OK);
	fake_vmcs_force(FAKE_VMCLEAR, VMX_INSN_VMFAIL_VALID, VMX_INSN_ERR_VMCLEAR_VMXON_PTR);
	assert_int_equal(vmcs_clear(vmcs_a), E_VMFAIL_VALID);
	assert_true(fake_printk_contains("failed: VMfailValid, error 3: VMCLEAR with VMXON "
					 "pointer"));
}

/* ---- INVEPT / INVVPID ---- */

static void test_invept_invvpid(void **state)
{
	assert_int_equal(vmx_invept(VMX_INVEPT_SINGLE_CONTEXT, 0x5000 | 0x5e), E_OK);
	assert_int_equal(fake_vmcs_last(FAKE_INVEPT)->value, 0x505e);
	assert_int_equal(fake_vmcs_last(FAKE_INVEPT)->extra, 0);
	assert_int_equal(vmx_invvpid(VMX_INVVPID_SINGLE_CONTEXT, 7, 0), E_OK);
	assert_int_equal(fake_vmcs_last(FAKE_INVVPID)->value, 7);
	assert_string_equal(fake_printk_log(), "");

	assert_int_equal(vmx_invept(3, 0x5000), E_VMFAIL_INVALID);
	assert_true(fake_printk_contains("vmcs: INVEPT of type 3, EPTP 0x5000 failed: "
					 "VMfailInvalid"));
	load_a();
	assert_int_equal(vmx_invvpid(VMX_INVVPID_SINGLE_CONTEXT, 0, 0), E_VMFAIL_VALID);
	assert_true(fake_printk_contains("INVVPID of type 1, VPID 0, address 0x0 failed: "
					 "VMfailValid, error 28: invalid operand to INVEPT/INVVPID"));
}

/* ---- vmcs_dump ---- */

static void assert_lines_fit(const char *log)
{
	const char *p = log, *nl;

	while ((nl = strchr(p, '\n')) != NULL) {
		if (nl - p > DUMP_MAX_COLS)
			fail_msg("line of %d columns: %.*s", (int)(nl - p), (int)(nl - p), p);
		p = nl + 1;
	}
}

static void test_dump_prints_names_and_skips_unsupported(void **state)
{
	load_a();
	fake_vmcs_set_field(vmcs_a, VMCS_VM_INSTRUCTION_ERROR, 7);
	fake_vmcs_set_field(vmcs_a, VMCS_GUEST_RIP, 0x1234);
	fake_vmcs_set_field(vmcs_a, VMCS_HOST_CR3, 0x9000);
	fake_vmcs_set_field(vmcs_a, VMCS_EXIT_REASON, 48);
	fake_vmcs_set_field(vmcs_a, VMCS_PIN_BASED_CONTROLS, 0x16);
	/* Unsupported control fields come first: their VMREADs overwrite the error field. */
	fake_vmcs_set_unsupported(VMCS_HLAT_POINTER, true);
	fake_vmcs_set_unsupported(VMCS_SPEC_CTRL_MASK, true);
	fake_vmcs_set_unsupported(VMCS_GUEST_IA32_FRED_CONFIG, true);

	vmcs_dump();
	assert_true(fake_printk_contains("(VM-instruction error 7: VM entry with invalid control "
					 "field(s))"));
	assert_true(fake_printk_contains("vmcs: control fields:\n"));
	assert_true(fake_printk_contains("vmcs: read-only fields:\n"));
	assert_true(fake_printk_contains("vmcs: guest-state fields:\n"));
	assert_true(fake_printk_contains("vmcs: host-state fields:\n"));
	assert_true(fake_printk_contains("GUEST_RIP=0x1234"));
	assert_true(fake_printk_contains("HOST_CR3=0x9000"));
	assert_true(fake_printk_contains("EXIT_REASON=0x30"));
	assert_true(fake_printk_contains("PIN_BASED_CONTROLS=0x16"));
	assert_true(fake_printk_contains("VPID=0x0"));
	assert_false(fake_printk_contains("HLAT_POINTER"));
	assert_false(fake_printk_contains("SPEC_CTRL_MASK"));
	assert_false(fake_printk_contains("GUEST_IA32_FRED_CONFIG"));
	assert_true(fake_printk_contains("3 skipped (not supported by this CPU"));
	{
		char expect[64];

		snprintf(expect, sizeof(expect), "vmcs: %zu fields shown",
			 vmcs_field_count() - 3);
		assert_true(fake_printk_contains(expect));
	}
	assert_lines_fit(fake_printk_log());
	/* Groups appear in order, and fields stay in their group. */
	assert_true(strstr(fake_printk_log(), "read-only fields") <
		    strstr(fake_printk_log(), "EXIT_REASON="));
	assert_true(strstr(fake_printk_log(), "guest-state fields") <
		    strstr(fake_printk_log(), "GUEST_RIP="));
	assert_true(strstr(fake_printk_log(), "GUEST_RIP=") <
		    strstr(fake_printk_log(), "host-state fields"));
}

static void test_dump_packs_several_fields_per_line(void **state)
{
	const char *log, *line;

	load_a();
	vmcs_dump();
	log = fake_printk_log();
	line = strstr(log, "GUEST_ES_SELECTOR=0x0");
	assert_non_null(line);
	assert_non_null(strstr(line, "GUEST_CS_SELECTOR=0x0"));
	assert_true(strstr(line, "GUEST_CS_SELECTOR=0x0") < strchr(line, '\n'));
	assert_lines_fit(log);
}

static void test_dump_without_current_vmcs(void **state)
{
	vmcs_dump();
	assert_true(fake_printk_contains("vmcs: dump: no current VMCS on this CPU"));
	assert_int_equal(fake_vmcs_calls(FAKE_VMREAD), 0);
}

/* ---- regions ---- */

static void test_alloc_writes_revision_and_zeroes(void **state)
{
	const uint8_t *page;
	uint32_t first;
	size_t i;

	assert_int_equal(vmcs_alloc(REVISION, &vmcs_a), E_OK);
	assert_int_equal(fake_pmm_outstanding(), 1);
	assert_true(fake_pmm_is_allocated(vmcs_a));
	assert_int_equal(vmcs_a & (PAGE_SIZE - 1), 0);
	page = phys_to_virt(vmcs_a);
	memcpy(&first, page, sizeof(first));
	assert_int_equal(first, REVISION);
	for (i = sizeof(first); i < PAGE_SIZE; i++)
		if (page[i])
			fail_msg("byte %zu of the new VMCS is 0x%02x, not 0", i, page[i]);

	vmcs_free(vmcs_a);
	assert_false(fake_pmm_is_allocated(vmcs_a));
	assert_int_equal(fake_pmm_outstanding(), 0);
	vmcs_a = 0;
}

static void test_alloc_rejects_bit31(void **state)
{
	uint64_t pa = 0;

	assert_int_equal(vmcs_alloc(0x80000001u, &pa), E_INVAL);
	assert_int_equal(pa, 0);
	assert_int_equal(fake_pmm_alloc_calls(), 0);
	assert_true(fake_printk_contains("revision id 0x80000001: bit 31 is set"));
}

static void test_alloc_out_of_memory(void **state)
{
	uint64_t pa = 0;

	fake_pmm_fail_after(0);
	assert_int_equal(vmcs_alloc(REVISION, &pa), E_NOMEM);
	assert_int_equal(pa, 0);
	assert_true(fake_printk_contains("vmcs: cannot allocate a VMCS region: out of memory"));
	fake_pmm_stop_failing();
}

static void test_free_reports_foreign_page(void **state)
{
	assert_int_equal(vmcs_alloc(REVISION, &vmcs_a), E_OK);
	vmcs_free(vmcs_a);
	vmcs_free(vmcs_a);
	vmcs_a = 0;
	assert_true(fake_printk_contains("freed twice"));
	fake_printk_clear();
	vmcs_free(0);
	assert_string_equal(fake_printk_log(), "");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_encoding_helpers),
		T(test_encoding_valid),
		T(test_type_and_width_names),
		T(test_table_has_no_duplicates),
		T(test_table_types_match_names),
		T(test_table_widths_match_field_kinds),
		T(test_lookup_and_describe),
		T(test_insn_error_names),
		T(test_exit_reason_names),
		T(test_write_read_roundtrip),
		T(test_write_checks_width),
		T(test_vmfail_valid_names_field_and_error),
		T(test_vmwrite_read_only),
		T(test_vmfail_invalid_without_current_vmcs),
		T(test_read_quiet_is_silent),
		T(test_unknown_field_is_named_unknown),
		T(test_load_clear_current),
		T(test_misaligned_region_refused_before_executing),
		T(test_load_wrong_revision),
		T(test_clear_failures),
		T(test_invept_invvpid),
		T(test_dump_prints_names_and_skips_unsupported),
		T(test_dump_packs_several_fields_per_line),
		T(test_dump_without_current_vmcs),
		T(test_alloc_writes_revision_and_zeroes),
		T(test_alloc_rejects_bit31),
		T(test_alloc_out_of_memory),
		T(test_free_reports_foreign_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
