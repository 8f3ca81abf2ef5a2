/*
 * Control-register and XSAVE facts: each CR4 bit flipped alone, the CR0
 * combinations that must fault (PG without PE, NW without CD; SDM Vol. 2B
 * MOV to CR, Vol. 3A 2.5), reserved CR0 bits, CPUID.1:ECX.OSXSAVE following
 * CR4.OSXSAVE, and XSETBV's checks of XCR0 (SDM Vol. 1 13.3, Vol. 2C
 * XSETBV).
 */
#include "conform.h"

#define CR_BITS 32
#define CR0_RSVD7 (1u << 7)
#define CR0_RSVD20 (1u << 20)
#define CR0_AM (1u << 18)
#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define XCR0_OPMASK (1ull << 5)
#define XCR0_AVX512 (7ull << 5)
#define XCR0_BIT63 (1ull << 63)
#define XCR_XINUSE 1
#define LEAF_XSAVE 0xd

static void cr4_flips(void)
{
	uint32_t cr4 = read_cr4();
	struct fault f;
	char key[24];
	int b;

	for (b = 0; b < CR_BITS; b++) {
		snprintf(key, sizeof(key), "cr4.flip.%02d", b);
		wrcr4_safe(cr4 ^ (1u << b), &f);
		fact_fault(key, &f);
		wrcr4_safe(cr4, NULL);
	}
}

/* Write v to CR0 and report; on success also what reads back. */
static void cr0_probe(const char *key, uint32_t v)
{
	uint32_t cr0 = read_cr0(), now;
	struct fault f;
	char k[32];

	wrcr0_safe(v, &f);
	now = read_cr0();
	wrcr0_safe(cr0, NULL);
	fact_fault(key, &f);
	snprintf(k, sizeof(k), "%s.rb", key);
	if (f.vector == VEC_NO_FAULT)
		fact(k, "%08x", now);
	else
		fact(k, "-");
}

void behave_cr(void)
{
	uint32_t cr0 = read_cr0();
	struct fault f;

	cr4_flips();
	cr0_probe("cr0.nw_without_cd", (cr0 & ~CR0_CD) | CR0_NW);
	cr0_probe("cr0.cd", cr0 | CR0_CD);
	cr0_probe("cr0.cd_nw", cr0 | CR0_CD | CR0_NW);
	cr0_probe("cr0.ne_flip", cr0 ^ CR0_NE);
	cr0_probe("cr0.am_flip", cr0 ^ CR0_AM);
	cr0_probe("cr0.wp_flip", cr0 ^ CR0_WP);
	cr0_probe("cr0.rsvd7", cr0 | CR0_RSVD7);
	cr0_probe("cr0.rsvd20", cr0 | CR0_RSVD20);
	wrcr0_safe((cr0 & ~CR0_CD) | CR0_NW, &f);
	check(f.vector == VEC_GP, "cr: CR0.NW without CD raises #GP", "got %s", fault_text(&f));
	wrcr0_safe(cr0, NULL);
}

/* Run late: if the write took effect the CPU would leave protected mode
 * with paging on and no page tables. */
void behave_cr_risky(void)
{
	uint32_t cr0 = read_cr0();
	struct fault f;

	wrcr0_safe((cr0 & ~CR0_PE) | CR0_PG, &f);
	fact_fault("cr0.pg_without_pe", &f);
	check(f.vector == VEC_GP, "cr: CR0.PG without PE raises #GP", "got %s", fault_text(&f));
}

static uint32_t osxsave_bit(void)
{
	uint32_t r[4];

	cpuid_sub(1, 0, r);
	return !!(r[2] & CPUID1_ECX_OSXSAVE);
}

static void xsetbv_probes(void)
{
	uint32_t r[4];
	uint64_t supported;
	struct fault f;

	cpuid_sub(LEAF_XSAVE, 0, r);
	supported = ((uint64_t)r[3] << 32) | r[0];
	fact("xsave.xcr0_initial", "%016llx", xgetbv0());
	xsetbv_safe(0, 0, &f);
	fact_fault("xsetbv.zero", &f);
	check(f.vector == VEC_GP, "xsave: XSETBV XCR0=0 raises #GP", "got %s", fault_text(&f));
	xsetbv_safe(0, XCR0_SSE, &f);
	fact_fault("xsetbv.sse_only", &f);
	xsetbv_safe(0, XCR0_X87 | XCR0_AVX, &f);
	fact_fault("xsetbv.avx_without_sse", &f);
	check(f.vector == VEC_GP, "xsave: XSETBV AVX without SSE raises #GP", "got %s",
	      fault_text(&f));
	xsetbv_safe(0, XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_OPMASK, &f);
	fact_fault("xsetbv.opmask_alone", &f);
	xsetbv_safe(0, XCR0_X87 | XCR0_BIT63, &f);
	fact_fault("xsetbv.bit63", &f);
	xsetbv_safe(XCR_XINUSE, XCR0_X87, &f);
	fact_fault("xsetbv.xcr1", &f);
	xsetbv_safe(0, XCR0_X87 | XCR0_SSE, &f);
	fact_fault("xsetbv.x87_sse", &f);
	xsetbv_safe(0, supported & (XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512), &f);
	fact_fault("xsetbv.all_user", &f);
	check(f.vector == VEC_NO_FAULT, "xsave: XSETBV of the supported x87/SSE/AVX/AVX-512 set",
	      "XCR0 %llx gave %s", supported & (XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512),
	      fault_text(&f));
	fact("xsave.xcr0_after", "%016llx", xgetbv0());
	xsetbv_safe(0, XCR0_X87, NULL);
}

void behave_xsave(void)
{
	uint32_t r[4], cr4 = read_cr4(), on, off;
	struct fault f;

	cpuid_sub(1, 0, r);
	if (!(r[2] & CPUID1_ECX_XSAVE))
		return;
	xsetbv_safe(0, XCR0_X87, &f);
	fact_fault("xsetbv.osxsave_off", &f);
	fact("xsave.cpuid_osxsave.cr4_off", "%u", osxsave_bit());
	wrcr4_safe(cr4 | CR4_OSXSAVE, &f);
	fact_fault("xsave.cr4_osxsave_set", &f);
	on = osxsave_bit();
	fact("xsave.cpuid_osxsave.cr4_on", "%u", on);
	check(on, "xsave: CPUID.1:ECX.OSXSAVE follows CR4.OSXSAVE=1", "still 0");
	xsetbv_probes();
	wrcr4_safe(cr4 & ~CR4_OSXSAVE, NULL);
	off = osxsave_bit();
	fact("xsave.cpuid_osxsave.cr4_cleared", "%u", off);
	check(!off, "xsave: CPUID.1:ECX.OSXSAVE follows CR4.OSXSAVE=0", "still 1");
}
