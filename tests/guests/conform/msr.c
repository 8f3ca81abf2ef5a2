/*
 * MSR facts: a table of the architectural MSRs a guest may touch (SDM Vol.
 * 4, Table 2-2), each read under the catcher ("msr.XXXXXXXX.rd" = the value,
 * "ok" for counters that move, or the fault) and, where that is harmless,
 * written back with the value read ("msr.XXXXXXXX.wr" = "ok" or the fault).
 * The read outcomes are kept for the CPUID consistency checks (checks.c).
 */
#include "conform.h"

#define F_VOLATILE 1u /* the value moves by itself: report "ok" */
#define F_WB 2u	      /* write the value read back */
#define F_WR0 4u      /* write 0 (write-only MSRs such as PRED_CMD) */

struct msr_entry {
	uint32_t msr, flags;
};

static const struct msr_entry msr_table[] = {
    {0x10, F_VOLATILE}, /* TIME_STAMP_COUNTER (write: behave.c) */
    {0x17, 0},		/* PLATFORM_ID */
    {0x1b, F_WB},	/* APIC_BASE */
    {0x34, 0},		/* SMI_COUNT */
    {0x35, 0},		/* CORE_THREAD_COUNT */
    {0x3a, 0},		/* FEATURE_CONTROL (write: behave.c) */
    {0x3b, F_WB},	/* TSC_ADJUST */
    {0x48, F_WB},	/* SPEC_CTRL */
    {0x49, F_WR0},	/* PRED_CMD */
    {0x8b, 0},		/* BIOS_SIGN_ID */
    {0x10a, 0},		/* ARCH_CAPABILITIES */
    {0x10b, F_WR0},	/* FLUSH_CMD */
    {0xc1, F_WB},	/* PMC0 */
    {0xc2, F_WB},	/* PMC1 */
    {0xce, 0},		/* PLATFORM_INFO */
    {0xe7, F_VOLATILE}, /* MPERF */
    {0xe8, F_VOLATILE}, /* APERF */
    {0xfe, 0},		/* MTRRCAP */
    {0x174, F_WB},	/* SYSENTER_CS */
    {0x175, F_WB},	/* SYSENTER_ESP */
    {0x176, F_WB},	/* SYSENTER_EIP */
    {0x179, 0},		/* MCG_CAP */
    {0x17a, F_WB},	/* MCG_STATUS */
    {0x17b, F_WB},	/* MCG_CTL */
    {0x186, F_WB},	/* PERFEVTSEL0 */
    {0x187, F_WB},	/* PERFEVTSEL1 */
    {0x19a, F_WB},	/* CLOCK_MODULATION */
    {0x19b, F_WB},	/* THERM_INTERRUPT */
    {0x19c, 0},		/* THERM_STATUS */
    {0x1a0, F_WB},	/* MISC_ENABLE */
    {0x1b0, F_WB},	/* ENERGY_PERF_BIAS */
    {0x1d9, F_WB},	/* DEBUGCTL */
    {0x200, F_WB},	/* MTRR_PHYSBASE0 .. PHYSMASK7 */
    {0x201, F_WB},	{0x202, F_WB}, {0x203, F_WB}, {0x204, F_WB}, {0x205, F_WB},
    {0x206, F_WB},	{0x207, F_WB}, {0x208, F_WB}, {0x209, F_WB}, {0x20a, F_WB},
    {0x20b, F_WB},	{0x20c, F_WB}, {0x20d, F_WB}, {0x20e, F_WB}, {0x20f, F_WB},
    {0x250, F_WB}, /* MTRR_FIX64K_00000 */
    {0x258, F_WB}, /* MTRR_FIX16K_80000 */
    {0x259, F_WB}, /* MTRR_FIX16K_A0000 */
    {0x268, F_WB}, /* MTRR_FIX4K_C0000 .. F8000 */
    {0x269, F_WB},	{0x26a, F_WB}, {0x26b, F_WB}, {0x26c, F_WB}, {0x26d, F_WB},
    {0x26e, F_WB},	{0x26f, F_WB}, {0x277, F_WB}, /* PAT */
    {0x2ff, F_WB},				      /* MTRR_DEF_TYPE */
    {0x309, F_WB},				      /* FIXED_CTR0 */
    {0x345, 0},					      /* PERF_CAPABILITIES */
    {0x38d, F_WB},				      /* FIXED_CTR_CTRL */
    {0x38e, 0},					      /* PERF_GLOBAL_STATUS */
    {0x38f, F_WB},				      /* PERF_GLOBAL_CTRL */
    {0x390, F_WB},				      /* PERF_GLOBAL_OVF_CTRL */
    {0x400, F_WB},				      /* MC0_CTL, STATUS, ADDR, MISC .. MC3 */
    {0x401, F_WB},	{0x402, 0},    {0x403, 0},    {0x404, F_WB}, {0x405, F_WB},
    {0x406, 0},		{0x407, 0},    {0x408, F_WB}, {0x409, F_WB}, {0x40a, 0},
    {0x40b, 0},		{0x40c, F_WB}, {0x40d, F_WB}, {0x40e, 0},    {0x40f, 0},
    {0x480, 0}, /* VMX_BASIC .. VMX_VMFUNC */
    {0x481, 0},		{0x482, 0},    {0x483, 0},    {0x484, 0},    {0x485, 0},
    {0x486, 0},		{0x487, 0},    {0x488, 0},    {0x489, 0},    {0x48a, 0},
    {0x48b, 0},		{0x48c, 0},    {0x48d, 0},    {0x48e, 0},    {0x48f, 0},
    {0x490, 0},		{0x491, 0},    {0x4c1, F_WB}, /* A_PMC0 */
    {0x600, F_WB},				      /* DS_AREA */
    {0x6e0, F_WB},				      /* TSC_DEADLINE */
    {0x802, 0},					      /* x2APIC ID (xAPIC mode here: #GP) */
    {0x803, 0},					      /* x2APIC VERSION */
    {0x80f, 0},					      /* x2APIC SVR */
    {0x830, 0},					      /* x2APIC ICR */
    {0xd90, F_WB},				      /* BNDCFGS */
    {0xda0, F_WB},				      /* XSS */
    {0xc0000080, F_WB},				      /* EFER */
    {0xc0000081, F_WB},				      /* STAR */
    {0xc0000082, F_WB},				      /* LSTAR */
    {0xc0000083, F_WB},				      /* CSTAR */
    {0xc0000084, F_WB},				      /* FMASK */
    {0xc0000100, F_WB},				      /* FS_BASE */
    {0xc0000101, F_WB},				      /* GS_BASE */
    {0xc0000102, F_WB},				      /* KERNEL_GS_BASE */
    {0xc0000103, F_WB},				      /* TSC_AUX */
    {0xc0010000, 0},				      /* an AMD MSR: #GP on Intel */
    {0x40000000, 0},				      /* the Hyper-V range start: #GP */
};

#define NMSRS (sizeof(msr_table) / sizeof(msr_table[0]))
static int8_t read_ok[NMSRS];

static void msr_one(const struct msr_entry *e, int8_t *ok)
{
	struct fault f;
	uint64_t v;
	char key[32];

	snprintf(key, sizeof(key), "msr.%08x.rd", e->msr);
	*ok = (int8_t)rdmsr_safe(e->msr, &v, &f);
	if (!*ok)
		fact_fault(key, &f);
	else if (e->flags & F_VOLATILE)
		fact(key, "ok");
	else
		fact(key, "%016llx", v);
	if (!(e->flags & (F_WB | F_WR0)))
		return;
	/* A faulting read leaves 0 to write, so both platforms have the key. */
	snprintf(key, sizeof(key), "msr.%08x.wr", e->msr);
	wrmsr_safe(e->msr, e->flags & F_WR0 || !*ok ? 0 : v, &f);
	fact_fault(key, &f);
}

void msr_facts(void)
{
	unsigned i;

	for (i = 0; i < NMSRS; i++)
		msr_one(&msr_table[i], &read_ok[i]);
}

int msr_read_ok(uint32_t msr)
{
	unsigned i;

	for (i = 0; i < NMSRS; i++)
		if (msr_table[i].msr == msr)
			return read_ok[i];
	return -1;
}
