/* SPDX-License-Identifier: MIT */
/*
 * The PC's Reset Control Register at port 0xCF9 (Intel ICH9 datasheet
 * 13.7.5 RST_CNT; PIIX3/PIIX4 have it at the same port): a byte register
 * whose RST_CPU bit resets the machine. The FADT's RESET_REG points at it.
 */
#ifndef VIREO_DEV_RESET_CTL_H
#define VIREO_DEV_RESET_CTL_H

#include <stdint.h>
#include "arch/x86/spinlock.h"
#include "dev/iobus.h"

#define RESET_CTL_PORT 0xCF9
#define RESET_CTL_SYS_RST (1u << 1) /* hard (1) or soft (0) reset */
#define RESET_CTL_RST_CPU (1u << 2) /* 0 -> 1 starts the reset SYS_RST names */
#define RESET_CTL_FULL_RST (1u << 3)
#define RESET_CTL_BITS (RESET_CTL_SYS_RST | RESET_CTL_RST_CPU | RESET_CTL_FULL_RST)
/* What the FADT's RESET_VALUE writes: a hard reset (Linux's "cf9" too). */
#define RESET_CTL_ACPI_VALUE (RESET_CTL_SYS_RST | RESET_CTL_RST_CPU)

/* The guest reset the machine through @how. Called with no lock held. */
typedef void (*reset_ctl_fn)(void *ctx, const char *how);

struct reset_ctl {
	struct spinlock lock; /* guards value */
	uint8_t value;	      /* the bits last written (read back) */
	reset_ctl_fn reset;
	void *ctx;
};

/*
 * Claim port 0xCF9 (one byte: a wider access there is not this register's
 * and reads all ones). A byte write with RST_CPU set calls @reset(@ctx,
 * "port 0xCF9") and ends the access with IOBUS_STOP; reads give the
 * register's bits as last written.
 */
enum err reset_ctl_register(struct iobus *bus, struct reset_ctl *r, reset_ctl_fn reset, void *ctx);

#endif
