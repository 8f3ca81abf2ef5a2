/*
 * MSR behaviour facts: TSC writes and IA32_TSC_ADJUST (SDM Vol. 3B 17.17.3),
 * the SYSENTER and SYSCALL MSRs (canonical checks, round trips), EFER,
 * PAT, MTRR, MCA, FEATURE_CONTROL, MISC_ENABLE and the read-only and
 * write-only MSRs (SDM Vol. 4 Table 2-2). Each probe writes one value,
 * reports "ok" or the fault (and where useful what reads back), and puts
 * the original value back.
 */
#include "conform.h"

#define MSR_TSC 0x10
#define MSR_TSC_ADJUST 0x3b
#define TSC_JUMP (1ull << 36)  /* far above any count since reset */
#define TSC_SLACK (1ull << 24) /* generous room for a trapped WRMSR */
#define TSC_SMALL (1ull << 20)
#define NONCANONICAL 0x8000000000000000ull
#define CANONICAL_HIGH 0x00007fff12345678ull
#define HIGH_BIT 32
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
	probe("sysenter.cs", 0x174, 0x8, 1);
	probe("sysenter.cs.high", 0x174, 0x8 | (1ull << HIGH_BIT), 1);
	probe("sysenter.esp", 0x175, 0x12345678, 1);
	probe("sysenter.esp.high", 0x175, CANONICAL_HIGH, 1);
	probe("sysenter.esp.noncanon", 0x175, NONCANONICAL, 1);
	probe("sysenter.eip", 0x176, 0x9abcdef0, 1);
	probe("sysenter.eip.noncanon", 0x176, NONCANONICAL, 1);
	probe("star", 0xc0000081, 0x0023001000000000ull, 1);
	probe("lstar.noncanon", 0xc0000082, NONCANONICAL, 1);
	probe("lstar", 0xc0000082, CANONICAL_HIGH, 1);
	probe("cstar.noncanon", 0xc0000083, NONCANONICAL, 1);
	probe("fmask", 0xc0000084, 0x47700, 1);
	probe("fmask.high", 0xc0000084, 1ull << HIGH_BIT, 1);
	probe("fsbase.noncanon", 0xc0000100, NONCANONICAL, 1);
	probe("gsbase", 0xc0000101, CANONICAL_HIGH, 1);
	probe("kgsbase.noncanon", 0xc0000102, NONCANONICAL, 1);
	probe("tsc_aux", 0xc0000103, 0x12345678, 1);
	probe("tsc_aux.high", 0xc0000103, 1ull << HIGH_BIT, 1);
}

/* Each EFER bit flipped alone (SDM Vol. 4 Table 2-2 IA32_EFER; Vol. 3A
 * 10.8.5 for LME with paging off). */
static void behave_efer(void)
{
	static const uint8_t bits[] = {0, 1, 2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 32, 63};
	uint64_t efer;
	char key[24];
	unsigned i;

	if (!rdmsr_safe(0xc0000080, &efer, NULL))
		return;
	for (i = 0; i < sizeof(bits); i++) {
		snprintf(key, sizeof(key), "efer.flip.%u", bits[i]);
		probe(key, 0xc0000080, efer ^ (1ull << bits[i]), 1);
	}
}

/* PAT entries with reserved memory types (2, 3, 8) fault; 7 (UC-) does
 * not (SDM Vol. 3A 12.12.2). MTRR types likewise (12.11.2.1, 12.11.2.3). */
static void behave_memtypes(void)
{
	uint64_t pat = 0, def = 0, base0 = 0, mask0 = 0;

	rdmsr_safe(0x277, &pat, NULL);
	probe("pat.type2", 0x277, (pat & ~0xffull) | 2, 1);
	probe("pat.type3", 0x277, (pat & ~0xffull) | 3, 1);
	probe("pat.type7", 0x277, (pat & ~0xffull) | 7, 1);
	probe("pat.type8", 0x277, (pat & ~0xffull) | 8, 1);
	probe("pat.entry7.type2", 0x277, (pat & ~(0xffull << 56)) | (2ull << 56), 1);
	rdmsr_safe(0x2ff, &def, NULL);
	probe("mtrr_def.type2", 0x2ff, (def & ~0xffull) | 2, 1);
	probe("mtrr_def.type3", 0x2ff, (def & ~0xffull) | 3, 1);
	probe("mtrr_def.type7", 0x2ff, (def & ~0xffull) | 7, 1);
	probe("mtrr_def.bit9", 0x2ff, def | (1ull << 9), 1);
	probe("mtrr_def.bit12", 0x2ff, def | (1ull << 12), 1);
	rdmsr_safe(0x200, &base0, NULL);
	rdmsr_safe(0x201, &mask0, NULL);
	probe("mtrr_base0.type2", 0x200, (base0 & ~0xffull) | 2, 1);
	probe("mtrr_base0.type6", 0x200, (base0 & ~0xffull) | 6, 1);
	probe("mtrr_base0.bit8", 0x200, base0 | (1ull << 8), 1);
	probe("mtrr_base0.bit62", 0x200, base0 | (1ull << 62), 1);
	probe("mtrr_mask0.bit0", 0x201, mask0 | 1, 1);
	probe("mtrr_mask0.valid", 0x201, mask0 | (1ull << 11), 1);
	probe("mtrr_fix64k.type2", 0x250, 0x0606060606060602ull, 1);
	probe("mtrr_fix64k.wb", 0x250, 0x0606060606060606ull, 1);
}

/* Machine check, control and identification MSRs. */
static void behave_misc_msrs(void)
{
	uint32_t r[4];
	uint64_t misc = 0, fc = 0;

	rdmsr_safe(0x3a, &fc, NULL);
	probe("feature_control.wr", 0x3a, fc, 1);
	probe("mtrrcap.wr", 0xfe, 0, 1);
	probe("platform_info.wr", 0xce, 0, 1);
	probe("arch_cap.wr", 0x10a, 0, 1);
	probe("mcg_status.wr1", 0x17a, 1, 1);
	probe("mcg_ctl.ones", 0x17b, ~0ull, 1);
	probe("mc0_ctl.ones", 0x400, ~0ull, 1);
	probe("mc0_status.wr1", 0x401, 1, 1);
	probe("spec_ctrl.ibrs", 0x48, 1, 1);
	probe("spec_ctrl.bit63", 0x48, 1ull << 63, 1);
	probe("pred_cmd.ibpb", 0x49, 1, 0);
	probe("pred_cmd.bit1", 0x49, 2, 0);
	probe("xss.bit0", 0xda0, 1, 1);
	probe("tsc_deadline.far", 0x6e0, 1ull << 60, 1);
	probe("bios_sign_id.wr0", 0x8b, 0, 0);
	cpuid_sub(1, 0, r);
	fact("bios_sign_id.after_cpuid", "%016llx", rdmsr_safe(0x8b, &misc, NULL) ? misc : 0);
	if (!rdmsr_safe(0x1a0, &misc, NULL))
		return;
	probe("misc_enable.flip0", 0x1a0, misc ^ 1, 1);
	probe("misc_enable.flip11", 0x1a0, misc ^ (1ull << 11), 1);
	if (wrmsr_safe(0x1a0, misc | (1ull << 22), NULL)) {
		cpuid_sub(0, 0, r);
		fact("misc_enable.lcmv.max_leaf", "%x", r[0]);
		wrmsr_safe(0x1a0, misc, NULL);
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
