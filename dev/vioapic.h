/* SPDX-License-Identifier: MIT */
/*
 * Virtual I/O APIC (Intel 82093AA datasheet sections 3.0-3.2): the indirect
 * IOREGSEL/IOWIN register window, the 24-entry redirection table, input line
 * state, Remote IRR and EOI. Pure logic: the caller delivers the messages.
 */
#ifndef VIREO_DEV_VIOAPIC_H
#define VIREO_DEV_VIOAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/spinlock.h"
#include "dev/iobus.h"

#define VIOAPIC_BASE 0xFEC00000u   /* guest-physical MMIO page */
#define VIOAPIC_PAGE_SIZE 0x1000u
#define VIOAPIC_PINS 24
#define VIOAPIC_VERSION 0x20u

/* Memory-mapped registers, offsets in the page (datasheet 3.1) */
#define VIOAPIC_MMIO_REGSEL 0x00u
#define VIOAPIC_MMIO_WIN 0x10u

/* Indirect register indexes written to IOREGSEL (datasheet 3.2) */
#define VIOAPIC_REG_ID 0x00u
#define VIOAPIC_REG_VER 0x01u
#define VIOAPIC_REG_ARB 0x02u
#define VIOAPIC_REG_REDIR_LO(n) (0x10u + 2u * (n))
#define VIOAPIC_REG_REDIR_HI(n) (0x11u + 2u * (n))

/* Redirection table entry fields (datasheet 3.2.4) */
#define VIOAPIC_RTE_VECTOR_MASK 0xFFull
#define VIOAPIC_RTE_DELMODE_SHIFT 8
#define VIOAPIC_RTE_DELMODE_MASK (7ull << VIOAPIC_RTE_DELMODE_SHIFT)
#define VIOAPIC_RTE_DESTMODE (1ull << 11)
#define VIOAPIC_RTE_DELIVS (1ull << 12)
#define VIOAPIC_RTE_POLARITY (1ull << 13)
#define VIOAPIC_RTE_REMOTE_IRR (1ull << 14)
#define VIOAPIC_RTE_LEVEL (1ull << 15)
#define VIOAPIC_RTE_MASKED (1ull << 16)
#define VIOAPIC_RTE_DEST_SHIFT 56
#define VIOAPIC_RTE_DEST_MASK (0xFFull << VIOAPIC_RTE_DEST_SHIFT)

/* Delivery modes, redirection bits 10:8 */
#define VIOAPIC_DM_FIXED 0
#define VIOAPIC_DM_LOWEST 1
#define VIOAPIC_DM_SMI 2
#define VIOAPIC_DM_NMI 4
#define VIOAPIC_DM_INIT 5
#define VIOAPIC_DM_EXTINT 7

/* What the I/O APIC sends to the local APICs for one pin (the VM delivers it). */
struct vioapic_msg {
	bool valid;
	uint8_t vector;
	uint8_t delivery_mode; /* bits 10:8: 0 fixed, 1 lowest, 2 SMI, 4 NMI, 5 INIT, 7 ExtINT */
	bool dest_logical;     /* bit 11 */
	uint8_t dest;          /* bits 63:56 */
	bool level;            /* trigger mode bit 15 */
};

/* Send @m to the local APICs (the VM's job); called with no vioapic lock held. */
typedef void (*vioapic_deliver_fn)(void *ctx, const struct vioapic_msg *m);

struct vioapic {
	struct spinlock lock;  /* guards the registers on the bus paths */
	vioapic_deliver_fn deliver;
	void *deliver_ctx;
	uint32_t id;           /* IOAPICID bits 27:24 */
	uint32_t regsel;       /* IOREGSEL */
	uint64_t redir[VIOAPIC_PINS];
	uint32_t pin_level;    /* bit n: input line n is asserted */
};

/* Every entry masked (bit 16), everything else 0. */
void vioapic_init(struct vioapic *a, uint8_t id);

/*
 * vioapic_init(), then the MMIO page at VIOAPIC_BASE and an irq sink (GSI =
 * pin) on @bus; the messages the pins produce go to @deliver(@ctx).
 */
enum err vioapic_register(struct iobus *bus, struct vioapic *a, uint8_t id,
			  vioapic_deliver_fn deliver, void *ctx);

/*
 * MMIO at `offset` within the page: 0x00 IOREGSEL, 0x10 IOWIN. Only 4-byte
 * aligned accesses to those two offsets do anything; others read 0 and
 * writes are ignored.
 */
void vioapic_mmio_read(struct vioapic *a, uint32_t offset, uint32_t *val);

/*
 * A write may unmask a level-triggered pin whose line is asserted: then *out
 * is the message to send now (else out->valid = false). `out` may be NULL.
 */
void vioapic_mmio_write(struct vioapic *a, uint32_t offset, uint32_t val,
			struct vioapic_msg *out);

/*
 * Drive input line `pin` (0..23). `asserted` means "interrupt requested",
 * whatever the entry's polarity bit (13) says: the caller models the logical
 * request, so an active-low line that is electrically low is "asserted".
 * Edge (bit 15 = 0): a 0->1 transition on an unmasked pin sends a message.
 * Level: an asserted line on an unmasked pin sends unless Remote IRR (bit 14)
 * is set; sending sets Remote IRR. Out-of-range pin: no message.
 */
void vioapic_set_irq(struct vioapic *a, unsigned pin, bool asserted,
		     struct vioapic_msg *out);

/*
 * A local APIC EOI for `vector`: clear Remote IRR on every level pin with
 * that vector. The first such pin whose line is still asserted and unmasked
 * is re-sent through *out (valid = false if none).
 */
void vioapic_eoi(struct vioapic *a, uint8_t vector, struct vioapic_msg *out);

#endif
