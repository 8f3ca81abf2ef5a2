/* SPDX-License-Identifier: MIT */
/*
 * The ACPI fixed-hardware blocks the guest FADT points at (ACPI 6.5
 * 4.8.1-4.8.3), at QEMU's PIIX4 PM addresses: PM1 event (status, enable),
 * PM1 control (SCI_EN always set; SLP_EN with the S5 sleep type powers the
 * VM off, other sleep types are refused) and the 24-bit PM timer.
 */
#ifndef VIREO_DEV_ACPI_PM_H
#define VIREO_DEV_ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/acpi_tables.h"
#include "arch/x86/spinlock.h"
#include "dev/iobus.h"

#define PM_PORT_BASE 0x600
#define PM1_EVT_PORT PM_PORT_BASE /* PM1_STS (2 bytes) then PM1_EN (2 bytes) */
#define PM1_EVT_LEN 4
#define PM1_CNT_PORT (PM_PORT_BASE + 4)
#define PM1_CNT_LEN 2
#define PM_TMR_PORT (PM_PORT_BASE + 8)
#define PM1_CNT_SCI_EN (1u << 0)
#define PM1_CNT_SLP_TYP_SHIFT 10
#define PM1_CNT_SLP_TYP_MASK (7u << PM1_CNT_SLP_TYP_SHIFT)
#define PM1_CNT_SLP_EN (1u << 13)
/*
 * The SLP_TYP value of the soft-off state: the guest DSDT's \_S5 package
 * (loader/acpi_gen.c) hands it to the OS (ACPI 6.5 7.4.2). 7 (111b) as on
 * Intel's ICH PM1_CNT; a PC without S1-S4 has no other sleep type.
 */
#define ACPI_PM_SLP_TYP_S5 7u

/* The guest entered S5: power the VM off. Called with no lock held. */
typedef void (*acpi_pm_power_off_fn)(void *ctx);

struct acpi_pm {
	struct spinlock lock;	 /* guards everything below */
	const struct iobus *bus; /* its clock */
	uint16_t pm1_en;
	uint16_t pm1_cnt;
	bool sleep_requested; /* the guest wrote SLP_EN; sleep_type says which */
	uint8_t sleep_type;
	bool sleep_refused; /* an unsupported sleep type was logged once */
	const char *owner;  /* the VM's name, for that message */
	acpi_pm_power_off_fn power_off;
	void *ctx;
};

/*
 * Claim the block's ports on @bus. A write of PM1_CNT with SLP_EN set and
 * SLP_TYP = ACPI_PM_SLP_TYP_S5 calls @power_off(@ctx) (may be NULL: only
 * recorded) and ends the access with IOBUS_STOP; another SLP_TYP is logged
 * once, naming @owner, and ignored (the guest goes on, as on a PC that does
 * not support that state).
 */
enum err acpi_pm_register(struct iobus *bus, struct acpi_pm *pm, const char *owner,
			  acpi_pm_power_off_fn power_off, void *ctx);

#endif
