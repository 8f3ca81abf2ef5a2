/*
 * Local APIC mode facts (SDM Vol. 3A 11.12.5 "x2APIC State Transitions",
 * Table 11-6 x2APIC register addresses): the legal and illegal
 * IA32_APIC_BASE transitions between xAPIC, x2APIC and disabled, x2APIC
 * MSR reads and the ones that must fault, and, last, what reads of the
 * xAPIC page give while the APIC is in x2APIC mode or disabled (the page is
 * then not decoded by the APIC).
 */
#include "conform.h"

#define CPUID1_ECX_X2APIC (1u << 21)
#define APIC_BASE_RSVD9 (1u << 9)
#define APIC_BASE_BSP (1u << 8)
#define APIC_BASE_MODE (APIC_BASE_EN | APIC_BASE_EXTD)
#define X2_MSR_FIRST 0x800
#define XAPIC_REG_SHIFT 4	/* x2APIC MSR = 0x800 + xAPIC offset / 16 */
#define SVR_ENABLE_VEC_FF 0x1ff /* software-enabled, spurious vector 0xFF */
#define CPUID1_EDX_APIC (1u << 9)

static const uint16_t x2_regs[] = {
    APIC_ID,	       APIC_VER,	  APIC_TPR,
    0xa0 /* PPR */,    0xd0 /* LDR */,	  0xe0 /* DFR: #GP */,
    APIC_SVR,	       0x280 /* ESR */,	  APIC_ICR_HI /* #GP */,
    APIC_LVT_TIMER,    0x350 /* LINT0 */, 0x360 /* LINT1 */,
    0x370 /* ERROR */, APIC_TMR_INIT,	  APIC_TMR_DIV,
};
#define NX2REGS (sizeof(x2_regs) / sizeof(x2_regs[0]))
static const uint16_t page_regs[] = {APIC_ID, APIC_VER, APIC_SVR, APIC_LVT_TIMER};
#define NPAGEREGS (sizeof(page_regs) / sizeof(page_regs[0]))

static void page_facts(const char *mode)
{
	char key[40];
	unsigned i;

	for (i = 0; i < NPAGEREGS; i++) {
		snprintf(key, sizeof(key), "apic.page.%s.%03x", mode, page_regs[i]);
		fact(key, "%08x", mmio_read32(APIC_MMIO + page_regs[i]));
	}
}

static void x2_facts(void)
{
	struct fault f;
	uint64_t v;
	char key[40];
	unsigned i;

	for (i = 0; i < NX2REGS; i++) {
		snprintf(key, sizeof(key), "apic.x2msr.%03x",
			 X2_MSR_FIRST + (x2_regs[i] >> XAPIC_REG_SHIFT));
		if (rdmsr_safe(X2_MSR_FIRST + (x2_regs[i] >> XAPIC_REG_SHIFT), &v, &f))
			fact(key, "%016llx", v);
		else
			fact_fault(key, &f);
	}
	wrmsr_safe(X2_MSR_FIRST + (APIC_ID >> XAPIC_REG_SHIFT), 0, &f);
	fact_fault("apic.x2msr.802.wr", &f);
}

/* Write v to IA32_APIC_BASE; report; 1 if it took. */
static int base_write(const char *key, uint64_t v)
{
	struct fault f;

	wrmsr_safe(MSR_APIC_BASE, v, &f);
	fact_fault(key, &f);
	return f.vector == VEC_NO_FAULT;
}

static void transitions(uint64_t base)
{
	uint64_t off = base & ~(uint64_t)APIC_BASE_MODE;
	uint32_t r[4];
	struct fault f;

	base_write("apic.base.rsvd9", base | APIC_BASE_RSVD9);
	base_write("apic.base.bsp_flip", base ^ APIC_BASE_BSP);
	wrmsr_safe(MSR_APIC_BASE, base, NULL);
	base_write("apic.xapic_to_x2apic", off | APIC_BASE_MODE);
	x2_facts();
	check(!base_write("apic.x2apic_to_xapic", off | APIC_BASE_EN),
	      "apic: x2APIC -> xAPIC directly raises #GP", "the write was accepted");
	wrmsr_safe(MSR_APIC_BASE, off | APIC_BASE_MODE, NULL);
	base_write("apic.x2apic_to_disabled", off);
	cpuid_sub(1, 0, r);
	fact("apic.disabled.cpuid1_edx_apic", "%u", !!(r[3] & CPUID1_EDX_APIC));
	base_write("apic.disabled_to_x2apic_extd_only", off | APIC_BASE_EXTD);
	wrmsr_safe(MSR_APIC_BASE, off, NULL);
	base_write("apic.disabled_to_xapic", off | APIC_BASE_EN);
	rdmsr_safe(MSR_APIC_BASE, &base, &f);
	fact("apic.base.final", "%016llx", base);
}

void apic_facts(void)
{
	uint32_t r[4];
	uint64_t base;

	if (!rdmsr_safe(MSR_APIC_BASE, &base, NULL))
		return;
	/* The firmware's SVR is not the CPU's: start from a known one. */
	mmio_write32(APIC_MMIO + APIC_SVR, SVR_ENABLE_VEC_FF);
	page_facts("xapic");
	cpuid_sub(1, 0, r);
	if (!(r[2] & CPUID1_ECX_X2APIC))
		return;
	transitions(base);
	/* Last: these reads stop the machine on a platform that cannot leave
	 * the page undecoded. */
	wrmsr_safe(MSR_APIC_BASE, (base & ~(uint64_t)APIC_BASE_MODE) | APIC_BASE_MODE, NULL);
	page_facts("x2apic");
	wrmsr_safe(MSR_APIC_BASE, base & ~(uint64_t)APIC_BASE_MODE, NULL);
	page_facts("disabled");
	wrmsr_safe(MSR_APIC_BASE, base, NULL);
}
