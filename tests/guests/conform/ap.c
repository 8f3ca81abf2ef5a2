/*
 * Application processors: started by INIT-SIPI-SIPI through the xAPIC ICR
 * with the all-excluding-self shorthand (SDM Vol. 3A 9.4.4.1, 11.6.1), each
 * AP reports its own facts under the key prefix "cpuN." (N = its initial
 * APIC ID): its leaf 1, 4 and 0xB CPUID, the MSRs whose state is per CPU
 * after INIT, and the CR0 and APIC ID it starts with. The APs take turns
 * (one lock) and the BSP only waits, so the catcher and the fact line stay
 * single-user. Then they park with interrupts off. Three rounds: the first
 * start; INIT-SIPI-SIPI again while the APs halt in protected mode (their
 * facts under "cpuN.init_from_pm."), after which they park in IA-32e mode;
 * and once more from there ("cpuN.init_from_lm."): INIT must reset an AP
 * whatever mode it is in (SDM Vol. 3A 9.1.1, Table 10-1).
 */
#include "conform.h"

#define ICR_INIT_ALL_BUT_SELF 0x000c4500u
#define ICR_SIPI_ALL_BUT_SELF 0x000c4600u
#define ICR_BUSY (1u << 12)
#define INIT_WAIT_US 10000
#define SIPI_WAIT_US 200
#define AP_WAIT_US 300000
#define SVR_ENABLE_VEC_FF 0x1ff
#define AP_VECTOR (AP_TRAMP_ADDR >> 12)
#define APIC_ID_SHIFT 24
#define LEAF_CACHE 4
#define LEAF_TOPO 0xb
#define TOPO_SUBLEAVES 2
#define PREFIX_LEN 12
#define PHASE_LEN 16

static volatile uint32_t ap_lock, ap_done, ap_park_long;
static const char *volatile ap_phase = "";
static char ap_prefix[PREFIX_LEN + PHASE_LEN];

static const uint32_t ap_msrs[] = {
    0x1b,	/* APIC_BASE: BSP flag clear */
    0x3a,	/* FEATURE_CONTROL */
    0x3b,	/* TSC_ADJUST */
    0x174,	/* SYSENTER_CS */
    0x1a0,	/* MISC_ENABLE */
    0x277,	/* PAT */
    0x2ff,	/* MTRR_DEF_TYPE */
    0xc0000080, /* EFER */
};

void conform_ap_main(void);

static void ap_cpuid_fact(uint32_t leaf, uint32_t sub)
{
	uint32_t r[4];
	char key[32];

	cpuid_sub(leaf, sub, r);
	snprintf(key, sizeof(key), "cpuid.%08x.%02x", leaf, sub);
	fact(key, "%08x,%08x,%08x,%08x", r[0], r[1], r[2], r[3]);
}

static void ap_report(void)
{
	struct fault f;
	uint64_t v;
	char key[32];
	unsigned i, sub;

	fact("cr0", "%08x", read_cr0());
	fact("apic.page.020", "%08x", mmio_read32(APIC_MMIO + APIC_ID));
	ap_cpuid_fact(1, 0);
	ap_cpuid_fact(LEAF_CACHE, 0);
	for (sub = 0; sub <= TOPO_SUBLEAVES; sub++)
		ap_cpuid_fact(LEAF_TOPO, sub);
	for (i = 0; i < sizeof(ap_msrs) / sizeof(ap_msrs[0]); i++) {
		snprintf(key, sizeof(key), "msr.%08x.rd", ap_msrs[i]);
		if (rdmsr_safe(ap_msrs[i], &v, &f))
			fact(key, "%016llx", v);
		else
			fact_fault(key, &f);
	}
}

void conform_ap_main(void)
{
	uint32_t r[4];

	tables_load();
	spin_lock(&ap_lock);
	cpuid_sub(1, 0, r);
	snprintf(ap_prefix, sizeof(ap_prefix), "cpu%u.%s", r[1] >> APIC_ID_SHIFT, ap_phase);
	fact_prefix = ap_prefix;
	ap_report();
	fact_flush();
	fact_prefix = NULL;
	ap_done++;
	spin_unlock(&ap_lock);
	if (ap_park_long)
		lm_park(lm_cr3());
}

static void icr_send(uint32_t lo)
{
	mmio_write32(APIC_MMIO + APIC_ICR_HI, 0);
	mmio_write32(APIC_MMIO + APIC_ICR_LO, lo);
	while (mmio_read32(APIC_MMIO + APIC_ICR_LO) & ICR_BUSY)
		cpu_relax();
}

/* INIT, then two SIPIs (SDM Vol. 3A 9.4.4.1); the APs have AP_WAIT_US to
 * report. The number that did is a fact too. */
static void ap_round(const char *phase, uint32_t park_long)
{
	char key[40];

	fact_flush();
	ap_phase = phase;
	ap_park_long = park_long;
	ap_done = 0;
	icr_send(ICR_INIT_ALL_BUT_SELF);
	delay_us(INIT_WAIT_US);
	icr_send(ICR_SIPI_ALL_BUT_SELF | AP_VECTOR);
	delay_us(SIPI_WAIT_US);
	icr_send(ICR_SIPI_ALL_BUT_SELF | AP_VECTOR);
	delay_us(AP_WAIT_US);
	spin_lock(&ap_lock);
	snprintf(key, sizeof(key), "smp.%saps_reported", phase);
	fact(key, "%u", ap_done);
	spin_unlock(&ap_lock);
}

void ap_facts(void)
{
	memcpy(phys(AP_TRAMP_ADDR), ap_tramp_start, (size_t)(ap_tramp_end - ap_tramp_start));
	mmio_write32(APIC_MMIO + APIC_SVR, SVR_ENABLE_VEC_FF);
	ap_round("", 0);
	ap_round("init_from_pm.", 1);
	ap_round("init_from_lm.", 0);
}
