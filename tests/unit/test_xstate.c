/* SPDX-License-Identifier: MIT */
/*
 * Host tests for guest/xstate.c: the XSAVE area is sized from the CPUID leaf
 * 0xD sub-leaves of the components guests may enable (x87/SSE/AVX/AVX-512
 * and PKRU), not from the size for every supported component, so an AMX CPU
 * still gets a one-page area that holds PKRU; larger layouts get contiguous
 * pages, absurd ones and a missing XSAVE are refused by name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "arch/x86/cpu.h"
#include "mm/pmm.h"
#include "tests/unit/fake_cpu.h"
#include "tests/unit/fake_pmm.h"
#include "tests/unit/fake_printk.h"
#include "guest/xstate.h"

#define XSTATE_LEAF 0xd
#define X87_SSE_AVX 0x7u
#define X87_SSE_AVX_AVX512_PKRU 0x2e7u
/* A Sapphire Rapids-like CPU: x87, SSE, AVX, AVX-512 (5-7), PKRU (9), AMX (17, 18). */
#define AMX_XCR0_LOW 0x602e7u
#define AMX_ALL_SIZE 11008u
#define AVX_OFFSET 576u
#define AVX_SIZE 256u
#define ZMM_HI16_OFFSET 1664u
#define ZMM_HI16_SIZE 1024u
#define PKRU_OFFSET 2688u
#define PKRU_SIZE 8u
#define TILEDATA_OFFSET 2816u
#define TILEDATA_SIZE 8192u
#define FCW_RESET 0x37f
#define MXCSR_OFFSET 24
#define MXCSR_RESET 0x1f80
#define POOL_PAGES 64

static int setup(void **state)
{
	fake_cpu_reset();
	fake_pmm_reset(POOL_PAGES);
	fake_printk_clear();
	fake_cpu_set_cpuid(1, 0, 0, 0, CPUID_1_ECX_XSAVE, 0);
	fake_cpu_set_cpuid(XSTATE_LEAF, 0, AMX_XCR0_LOW, 0, AMX_ALL_SIZE, 0);
	fake_cpu_set_cpuid(XSTATE_LEAF, 2, AVX_SIZE, AVX_OFFSET, 0, 0);
	fake_cpu_set_cpuid(XSTATE_LEAF, 7, ZMM_HI16_SIZE, ZMM_HI16_OFFSET, 0, 0);
	fake_cpu_set_cpuid(XSTATE_LEAF, 9, PKRU_SIZE, PKRU_OFFSET, 0, 0);
	fake_cpu_set_cpuid(XSTATE_LEAF, 18, TILEDATA_SIZE, TILEDATA_OFFSET, 0, 0);
	return 0;
}

static void test_size_of_components(void **state)
{
	/* x87 and SSE: the legacy region and the header only. */
	assert_int_equal(xstate_area_size(0x3), XSAVE_LEGACY_SIZE + XSAVE_HEADER_SIZE);
	assert_int_equal(xstate_area_size(X87_SSE_AVX), AVX_OFFSET + AVX_SIZE);
	/* The highest component decides, whatever the order of the others. */
	assert_int_equal(xstate_area_size(X87_SSE_AVX | (1u << 7)),
			 ZMM_HI16_OFFSET + ZMM_HI16_SIZE);
	assert_int_equal(xstate_area_size(AMX_XCR0_LOW), TILEDATA_OFFSET + TILEDATA_SIZE);
}

/* The audit's case: CPUID.(0xD,0):ECX = 11008 used to fail every vCPU
 * creation with "out of memory"; guests get x87/SSE/AVX/AVX-512 and
 * PKRU, not AMX, so the one page still holds them all. */
static void test_amx_cpu_gets_one_page(void **state)
{
	void *area = NULL;
	uint64_t xcr0 = 0;

	assert_int_equal(xstate_guest_allowed(), X87_SSE_AVX_AVX512_PKRU);
	assert_true(xstate_guest_pkru());
	assert_int_equal(xstate_area_size(xstate_guest_allowed()), PKRU_OFFSET + PKRU_SIZE);
	assert_int_equal(xstate_alloc(&area, &xcr0), E_OK);
	assert_non_null(area);
	assert_int_equal((uintptr_t)area % PAGE_SIZE, 0);
	assert_int_equal(fake_pmm_outstanding(), 1);
	assert_int_equal(xcr0, 1);
	assert_int_equal(*(uint16_t *)area, FCW_RESET);
	assert_int_equal(*(uint32_t *)((uint8_t *)area + MXCSR_OFFSET), MXCSR_RESET);
	/* Header (XSTATE_BV, XCOMP_BV) and the AVX region are zero: init state. */
	for (size_t i = XSAVE_LEGACY_SIZE; i < PAGE_SIZE; i++)
		assert_int_equal(((uint8_t *)area)[i], 0);
	xstate_free(area);
	assert_int_equal(fake_pmm_outstanding(), 0);
}

/* A layout putting AVX past the first page gets contiguous pages, freed as one. */
static void test_area_over_a_page(void **state)
{
	void *area = NULL;
	uint64_t xcr0;

	fake_cpu_set_cpuid(XSTATE_LEAF, 2, AVX_SIZE, PAGE_SIZE, 0, 0);
	assert_int_equal(xstate_alloc(&area, &xcr0), E_OK);
	assert_int_equal(fake_pmm_outstanding(), 2);
	assert_true(fake_pmm_is_allocated((uintptr_t)area));
	for (size_t i = XSAVE_LEGACY_SIZE; i < 2 * PAGE_SIZE; i++)
		assert_int_equal(((uint8_t *)area)[i], 0);
	xstate_free(area);
	assert_int_equal(fake_pmm_outstanding(), 0);
}

/* XSETBV's rules (SDM Vol. 1 13.3): x87 always, AVX with SSE, the AVX-512
 * components all or none and only with AVX, nothing beyond what is allowed. */
static void test_xcr0_rules(void **state)
{
	assert_true(xstate_xcr0_valid(0x1));
	assert_true(xstate_xcr0_valid(X87_SSE_AVX));
	assert_true(xstate_xcr0_valid(X87_SSE_AVX_AVX512_PKRU));
	assert_false(xstate_xcr0_valid(0x2));		     /* no x87 */
	assert_false(xstate_xcr0_valid(0x5));		     /* AVX without SSE */
	assert_false(xstate_xcr0_valid(X87_SSE_AVX | 0x20)); /* opmask alone */
	assert_false(xstate_xcr0_valid(0x3 | 0xe0));	     /* AVX-512 without AVX */
	assert_false(xstate_xcr0_valid(0x60007));	     /* AMX is not offered */
}

static void test_refusals_name_the_problem(void **state)
{
	void *area = NULL;
	uint64_t xcr0;

	fake_cpu_set_cpuid(XSTATE_LEAF, 2, AVX_SIZE, XSAVE_MAX_PAGES * PAGE_SIZE, 0, 0);
	assert_int_equal(xstate_alloc(&area, &xcr0), E_RANGE);
	assert_true(fake_printk_contains("gives a 16640-byte XSAVE area for XCR0 0x2e7"));
	assert_int_equal(fake_pmm_outstanding(), 0);

	setup(state);
	fake_pmm_fail_after(0);
	assert_int_equal(xstate_alloc(&area, &xcr0), E_NOMEM);
	assert_true(fake_printk_contains("cannot allocate a vCPU's 2696-byte XSAVE area "
					 "(XCR0 0x2e7, 1 contiguous pages): "));
	fake_pmm_stop_failing();

	fake_printk_clear();
	fake_cpu_set_cpuid1_ecx(0, CPUID_1_ECX_XSAVE);
	assert_int_equal(xstate_alloc(&area, &xcr0), E_NOTSUP);
	assert_true(fake_printk_contains("this CPU has no XSAVE"));
	assert_int_equal(fake_pmm_outstanding(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_size_of_components, setup),
	    cmocka_unit_test_setup(test_amx_cpu_gets_one_page, setup),
	    cmocka_unit_test_setup(test_area_over_a_page, setup),
	    cmocka_unit_test_setup(test_xcr0_rules, setup),
	    cmocka_unit_test_setup(test_refusals_name_the_problem, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
