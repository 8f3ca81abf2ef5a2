/*
 * CPUID-MSR consistency checks (KTAP): every feature bit that promises an
 * MSR (SDM Vol. 4 Table 2-2, "Register Availability" column) must come
 * with an MSR that reads without #GP. A CPU that advertises the feature
 * and raises #GP fails the check, on any platform.
 */
#include "conform.h"

#define LEAF_PMU 0xa
#define PMU_VERSION_MASK 0xff
#define PMU_V2 2
#define MSR_PRED_CMD 0x49
#define MSR_FLUSH_CMD 0x10b
#define FAMILY_SHIFT 8
#define FAMILY_MASK 0xf
#define FAMILY_6 6

enum reg { EAX, EBX, ECX, EDX };

struct feature_msr {
	uint32_t leaf, sub;
	enum reg reg;
	uint32_t bit;
	uint32_t msr;
	const char *name;
};

static const struct feature_msr feature_msrs[] = {
    {1, 0, EDX, 5, 0x10, "MSR: TSC"},
    {1, 0, EDX, 9, 0x1b, "APIC: APIC_BASE"},
    {1, 0, EDX, 11, 0x174, "SEP: SYSENTER_CS"},
    {1, 0, EDX, 11, 0x175, "SEP: SYSENTER_ESP"},
    {1, 0, EDX, 11, 0x176, "SEP: SYSENTER_EIP"},
    {1, 0, EDX, 12, 0xfe, "MTRR: MTRRCAP"},
    {1, 0, EDX, 12, 0x2ff, "MTRR: MTRR_DEF_TYPE"},
    {1, 0, EDX, 12, 0x200, "MTRR: PHYSBASE0"},
    {1, 0, EDX, 12, 0x250, "MTRR: FIX64K_00000"},
    {1, 0, EDX, 12, 0x268, "MTRR: FIX4K_C0000"},
    {1, 0, EDX, 14, 0x179, "MCA: MCG_CAP"},
    {1, 0, EDX, 14, 0x17a, "MCA: MCG_STATUS"},
    {1, 0, EDX, 14, 0x400, "MCA: MC0_CTL"},
    {1, 0, EDX, 14, 0x401, "MCA: MC0_STATUS"},
    {1, 0, EDX, 16, 0x277, "PAT: PAT"},
    {1, 0, ECX, 15, 0x345, "PDCM: PERF_CAPABILITIES"},
    {1, 0, ECX, 24, 0x6e0, "TSC-deadline: TSC_DEADLINE"},
    {1, 0, EDX, 21, 0x600, "DS: DS_AREA"},
    {6, 0, ECX, 0, 0xe7, "HCFC: MPERF"},
    {6, 0, ECX, 0, 0xe8, "HCFC: APERF"},
    {6, 0, ECX, 3, 0x1b0, "EPB: ENERGY_PERF_BIAS"},
    {7, 0, EBX, 1, 0x3b, "TSC_ADJUST: TSC_ADJUST"},
    {7, 0, EBX, 14, 0xd90, "MPX: BNDCFGS"},
    {7, 0, EDX, 26, 0x48, "IBRS: SPEC_CTRL"},
    {7, 0, EDX, 27, 0x48, "STIBP: SPEC_CTRL"},
    {7, 0, EDX, 31, 0x48, "SSBD: SPEC_CTRL"},
    {7, 0, EDX, 26, 0x49, "IBRS_IBPB: PRED_CMD (write 0)"},
    {7, 0, EDX, 28, 0x10b, "L1D_FLUSH: FLUSH_CMD (write 0)"},
    {7, 0, EDX, 29, 0x10a, "ARCH_CAPABILITIES"},
    {0xd, 1, EAX, 3, 0xda0, "XSAVES: XSS"},
    {0x80000001, 0, EDX, 11, 0xc0000081, "SYSCALL: STAR"},
    {0x80000001, 0, EDX, 29, 0xc0000080, "LM: EFER"},
    {0x80000001, 0, EDX, 29, 0xc0000082, "LM: LSTAR"},
    {0x80000001, 0, EDX, 29, 0xc0000084, "LM: FMASK"},
    {0x80000001, 0, EDX, 29, 0xc0000100, "LM: FS_BASE"},
    {0x80000001, 0, EDX, 29, 0xc0000102, "LM: KERNEL_GS_BASE"},
    {0x80000001, 0, EDX, 27, 0xc0000103, "RDTSCP: TSC_AUX"},
};

#define NFEATURES (sizeof(feature_msrs) / sizeof(feature_msrs[0]))

/* PRED_CMD and FLUSH_CMD are write-only: reads raise #GP on hardware. */
static int write_only(uint32_t msr)
{
	return msr == MSR_PRED_CMD || msr == MSR_FLUSH_CMD;
}

static int has_leaf(uint32_t leaf)
{
	uint32_t r[4];

	cpuid_sub(leaf & 0x80000000u, 0, r);
	return r[0] >= leaf;
}

static void feature_check(const struct feature_msr *fm)
{
	uint32_t r[4];
	char name[64];
	int ok;

	if (!has_leaf(fm->leaf))
		return;
	cpuid_sub(fm->leaf, fm->sub, r);
	if (!(r[fm->reg] & (1u << fm->bit)))
		return;
	snprintf(name, sizeof(name), "cpuid-msr %s (%x)", fm->name, fm->msr);
	if (write_only(fm->msr)) {
		check(wrmsr_safe(fm->msr, 0, NULL), name,
		      "CPUID.%x.%u bit %u is set but WRMSR %x of 0 raises #GP", fm->leaf, fm->sub,
		      fm->bit, fm->msr);
		return;
	}
	ok = msr_read_ok(fm->msr);
	check(ok == 1, name, "CPUID.%x.%u bit %u is set but RDMSR %x raises #GP", fm->leaf, fm->sub,
	      fm->bit, fm->msr);
}

/* Leaf 0xA: version 1 promises PMC0 and PERFEVTSEL0, version 2 the global
 * control MSRs (SDM Vol. 3B 20.2.1, 20.2.2). */
static void pmu_checks(void)
{
	static const uint32_t v1[] = {0xc1, 0x186}, v2[] = {0x38d, 0x38e, 0x38f, 0x390, 0x309};
	uint32_t r[4], ver, i;
	char name[48];

	if (!has_leaf(LEAF_PMU))
		return;
	cpuid_sub(LEAF_PMU, 0, r);
	ver = r[0] & PMU_VERSION_MASK;
	for (i = 0; ver && i < sizeof(v1) / sizeof(v1[0]); i++) {
		snprintf(name, sizeof(name), "cpuid-msr PMU v%u: %x", ver, v1[i]);
		check(msr_read_ok(v1[i]) == 1, name, "PMU version %u but RDMSR %x raises #GP", ver,
		      v1[i]);
	}
	for (i = 0; ver >= PMU_V2 && i < sizeof(v2) / sizeof(v2[0]); i++) {
		snprintf(name, sizeof(name), "cpuid-msr PMU v%u: %x", ver, v2[i]);
		check(msr_read_ok(v2[i]) == 1, name, "PMU version %u but RDMSR %x raises #GP", ver,
		      v2[i]);
	}
}

/* Architectural from family 6 on without a feature bit (SDM Vol. 4 Table
 * 2-2 "06_01H" and earlier): BIOS_SIGN_ID, PLATFORM_ID, MISC_ENABLE, DEBUGCTL. */
static void family6_checks(void)
{
	static const uint32_t msrs[] = {0x8b, 0x17, 0x1a0, 0x1d9};
	uint32_t r[4], i;
	char name[48];

	cpuid_sub(1, 0, r);
	if (((r[0] >> FAMILY_SHIFT) & FAMILY_MASK) != FAMILY_6)
		return;
	for (i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
		snprintf(name, sizeof(name), "cpuid-msr family 6: %x", msrs[i]);
		check(msr_read_ok(msrs[i]) == 1, name, "RDMSR %x raises #GP on family 6", msrs[i]);
	}
}

void msr_consistency_checks(void)
{
	unsigned i;

	for (i = 0; i < NFEATURES; i++)
		feature_check(&feature_msrs[i]);
	pmu_checks();
	family6_checks();
}
