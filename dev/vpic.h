/* SPDX-License-Identifier: MIT */
/*
 * The 8259A PIC pair (master at 0x20, slave at 0xA0) for guests that
 * program and then mask it: ICW1-4, OCW1 (IMR) and OCW3 (IRR/ISR select).
 * It follows the ISA interrupt lines as an irq sink of the bus, but its
 * output (INTR) is not wired to the vCPUs: guests take interrupts from the
 * I/O APIC, and IRR and ISR read as empty.
 */
#ifndef VIREO_DEV_VPIC_H
#define VIREO_DEV_VPIC_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/spinlock.h"
#include "dev/iobus.h"

#define PIC1_PORT_CMD 0x20
#define PIC1_PORT_DATA 0x21
#define PIC2_PORT_CMD 0xA0
#define PIC2_PORT_DATA 0xA1
#define PIC_PORTS 2
#define PIC_CHIPS 2
#define PIC_ISA_IRQS 16
#define PIC_PIT_GSI 2 /* the MADT's one override: ISA IRQ 0 is GSI 2 */

struct vpic_chip {
	uint8_t imr;
	uint8_t vector_base; /* from ICW2 */
	uint8_t init_step;   /* 0 = ready, else next ICW number expected */
	bool single;	     /* ICW1 SNGL: no ICW3 follows */
	bool need_icw4;
	bool read_isr; /* OCW3: command port reads ISR, else IRR */
};

struct vpic {
	struct spinlock lock; /* guards everything below */
	struct vpic_chip chip[PIC_CHIPS];
	uint16_t lines; /* bit n: ISA IRQ n is asserted */
};

/* Everything masked until the guest says otherwise; ports and lines on @bus. */
enum err vpic_register(struct iobus *bus, struct vpic *p);

#endif
