/* SPDX-License-Identifier: MIT */
/*
 * Host tests for vmx/caps.c: decoding the real Bochs corei7_skylake_x VMX
 * MSRs and synthetic CPUs (no TRUE controls, no secondary controls, no EPT),
 * the control-adjust arithmetic, the reports and the cross-CPU comparison.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "arch/x86/cpu.h"
#include "tests/unit/fake_cpu.h"
#include "tests/unit/fake_printk.h"
#include "vmx/caps.h"

#define BOCHS_PIN 0x0000007f00000016ull
#define BOCHS_PROC 0xf7f9fffe0401e172ull
#define BOCHS_TRUE_PROC 0xf7f9fffe04006172ull
#define BOCHS_PROC2 0x02177fff00000000ull
#define BOCHS_TRUE_EXIT 0x007fffff00036dfbull
#define BOCHS_TRUE_ENTRY 0x0000ffff000011fbull
#define BOCHS_BASIC_NO_TRUE (0x00d810000000002bull & ~VMX_BASIC_TRUE_CTLS)

static int setup(void **state)
{
	fake_cpu_reset();
	fake_cpu_load_bochs_skylake();
	fake_printk_clear();
	return 0;
}

static void read_caps(struct vmx_caps *c)
{
	vmx_caps_read(c);
	assert_int_equal(fake_cpu.faults, 0);
}

static void test_bochs_basic_and_controls(void **state)
{
	struct vmx_caps c;

	read_caps(&c);
	assert_true(c.present);
	assert_int_equal(c.revision_id, 0x2b);
	assert_int_equal(c.region_size, 4096);
	assert_int_equal(c.mem_type, VMX_MEMTYPE_WB);
	assert_false(c.addr_32bit);
	assert_false(c.dual_monitor);
	assert_true(c.ins_outs_info);
	assert_true(c.true_ctls);
	assert_false(c.entry_errcode_any);
	/* TRUE MSRs supersede the others for allowed-0 (SDM 3D A.3.1). */
	assert_int_equal(c.ctl[VMX_CTL_PIN].msr, BOCHS_PIN);
	assert_int_equal(c.ctl[VMX_CTL_PROC].msr, BOCHS_TRUE_PROC);
	assert_int_equal(c.ctl[VMX_CTL_PROC].allowed0, 0x04006172);
	assert_int_equal(c.ctl[VMX_CTL_PROC].allowed1, 0xf7f9fffe);
	assert_int_equal(c.ctl[VMX_CTL_PROC2].allowed0, 0);
	assert_int_equal(c.ctl[VMX_CTL_PROC2].allowed1, 0x02177fff);
	assert_int_equal(c.ctl[VMX_CTL_EXIT].allowed0, 0x00036dfb);
	assert_int_equal(c.ctl[VMX_CTL_EXIT].allowed1, 0x007fffff);
	assert_int_equal(c.ctl[VMX_CTL_ENTRY].allowed0, 0x000011fb);
	assert_int_equal(c.ctl[VMX_CTL_ENTRY].allowed1, 0x0000ffff);
	assert_int_equal(c.vmcs_max_index, 0x1a);
	assert_int_equal(c.msr.cr4_fixed1, 0x3727ff);
}

static void test_bochs_features(void **state)
{
	struct vmx_caps c;

	read_caps(&c);
	assert_true(c.has.secondary_ctls);
	assert_true(c.has.ept);
	assert_true(c.has.vpid);
	assert_true(c.has.unrestricted_guest);
	assert_true(c.has.preemption_timer);
	assert_true(c.has.msr_bitmaps);
	assert_true(c.has.io_bitmaps);
	assert_true(c.has.hlt_exiting);
	assert_true(c.has.true_ctls);
	assert_true(c.has.ept_wb_4level);
	assert_true(c.has.ept_2m);
	assert_true(c.has.ept_1g);
	assert_true(c.has.ept_ad);
	assert_true(c.has.invept_single);
	assert_true(c.has.invept_all);
	assert_true(c.has.invvpid);
	assert_true(c.has.vmfunc);
	assert_true(c.ept.exec_only);
	assert_false(c.ept.walk5);
	assert_true(c.ept.memtype_uc);
	assert_false(c.ept.adv_exit_info);
	assert_true(c.vpid.invvpid_addr);
	assert_true(c.vpid.invvpid_single);
	assert_true(c.vpid.invvpid_all);
	assert_true(c.vpid.invvpid_single_globals);
	assert_int_equal(c.vmfunc, VMX_VMFUNC_EPTP_SWITCHING);
}

/*
 * Bochs' MISC is 0x600401e0: bits 4:0 are 0, so its preemption timer ticks
 * with TSC bit 0 (TSC>>0); bit 5 is "store LMA", not part of the rate.
 */
static void test_bochs_misc(void **state)
{
	struct vmx_caps c;

	read_caps(&c);
	assert_int_equal(c.misc.preemption_shift, 0);
	assert_true(c.misc.store_lma);
	assert_true(c.misc.act_hlt);
	assert_true(c.misc.act_shutdown);
	assert_true(c.misc.act_wait_sipi);
	assert_false(c.misc.pt_in_vmx);
	assert_int_equal(c.misc.cr3_targets, 4);
	assert_int_equal(c.misc.max_msr_list, 512);
	assert_true(c.misc.vmwrite_any);
	assert_true(c.misc.inject_len0);
	assert_int_equal(c.misc.mseg_revision, 0);
}

static void test_misc_synthetic_rate_5(void **state)
{
	struct vmx_caps c;

	fake_cpu_set_msr(MSR_IA32_VMX_MISC, 0x0000abcd0e0400c5ull);
	read_caps(&c);
	assert_int_equal(c.misc.preemption_shift, 5);
	assert_false(c.misc.store_lma);
	assert_true(c.misc.act_hlt);
	assert_true(c.misc.act_shutdown);
	assert_false(c.misc.act_wait_sipi);
	assert_int_equal(c.misc.cr3_targets, 4);
	assert_int_equal(c.misc.max_msr_list, 512 * 8);
	assert_int_equal(c.misc.mseg_revision, 0xabcd);
	vmx_caps_print_short(&c);
	assert_true(fake_printk_contains("preemption timer yes (TSC>>5)"));
}

static void test_every_msr_read_once(void **state)
{
	struct vmx_caps c;
	uint32_t msr;

	read_caps(&c);
	for (msr = MSR_IA32_VMX_BASIC; msr <= MSR_IA32_VMX_VMFUNC; msr++)
		assert_int_equal(fake_cpu_msr_reads(msr), 1);
}

static void test_no_true_controls(void **state)
{
	struct vmx_caps c;
	uint32_t msr;

	fake_cpu_set_msr(MSR_IA32_VMX_BASIC, BOCHS_BASIC_NO_TRUE);
	for (msr = MSR_IA32_VMX_TRUE_PINBASED_CTLS; msr <= MSR_IA32_VMX_TRUE_ENTRY_CTLS; msr++)
		fake_cpu_remove_msr(msr);
	read_caps(&c);
	assert_false(c.true_ctls);
	assert_false(c.has.true_ctls);
	assert_int_equal(c.msr.true_procbased, 0);
	assert_int_equal(c.ctl[VMX_CTL_PROC].msr, BOCHS_PROC);
	assert_int_equal(c.ctl[VMX_CTL_PROC].allowed0, 0x0401e172);
	assert_int_equal(c.ctl[VMX_CTL_EXIT].allowed0, 0x00036dff);
	assert_int_equal(c.ctl[VMX_CTL_ENTRY].allowed0, 0x000011ff);
	assert_true(c.has.ept);
}

static void test_no_secondary_controls(void **state)
{
	struct vmx_caps c;
	uint32_t out = 0;
	const char *bad = NULL;

	fake_cpu_set_msr(MSR_IA32_VMX_PROCBASED_CTLS, BOCHS_PROC & ~(1ull << 63));
	fake_cpu_set_msr(MSR_IA32_VMX_TRUE_PROCBASED_CTLS, BOCHS_TRUE_PROC & ~(1ull << 63));
	fake_cpu_remove_msr(MSR_IA32_VMX_PROCBASED_CTLS2);
	fake_cpu_remove_msr(MSR_IA32_VMX_EPT_VPID_CAP);
	fake_cpu_remove_msr(MSR_IA32_VMX_VMFUNC);
	read_caps(&c);
	assert_false(c.has.secondary_ctls);
	assert_false(c.has.ept);
	assert_false(c.has.vpid);
	assert_false(c.has.unrestricted_guest);
	assert_false(c.has.vmfunc);
	assert_int_equal(c.ctl[VMX_CTL_PROC2].allowed1, 0);
	assert_true(c.has.hlt_exiting);
	assert_int_equal(vmx_caps_adjust(&c, VMX_CTL_PROC, VMX_PROC_SECONDARY_CTLS, 0, &out, &bad),
			 E_NOTSUP);
	assert_string_equal(bad, "activate secondary controls");
	assert_int_equal(out, 0);
}

/* Core 2 style: secondary controls without EPT, VPID or unrestricted guest. */
static void test_core2_like_without_ept(void **state)
{
	struct vmx_caps c;
	uint32_t want = VMX_PROC2_EPT | VMX_PROC2_UNRESTRICTED_GUEST;
	uint32_t out;
	const char *bad = NULL;

	fake_cpu_set_msr(MSR_IA32_VMX_PROCBASED_CTLS2, 0x0000004100000000ull);
	fake_cpu_remove_msr(MSR_IA32_VMX_EPT_VPID_CAP);
	fake_cpu_remove_msr(MSR_IA32_VMX_VMFUNC);
	read_caps(&c);
	assert_true(c.has.secondary_ctls);
	assert_false(c.has.ept);
	assert_false(c.has.ept_wb_4level);
	assert_false(c.has.vpid);
	assert_false(c.has.invept_all);
	assert_false(c.has.invvpid);
	assert_false(c.has.unrestricted_guest);
	assert_int_equal(c.msr.ept_vpid_cap, 0);
	assert_int_equal(vmx_caps_adjust(&c, VMX_CTL_PROC2, want, 0, &out, &bad), E_NOTSUP);
	assert_string_equal(bad, "enable EPT");
	vmx_caps_print_short(&c);
	assert_true(fake_printk_contains("EPT no, VPID no, unrestricted guest no"));
	fake_printk_clear();
	c.msr.pinbased &= ~((uint64_t)VMX_PIN_PREEMPTION_TIMER << 32);
	c.msr.true_pinbased &= ~((uint64_t)VMX_PIN_PREEMPTION_TIMER << 32);
	vmx_caps_decode(&c);
	vmx_caps_print_short(&c);
	assert_true(fake_printk_contains("preemption timer no\n"));
}

static void test_vpid_without_ept(void **state)
{
	struct vmx_caps c;
	uint64_t proc2 = (uint64_t)(VMX_PROC2_VPID | VMX_PROC2_UNRESTRICTED_GUEST) << 32;

	fake_cpu_set_msr(MSR_IA32_VMX_PROCBASED_CTLS2, proc2);
	fake_cpu_remove_msr(MSR_IA32_VMX_VMFUNC);
	read_caps(&c);
	assert_int_equal(fake_cpu_msr_reads(MSR_IA32_VMX_EPT_VPID_CAP), 1);
	assert_true(c.has.vpid);
	assert_true(c.has.invvpid);
	assert_false(c.has.ept);
	assert_false(c.ept.walk4);
	assert_false(c.has.invept_all);
	/* SDM 3C 27.2.1.1: unrestricted guest is usable only with EPT. */
	assert_false(c.has.unrestricted_guest);
}

static void test_not_present(void **state)
{
	struct vmx_caps c;
	uint32_t msr;

	fake_cpu_set_cpuid1_ecx(0, CPUID_1_ECX_VMX);
	for (msr = MSR_IA32_VMX_BASIC; msr <= MSR_IA32_VMX_VMFUNC; msr++)
		fake_cpu_remove_msr(msr);
	read_caps(&c);
	assert_false(c.present);
	assert_int_equal(c.revision_id, 0);
	assert_false(c.has.ept);
	vmx_caps_print_short(&c);
	assert_true(fake_printk_contains("this CPU has no VT-x"));
}

static void test_decode_is_pure(void **state)
{
	struct vmx_caps a, b;

	read_caps(&a);
	memset(&b, 0x5a, sizeof(b));
	b.present = true;
	b.msr = a.msr;
	vmx_caps_decode(&b);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void test_adjust_true_proc(void **state)
{
	uint32_t req = VMX_PROC_HLT_EXITING | VMX_PROC_SECONDARY_CTLS | VMX_PROC_MSR_BITMAPS |
		       VMX_PROC_IO_BITMAPS;
	uint32_t out = 0;
	const char *bad = "unset";

	assert_int_equal(vmx_adjust_controls(BOCHS_TRUE_PROC, req, 0, &out, vmx_proc_ctl_names,
					     &bad),
			 E_OK);
	assert_int_equal(out, 0x960061f2);
	assert_null(bad);
	/* Without TRUE: CR3-load and CR3-store exiting are default1 and forced on. */
	assert_int_equal(vmx_adjust_controls(BOCHS_PROC, req, 0, &out, vmx_proc_ctl_names, NULL),
			 E_OK);
	assert_int_equal(out, 0x9601e1f2);
	assert_true(out & VMX_PROC_CR3_LOAD_EXITING);
}

static void test_adjust_required1_forced(void **state)
{
	uint32_t out = 0;

	assert_int_equal(vmx_adjust_controls(BOCHS_PIN, 0, 0, &out, vmx_pin_ctl_names, NULL), E_OK);
	assert_int_equal(out, 0x16);
	assert_int_equal(vmx_adjust_controls(BOCHS_TRUE_EXIT,
					     VMX_EXIT_HOST_ADDR_SPACE_SIZE | VMX_EXIT_LOAD_EFER, 0,
					     &out, vmx_exit_ctl_names, NULL),
			 E_OK);
	assert_int_equal(out, 0x00036dfb | VMX_EXIT_HOST_ADDR_SPACE_SIZE | VMX_EXIT_LOAD_EFER);
	assert_int_equal(vmx_adjust_controls(BOCHS_TRUE_ENTRY, VMX_ENTRY_IA32E_MODE_GUEST, 0, &out,
					     vmx_entry_ctl_names, NULL),
			 E_OK);
	assert_int_equal(out, 0x000013fb);
}

static void test_adjust_not_allowed_names_bit(void **state)
{
	uint32_t out = 0x1234;
	const char *bad = NULL;

	assert_int_equal(vmx_adjust_controls(BOCHS_PIN,
					     VMX_PIN_NMI_EXITING | VMX_PIN_POSTED_INTR, 0, &out,
					     vmx_pin_ctl_names, &bad),
			 E_NOTSUP);
	assert_string_equal(bad, "process posted interrupts");
	assert_int_equal(out, 0x1234);
	assert_int_equal(vmx_adjust_controls(BOCHS_PROC2, 1u << 22, 0, &out, vmx_proc2_ctl_names,
					     &bad),
			 E_NOTSUP);
	assert_string_equal(bad, "mode-based execute control for EPT");
	assert_int_equal(vmx_adjust_controls(BOCHS_PIN, 1u << 9, 0, &out, NULL, &bad), E_NOTSUP);
	assert_string_equal(bad, "bit 9");
}

static void test_adjust_optional(void **state)
{
	uint32_t out = 0;
	uint32_t req = VMX_PROC2_EPT | VMX_PROC2_VPID | VMX_PROC2_UNRESTRICTED_GUEST;

	assert_int_equal(vmx_adjust_controls(BOCHS_PROC2, req, VMX_PROC2_TSC_SCALING | (1u << 22),
					     &out, vmx_proc2_ctl_names, NULL),
			 E_OK);
	assert_int_equal(out, req | VMX_PROC2_TSC_SCALING);
}

static void test_adjust_malformed_msr(void **state)
{
	uint32_t out = 0;
	const char *bad = NULL;

	assert_int_equal(vmx_adjust_controls(0x0000000100000009ull, 0, 0, &out, vmx_pin_ctl_names,
					     &bad),
			 E_MALFORMED);
	assert_string_equal(bad, "NMI exiting");
}

static void test_caps_adjust_uses_true_msrs(void **state)
{
	struct vmx_caps c;
	uint32_t out = 0;
	const char *bad = NULL;

	read_caps(&c);
	assert_int_equal(vmx_caps_adjust(&c, VMX_CTL_PROC, VMX_PROC_HLT_EXITING, 0, &out, &bad),
			 E_OK);
	assert_int_equal(out, 0x04006172 | VMX_PROC_HLT_EXITING);
	assert_int_equal(vmx_caps_adjust(&c, VMX_CTL_ENTRY, 1u << 23, 0, &out, &bad), E_NOTSUP);
	assert_string_equal(bad, "bit 23");
	assert_int_equal(vmx_caps_adjust(&c, VMX_CTL_KINDS, 0, 0, &out, &bad), E_INVAL);
}

static void test_names(void **state)
{
	assert_string_equal(vmx_ctl_names(VMX_CTL_PROC)[7], "HLT exiting");
	assert_string_equal(vmx_ctl_names(VMX_CTL_PROC2)[7], "unrestricted guest");
	assert_string_equal(vmx_ctl_names(VMX_CTL_PIN)[6], "activate VMX-preemption timer");
	assert_string_equal(vmx_ctl_names(VMX_CTL_EXIT)[9], "host address-space size");
	assert_string_equal(vmx_ctl_names(VMX_CTL_ENTRY)[9], "IA-32e mode guest");
	assert_null(vmx_ctl_names(VMX_CTL_KINDS));
	assert_string_equal(vmx_bit_label(vmx_pin_ctl_names, 1), "bit 1");
	assert_string_equal(vmx_bit_label(vmx_pin_ctl_names, 40), "bit out of range");
	assert_string_equal(vmx_ctl_kind_name(VMX_CTL_PROC2), "secondary processor-based");
}

static void test_print_short_bochs(void **state)
{
	struct vmx_caps c;

	read_caps(&c);
	vmx_caps_print_short(&c);
	assert_true(fake_printk_contains("VMX rev 0x2b: EPT yes, VPID yes, unrestricted guest yes, "
					 "preemption timer yes (TSC>>0)"));
	assert_true(fake_printk_contains("EPT 4-level WB yes"));
	assert_true(fake_printk_contains("INVEPT single yes all yes"));
}

static void test_print_full_bochs(void **state)
{
	struct vmx_caps c;

	read_caps(&c);
	vmx_caps_print_full(&c);
	assert_true(fake_printk_contains("IA32_VMX_TRUE_PROCBASED_CTLS"));
	assert_true(fake_printk_contains("0xf7f9fffe04006172"));
	assert_true(fake_printk_contains("pin-based controls (0x0000007f00000016):\n"
					 "    must be 1: bit 1, bit 2, bit 4\n"));
	assert_true(fake_printk_contains("HLT exiting"));
	assert_true(fake_printk_contains("enable EPT"));
	assert_true(fake_printk_contains("    must be 1: none"));
	assert_true(fake_printk_contains("activity HLT yes shutdown yes wait-for-SIPI yes"));
	assert_true(fake_printk_contains("revision 0x2b, region 4096 bytes, memory type 6 (WB)"));
	assert_true(fake_printk_contains("single-context keeping globals yes"));
	assert_false(fake_printk_contains("may be 1:  none"));
}

static void test_print_full_wraps_lines(void **state)
{
	struct vmx_caps c;
	const char *log, *line;

	read_caps(&c);
	vmx_caps_print_full(&c);
	log = fake_printk_log();
	for (line = log; *line;) {
		const char *nl = strchr(line, '\n');

		assert_non_null(nl);
		assert_true(nl - line <= 100);
		line = nl + 1;
	}
}

static void test_equal_and_diff(void **state)
{
	struct vmx_caps a, b;

	read_caps(&a);
	b = a;
	assert_true(vmx_caps_equal(&a, &b));
	assert_int_equal(vmx_caps_print_diff(&a, 0, &b, 1), 0);
	b.msr.procbased2 &= ~((uint64_t)VMX_PROC2_EPT << 32);
	b.msr.misc = 0x600401e5ull;
	vmx_caps_decode(&b);
	assert_false(vmx_caps_equal(&a, &b));
	assert_int_equal(vmx_caps_print_diff(&a, 0, &b, 3), 2);
	assert_true(fake_printk_contains("IA32_VMX_PROCBASED_CTLS2 (0x48b) is 0x2177fff00000000 on "
					 "CPU 0 but 0x2177ffd00000000 on CPU 3"));
	assert_true(fake_printk_contains("IA32_VMX_MISC"));
	b = a;
	b.present = false;
	assert_false(vmx_caps_equal(&a, &b));
	assert_int_equal(vmx_caps_print_diff(&a, 0, &b, 2), 1);
	assert_true(fake_printk_contains("CPU 0 has VT-x, CPU 2 lacks"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_bochs_basic_and_controls, setup),
		cmocka_unit_test_setup(test_bochs_features, setup),
		cmocka_unit_test_setup(test_bochs_misc, setup),
		cmocka_unit_test_setup(test_misc_synthetic_rate_5, setup),
		cmocka_unit_test_setup(test_every_msr_read_once, setup),
		cmocka_unit_test_setup(test_no_true_controls, setup),
		cmocka_unit_test_setup(test_no_secondary_controls, setup),
		cmocka_unit_test_setup(test_core2_like_without_ept, setup),
		cmocka_unit_test_setup(test_vpid_without_ept, setup),
		cmocka_unit_test_setup(test_not_present, setup),
		cmocka_unit_test_setup(test_decode_is_pure, setup),
		cmocka_unit_test_setup(test_adjust_true_proc, setup),
		cmocka_unit_test_setup(test_adjust_required1_forced, setup),
		cmocka_unit_test_setup(test_adjust_not_allowed_names_bit, setup),
		cmocka_unit_test_setup(test_adjust_optional, setup),
		cmocka_unit_test_setup(test_adjust_malformed_msr, setup),
		cmocka_unit_test_setup(test_caps_adjust_uses_true_msrs, setup),
		cmocka_unit_test_setup(test_names, setup),
		cmocka_unit_test_setup(test_print_short_bochs, setup),
		cmocka_unit_test_setup(test_print_full_bochs, setup),
		cmocka_unit_test_setup(test_print_full_wraps_lines, setup),
		cmocka_unit_test_setup(test_equal_and_diff, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
