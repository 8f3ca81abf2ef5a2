/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the MSR model (vmx/msr.c, vmx/msr_emul.c): the table is
 * sorted and docs/msr.md lists exactly its entries; the WRMSR rules of PAT,
 * the MTRRs, the machine-check MSRs, MISC_ENABLE, EFER and APIC_BASE (through
 * a vLAPIC platform); the TSC and IA32_TSC_ADJUST arithmetic of SDM Vol. 3B
 * 17.17.3; the MSR bitmap the table gives; reset values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "arch/x86/apic_regs.h"
#include "arch/x86/cpu.h"
#include "arch/x86/x86_regs.h"
#include "dev/vlapic.h"
#include "tests/unit/fake_cpu.h"
#include "vmx/msr.h"
#include "vmx/spec.h"
#include "vmx/vcpu.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_fast.h"

#define DOC_PATH "docs/msr.md"
#define TEST_MAXPHYADDR 39
#define PAT_WC_IN_1 0x0007040600070106ull
#define BIT(n) (1ull << (n))
#define FIELDS 16

/* ---- fakes: VMCS fields, the mitigation MSRs ---- */

static struct {
	uint32_t field;
	uint64_t val;
} vmcs[FIELDS];

static uint64_t *slot(uint32_t field)
{
	for (unsigned i = 0; i < FIELDS; i++) {
		if (vmcs[i].field == field || !vmcs[i].field) {
			vmcs[i].field = field;
			return &vmcs[i].val;
		}
	}
	fail_msg("fake VMCS full");
	return NULL;
}

uint64_t vmcs_rd(uint32_t field)
{
	return *slot(field);
}

void vmcs_wr(uint32_t field, uint64_t val)
{
	*slot(field) = val;
}

uint64_t vmcs_read_or(uint32_t field, uint64_t dflt)
{
	return *slot(field);
}

enum err vmcs_write(uint32_t field, uint64_t val)
{
	*slot(field) = val;
	return E_OK;
}

static unsigned spec_calls;

enum vcpu_msr_result vmx_spec_msr(struct vmx_vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	spec_calls++;
	return msr == MSR_IA32_SPEC_CTRL ? VCPU_MSR_OK : VCPU_MSR_UNHANDLED;
}

/* ---- a vCPU, with or without a vLAPIC platform ---- */

static struct vmx_vcpu *v;
static struct vlapic lapic;

static enum vcpu_msr_result plat_msr(struct vcpu *vc, uint32_t msr, bool write, uint64_t *val)
{
	if (msr != MSR_IA32_APIC_BASE)
		return VCPU_MSR_UNHANDLED;
	if (!write) {
		*val = vlapic_base(&lapic);
		return VCPU_MSR_OK;
	}
	return vlapic_set_base(&lapic, *val) ? VCPU_MSR_OK : VCPU_MSR_GP;
}

static const struct vcpu_platform_ops plat_ops = {.msr = plat_msr};

static void host_cpuid(bool tsc_adjust, bool nx)
{
	fake_cpu_set_cpuid(0, 0, 0xd, 0, 0, 0);
	fake_cpu_set_cpuid(CPUID_LEAF_EXT_FEATURES, 0, 0, tsc_adjust ? BIT(1) : 0, 0, 0);
	fake_cpu_set_cpuid(0x80000000u, 0, 0x80000008u, 0, 0, 0);
	fake_cpu_set_cpuid(0x80000001u, 0, 0, 0, 0,
			   CPUID_80000001_EDX_LM | BIT(11) | (nx ? CPUID_80000001_EDX_NX : 0));
	fake_cpu_set_cpuid(0x80000008u, 0, TEST_MAXPHYADDR | (48 << 8), 0, 0, 0);
	vmx_msr_init();
}

static int setup(void **state)
{
	memset(vmcs, 0, sizeof(vmcs));
	fake_cpu_reset();
	host_cpuid(true, true);
	v = calloc(1, sizeof(*v));
	assert_non_null(v);
	vmx_msr_reset(v);
	vlapic_init(&lapic, 0, true);
	spec_calls = 0;
	return 0;
}

static int teardown(void **state)
{
	free(v);
	return 0;
}

static enum vcpu_msr_result rd(uint32_t msr, uint64_t *val)
{
	return vmx_msr_access(v, msr, false, val);
}

static enum vcpu_msr_result wr(uint32_t msr, uint64_t val)
{
	return vmx_msr_access(v, msr, true, &val);
}

static uint64_t rd_ok(uint32_t msr)
{
	uint64_t val = 0;

	assert_int_equal(rd(msr, &val), VCPU_MSR_OK);
	return val;
}

/* ---- the table and docs/msr.md ---- */

static void test_table_sorted_and_found(void **state)
{
	size_t n;
	const struct vmx_msr_entry *t = vmx_msr_table(&n);

	assert_true(n > 20);
	for (size_t i = 0; i < n; i++) {
		assert_true(t[i].first <= t[i].last);
		if (i)
			assert_true(t[i - 1].last < t[i].first);
		assert_ptr_equal(vmx_msr_lookup(t[i].first), &t[i]);
		assert_ptr_equal(vmx_msr_lookup(t[i].last), &t[i]);
		assert_true((t[i].kind == VMX_MSR_GP || t[i].kind == VMX_MSR_PASS) == !t[i].fn);
	}
	assert_null(vmx_msr_lookup(0x11));
	assert_null(vmx_msr_lookup(0xc0010000u));
	assert_int_equal(wr(0x11, 0), VCPU_MSR_GP);
	assert_int_equal(wr(MSR_STAR, 0), VCPU_MSR_GP); /* never exits: no handler */
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ')
		s++;
	e = s + strlen(s);
	while (e > s && e[-1] == ' ')
		*--e = 0;
	return s;
}

/* A row "| 0x10 | NAME | kind | ..." or "| 0x200-0x20F | ...": true if one. */
static bool doc_row(char *line, uint32_t *first, uint32_t *last, char **name, char **kind)
{
	char *cell[3], *p = line + 1;

	if (strncmp(line, "| 0x", 4))
		return false;
	for (int i = 0; i < 3; i++) {
		char *bar = strchr(p, '|');

		if (!bar)
			fail_msg("%s: a row with fewer than 4 columns: %s", DOC_PATH, line);
		*bar = 0;
		cell[i] = trim(p);
		p = bar + 1;
	}
	*first = *last = (uint32_t)strtoul(cell[0], &p, 16);
	if (*p == '-')
		*last = (uint32_t)strtoul(p + 1, NULL, 16);
	*name = cell[1];
	*kind = cell[2];
	return true;
}

static void test_doc_lists_the_table(void **state)
{
	size_t n, rows = 0;
	const struct vmx_msr_entry *t = vmx_msr_table(&n);

	FILE *f = fopen(DOC_PATH, "r");
	char line[512];

	assert_non_null(t);

	if (!f)
		fail_msg("cannot open %s (run from the repository root)", DOC_PATH);
	while (fgets(line, sizeof(line), f)) {
		uint32_t first, last;
		char *name, *kind;
		const struct vmx_msr_entry *e;

		if (!doc_row(line, &first, &last, &name, &kind))
			continue;
		e = vmx_msr_lookup(first);
		if (!e || e->first != first || e->last != last)
			fail_msg("%s lists %#x-%#x (%s), which the table does not", DOC_PATH, first,
				 last, name);
		if (strcmp(e->name, name) || strcmp(vmx_msr_kind_name(e->kind), kind))
			fail_msg("%s: %#x is '%s' '%s', the table says '%s' '%s'", DOC_PATH, first,
				 name, kind, e->name, vmx_msr_kind_name(e->kind));
		rows++;
	}
	fclose(f);
	if (rows != n)
		fail_msg("%s has %zu MSR rows, the table %zu entries", DOC_PATH, rows, n);
}

/* ---- PAT (SDM Vol. 3A 12.12.2) ---- */

static void test_pat_reserved_types(void **state)
{
	static const uint64_t bad[] = {2, 3, 8, 0xff};

	assert_true(vmx_msr_pat_valid(VMX_MSR_PAT_RESET));
	assert_true(vmx_msr_pat_valid(0x0706050401000706ull));
	for (unsigned byte = 0; byte < 8; byte++) {
		for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			uint64_t pat =
			    (VMX_MSR_PAT_RESET & ~(0xffull << (8 * byte))) | (bad[i] << (8 * byte));

			assert_false(vmx_msr_pat_valid(pat));
			assert_int_equal(wr(MSR_IA32_PAT, pat), VCPU_MSR_GP);
		}
	}
	assert_int_equal(vmcs_rd(VMCS_GUEST_IA32_PAT), 0); /* untouched by refused writes */
	assert_int_equal(wr(MSR_IA32_PAT, PAT_WC_IN_1), VCPU_MSR_OK);
	assert_int_equal(vmcs_rd(VMCS_GUEST_IA32_PAT), PAT_WC_IN_1);
	assert_int_equal(v->msr.pat, PAT_WC_IN_1);
	assert_int_equal(rd_ok(MSR_IA32_PAT), PAT_WC_IN_1);
}

/* ---- MTRRs (SDM Vol. 3A 12.11) ---- */

static void test_mtrr_cap_and_def_type(void **state)
{
	uint64_t cap = rd_ok(0xfe);

	assert_int_equal(cap & 0xff, VMX_MTRR_VAR_COUNT);
	assert_true(cap & BIT(8));   /* fixed ranges */
	assert_true(cap & BIT(10));  /* WC */
	assert_false(cap & BIT(11)); /* no SMRR */
	assert_int_equal(wr(0xfe, cap), VCPU_MSR_GP);
	/* As firmware leaves them: on, fixed ranges on, default write-back. */
	assert_int_equal(rd_ok(0x2ff), BIT(11) | BIT(10) | 6);
	assert_int_equal(rd_ok(0x250), 0x0606060606060606ull); /* 0-512 KiB WB */
	assert_int_equal(rd_ok(0x259), 0);		       /* VGA window UC */
	assert_int_equal(rd_ok(0x200), 0xc0000000ull);	       /* 3-4 GiB UC */
	assert_int_equal(rd_ok(0x201), ((BIT(TEST_MAXPHYADDR) - 1) & ~(BIT(30) - 1)) | BIT(11));
	assert_int_equal(wr(0x2ff, 0), VCPU_MSR_OK);
	assert_int_equal(wr(0x2ff, BIT(11) | BIT(10) | 6), VCPU_MSR_OK);
	assert_int_equal(rd_ok(0x2ff), BIT(11) | BIT(10) | 6);
	for (uint64_t t = 0; t < 256; t++) {
		bool valid = t == 0 || t == 1 || t == 4 || t == 5 || t == 6;

		assert_int_equal(wr(0x2ff, t), valid ? VCPU_MSR_OK : VCPU_MSR_GP);
	}
	assert_int_equal(wr(0x2ff, BIT(9)), VCPU_MSR_GP);
	assert_int_equal(wr(0x2ff, BIT(12)), VCPU_MSR_GP);
	assert_int_equal(wr(0x2ff, BIT(63)), VCPU_MSR_GP);
}

static void test_mtrr_fixed(void **state)
{
	static const uint32_t fixed[] = {0x250, 0x258, 0x259, 0x268, 0x269, 0x26a,
					 0x26b, 0x26c, 0x26d, 0x26e, 0x26f};
	static const uint64_t types[] = {0, 1, 4, 5, 6};

	for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		uint64_t val = 0x0606050504040100ull | types[i % 5];

		assert_int_equal(wr(fixed[i], val), VCPU_MSR_OK);
		assert_int_equal(wr(fixed[i], 0x0606060606060607ull), VCPU_MSR_GP);
		assert_int_equal(wr(fixed[i], 0x0206060606060606ull), VCPU_MSR_GP);
		assert_int_equal(wr(fixed[i], 0x0006060606060606ull | BIT(59)), VCPU_MSR_GP);
	}
	for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		assert_int_equal(rd_ok(fixed[i]), 0x0606050504040100ull | types[i % 5]);
	assert_int_equal(wr(0x251, 0), VCPU_MSR_GP);
	assert_int_equal(wr(0x260, 0), VCPU_MSR_GP);
}

static void test_mtrr_variable(void **state)
{
	uint64_t top = BIT(TEST_MAXPHYADDR) - 1, mask = top & ~0xfffull;

	for (unsigned n = 0; n < VMX_MTRR_VAR_COUNT; n++) {
		uint32_t base = 0x200 + 2 * n;

		assert_int_equal(wr(base, (0x100000ull * n) | 6), VCPU_MSR_OK);
		assert_int_equal(wr(base + 1, (mask & ~0xfffffull) | BIT(11)), VCPU_MSR_OK);
		assert_int_equal(rd_ok(base), (0x100000ull * n) | 6);
		assert_int_equal(rd_ok(base + 1), (mask & ~0xfffffull) | BIT(11));
		assert_int_equal(wr(base, 2), VCPU_MSR_GP);	     /* reserved type */
		assert_int_equal(wr(base, 7), VCPU_MSR_GP);	     /* UC-: PAT only */
		assert_int_equal(wr(base, BIT(8) | 6), VCPU_MSR_GP); /* bits 11:8 */
		assert_int_equal(wr(base, BIT(TEST_MAXPHYADDR) | 6), VCPU_MSR_GP);
		assert_int_equal(wr(base + 1, BIT(10)), VCPU_MSR_GP);
		assert_int_equal(wr(base + 1, BIT(TEST_MAXPHYADDR) | BIT(11)), VCPU_MSR_GP);
		assert_int_equal(wr(base + 1, mask), VCPU_MSR_OK); /* V clear: allowed */
	}
	assert_int_equal(wr(0x200 + 2 * VMX_MTRR_VAR_COUNT, 6), VCPU_MSR_GP);
}

/* ---- machine check (SDM Vol. 3B 16.3) ---- */

static void test_mca(void **state)
{
	uint64_t cap = rd_ok(0x179);
	uint32_t last_bank = 0x400 + 4 * VMX_MC_BANKS;

	assert_int_equal(cap, VMX_MC_BANKS); /* no CTL_P, EXT_P, CMCI_P, SER_P */
	assert_int_equal(wr(0x179, cap), VCPU_MSR_GP);
	assert_int_equal(rd_ok(0x17a), 0);
	assert_int_equal(wr(0x17a, 0), VCPU_MSR_OK);
	assert_int_equal(wr(0x17a, BIT(2)), VCPU_MSR_GP);
	assert_int_equal(rd(0x17b, &cap), VCPU_MSR_GP); /* MCG_CTL: CTL_P clear */
	for (uint32_t m = 0x400; m < last_bank; m += 4) {
		assert_int_equal(wr(m, ~0ull), VCPU_MSR_OK);
		assert_int_equal(rd_ok(m), ~0ull);
		assert_int_equal(wr(m, 0), VCPU_MSR_OK);
		assert_int_equal(rd_ok(m), 0);
		for (uint32_t r = 1; r < 4; r++) {
			assert_int_equal(rd_ok(m + r), 0);
			assert_int_equal(wr(m + r, 0), VCPU_MSR_OK);
			assert_int_equal(wr(m + r, BIT(63)), VCPU_MSR_GP);
			assert_int_equal(wr(m + r, 1), VCPU_MSR_GP);
		}
	}
	assert_int_equal(rd(last_bank, &cap), VCPU_MSR_GP);
	assert_int_equal(rd(0x281, &cap), VCPU_MSR_GP); /* MC1_CTL2: no CMCI */
}

/* ---- MISC_ENABLE (SDM Vol. 4 Table 2-2) ---- */

static void test_misc_enable(void **state)
{
	uint64_t me = rd_ok(MSR_IA32_MISC_ENABLE);

	assert_int_equal(me, MISC_ENABLE_FAST_STRINGS | BIT(11) | BIT(12));
	assert_int_equal(wr(MSR_IA32_MISC_ENABLE, 0), VCPU_MSR_OK);	  /* fast strings off */
	assert_int_equal(rd_ok(MSR_IA32_MISC_ENABLE), BIT(11) | BIT(12)); /* RO bits stay */
	assert_int_equal(wr(MSR_IA32_MISC_ENABLE, BIT(7) | BIT(23) | 1), VCPU_MSR_OK);
	assert_int_equal(rd_ok(MSR_IA32_MISC_ENABLE), BIT(11) | BIT(12) | BIT(23) | 1);
	assert_int_equal(wr(MSR_IA32_MISC_ENABLE, me | BIT(16)), VCPU_MSR_GP); /* EIST */
	assert_int_equal(wr(MSR_IA32_MISC_ENABLE, me | BIT(18)), VCPU_MSR_GP); /* MONITOR */
	assert_int_equal(wr(MSR_IA32_MISC_ENABLE, me | BIT(22)), VCPU_MSR_GP); /* limit CPUID */
	assert_int_equal(wr(MSR_IA32_MISC_ENABLE, me | BIT(34)), VCPU_MSR_GP); /* XD disable */
	assert_int_equal(wr(MSR_IA32_MISC_ENABLE, me | BIT(1)), VCPU_MSR_GP);
	assert_false(vmx_msr_offers(VMX_MSR_FEAT_MONITOR));
	assert_false(vmx_msr_offers(VMX_MSR_FEAT_PDCM));
}

/* ---- TSC and TSC_ADJUST (SDM Vol. 3B 17.17) ---- */

static void test_tsc_write_sets_offset(void **state)
{
	fake_cpu.tsc = 1000;
	assert_int_equal(wr(MSR_IA32_TSC, 5000), VCPU_MSR_OK);
	/* written at host TSC 1000: offset 4000, TSC_ADJUST moved by 4000 */
	assert_int_equal(v->vcpu.tsc_offset, 4000);
	assert_int_equal(vmcs_rd(VMCS_TSC_OFFSET), 4000);
	assert_int_equal(rd_ok(0x3b), 4000);
	fake_cpu.tsc = 2000;
	assert_int_equal(rd_ok(MSR_IA32_TSC), 6000);
	/* backwards: to 100 at host 2001, offset 100 - 2001, ADJUST follows */
	assert_int_equal(wr(MSR_IA32_TSC, 100), VCPU_MSR_OK);
	assert_int_equal(v->vcpu.tsc_offset, (uint64_t)(100 - 2001));
	assert_int_equal(rd_ok(0x3b), (uint64_t)(100 - 2001));
}

static void test_tsc_adjust_moves_tsc(void **state)
{
	fake_cpu.tsc = 1000;
	assert_int_equal(wr(0x3b, 300), VCPU_MSR_OK);
	assert_int_equal(v->vcpu.tsc_offset, 300);
	assert_int_equal(wr(0x3b, 100), VCPU_MSR_OK); /* by -200 */
	assert_int_equal(v->vcpu.tsc_offset, 100);
	assert_int_equal(vmcs_rd(VMCS_TSC_OFFSET), 100);
	fake_cpu.tsc = 5000;
	assert_int_equal(rd_ok(MSR_IA32_TSC), 5100);
	/* a TSC write after it keeps ADJUST = offset (both started at 0) */
	assert_int_equal(wr(MSR_IA32_TSC, 9001), VCPU_MSR_OK);
	assert_int_equal(rd_ok(0x3b), v->vcpu.tsc_offset);
	assert_int_equal(v->vcpu.tsc_offset, 9001 - 5001);
}

static void test_tsc_adjust_absent(void **state)
{
	uint64_t val;

	host_cpuid(false, true);
	assert_false(vmx_msr_offers(VMX_MSR_FEAT_TSC_ADJUST));
	assert_int_equal(rd(0x3b, &val), VCPU_MSR_GP);
	assert_int_equal(wr(0x3b, 0), VCPU_MSR_GP);
	assert_int_equal(wr(MSR_IA32_TSC, 0), VCPU_MSR_OK);
	host_cpuid(true, true);
	assert_true(vmx_msr_offers(VMX_MSR_FEAT_TSC_ADJUST));
}

/* ---- EFER (SDM Vol. 3A 10.8.5, Vol. 4 Table 2-2) ---- */

static void test_efer(void **state)
{
	vmcs_wr(VMCS_GUEST_IA32_EFER, EFER_LME | EFER_LMA);
	v->cr0_shadow = CR0_PG | CR0_PE;
	assert_int_equal(wr(MSR_IA32_EFER, EFER_LME | EFER_NXE | EFER_SCE), VCPU_MSR_OK);
	assert_int_equal(rd_ok(MSR_IA32_EFER), EFER_LME | EFER_LMA | EFER_NXE | EFER_SCE);
	assert_int_equal(wr(MSR_IA32_EFER, EFER_NXE), VCPU_MSR_GP); /* LME off, paging on */
	assert_int_equal(wr(MSR_IA32_EFER, EFER_LME | BIT(1)), VCPU_MSR_GP);
	assert_int_equal(wr(MSR_IA32_EFER, EFER_LME | BIT(12)), VCPU_MSR_GP);
	/* LMA is the CPU's: a write without it keeps it */
	assert_int_equal(wr(MSR_IA32_EFER, EFER_LME), VCPU_MSR_OK);
	assert_int_equal(rd_ok(MSR_IA32_EFER), EFER_LME | EFER_LMA);
	v->cr0_shadow = CR0_PE;
	vmcs_wr(VMCS_GUEST_IA32_EFER, 0);
	assert_int_equal(wr(MSR_IA32_EFER, EFER_LME), VCPU_MSR_OK);
	host_cpuid(true, false);
	assert_int_equal(wr(MSR_IA32_EFER, EFER_LME | EFER_NXE), VCPU_MSR_GP); /* no NX */
}

/* ---- identification and absent MSRs ---- */

static void test_identification(void **state)
{
	uint64_t val;

	assert_int_equal(rd_ok(MSR_IA32_FEATURE_CONTROL), 1); /* locked, VMX off */
	assert_int_equal(wr(MSR_IA32_FEATURE_CONTROL, 1), VCPU_MSR_GP);
	assert_int_equal(wr(MSR_IA32_FEATURE_CONTROL, 5), VCPU_MSR_GP);
	assert_int_equal(wr(0x8b, 0), VCPU_MSR_OK);
	assert_int_equal(rd_ok(0x8b), 0);
	assert_int_equal(rd_ok(0x17), 0);
	assert_int_equal(wr(0x17, 0), VCPU_MSR_GP);
	assert_int_equal(rd(0xce, &val), VCPU_MSR_GP);	/* PLATFORM_INFO */
	assert_int_equal(rd(0x345, &val), VCPU_MSR_GP); /* PERF_CAPABILITIES */
	assert_int_equal(rd_ok(MSR_IA32_SPEC_CTRL), 0);
	assert_int_equal(rd(MSR_IA32_PRED_CMD, &val), VCPU_MSR_GP); /* UNHANDLED -> #GP */
	assert_int_equal(spec_calls, 2);
}

/* ---- APIC_BASE through the platform (SDM Vol. 3A 11.12.5) ---- */

static void test_apic_base_transitions(void **state)
{
	uint64_t xapic = LAPIC_DEFAULT_BASE | APIC_BASE_ENABLE;
	uint64_t x2apic = xapic | APIC_BASE_X2APIC, val;

	assert_int_equal(rd_ok(MSR_IA32_APIC_BASE), 0xfee00900ull); /* no platform: BSP */
	assert_int_equal(wr(MSR_IA32_APIC_BASE, xapic), VCPU_MSR_GP);
	v->vcpu.ops = &plat_ops;
	assert_int_equal(rd_ok(MSR_IA32_APIC_BASE) & ~APIC_BASE_BSP, xapic);
	assert_int_equal(wr(MSR_IA32_APIC_BASE, xapic | BIT(9)), VCPU_MSR_GP); /* reserved */
	assert_int_equal(wr(MSR_IA32_APIC_BASE, LAPIC_DEFAULT_BASE | APIC_BASE_X2APIC),
			 VCPU_MSR_GP); /* EXTD without EN */
	assert_int_equal(wr(MSR_IA32_APIC_BASE, x2apic), VCPU_MSR_OK);
	assert_int_equal(wr(MSR_IA32_APIC_BASE, xapic), VCPU_MSR_GP); /* x2APIC -> xAPIC */
	assert_int_equal(wr(MSR_IA32_APIC_BASE, x2apic + 0x1000), VCPU_MSR_GP);	   /* new base */
	assert_int_equal(wr(MSR_IA32_APIC_BASE, LAPIC_DEFAULT_BASE), VCPU_MSR_OK); /* off */
	assert_int_equal(wr(MSR_IA32_APIC_BASE, x2apic), VCPU_MSR_GP); /* off -> x2APIC */
	assert_int_equal(wr(MSR_IA32_APIC_BASE, xapic), VCPU_MSR_OK);
	assert_int_equal(wr(MSR_IA32_APIC_BASE, x2apic), VCPU_MSR_OK);
	assert_int_equal(rd(MSR_IA32_TSC_DEADLINE, &val), VCPU_MSR_GP); /* platform: UNHANDLED */
}

/* ---- the MSR bitmap and reset ---- */

static bool exits(const uint8_t *bm, uint32_t msr, bool write)
{
	uint32_t base = (msr >= 0xc0000000u ? 1024 : 0) + (write ? 2048 : 0);
	uint32_t bit = msr & 0x1fff;

	return bm[base + bit / 8] & (1u << (bit % 8));
}

static void test_bitmap(void **state)
{
	static uint8_t bm[4096];
	static const uint32_t pass[] = {MSR_STAR,
					MSR_LSTAR,
					MSR_CSTAR,
					MSR_SFMASK,
					MSR_IA32_FS_BASE,
					MSR_IA32_GS_BASE,
					MSR_IA32_KERNEL_GS_BASE,
					MSR_TSC_AUX};
	unsigned open = 0;

	memset(bm, 0xff, sizeof(bm));
	vmx_msr_bitmap_setup(bm);
	for (unsigned i = 0; i < sizeof(pass) / sizeof(pass[0]); i++) {
		assert_false(exits(bm, pass[i], false));
		assert_false(exits(bm, pass[i], true));
	}
	assert_false(exits(bm, MSR_IA32_PAT, false));
	assert_true(exits(bm, MSR_IA32_PAT, true));
	assert_true(exits(bm, MSR_IA32_TSC, false));
	assert_true(exits(bm, MSR_IA32_EFER, true));
	for (unsigned i = 0; i < sizeof(bm) * 8; i++)
		open += !(bm[i / 8] & (1u << (i % 8)));
	assert_int_equal(open, 2 * 8 + 1); /* nothing else opened */
}

static void test_reset(void **state)
{
	assert_int_equal(wr(MSR_IA32_PAT, PAT_WC_IN_1), VCPU_MSR_OK);
	assert_int_equal(wr(0x2ff, BIT(11) | 6), VCPU_MSR_OK);
	assert_int_equal(wr(0x200, 6), VCPU_MSR_OK);
	assert_int_equal(wr(0x400, 1), VCPU_MSR_OK);
	assert_int_equal(wr(MSR_IA32_MISC_ENABLE, 0), VCPU_MSR_OK);
	assert_int_equal(wr(MSR_IA32_TSC, 77), VCPU_MSR_OK);
	vmx_msr_reset(v);
	assert_int_equal(v->msr.pat, VMX_MSR_PAT_RESET);
	assert_int_equal(rd_ok(0x2ff), BIT(11) | BIT(10) | 6);
	assert_int_equal(rd_ok(0x200), 0xc0000000ull);
	assert_int_equal(rd_ok(0x400), 0);
	assert_int_equal(rd_ok(0x3b), 0);
	assert_int_equal(v->vcpu.tsc_offset, 0);
	assert_int_equal(vmcs_rd(VMCS_TSC_OFFSET), 0);
	assert_int_equal(rd_ok(MSR_IA32_MISC_ENABLE), MISC_ENABLE_FAST_STRINGS | BIT(11) | BIT(12));
	assert_true(vmx_msr_offers(VMX_MSR_FEAT_MTRR));
	assert_true(vmx_msr_offers(VMX_MSR_FEAT_MCA));
	assert_int_equal(vmx_msr_host()->maxphyaddr, TEST_MAXPHYADDR);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_table_sorted_and_found),
	    T(test_doc_lists_the_table),
	    T(test_pat_reserved_types),
	    T(test_mtrr_cap_and_def_type),
	    T(test_mtrr_fixed),
	    T(test_mtrr_variable),
	    T(test_mca),
	    T(test_misc_enable),
	    T(test_tsc_write_sets_offset),
	    T(test_tsc_adjust_moves_tsc),
	    T(test_tsc_adjust_absent),
	    T(test_efer),
	    T(test_identification),
	    T(test_apic_base_transitions),
	    T(test_bitmap),
	    T(test_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
