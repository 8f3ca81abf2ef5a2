/* SPDX-License-Identifier: MIT */
/*
 * Host tests for guest/cr_check.c: each #GP rule of MOV to CR0 and CR4
 * (SDM Vol. 2B MOV to control registers), and writes that must pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "arch/x86/x86_regs.h"
#include "guest/cr_check.h"

#define CR0_LONG (CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG)
#define CR4_ALLOWED                                                                                \
	(CR4_DE | CR4_PSE | CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_PCIDE | CR4_OSXSAVE | CR4_SMAP |  \
	 CR4_LA57 | CR4_CET)
#define CR3_PCID_BITS 0x5ull

/* 64-bit mode with paging on. */
static struct cr_state long_mode(void)
{
	return (struct cr_state){.cr0 = CR0_LONG,
				 .cr4 = CR4_PAE | CR4_OSFXSR,
				 .efer = EFER_LME | EFER_LMA,
				 .long_mode = true,
				 .cr4_allowed = CR4_ALLOWED};
}

/* Protected mode, paging off, EFER.LME set: about to enter IA-32e mode. */
static struct cr_state before_long_mode(void)
{
	return (struct cr_state){
	    .cr0 = CR0_PE | CR0_ET, .efer = EFER_LME, .cr4_allowed = CR4_ALLOWED};
}

static void test_cr0_good_writes(void **state)
{
	struct cr_state s = long_mode(), p = before_long_mode();

	assert_null(cr_check_cr0(&s, CR0_LONG | CR0_TS));
	p.cr4 = CR4_PAE;
	assert_null(cr_check_cr0(&p, CR0_PE | CR0_PG));
	assert_null(cr_check_cr0(&p, CR0_CD | CR0_NW | CR0_PE));
	s.long_mode = false; /* compatibility mode may leave IA-32e mode */
	assert_null(cr_check_cr0(&s, CR0_PE));
}

static void test_cr0_bad_writes(void **state)
{
	struct cr_state s = long_mode(), p = before_long_mode();

	assert_non_null(cr_check_cr0(&s, CR0_LONG | (1ull << 32)));
	assert_non_null(cr_check_cr0(&p, CR0_PG));
	assert_non_null(cr_check_cr0(&p, CR0_PE | CR0_NW));
	assert_non_null(cr_check_cr0(&p, CR0_PE | CR0_PG)); /* LME without PAE */
	assert_non_null(cr_check_cr0(&s, CR0_PE));	    /* PG off in 64-bit mode */
	s.long_mode = false;
	s.cr4 |= CR4_PCIDE;
	assert_non_null(cr_check_cr0(&s, CR0_PE));
	s = long_mode();
	s.cr4 |= CR4_CET;
	assert_non_null(cr_check_cr0(&s, CR0_LONG & ~CR0_WP));
}

static void test_cr4_good_writes(void **state)
{
	struct cr_state s = long_mode(), p = before_long_mode();

	assert_null(cr_check_cr4(&s, CR4_PAE | CR4_PCIDE | CR4_OSXSAVE));
	assert_null(cr_check_cr4(&s, CR4_PAE | CR4_CET));
	assert_null(cr_check_cr4(&p, 0));
	assert_null(cr_check_cr4(&p, CR4_LA57 | CR4_PAE)); /* outside IA-32e mode */
}

static void test_cr4_bad_writes(void **state)
{
	struct cr_state s = long_mode(), p = before_long_mode();

	assert_non_null(cr_check_cr4(&s, CR4_PAE | CR4_VMXE)); /* not offered */
	assert_non_null(cr_check_cr4(&s, CR4_PAE | CR4_PKE));
	assert_non_null(cr_check_cr4(&s, CR4_PAE | (1ull << 32)));
	assert_non_null(cr_check_cr4(&s, CR4_OSFXSR));
	assert_non_null(cr_check_cr4(&s, CR4_PAE | CR4_LA57));
	assert_non_null(cr_check_cr4(&p, CR4_PCIDE));
	s.cr3 = CR3_PCID_BITS;
	assert_non_null(cr_check_cr4(&s, CR4_PAE | CR4_PCIDE));
	s = long_mode();
	s.cr0 &= ~CR0_WP;
	assert_non_null(cr_check_cr4(&s, CR4_PAE | CR4_CET));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cr0_good_writes),
	    cmocka_unit_test(test_cr0_bad_writes),
	    cmocka_unit_test(test_cr4_good_writes),
	    cmocka_unit_test(test_cr4_bad_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
