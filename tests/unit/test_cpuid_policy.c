/* SPDX-License-Identifier: MIT */
/*
 * Host tests for guest/cpuid_policy.c: the masks a machine gets, that no two
 * rules claim the same bit, that every vetted leaf has rules, and that
 * docs/cpuid.md shows exactly the tables of the code (tools/cpuid_table.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "guest/cpuid_policy.h"
#define CPUID_TABLE_NO_MAIN
#include "tools/cpuid_table.c"

#define BIT(n) (1u << (n))
#define DOC "docs/cpuid.md"
#define BEGIN_MARK "<!-- cpuid-policy:begin -->\n"
#define END_MARK "<!-- cpuid-policy:end -->\n"
#define DOC_MAX (256 * 1024)

static void test_leaf1_masks(void **state)
{
	struct cpuid_masks m;

	(void)state;
	assert_true(cpuid_policy_masks(1, 0, 0, &m));
	assert_true(m.keep[CPUID_ECX] & BIT(0));       /* SSE3 passes */
	assert_false(m.keep[CPUID_ECX] & BIT(5));      /* VMX hidden */
	assert_false(m.keep[CPUID_ECX] & BIT(15));     /* PDCM hidden */
	assert_false(m.keep[CPUID_ECX] & BIT(27));     /* OSXSAVE is CR4's */
	assert_true(m.set[CPUID_ECX] & BIT(31));       /* hypervisor */
	assert_true(m.set[CPUID_ECX] & BIT(21));       /* x2APIC: the vLAPIC's */
	assert_false(m.keep[CPUID_ECX] & BIT(28));     /* AVX needs the state */
	assert_false(m.keep[CPUID_EBX] & 0xffff0000u); /* topology is the VM's */
	assert_true(m.keep[CPUID_EAX] == 0xffffffffu);
	assert_false(m.keep[CPUID_ECX] & BIT(16)); /* unlisted: hidden */
}

static void test_needs_decide(void **state)
{
	struct cpuid_masks m;

	(void)state;
	cpuid_policy_masks(1, 0, CPUID_NEED_AVX, &m);
	assert_true(m.keep[CPUID_ECX] & BIT(28));
	cpuid_policy_masks(7, 0, CPUID_NEED_AVX, &m);
	assert_true(m.keep[CPUID_EBX] & BIT(5));   /* AVX2 */
	assert_false(m.keep[CPUID_EBX] & BIT(16)); /* AVX512F needs more */
	cpuid_policy_masks(7, 0, CPUID_NEED_AVX | CPUID_NEED_AVX512, &m);
	assert_true(m.keep[CPUID_EBX] & BIT(16));
	cpuid_policy_masks(0x80000001, 0, 0, &m);
	assert_false(m.keep[CPUID_EDX] & BIT(27)); /* RDTSCP needs the control */
	cpuid_policy_masks(0x80000001, 0, CPUID_NEED_RDTSCP, &m);
	assert_true(m.keep[CPUID_EDX] & BIT(27));
	assert_false(cpuid_policy_masks(2, 0, 0, &m)); /* a leaf without bit rules */
}

static void test_rules_disjoint(void **state)
{
	size_t n;
	const struct cpuid_bit_rule *b = cpuid_policy_bits(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		assert_true(b[i].mask != 0);
		assert_true(b[i].reg < CPUID_NREGS);
		for (size_t j = i + 1; j < n; j++) {
			if (b[i].leaf == b[j].leaf && b[i].sub == b[j].sub &&
			    b[i].reg == b[j].reg && (b[i].mask & b[j].mask))
				fail_msg("rules %s and %s claim the same bits", b[i].name,
					 b[j].name);
		}
	}
}

static void test_bit_leaves_have_rules(void **state)
{
	size_t n;
	const struct cpuid_leaf_rule *l = cpuid_policy_leaves(&n);
	struct cpuid_masks m;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		if (l[i].kind == CPUID_LEAF_BITS && !cpuid_policy_masks(l[i].leaf, 0, 0, &m))
			fail_msg("leaf %#x is a bit-table leaf without rules", l[i].leaf);
		assert_ptr_equal(cpuid_policy_leaf(l[i].leaf), &l[i]);
	}
	assert_null(cpuid_policy_leaf(0x8));
}

static char *read_doc(void)
{
	FILE *f = fopen(DOC, "r");
	char *buf = calloc(1, DOC_MAX);
	size_t len;

	assert_non_null(f);
	len = fread(buf, 1, DOC_MAX - 1, f);
	fclose(f);
	buf[len] = 0;
	return buf;
}

static void test_doc_matches_code(void **state)
{
	char *doc = read_doc(), *want = 0, *begin, *end;
	size_t want_len = 0;
	FILE *f = open_memstream(&want, &want_len);

	(void)state;
	cpuid_table_render(f);
	fclose(f);
	begin = strstr(doc, BEGIN_MARK);
	end = strstr(doc, END_MARK);
	if (!begin || !end)
		fail_msg(DOC " lacks the cpuid-policy markers");
	begin += strlen(BEGIN_MARK);
	*end = 0;
	if (strcmp(begin, want) != 0)
		fail_msg(DOC " disagrees with guest/cpuid_policy.c: run make docs-cpuid");
	free(doc);
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_leaf1_masks),	     cmocka_unit_test(test_needs_decide),
	    cmocka_unit_test(test_rules_disjoint),   cmocka_unit_test(test_bit_leaves_have_rules),
	    cmocka_unit_test(test_doc_matches_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
