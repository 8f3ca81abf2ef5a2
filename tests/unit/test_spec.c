/* SPDX-License-Identifier: MIT */
/*
 * Host tests for arch/x86/spec.c: the mitigations chosen for CPUs that
 * report different CPUID.7:EDX bits and IA32_ARCH_CAPABILITIES values, from
 * an old part with every flaw to one that declares itself immune.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "arch/x86/spec.h"

#define EDX_ALL                                                                                    \
	(CPUID_7_EDX_MD_CLEAR | CPUID_7_EDX_IBRS_IBPB | CPUID_7_EDX_STIBP |                        \
	 CPUID_7_EDX_L1D_FLUSH | CPUID_7_EDX_ARCH_CAPS | CPUID_7_EDX_SSBD)
#define IMMUNE                                                                                     \
	(ARCH_CAP_RDCL_NO | ARCH_CAP_MDS_NO | ARCH_CAP_TAA_NO | ARCH_CAP_SBDR_SSDP_NO |            \
	 ARCH_CAP_FBSDP_NO | ARCH_CAP_PSDP_NO)

static struct spec_policy decide(uint32_t edx, uint64_t arch)
{
	struct spec_cpu in = {.cpuid7_edx = edx, .arch_caps = arch};
	struct spec_policy p;

	spec_decide(&in, &p);
	return p;
}

/* Skylake-like: every flaw, microcode with all the commands. */
static void test_old_part_gets_everything(void **state)
{
	struct spec_policy p = decide(EDX_ALL, 0);

	assert_true(p.ibpb);
	assert_true(p.l1d_flush);
	assert_false(p.l1tf_open);
	assert_false(p.verw); /* the L1D flush clears the same buffers */
	assert_int_equal(p.spec_ctrl, SPEC_CTRL_IBRS | SPEC_CTRL_STIBP | SPEC_CTRL_SSBD);
	assert_non_null(strstr(p.verw_why, "L1D flush"));
}

static void test_immune_part_gets_ibpb_only(void **state)
{
	struct spec_policy p = decide(EDX_ALL, IMMUNE);

	assert_true(p.ibpb);
	assert_false(p.l1d_flush);
	assert_false(p.verw);
	assert_non_null(strstr(p.l1d_why, "RDCL_NO"));
	assert_non_null(strstr(p.verw_why, "MDS_NO"));
}

/* Not exposed to L1TF but to MDS: VERW on entry. */
static void test_mds_only(void **state)
{
	struct spec_policy p = decide(EDX_ALL, ARCH_CAP_RDCL_NO);

	assert_false(p.l1d_flush);
	assert_true(p.verw);
	/* one of the MMIO stale data _NO bits missing is enough to need it */
	p = decide(EDX_ALL, IMMUNE & ~ARCH_CAP_PSDP_NO);
	assert_true(p.verw);
	/* SKIP_L1DFL_VMENTRY: no flush, so VERW does the clearing */
	p = decide(EDX_ALL, ARCH_CAP_SKIP_L1DFL_VMENTRY);
	assert_false(p.l1d_flush);
	assert_true(p.verw);
}

/* Old microcode: exposed, nothing to mitigate with: said, not hidden. */
static void test_old_microcode_is_reported_open(void **state)
{
	struct spec_policy p = decide(0, 0);

	assert_false(p.ibpb || p.l1d_flush || p.verw);
	assert_true(p.l1tf_open);
	assert_int_equal(p.spec_ctrl, 0);
	assert_non_null(strstr(p.l1d_why, "OPEN"));
	assert_non_null(strstr(p.verw_why, "OPEN"));
}

static void test_spec_ctrl_bits_follow_cpuid(void **state)
{
	assert_int_equal(decide(CPUID_7_EDX_SSBD, IMMUNE).spec_ctrl, SPEC_CTRL_SSBD);
	assert_int_equal(decide(CPUID_7_EDX_STIBP, IMMUNE).spec_ctrl, SPEC_CTRL_STIBP);
	assert_false(decide(CPUID_7_EDX_STIBP, IMMUNE).ibpb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_old_part_gets_everything),
	    cmocka_unit_test(test_immune_part_gets_ibpb_only),
	    cmocka_unit_test(test_mds_only),
	    cmocka_unit_test(test_old_microcode_is_reported_open),
	    cmocka_unit_test(test_spec_ctrl_bits_follow_cpuid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
