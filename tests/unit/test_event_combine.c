/* SPDX-License-Identifier: MIT */
/*
 * Host tests for guest/event_combine.c: every cell of SDM Vol. 3A Table 6-5
 * (benign, contributory, page fault against each other), interrupts as the
 * first event, and a fault while delivering #DF.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "guest/event_combine.h"

#define DE 0
#define DB 1
#define NMI 2
#define UD 6
#define NP 11
#define SS 12
#define GP 13
#define PF 14
#define AC 17
#define VE 20
#define TIMER_VECTOR 0x30

static void test_benign_first_is_serial(void **state)
{
	assert_int_equal(event_combine(true, DB, GP), EVENT_SERIAL);
	assert_int_equal(event_combine(true, UD, PF), EVENT_SERIAL);
	assert_int_equal(event_combine(true, NMI, GP), EVENT_SERIAL);
}

static void test_contributory_first(void **state)
{
	assert_int_equal(event_combine(true, GP, NP), EVENT_DOUBLE_FAULT);
	assert_int_equal(event_combine(true, DE, SS), EVENT_DOUBLE_FAULT);
	assert_int_equal(event_combine(true, NP, PF), EVENT_SERIAL);
	assert_int_equal(event_combine(true, GP, AC), EVENT_SERIAL);
}

static void test_page_fault_first(void **state)
{
	assert_int_equal(event_combine(true, PF, PF), EVENT_DOUBLE_FAULT);
	assert_int_equal(event_combine(true, PF, GP), EVENT_DOUBLE_FAULT);
	assert_int_equal(event_combine(true, VE, PF), EVENT_DOUBLE_FAULT);
	assert_int_equal(event_combine(true, PF, DB), EVENT_SERIAL);
}

static void test_double_fault_first(void **state)
{
	assert_int_equal(event_combine(true, X86_VECTOR_DF, GP), EVENT_SHUTDOWN);
	assert_int_equal(event_combine(true, X86_VECTOR_DF, PF), EVENT_SHUTDOWN);
	assert_int_equal(event_combine(true, X86_VECTOR_DF, UD), EVENT_SERIAL);
}

/* An interrupt or INT n is benign whatever its vector: INT 13 is no #GP. */
static void test_interrupts_are_benign(void **state)
{
	assert_int_equal(event_combine(false, TIMER_VECTOR, GP), EVENT_SERIAL);
	assert_int_equal(event_combine(false, GP, GP), EVENT_SERIAL);
	assert_int_equal(event_combine(false, X86_VECTOR_DF, PF), EVENT_SERIAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_benign_first_is_serial),
	    cmocka_unit_test(test_contributory_first),
	    cmocka_unit_test(test_page_fault_first),
	    cmocka_unit_test(test_double_fault_first),
	    cmocka_unit_test(test_interrupts_are_benign),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
