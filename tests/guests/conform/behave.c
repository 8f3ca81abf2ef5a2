/*
 * MSR behaviour facts: TSC writes and IA32_TSC_ADJUST (SDM Vol. 3B 17.17.3),
 * the SYSENTER and SYSCALL MSRs (canonical checks, round trips), EFER,
 * PAT, MTRR, MCA, FEATURE_CONTROL, MISC_ENABLE and the read-only and
 * write-only MSRs (SDM Vol. 4 Table 2-2). Each probe writes one value,
 * reports "ok" or the fault (and where useful what reads back), and puts
 * the original value back.
 */
#include "conform.h"

/* SDM Vol. 4 Table 2-2 */
#define MSR_TSC 0x10
#define MSR_TSC_ADJUST 0x3b
#define MSR_FEATURE_CONTROL 0x3a
#define MSR_SPEC_CTRL 0x48
#define MSR_PRED_CMD 0x49
#define MSR_BIOS_SIGN_ID 0x8b
#define MSR_PLATFORM_INFO 0xce
#define MSR_MTRRCAP 0xfe
#define MSR_ARCH_CAPABILITIES 0x10a
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_MCG_STATUS 0x17a
#define MSR_MCG_CTL 0x17b
#define MSR_MISC_ENABLE 0x1a0
#define MSR_MTRR_PHYSBASE0 0x200
#define MSR_MTRR_PHYSMASK0 0x201
#define MSR_MTRR_FIX64K 0x250
#define MSR_PAT 0x277
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_MC0_CTL 0x400
#define MSR_MC0_STATUS 0x401
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_XSS 0xda0
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_FMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX 0xc0000103
#define TSC_JUMP (1ull << 36)  /* far above any count since reset */
#define TSC_SLACK (1ull << 24) /* generous room for a trapped WRMSR */
#define TSC_SMALL (1ull << 20)
#define NONCANONICAL 0x8000000000000000ull
#define CANONICAL_HIGH 0x00007fff12345678ull
#define HIGH_BIT 32
#define PATTERN_A 0x12345678u
#define SEL_KCODE 0x8
#define MTRR_MASK_VALID (1ull << 11)
#define MISC_FAST_STRINGS (1ull << 0)
#define MISC_BTS_UNAVAILABLE (1ull << 11)
#define MISC_LIMIT_CPUID (1ull << 22)
#define TSC_FAR (1ull << 60)
#define PATTERN_B 0x9abcdef0u
#define STAR_SELECTORS 0x0023001000000000ull /* SYSRET CS 0x23, SYSCALL CS 0x10 */
#define FMASK_FLAGS 0x47700u		     /* TF IF DF IOPL NT AC */
/* Memory types (SDM Vol. 3A Table 12-8): 2, 3 and 8 reserved; 7 is UC- in
 * the PAT and reserved in an MTRR. */
#define MEMTYPE_MASK 0xffull
#define MT_RSVD2 2ull
#define MT_RSVD3 3ull
#define MT_WB 6ull
#define MT_UC_MINUS_OR_RSVD7 7ull
#define MT_RSVD8 8ull
#define PAT_ENTRY7_SHIFT 56
#define FIX64K_ALL_WB 0x0606060606060606ull
#define LEAF_FEATURES7 7
#define CPUID7_EBX_TSC_ADJUST (1u << 1)

/* Write v, report the outcome under key, and when read_back also what a
 * read then gives; the MSR's earlier value is written back afterwards. */
static void probe(const char *key, uint32_t msr, uint64_t v, int read_back)
{
	uint64_t orig = 0, now = 0;
	int have_orig;
	struct fault f;
	char k[48];

	have_orig = rdmsr_safe(msr, &orig, NULL);
	wrmsr_safe(msr, v, &f);
	fact_fault(key, &f);
	if (read_back) {
		snprintf(k, sizeof(k), "%s.rb", key);
		if (f.vector != VEC_NO_FAULT)
			fact(k, "-");
		else if (rdmsr_safe(msr, &now, NULL))
			fact(k, "%016llx", now);
		else
			fact(k, "#GP");
	}
	if (have_orig)
		wrmsr_safe(msr, orig, NULL);
}

static const char *yes_no(int b)
{
	return b ? "yes" : "no";
}

static int near(uint64_t got, uint64_t want)
{
	return got >= want && got - want < TSC_SLACK;
}

static int has_tsc_adjust(void)
{
	uint32_t r[4];

	cpuid_sub(0, 0, r);
	if (r[0] < LEAF_FEATURES7)
		return 0;
	cpuid_sub(LEAF_FEATURES7, 0, r);
	return !!(r[1] & CPUID7_EBX_TSC_ADJUST);
}

/* A TSC_ADJUST write moves the TSC by the same amount; a TSC write far
 * below the count leaves TSC_ADJUST negative. */
static void behave_tsc_adjust(uint64_t adj, int promised)
{
	uint64_t t0, t1;
	int wr_ok;

	t0 = rdtsc();
	wr_ok = wrmsr_safe(MSR_TSC_ADJUST, adj - TSC_JUMP, NULL);
	t1 = rdtsc();
	fact("tsc.adjust.wr", "%s", wr_ok ? "ok" : "#GP");
	fact("tsc.adjust.wr.follows", "%s", yes_no(near(t1 + TSC_JUMP, t0)));
	if (promised)
		check(wr_ok && near(t1 + TSC_JUMP, t0), "tsc: a TSC_ADJUST write moves the TSC",
		      "WRMSR %s, TSC %llx -> %llx after -%llx", wr_ok ? "ok" : "#GP", t0, t1,
		      TSC_JUMP);
	wrmsr_safe(MSR_TSC, TSC_SMALL, NULL);
	t1 = rdtsc();
	fact("tsc.wr_small.follows", "%s", yes_no(near(t1, TSC_SMALL)));
	adj = 0;
	rdmsr_safe(MSR_TSC_ADJUST, &adj, NULL);
	fact("tsc.wr_small.adjust_negative", "%s", yes_no((int64_t)adj < 0));
}

/* WRMSR TSC (writable since the Pentium, SDM Vol. 3B 17.17): RDTSC
 * continues from the value written, and TSC_ADJUST, where CPUID.7:EBX[1]
 * offers it, moves by the same amount (17.17.3). */
void behave_tsc(void)
{
	uint64_t adj0 = 0, adj1 = 0, t0, t1, target; /* a TSC_ADJUST that faults reads 0 */
	int have_adj, wr_ok, promised = has_tsc_adjust();

	have_adj = rdmsr_safe(MSR_TSC_ADJUST, &adj0, NULL);
	t0 = rdtsc();
	target = t0 + TSC_JUMP;
	wr_ok = wrmsr_safe(MSR_TSC, target, NULL);
	t1 = rdtsc();
	fact("tsc.wr", "%s", wr_ok ? "ok" : "#GP");
	fact("tsc.wr.follows", "%s", yes_no(near(t1, target)));
	fact("tsc.adjust.rd", "%s", have_adj ? "ok" : "#GP");
	check(wr_ok && near(t1, target), "tsc: WRMSR TSC works and RDTSC follows",
	      "WRMSR %s, wrote %llx, read %llx", wr_ok ? "ok" : "#GP", target, t1);
	rdmsr_safe(MSR_TSC_ADJUST, &adj1, NULL);
	fact("tsc.wr.adjust_moved", "%s", yes_no(near(adj1 - adj0 + TSC_SLACK / 2, TSC_JUMP)));
	if (promised)
		check(have_adj && near(adj1 - adj0 + TSC_SLACK / 2, TSC_JUMP),
		      "tsc: TSC_ADJUST moves with a TSC write",
		      "TSC_ADJUST %s, %llx -> %llx for +%llx", have_adj ? "ok" : "#GP", adj0, adj1,
		      TSC_JUMP);
	behave_tsc_adjust(adj1, promised);
}

/* SYSENTER_CS/ESP/EIP and the SYSCALL MSRs: round trips, canonical checks,
 * reserved upper halves (SDM Vol. 4 Table 2-2; Vol. 2B WRMSR). */
static void behave_syscall_msrs(void)
{
	probe("sysenter.cs", MSR_SYSENTER_CS, SEL_KCODE, 1);
	probe("sysenter.cs.high", MSR_SYSENTER_CS, SEL_KCODE | (1ull << HIGH_BIT), 1);
	probe("sysenter.esp", MSR_SYSENTER_ESP, PATTERN_A, 1);
	probe("sysenter.esp.high", MSR_SYSENTER_ESP, CANONICAL_HIGH, 1);
	probe("sysenter.esp.noncanon", MSR_SYSENTER_ESP, NONCANONICAL, 1);
	probe("sysenter.eip", MSR_SYSENTER_EIP, PATTERN_B, 1);
	probe("sysenter.eip.noncanon", MSR_SYSENTER_EIP, NONCANONICAL, 1);
	probe("star", MSR_STAR, STAR_SELECTORS, 1);
	probe("lstar.noncanon", MSR_LSTAR, NONCANONICAL, 1);
	probe("lstar", MSR_LSTAR, CANONICAL_HIGH, 1);
	probe("cstar.noncanon", MSR_CSTAR, NONCANONICAL, 1);
	probe("fmask", MSR_FMASK, FMASK_FLAGS, 1);
	probe("fmask.high", MSR_FMASK, 1ull << HIGH_BIT, 1);
	probe("fsbase.noncanon", MSR_FS_BASE, NONCANONICAL, 1);
	probe("gsbase", MSR_GS_BASE, CANONICAL_HIGH, 1);
	probe("kgsbase.noncanon", MSR_KERNEL_GS_BASE, NONCANONICAL, 1);
	probe("tsc_aux", MSR_TSC_AUX, PATTERN_A, 1);
	probe("tsc_aux.high", MSR_TSC_AUX, 1ull << HIGH_BIT, 1);
}

/* Each EFER bit flipped alone (SDM Vol. 4 Table 2-2 IA32_EFER; Vol. 3A
 * 10.8.5 for LME with paging off). */
static void behave_efer(void)
{
	static const uint8_t bits[] = {0, 1, 2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 32, 63};
	uint64_t efer;
	char key[24];
	unsigned i;

	if (!rdmsr_safe(MSR_EFER, &efer, NULL))
		return;
	for (i = 0; i < sizeof(bits); i++) {
		snprintf(key, sizeof(key), "efer.flip.%u", bits[i]);
		probe(key, MSR_EFER, efer ^ (1ull << bits[i]), 1);
	}
}

/* PAT entries with reserved memory types (2, 3, 8) fault; 7 (UC-) does
 * not (SDM Vol. 3A 12.12.2). MTRR types likewise (12.11.2.1, 12.11.2.3). */
static void behave_memtypes(void)
{
	uint64_t pat = 0, def = 0, base0 = 0, mask0 = 0;

	rdmsr_safe(MSR_PAT, &pat, NULL);
	probe("pat.type2", MSR_PAT, (pat & ~MEMTYPE_MASK) | MT_RSVD2, 1);
	probe("pat.type3", MSR_PAT, (pat & ~MEMTYPE_MASK) | MT_RSVD3, 1);
	probe("pat.type7", MSR_PAT, (pat & ~MEMTYPE_MASK) | MT_UC_MINUS_OR_RSVD7, 1);
	probe("pat.type8", MSR_PAT, (pat & ~MEMTYPE_MASK) | MT_RSVD8, 1);
	probe("pat.entry7.type2", MSR_PAT,
	      (pat & ~(MEMTYPE_MASK << PAT_ENTRY7_SHIFT)) | (MT_RSVD2 << PAT_ENTRY7_SHIFT), 1);
	rdmsr_safe(MSR_MTRR_DEF_TYPE, &def, NULL);
	probe("mtrr_def.type2", MSR_MTRR_DEF_TYPE, (def & ~MEMTYPE_MASK) | MT_RSVD2, 1);
	probe("mtrr_def.type3", MSR_MTRR_DEF_TYPE, (def & ~MEMTYPE_MASK) | MT_RSVD3, 1);
	probe("mtrr_def.type7", MSR_MTRR_DEF_TYPE, (def & ~MEMTYPE_MASK) | MT_UC_MINUS_OR_RSVD7, 1);
	probe("mtrr_def.bit9", MSR_MTRR_DEF_TYPE, def | (1ull << 9), 1);
	probe("mtrr_def.bit12", MSR_MTRR_DEF_TYPE, def | (1ull << 12), 1);
	rdmsr_safe(MSR_MTRR_PHYSBASE0, &base0, NULL);
	rdmsr_safe(MSR_MTRR_PHYSMASK0, &mask0, NULL);
	probe("mtrr_base0.type2", MSR_MTRR_PHYSBASE0, (base0 & ~MEMTYPE_MASK) | MT_RSVD2, 1);
	probe("mtrr_base0.type6", MSR_MTRR_PHYSBASE0, (base0 & ~MEMTYPE_MASK) | MT_WB, 1);
	probe("mtrr_base0.bit8", MSR_MTRR_PHYSBASE0, base0 | (1ull << 8), 1);
	probe("mtrr_base0.bit62", MSR_MTRR_PHYSBASE0, base0 | (1ull << 62), 1);
	probe("mtrr_mask0.bit0", MSR_MTRR_PHYSMASK0, mask0 | 1, 1);
	probe("mtrr_mask0.valid", MSR_MTRR_PHYSMASK0, mask0 | MTRR_MASK_VALID, 1);
	probe("mtrr_fix64k.type2", MSR_MTRR_FIX64K, FIX64K_ALL_WB - MT_WB + MT_RSVD2, 1);
	probe("mtrr_fix64k.wb", MSR_MTRR_FIX64K, FIX64K_ALL_WB, 1);
}

/* Machine check, control and identification MSRs. */
static void behave_misc_msrs(void)
{
	uint32_t r[4];
	uint64_t misc = 0, fc = 0;

	rdmsr_safe(MSR_FEATURE_CONTROL, &fc, NULL);
	probe("feature_control.wr", MSR_FEATURE_CONTROL, fc, 1);
	probe("mtrrcap.wr", MSR_MTRRCAP, 0, 1);
	probe("platform_info.wr", MSR_PLATFORM_INFO, 0, 1);
	probe("arch_cap.wr", MSR_ARCH_CAPABILITIES, 0, 1);
	probe("mcg_status.wr1", MSR_MCG_STATUS, 1, 1);
	probe("mcg_ctl.ones", MSR_MCG_CTL, ~0ull, 1);
	probe("mc0_ctl.ones", MSR_MC0_CTL, ~0ull, 1);
	probe("mc0_status.wr1", MSR_MC0_STATUS, 1, 1);
	probe("spec_ctrl.ibrs", MSR_SPEC_CTRL, 1, 1);
	probe("spec_ctrl.bit63", MSR_SPEC_CTRL, 1ull << 63, 1);
	probe("pred_cmd.ibpb", MSR_PRED_CMD, 1, 0);
	probe("pred_cmd.bit1", MSR_PRED_CMD, 2, 0);
	probe("xss.bit0", MSR_XSS, 1, 1);
	probe("tsc_deadline.far", MSR_TSC_DEADLINE, TSC_FAR, 1);
	probe("bios_sign_id.wr0", MSR_BIOS_SIGN_ID, 0, 0);
	cpuid_sub(1, 0, r);
	fact("bios_sign_id.after_cpuid", "%016llx",
	     rdmsr_safe(MSR_BIOS_SIGN_ID, &misc, NULL) ? misc : 0);
	if (!rdmsr_safe(MSR_MISC_ENABLE, &misc, NULL))
		return;
	probe("misc_enable.flip0", MSR_MISC_ENABLE, misc ^ MISC_FAST_STRINGS, 1);
	probe("misc_enable.flip11", MSR_MISC_ENABLE, misc ^ MISC_BTS_UNAVAILABLE, 1);
	if (wrmsr_safe(MSR_MISC_ENABLE, misc | MISC_LIMIT_CPUID, NULL)) {
		cpuid_sub(0, 0, r);
		fact("misc_enable.lcmv.max_leaf", "%x", r[0]);
		wrmsr_safe(MSR_MISC_ENABLE, misc, NULL);
	} else {
		fact("misc_enable.lcmv.max_leaf", "#GP");
	}
}

void behave_msrs(void)
{
	behave_syscall_msrs();
	behave_efer();
	behave_memtypes();
	behave_misc_msrs();
}
