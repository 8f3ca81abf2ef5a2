/* SPDX-License-Identifier: MIT */
/*
 * Renders the CPUID policy (guest/cpuid_policy.c) as the Markdown tables of
 * docs/cpuid.md; `make docs-cpuid` puts them between the markers there and
 * the cpuid_policy unit test fails while the two disagree.
 */
#include <stdio.h>
#include "guest/cpuid_policy.h"

static const char *const kind_text[] = {
    [CPUID_LEAF_ZERO] = "zero",
    [CPUID_LEAF_PASS] = "host",
    [CPUID_LEAF_BITS] = "bit table",
    [CPUID_LEAF_TOPOLOGY] = "VM topology",
    [CPUID_LEAF_XSTATE] = "guest XSAVE state",
    [CPUID_LEAF_MEASURED] = "measured TSC",
};

static const char *const action_text[] = {
    [CPUID_PASS] = "host",
    [CPUID_HIDE] = "**hidden**",
    [CPUID_SET] = "set",
    [CPUID_NEEDS] = "host if",
    [CPUID_CR4] = "guest CR4",
    [CPUID_VM] = "VM",
    [CPUID_CLAMP] = "host, capped",
    [CPUID_LONG] = "host in 64-bit mode",
};

static const char *const reg_text[] = {"EAX", "EBX", "ECX", "EDX"};

static const char *const need_text[] = {"AVX state",	  "AVX-512 state",   "PKRU state",
					"RDTSCP control", "INVPCID control", "MTRR MSRs",
					"MCA MSRs",	  "TSC_ADJUST MSR"};

static void field(FILE *f, uint32_t mask)
{
	int lo = __builtin_ctz(mask), hi = 31 - __builtin_clz(mask);

	if (lo == hi)
		fprintf(f, "%d", lo);
	else
		fprintf(f, "%d:%d", hi, lo);
}

static void needs(FILE *f, uint32_t n)
{
	for (unsigned i = 0; i < sizeof(need_text) / sizeof(need_text[0]); i++) {
		if (n & (1u << i))
			fprintf(f, " %s", need_text[i]);
	}
}

void cpuid_table_render(FILE *f)
{
	size_t nl, nb;
	const struct cpuid_leaf_rule *l = cpuid_policy_leaves(&nl);
	const struct cpuid_bit_rule *b = cpuid_policy_bits(&nb);

	fprintf(f, "| leaf | contents | guest gets | why |\n|---|---|---|---|\n");
	for (size_t i = 0; i < nl; i++)
		fprintf(f, "| %XH | %s | %s | %s |\n", l[i].leaf, l[i].name, kind_text[l[i].kind],
			l[i].why);
	fprintf(f, "\n| leaf.sub | reg | bit | feature | guest gets | why |\n"
		   "|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < nb; i++) {
		fprintf(f, "| %XH.%u | %s | ", b[i].leaf, b[i].sub, reg_text[b[i].reg]);
		field(f, b[i].mask);
		fprintf(f, " | %s | %s", b[i].name, action_text[b[i].action]);
		needs(f, b[i].needs);
		fprintf(f, " | %s |\n", b[i].why);
	}
}

#ifndef CPUID_TABLE_NO_MAIN
int main(void)
{
	cpuid_table_render(stdout);
	return 0;
}
#endif
