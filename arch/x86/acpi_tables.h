/* SPDX-License-Identifier: MIT */
/*
 * ACPI table layouts as the specification defines them (ACPI 6.5 chapter 5):
 * RSDP, the common table header, RSDT/XSDT entries, FADT fields, the Generic
 * Address Structure and MADT entries, plus the PM timer's rate. Shared by
 * the host parser (arch/x86/acpi.c) and the guest table generator
 * (loader/acpi_gen.c); definitions only.
 */
#ifndef VIREO_ARCH_X86_ACPI_TABLES_H
#define VIREO_ARCH_X86_ACPI_TABLES_H

#define ACPI_SIG_LEN 4
#define ACPI_OEM_ID_LEN 6
#define ACPI_OEM_TABLE_ID_LEN 8
#define ACPI_CREATOR_ID_LEN 4

/* ACPI 6.5 5.2.5.3 (Table 5.3): Root System Description Pointer */
#define ACPI_RSDP_SIG "RSD PTR "
#define ACPI_RSDP_SIG_LEN 8
#define ACPI_RSDP_OFF_CHECKSUM 8 /* over the first ACPI_RSDP_V1_LEN bytes */
#define ACPI_RSDP_OFF_OEM_ID 9
#define ACPI_RSDP_OFF_REVISION 15
#define ACPI_RSDP_OFF_RSDT 16
#define ACPI_RSDP_OFF_LENGTH 20
#define ACPI_RSDP_OFF_XSDT 24
#define ACPI_RSDP_OFF_EXT_CHECKSUM 32 /* over the whole RSDP */
#define ACPI_RSDP_V1_LEN 20
#define ACPI_RSDP_V2_LEN 36
#define ACPI_RSDP_REVISION_V2 2 /* first revision with Length, XSDT address */

/* ACPI 6.5 5.2.6 (Table 5.4): System Description Table header */
#define ACPI_HEADER_LEN 36
#define ACPI_HDR_OFF_LENGTH 4
#define ACPI_HDR_OFF_REVISION 8
#define ACPI_HDR_OFF_CHECKSUM 9
#define ACPI_HDR_OFF_OEM_ID 10
#define ACPI_HDR_OFF_OEM_TABLE_ID 16
#define ACPI_HDR_OFF_OEM_REVISION 24
#define ACPI_HDR_OFF_CREATOR_ID 28
#define ACPI_HDR_OFF_CREATOR_REVISION 32

/* ACPI 6.5 5.2.7, 5.2.8: RSDT and XSDT entries after the header */
#define ACPI_RSDT_ENTRY_LEN 4
#define ACPI_XSDT_ENTRY_LEN 8

/* ACPI 6.5 5.2.9 (Table 5.9): FADT fields */
#define ACPI_FADT_OFF_FIRMWARE_CTRL 36
#define ACPI_FADT_OFF_DSDT 40
#define ACPI_FADT_OFF_SCI_INT 46
#define ACPI_FADT_OFF_PM1A_EVT_BLK 56
#define ACPI_FADT_OFF_PM1A_CNT_BLK 64
#define ACPI_FADT_OFF_PM_TMR_BLK 76
#define ACPI_FADT_OFF_PM1_EVT_LEN 88
#define ACPI_FADT_OFF_PM1_CNT_LEN 89
#define ACPI_FADT_OFF_PM_TMR_LEN 91
#define ACPI_FADT_OFF_P_LVL2_LAT 96
#define ACPI_FADT_OFF_P_LVL3_LAT 98
#define ACPI_FADT_OFF_CENTURY 108
#define ACPI_FADT_OFF_IAPC_BOOT_ARCH 109
#define ACPI_FADT_OFF_FLAGS 112
#define ACPI_FADT_OFF_RESET_REG 116 /* a Generic Address Structure (ACPI 2.0 and later) */
#define ACPI_FADT_OFF_RESET_VALUE 128
#define ACPI_FADT_OFF_MINOR_REVISION 131
#define ACPI_FADT_OFF_X_FIRMWARE_CTRL 132
#define ACPI_FADT_OFF_X_DSDT 140
#define ACPI_FADT_OFF_X_PM1A_EVT_BLK 148
#define ACPI_FADT_OFF_X_PM1A_CNT_BLK 172
#define ACPI_FADT_OFF_X_PM_TMR_BLK 208
#define ACPI_FADT_V1_LEN 116		/* the ACPI 1.0 FADT, up to and including Flags */
#define ACPI_FADT_X_PM_TMR_END 220	/* end of X_PM_TMR_BLK (ACPI 2.0 and later) */
#define ACPI_FADT_TMR_VAL_EXT (1u << 8) /* Flags: TMR_VAL is 32 bits, not 24 */
#define ACPI_FADT_RESET_REG_SUP (1u << 10) /* Flags: RESET_REG resets the machine */
#define ACPI_FADT_HW_REDUCED (1u << 20) /* Flags: HW_REDUCED_ACPI, no fixed hardware */
#define ACPI_PM_TMR_LEN 4		/* PM_TMR_LEN of a PM timer that is there */

/* ACPI 6.5 4.8.3.3: the PM timer counts at 3.579545 MHz, 24 or 32 bits wide. */
#define ACPI_PM_TIMER_HZ 3579545u
#define ACPI_PM_TIMER_BITS_24 24
#define ACPI_PM_TIMER_BITS_32 32
#define ACPI_PM_TIMER_MASK_24 0xffffffu
#define ACPI_PM_TIMER_MASK_32 0xffffffffu

/* ACPI 6.5 5.2.3.2 (Table 5.1): Generic Address Structure */
#define ACPI_GAS_LEN 12
#define ACPI_GAS_OFF_SPACE 0
#define ACPI_GAS_OFF_BIT_WIDTH 1
#define ACPI_GAS_OFF_BIT_OFFSET 2
#define ACPI_GAS_OFF_ACCESS_SIZE 3
#define ACPI_GAS_OFF_ADDRESS 4
#define ACPI_GAS_SYSTEM_MEMORY 0
#define ACPI_GAS_SYSTEM_IO 1

/* ACPI 6.5 5.2.12 (Table 5.19): MADT header and entry types */
#define ACPI_MADT_OFF_LAPIC_ADDRESS 36
#define ACPI_MADT_OFF_FLAGS 40
#define ACPI_MADT_ENTRIES_OFF 44
#define ACPI_MADT_PCAT_COMPAT (1u << 0)
#define ACPI_MADT_ENTRY_HEADER_LEN 2 /* type, length */
#define ACPI_MADT_LAPIC 0x0
#define ACPI_MADT_IOAPIC 0x1
#define ACPI_MADT_ISO 0x2
#define ACPI_MADT_LAPIC_NMI 0x4
#define ACPI_MADT_LAPIC_OVERRIDE 0x5
#define ACPI_MADT_X2APIC 0x9
#define ACPI_MADT_X2APIC_NMI 0xA

/* MADT entry layouts (ACPI 6.5 5.2.12.2 to 5.2.12.13) */
#define ACPI_MADT_LAPIC_LEN 8
#define ACPI_MADT_LAPIC_OFF_UID 2
#define ACPI_MADT_LAPIC_OFF_ID 3
#define ACPI_MADT_LAPIC_OFF_FLAGS 4
#define ACPI_MADT_IOAPIC_LEN 12
#define ACPI_MADT_IOAPIC_OFF_ID 2
#define ACPI_MADT_IOAPIC_OFF_RESERVED 3
#define ACPI_MADT_IOAPIC_OFF_ADDRESS 4
#define ACPI_MADT_IOAPIC_OFF_GSI_BASE 8
#define ACPI_MADT_ISO_LEN 10
#define ACPI_MADT_ISO_OFF_BUS 2
#define ACPI_MADT_ISO_OFF_SOURCE 3
#define ACPI_MADT_ISO_OFF_GSI 4
#define ACPI_MADT_ISO_OFF_FLAGS 8
#define ACPI_MADT_LAPIC_NMI_LEN 6
#define ACPI_MADT_LAPIC_NMI_OFF_UID 2
#define ACPI_MADT_LAPIC_NMI_OFF_FLAGS 3
#define ACPI_MADT_LAPIC_NMI_OFF_LINT 5
#define ACPI_MADT_LAPIC_OVERRIDE_LEN 12
#define ACPI_MADT_LAPIC_OVERRIDE_OFF_ADDRESS 4
#define ACPI_MADT_X2APIC_LEN 16
#define ACPI_MADT_X2APIC_OFF_ID 4
#define ACPI_MADT_X2APIC_OFF_FLAGS 8
#define ACPI_MADT_X2APIC_OFF_UID 12
#define ACPI_MADT_X2APIC_NMI_LEN 12
#define ACPI_MADT_X2APIC_NMI_OFF_FLAGS 2
#define ACPI_MADT_X2APIC_NMI_OFF_UID 4
#define ACPI_MADT_X2APIC_NMI_OFF_LINT 8

/* ACPI 6.5 Table 5.23: Local APIC flags (also used by the x2APIC entry) */
#define ACPI_MADT_CPU_ENABLED (1u << 0)
#define ACPI_MADT_CPU_ONLINE_CAPABLE (1u << 1)

/* ACPI 6.5 Table 5.26: MPS INTI flags (overrides and NMI entries) */
#define ACPI_INTI_POLARITY_MASK 0x3u
#define ACPI_INTI_POLARITY_HIGH 0x1u
#define ACPI_INTI_POLARITY_LOW 0x3u
#define ACPI_INTI_TRIGGER_SHIFT 2
#define ACPI_INTI_TRIGGER_MASK (0x3u << ACPI_INTI_TRIGGER_SHIFT)
#define ACPI_INTI_TRIGGER_EDGE (0x1u << ACPI_INTI_TRIGGER_SHIFT)
#define ACPI_INTI_TRIGGER_LEVEL (0x3u << ACPI_INTI_TRIGGER_SHIFT)

/* An NMI entry whose uid is this applies to every processor. */
#define ACPI_NMI_ALL_CPUS_UID8 0xFFu
#define ACPI_NMI_ALL_CPUS_UID32 0xFFFFFFFFu

#endif /* VIREO_ARCH_X86_ACPI_TABLES_H */
