/* SPDX-License-Identifier: MIT */
/*
 * Legacy 8259A pair. The BIOS leaves IRQ 0-7 on vectors 8-15, which collide
 * with exceptions; re-initialise both chips (ICW1-ICW4) onto 0x20-0x2f and
 * mask every line: Vireo uses the local APIC only.
 */
#include "arch/x86/pic.h"
#include "arch/x86/cpu.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define ICW1_INIT_ICW4 0x11
#define ICW3_SLAVE_ON_IRQ2 0x04
#define ICW3_SLAVE_ID 0x02
#define ICW4_8086 0x01
#define PIC_MASK_ALL 0xff

void pic_disable(void)
{
	cpu_outb(PIC1_CMD, ICW1_INIT_ICW4);
	cpu_outb(PIC2_CMD, ICW1_INIT_ICW4);
	cpu_outb(PIC1_DATA, PIC_VECTOR_BASE);
	cpu_outb(PIC2_DATA, PIC_VECTOR_BASE + 8);
	cpu_outb(PIC1_DATA, ICW3_SLAVE_ON_IRQ2);
	cpu_outb(PIC2_DATA, ICW3_SLAVE_ID);
	cpu_outb(PIC1_DATA, ICW4_8086);
	cpu_outb(PIC2_DATA, ICW4_8086);
	cpu_outb(PIC1_DATA, PIC_MASK_ALL);
	cpu_outb(PIC2_DATA, PIC_MASK_ALL);
}
