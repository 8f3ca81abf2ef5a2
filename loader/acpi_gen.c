/* SPDX-License-Identifier: MIT */
/*
 * Builds a guest's ACPI tables in guest memory: RSDP, XSDT (and an RSDT when
 * everything sits below 4 GiB, for guests that only read ACPI 1.0 tables),
 * FADT with its FACS and a DSDT holding \_S5 (soft off), and a MADT with one
 * entry per vCPU.
 */
#include "loader/acpi_gen.h"
#include "arch/x86/acpi_tables.h"
#include "lib/bytes.h"
#include "dev/acpi_pm.h"
#include "dev/reset_ctl.h"
#include "dev/vrtc.h"
#include "lib/printk.h"
#include "lib/string.h"

/* ACPI 6.5 5.2.6, Table 5.4: system description table header */
#define OEM_REVISION 1
#define CREATOR_REVISION 1

/* ACPI 6.5 5.2.7 / 5.2.8: RSDT and XSDT list FADT and MADT */
#define ROOT_ENTRIES 2
#define RSDT_REVISION 1
#define XSDT_REVISION 1

/* ACPI 6.5 5.2.9, Table 5.9: FADT revision 6 (minor 5), the full 276 bytes */
#define FADT_LEN 276
#define FADT_REVISION 6
#define FADT_MINOR_REVISION 5
/* P_LVLx_LAT above these says C2 / C3 are not supported */
#define FADT_NO_C2_LAT 101
#define FADT_NO_C3_LAT 1001
/*
 * Table 5.10 flags: WBINVD works, C1 supported, no fixed power/sleep
 * buttons, and RESET_REG_SUP: the reset register (below) resets the VM.
 */
#define FADT_F_WBINVD (1u << 0)
#define FADT_F_PROC_C1 (1u << 2)
#define FADT_F_PWR_BUTTON (1u << 4)
#define FADT_F_SLP_BUTTON (1u << 5)
#define FADT_FLAGS                                                                                 \
	(FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON |                  \
	 ACPI_FADT_RESET_REG_SUP)
/*
 * Table 5.11 IA-PC boot architecture flags: LEGACY_DEVICES and 8042 clear,
 * VGA Not Present set, CMOS RTC Not Present clear (dev/vrtc.c models the
 * RTC). The 8042 flag stays clear although dev/i8042.c answers 0x60/0x64:
 * that model only offers the reset pulse, with no keyboard, self-test or
 * command byte behind it, and a set flag makes an OS probe it as a real
 * controller (Linux's i8042 driver would then report failures). Linux's
 * reboot path pulses its reset line whatever the flag says.
 */
#define FADT_BOOT_VGA_NOT_PRESENT (1u << 2)
#define FADT_IAPC_BOOT_ARCH FADT_BOOT_VGA_NOT_PRESENT

/* ACPI 6.5 5.2.3.2, Table 5.1: Generic Address Structure */
#define GAS_ACCESS_BYTE 1
#define GAS_ACCESS_WORD 2
#define GAS_ACCESS_DWORD 3

/* ACPI 6.5 5.2.10, Table 5.14: FACS, 64 bytes on a 64-byte boundary */
#define FACS_LEN 64
#define FACS_ALIGN 64
#define FACS_OFF_LENGTH 4
#define FACS_OFF_VERSION 32
#define FACS_VERSION 2

/* ACPI 6.5 5.2.11.1: DSDT; revision 2 = 64-bit integers */
#define DSDT_REVISION 2

/*
 * The DSDT's AML body: Name (\_S5, Package () {typ, typ, 0, 0}), the soft-off
 * sleep package (ACPI 6.5 7.4.2: PM1a SLP_TYP, PM1b SLP_TYP, two reserved
 * values) with typ = ACPI_PM_SLP_TYP_S5, which dev/acpi_pm.c turns into a
 * power-off. Encoded per the AML grammar (ACPI 6.5 20.2): the package's
 * PkgLength (20.2.4) counts itself, NumElements and the elements.
 */
#define AML_NAME_OP 0x08     /* 20.2.5.1 DefName := NameOp NameString DataRefObject */
#define AML_ROOT_CHAR 0x5C   /* 20.2.2 RootChar, the backslash */
#define AML_PACKAGE_OP 0x12  /* 20.2.5.4 DefPackage := PackageOp PkgLength NumElements */
#define AML_BYTE_PREFIX 0x0A /* 20.2.3 ByteConst := BytePrefix ByteData */
#define AML_ZERO_OP 0x00     /* 20.2.3 ConstObj ZeroOp */
#define AML_S5_ELEMENTS 4
#define AML_S5_PKG_LEN 8 /* PkgLength, NumElements, 2 x ByteConst (2 bytes), 2 x ZeroOp */
static const uint8_t dsdt_aml[] = {
    AML_NAME_OP,
    AML_ROOT_CHAR,
    '_',
    'S',
    '5',
    '_', /* NameSeg: four characters, '_' padded */
    AML_PACKAGE_OP,
    AML_S5_PKG_LEN, /* one-byte PkgLength: bits 7:6 = 0, bits 5:0 = the length */
    AML_S5_ELEMENTS,
    AML_BYTE_PREFIX,
    ACPI_PM_SLP_TYP_S5, /* PM1a_CNT.SLP_TYP */
    AML_BYTE_PREFIX,
    ACPI_PM_SLP_TYP_S5, /* PM1b_CNT.SLP_TYP (there is no PM1b block) */
    AML_ZERO_OP,	/* reserved */
    AML_ZERO_OP,	/* reserved */
};
#define DSDT_LEN (ACPI_HEADER_LEN + sizeof(dsdt_aml))

/* ACPI 6.5 5.2.12, Tables 5.19, 5.22 and 5.40 */
#define MADT_REVISION 5
#define MADT_ISA_BUS 0
#define MADT_PIT_IRQ 0
#define MADT_PIT_GSI 2 /* the PC's timer input on the I/O APIC, as QEMU and firmware list it */
/* MPS INTI flags (5.2.12.5, Table 5.26): polarity bits 1:0, trigger mode bits 3:2 */
#define MADT_INTI_CONFORMS 0x0u
#define MADT_INTI_ACTIVE_HIGH 0x1u
#define MADT_INTI_EDGE (0x1u << 2)
#define MADT_INTI_LEVEL (0x3u << 2)
/* The SCI (FADT SCI_INT) is GSI 9, level-triggered active-high as on PIIX4 */
#define MADT_SCI_FLAGS (MADT_INTI_ACTIVE_HIGH | MADT_INTI_LEVEL)
/* NMI on every processor's LINT1, edge-triggered active-high (5.2.12.7, 5.2.12.13) */
#define MADT_NMI_LINT 1
#define MADT_NMI_FLAGS (MADT_INTI_ACTIVE_HIGH | MADT_INTI_EDGE)
#define MADT_NMI_ALL_UID8 0xFFu
#define MADT_NMI_ALL_UID32 0xFFFFFFFFu
#define MADT_ISOS 2 /* IRQ 0 -> GSI 2, IRQ 9 (SCI) */
#define MADT_PLATFORM_LEN                                                                          \
	(ACPI_MADT_IOAPIC_LEN + MADT_ISOS * ACPI_MADT_ISO_LEN + ACPI_MADT_LAPIC_NMI_LEN)

#define GPA_4G (1ull << 32)

struct acpi_gen_layout {
	uint64_t rsdp, xsdt, rsdt, fadt, facs, dsdt, madt, end;
	uint32_t madt_len;
};

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* The byte that makes len bytes starting at p sum to zero. */
static uint8_t acpi_gen_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *p++);
	return (uint8_t)-sum;
}

static uint32_t madt_len(unsigned ncpus)
{
	unsigned xapic = ncpus < ACPI_GEN_FIRST_X2APIC_ID ? ncpus : ACPI_GEN_FIRST_X2APIC_ID;

	unsigned x2apic = ncpus - xapic;

	return ACPI_MADT_ENTRIES_OFF + xapic * ACPI_MADT_LAPIC_LEN + x2apic * ACPI_MADT_X2APIC_LEN +
	       MADT_PLATFORM_LEN + (x2apic ? ACPI_MADT_X2APIC_NMI_LEN : 0);
}

/* Tables in order, each on a 16-byte boundary (the FACS on 64). */
static void acpi_gen_layout(uint64_t gpa, unsigned ncpus, struct acpi_gen_layout *l)
{
	l->rsdp = gpa;
	l->xsdt = align_up(l->rsdp + ACPI_RSDP_V2_LEN, ACPI_GEN_ALIGN);
	l->rsdt = align_up(l->xsdt + ACPI_HEADER_LEN + ROOT_ENTRIES * ACPI_XSDT_ENTRY_LEN,
			   ACPI_GEN_ALIGN);
	l->fadt = align_up(l->rsdt + ACPI_HEADER_LEN + ROOT_ENTRIES * ACPI_RSDT_ENTRY_LEN,
			   ACPI_GEN_ALIGN);
	l->facs = align_up(l->fadt + FADT_LEN, FACS_ALIGN);
	l->dsdt = align_up(l->facs + FACS_LEN, ACPI_GEN_ALIGN);
	l->madt = align_up(l->dsdt + DSDT_LEN, ACPI_GEN_ALIGN);
	l->madt_len = madt_len(ncpus);
	l->end = l->madt + l->madt_len;
}

uint64_t acpi_gen_size(uint64_t table_gpa, unsigned ncpus)
{
	struct acpi_gen_layout l;

	acpi_gen_layout(table_gpa, ncpus, &l);
	return l.end - table_gpa;
}

static void acpi_gen_header(uint8_t *t, const char sig[4], uint32_t len, uint8_t revision)
{
	memcpy(t, sig, 4);
	le32_put(t + ACPI_HDR_OFF_LENGTH, len);
	t[ACPI_HDR_OFF_REVISION] = revision;
	memcpy(t + ACPI_HDR_OFF_OEM_ID, ACPI_GEN_OEM_ID, 6);
	memcpy(t + ACPI_HDR_OFF_OEM_TABLE_ID, ACPI_GEN_OEM_TABLE_ID, 8);
	le32_put(t + ACPI_HDR_OFF_OEM_REVISION, OEM_REVISION);
	memcpy(t + ACPI_HDR_OFF_CREATOR_ID, ACPI_GEN_CREATOR_ID, 4);
	le32_put(t + ACPI_HDR_OFF_CREATOR_REVISION, CREATOR_REVISION);
}

static void acpi_gen_seal(uint8_t *t)
{
	uint32_t len =
	    (uint32_t)t[ACPI_HDR_OFF_LENGTH] | (uint32_t)t[ACPI_HDR_OFF_LENGTH + 1] << 8 |
	    (uint32_t)t[ACPI_HDR_OFF_LENGTH + 2] << 16 | (uint32_t)t[ACPI_HDR_OFF_LENGTH + 3] << 24;

	t[ACPI_HDR_OFF_CHECKSUM] = 0;
	t[ACPI_HDR_OFF_CHECKSUM] = acpi_gen_checksum(t, len);
}

static void acpi_gen_rsdp(uint8_t *p, const struct acpi_gen_layout *l)
{
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + ACPI_RSDP_OFF_OEM_ID, ACPI_GEN_OEM_ID, 6);
	p[ACPI_RSDP_OFF_REVISION] = ACPI_RSDP_REVISION_V2;
	le32_put(p + ACPI_RSDP_OFF_RSDT, l->rsdt ? (uint32_t)l->rsdt : 0);
	le32_put(p + ACPI_RSDP_OFF_LENGTH, ACPI_RSDP_V2_LEN);
	le64_put(p + ACPI_RSDP_OFF_XSDT, l->xsdt);
	p[ACPI_RSDP_OFF_CHECKSUM] = acpi_gen_checksum(p, ACPI_RSDP_V1_LEN);
	p[ACPI_RSDP_OFF_EXT_CHECKSUM] = acpi_gen_checksum(p, ACPI_RSDP_V2_LEN);
}

static void acpi_gen_roots(uint8_t *base, const struct acpi_gen_layout *l)
{
	uint8_t *x = base + l->xsdt, *r = base + l->rsdt;

	acpi_gen_header(x, "XSDT", ACPI_HEADER_LEN + ROOT_ENTRIES * ACPI_XSDT_ENTRY_LEN,
			XSDT_REVISION);
	le64_put(x + ACPI_HEADER_LEN, l->fadt);
	le64_put(x + ACPI_HEADER_LEN + ACPI_XSDT_ENTRY_LEN, l->madt);
	acpi_gen_seal(x);
	if (l->end > GPA_4G)
		return;
	acpi_gen_header(r, "RSDT", ACPI_HEADER_LEN + ROOT_ENTRIES * ACPI_RSDT_ENTRY_LEN,
			RSDT_REVISION);
	le32_put(r + ACPI_HEADER_LEN, (uint32_t)l->fadt);
	le32_put(r + ACPI_HEADER_LEN + ACPI_RSDT_ENTRY_LEN, (uint32_t)l->madt);
	acpi_gen_seal(r);
}

static void acpi_gen_gas_io(uint8_t *g, uint16_t port, unsigned len, uint8_t access)
{
	g[ACPI_GAS_OFF_SPACE] = ACPI_GAS_SYSTEM_IO;
	g[ACPI_GAS_OFF_BIT_WIDTH] = (uint8_t)(len * BITS_PER_BYTE);
	g[ACPI_GAS_OFF_BIT_OFFSET] = 0;
	g[ACPI_GAS_OFF_ACCESS_SIZE] = access;
	le64_put(g + ACPI_GAS_OFF_ADDRESS, port);
}

/*
 * Full-ACPI (HW_REDUCED_ACPI clear) FADT: ACPI 6.5 4.8.1 requires the PM1a
 * event and control blocks and the PM timer, which dev/acpi_pm.c models at
 * PM_PORT_BASE. SMI_CMD is 0, so the guest finds SCI_EN already set and never
 * has to switch modes (5.2.9). SCI_INT is never raised. RESET_REG is the
 * reset control register dev/reset_ctl.c models (4.8.3.6). The 32-bit
 * FIRMWARE_CTRL is 0 because X_FIRMWARE_CTRL is set (Table 5.9).
 */
static void acpi_gen_fadt(uint8_t *f, const struct acpi_gen_layout *l)
{
	acpi_gen_header(f, "FACP", FADT_LEN, FADT_REVISION);
	if (l->dsdt < GPA_4G)
		le32_put(f + ACPI_FADT_OFF_DSDT, (uint32_t)l->dsdt);
	le16_put(f + ACPI_FADT_OFF_SCI_INT, ACPI_GEN_SCI_IRQ);
	le32_put(f + ACPI_FADT_OFF_PM1A_EVT_BLK, PM1_EVT_PORT);
	le32_put(f + ACPI_FADT_OFF_PM1A_CNT_BLK, PM1_CNT_PORT);
	le32_put(f + ACPI_FADT_OFF_PM_TMR_BLK, PM_TMR_PORT);
	f[ACPI_FADT_OFF_PM1_EVT_LEN] = PM1_EVT_LEN;
	f[ACPI_FADT_OFF_PM1_CNT_LEN] = PM1_CNT_LEN;
	f[ACPI_FADT_OFF_PM_TMR_LEN] = ACPI_PM_TMR_LEN;
	le16_put(f + ACPI_FADT_OFF_P_LVL2_LAT, FADT_NO_C2_LAT);
	le16_put(f + ACPI_FADT_OFF_P_LVL3_LAT, FADT_NO_C3_LAT);
	f[ACPI_FADT_OFF_CENTURY] = CMOS_CENTURY;
	le16_put(f + ACPI_FADT_OFF_IAPC_BOOT_ARCH, FADT_IAPC_BOOT_ARCH);
	le32_put(f + ACPI_FADT_OFF_FLAGS, FADT_FLAGS);
	f[ACPI_FADT_OFF_MINOR_REVISION] = FADT_MINOR_REVISION;
	le64_put(f + ACPI_FADT_OFF_X_FIRMWARE_CTRL, l->facs);
	le64_put(f + ACPI_FADT_OFF_X_DSDT, l->dsdt);
	/* PM1 event registers are 16 bits each: PM1_STS then PM1_EN (4.8.3.1) */
	acpi_gen_gas_io(f + ACPI_FADT_OFF_X_PM1A_EVT_BLK, PM1_EVT_PORT, PM1_EVT_LEN,
			GAS_ACCESS_WORD);
	acpi_gen_gas_io(f + ACPI_FADT_OFF_X_PM1A_CNT_BLK, PM1_CNT_PORT, PM1_CNT_LEN,
			GAS_ACCESS_WORD);
	acpi_gen_gas_io(f + ACPI_FADT_OFF_X_PM_TMR_BLK, PM_TMR_PORT, ACPI_PM_TMR_LEN,
			GAS_ACCESS_DWORD);
	/* RESET_REG (Table 5.9, FADT revision 2 and later): the byte at 0xCF9 */
	acpi_gen_gas_io(f + ACPI_FADT_OFF_RESET_REG, RESET_CTL_PORT, 1, GAS_ACCESS_BYTE);
	f[ACPI_FADT_OFF_RESET_VALUE] = RESET_CTL_ACPI_VALUE;
	acpi_gen_seal(f);
}

static void acpi_gen_dsdt(uint8_t *d)
{
	acpi_gen_header(d, "DSDT", DSDT_LEN, DSDT_REVISION);
	memcpy(d + ACPI_HEADER_LEN, dsdt_aml, sizeof(dsdt_aml));
	acpi_gen_seal(d);
}

/* FACS has no checksum; hardware signature, waking vectors and lock stay 0. */
static void acpi_gen_facs(uint8_t *f)
{
	memcpy(f, "FACS", 4);
	le32_put(f + FACS_OFF_LENGTH, FACS_LEN);
	f[FACS_OFF_VERSION] = FACS_VERSION;
}

/* Processor Local APIC (5.2.12.2) below ID 255, Local x2APIC (5.2.12.12) from it. */
static uint8_t *madt_cpu(uint8_t *e, unsigned i)
{
	if (i < ACPI_GEN_FIRST_X2APIC_ID) {
		e[0] = ACPI_MADT_LAPIC;
		e[1] = ACPI_MADT_LAPIC_LEN;
		e[ACPI_MADT_LAPIC_OFF_UID] = (uint8_t)i;
		e[ACPI_MADT_LAPIC_OFF_ID] = (uint8_t)i;
		le32_put(e + ACPI_MADT_LAPIC_OFF_FLAGS, ACPI_MADT_CPU_ENABLED);
		return e + ACPI_MADT_LAPIC_LEN;
	}
	e[0] = ACPI_MADT_X2APIC;
	e[1] = ACPI_MADT_X2APIC_LEN;
	le32_put(e + ACPI_MADT_X2APIC_OFF_ID, i);
	le32_put(e + ACPI_MADT_X2APIC_OFF_FLAGS, ACPI_MADT_CPU_ENABLED);
	le32_put(e + ACPI_MADT_X2APIC_OFF_UID, i);
	return e + ACPI_MADT_X2APIC_LEN;
}

/* Interrupt Source Override (5.2.12.5): ISA IRQ @irq is GSI @gsi. */
static uint8_t *madt_iso(uint8_t *e, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	e[0] = ACPI_MADT_ISO;
	e[1] = ACPI_MADT_ISO_LEN;
	e[ACPI_MADT_ISO_OFF_BUS] = MADT_ISA_BUS;
	e[ACPI_MADT_ISO_OFF_SOURCE] = irq;
	le32_put(e + ACPI_MADT_ISO_OFF_GSI, gsi);
	le16_put(e + ACPI_MADT_ISO_OFF_FLAGS, flags);
	return e + ACPI_MADT_ISO_LEN;
}

/* LINT1 is NMI on every processor: a Local APIC NMI entry (5.2.12.7), and a
 * Local x2APIC NMI entry (5.2.12.13) when some processors are x2APIC ones. */
static uint8_t *madt_nmi(uint8_t *e, unsigned ncpus)
{
	e[0] = ACPI_MADT_LAPIC_NMI;
	e[1] = ACPI_MADT_LAPIC_NMI_LEN;
	e[ACPI_MADT_LAPIC_NMI_OFF_UID] = MADT_NMI_ALL_UID8;
	le16_put(e + ACPI_MADT_LAPIC_NMI_OFF_FLAGS, MADT_NMI_FLAGS);
	e[ACPI_MADT_LAPIC_NMI_OFF_LINT] = MADT_NMI_LINT;
	e += ACPI_MADT_LAPIC_NMI_LEN;
	if (ncpus <= ACPI_GEN_FIRST_X2APIC_ID)
		return e;
	e[0] = ACPI_MADT_X2APIC_NMI;
	e[1] = ACPI_MADT_X2APIC_NMI_LEN;
	le16_put(e + ACPI_MADT_X2APIC_NMI_OFF_FLAGS, MADT_NMI_FLAGS);
	le32_put(e + ACPI_MADT_X2APIC_NMI_OFF_UID, MADT_NMI_ALL_UID32);
	e[ACPI_MADT_X2APIC_NMI_OFF_LINT] = MADT_NMI_LINT;
	return e + ACPI_MADT_X2APIC_NMI_LEN;
}

/*
 * ACPI 6.5 5.2.12: the local APIC sits at the architectural 0xFEE00000 and
 * PCAT_COMPAT says the 8259 pair exists (dev/vpic.c answers its ports).
 * One entry per vCPU; then the VM's I/O APIC (5.2.12.3, GSI base 0), the
 * overrides PC firmware gives (ISA IRQ 0 -> GSI 2, and the SCI on GSI 9
 * level/active-high; ISA IRQ n is GSI n otherwise) and LINT1 as NMI.
 */
static void acpi_gen_madt(uint8_t *m, const struct acpi_gen_layout *l, unsigned ncpus)
{
	uint8_t *e = m + ACPI_MADT_ENTRIES_OFF;
	unsigned i;

	acpi_gen_header(m, "APIC", l->madt_len, MADT_REVISION);
	le32_put(m + ACPI_MADT_OFF_LAPIC_ADDRESS, ACPI_GEN_LAPIC_ADDRESS);
	le32_put(m + ACPI_MADT_OFF_FLAGS, ACPI_MADT_PCAT_COMPAT);
	for (i = 0; i < ncpus; i++)
		e = madt_cpu(e, i);
	e[0] = ACPI_MADT_IOAPIC;
	e[1] = ACPI_MADT_IOAPIC_LEN;
	e[ACPI_MADT_IOAPIC_OFF_ID] = ACPI_GEN_IOAPIC_ID(ncpus);
	e[ACPI_MADT_IOAPIC_OFF_RESERVED] = 0;
	le32_put(e + ACPI_MADT_IOAPIC_OFF_ADDRESS, ACPI_GEN_IOAPIC_ADDRESS);
	le32_put(e + ACPI_MADT_IOAPIC_OFF_GSI_BASE, 0);
	e += ACPI_MADT_IOAPIC_LEN;
	e = madt_iso(e, MADT_PIT_IRQ, MADT_PIT_GSI, MADT_INTI_CONFORMS);
	e = madt_iso(e, ACPI_GEN_SCI_IRQ, ACPI_GEN_SCI_IRQ, MADT_SCI_FLAGS);
	madt_nmi(e, ncpus);
	acpi_gen_seal(m);
}

static enum err acpi_gen_check(uint8_t *guest_base, uint64_t guest_size, uint64_t table_gpa,
			       uint64_t limit, unsigned ncpus, uint64_t need)
{
	if (!guest_base || ncpus == 0 || ncpus > ACPI_GEN_MAX_CPUS) {
		pr_err("acpi_gen: cannot build tables for %u vCPUs (1-%u supported); "
		       "lower vcpus= in the VM config\n",
		       ncpus, ACPI_GEN_MAX_CPUS);
		return E_INVAL;
	}
	if (table_gpa & (ACPI_GEN_ALIGN - 1)) {
		pr_err("acpi_gen: table address 0x%llx is not %u-byte aligned\n",
		       (unsigned long long)table_gpa, ACPI_GEN_ALIGN);
		return E_ALIGN;
	}
	if (table_gpa >= guest_size || limit > guest_size - table_gpa) {
		pr_err("acpi_gen: window 0x%llx + 0x%llx lies outside the guest's 0x%llx bytes "
		       "of memory; give the VM more memory\n",
		       (unsigned long long)table_gpa, (unsigned long long)limit,
		       (unsigned long long)guest_size);
		return E_RANGE;
	}
	if (need > limit) {
		pr_err("acpi_gen: tables for %u vCPUs need %llu bytes at 0x%llx but only %llu "
		       "are reserved; enlarge the ACPI area\n",
		       ncpus, (unsigned long long)need, (unsigned long long)table_gpa,
		       (unsigned long long)limit);
		return E_NOMEM;
	}
	return E_OK;
}

enum err acpi_gen_build(uint8_t *guest_base, uint64_t guest_size, uint64_t table_gpa,
			uint64_t limit, unsigned ncpus, uint64_t *rsdp_gpa_out, uint64_t *used_out)
{
	struct acpi_gen_layout l;
	enum err e;

	acpi_gen_layout(table_gpa, ncpus, &l);
	e = acpi_gen_check(guest_base, guest_size, table_gpa, limit, ncpus, l.end - table_gpa);
	if (e != E_OK)
		return e;
	memset(guest_base + table_gpa, 0, l.end - table_gpa);
	if (l.end > GPA_4G)
		l.rsdt = 0;
	acpi_gen_rsdp(guest_base + l.rsdp, &l);
	acpi_gen_roots(guest_base, &l);
	acpi_gen_fadt(guest_base + l.fadt, &l);
	acpi_gen_facs(guest_base + l.facs);
	acpi_gen_dsdt(guest_base + l.dsdt);
	acpi_gen_madt(guest_base + l.madt, &l, ncpus);
	*rsdp_gpa_out = l.rsdp;
	*used_out = l.end - table_gpa;
	return E_OK;
}
