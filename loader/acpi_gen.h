/* SPDX-License-Identifier: MIT */
/*
 * Guest ACPI tables: builds RSDP, XSDT (plus RSDT below 4 GiB), FADT (with
 * the 0xCF9 reset register), FACS, a DSDT holding only \_S5 and a MADT
 * listing the VM's vCPUs, its I/O APIC, the PC's overrides and LINT1 NMI into
 * guest memory. Pure
 * logic over a host view of guest RAM; nothing here touches the host's tables.
 */
#ifndef VIREO_LOADER_ACPI_GEN_H
#define VIREO_LOADER_ACPI_GEN_H

#include <stdint.h>
#include "lib/error.h"

/* Tables start here unless the caller picks another 16-byte aligned place. */
#define ACPI_GEN_ALIGN 16u
/* Matches the host-side MADT parser's cap (arch/x86/acpi.h ACPI_MAX_CPUS). */
#define ACPI_GEN_MAX_CPUS 1024u
/* vCPUs with an index (= APIC ID) at or above this get x2APIC entries. */
#define ACPI_GEN_FIRST_X2APIC_ID 255u
#define ACPI_GEN_LAPIC_ADDRESS 0xFEE00000u
#define ACPI_GEN_IOAPIC_ADDRESS 0xFEC00000u
/* The I/O APIC's ID, 4 bits as on the 82093AA: the vCPU count modulo 16
 * (clear of the vCPUs' APIC IDs for VMs of up to 15 vCPUs). */
#define ACPI_GEN_IOAPIC_ID(ncpus) ((uint8_t)((ncpus) & 0xF))
#define ACPI_GEN_SCI_IRQ 9u
#define ACPI_GEN_OEM_ID "VIREO "
#define ACPI_GEN_OEM_TABLE_ID "VIREOVM "
#define ACPI_GEN_CREATOR_ID "VIRO"

/* Bytes acpi_gen_build() needs for ncpus vCPUs at table_gpa (alignment included). */
uint64_t acpi_gen_size(uint64_t table_gpa, unsigned ncpus);

/*
 * Writes the tables for ncpus vCPUs (APIC ID = vCPU index) into guest memory
 * [table_gpa, table_gpa + limit), guest_base being the host view of guest
 * physical 0 .. guest_size. table_gpa must be ACPI_GEN_ALIGN aligned; the RSDP
 * is placed first, at table_gpa. On success *rsdp_gpa_out is the RSDP's
 * guest-physical address and *used_out the bytes written. Nothing is written
 * on failure: E_INVAL (no buffer, 0 or too many vCPUs), E_ALIGN, E_RANGE
 * (window outside guest memory), E_NOMEM (limit too small).
 */
enum err acpi_gen_build(uint8_t *guest_base, uint64_t guest_size, uint64_t table_gpa,
			uint64_t limit, unsigned ncpus, uint64_t *rsdp_gpa_out, uint64_t *used_out);

#endif
