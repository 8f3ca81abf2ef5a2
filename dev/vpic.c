/* SPDX-License-Identifier: MIT */
/*
 * The 8259A PIC pair (Intel 8259A data sheet: ICW1-4, OCW1-3) as a register
 * file and a record of its input lines; it raises no interrupt.
 */
#include "dev/vpic.h"
#include "lib/string.h"

#define PIC_ICW1 0x10u
#define PIC_ICW1_IC4 0x01u
#define PIC_ICW1_SNGL 0x02u
#define PIC_OCW3 0x08u
#define PIC_OCW3_RR 0x02u
#define PIC_OCW3_RIS 0x01u
#define PIC_VECTOR_MASK 0xF8u
#define PIC_STEP_ICW2 2
#define PIC_STEP_ICW3 3
#define PIC_STEP_ICW4 4
#define PIC_IMR_ALL 0xFFu
#define PIC_PIT_IRQ 0

static void pic_command(struct vpic_chip *c, uint8_t v)
{
	if (v & PIC_ICW1) {
		/* ICW1 clears the IMR and starts the ICW2..ICW4 sequence */
		c->imr = 0;
		c->read_isr = false;
		c->single = v & PIC_ICW1_SNGL;
		c->need_icw4 = v & PIC_ICW1_IC4;
		c->init_step = PIC_STEP_ICW2;
	} else if (v & PIC_OCW3) {
		if (v & PIC_OCW3_RR)
			c->read_isr = v & PIC_OCW3_RIS;
	}
	/* OCW2 (EOI, priority rotation) has nothing to act on: no IRQ is ever raised. */
}

static void pic_data(struct vpic_chip *c, uint8_t v)
{
	switch (c->init_step) {
	case PIC_STEP_ICW2:
		c->vector_base = v & PIC_VECTOR_MASK;
		if (!c->single)
			c->init_step = PIC_STEP_ICW3;
		else
			c->init_step = c->need_icw4 ? PIC_STEP_ICW4 : 0;
		return;
	case PIC_STEP_ICW3:
		c->init_step = c->need_icw4 ? PIC_STEP_ICW4 : 0;
		return;
	case PIC_STEP_ICW4:
		c->init_step = 0;
		return;
	default:
		c->imr = v; /* OCW1 */
	}
}

static enum iobus_result vpic_access(void *ctx, uint64_t addr, unsigned size, bool write,
				     uint32_t *value)
{
	struct vpic *p = ctx;
	struct vpic_chip *c = &p->chip[addr >= PIC2_PORT_CMD];
	bool data = addr == PIC1_PORT_DATA || addr == PIC2_PORT_DATA;
	uint64_t flags = spin_lock_irqsave(&p->lock);

	if (!write)
		*value = data ? c->imr : 0; /* IRR and ISR are always empty */
	else if (data)
		pic_data(c, (uint8_t)*value);
	else
		pic_command(c, (uint8_t)*value);
	spin_unlock_irqrestore(&p->lock, flags);
	return IOBUS_DONE;
}

/* GSIs 0-15 are the ISA IRQs, but for the timer's override. */
static void vpic_set_irq(void *ctx, unsigned gsi, bool level)
{
	struct vpic *p = ctx;
	unsigned irq = gsi == PIC_PIT_GSI ? PIC_PIT_IRQ : gsi;
	uint64_t flags;

	if (gsi >= PIC_ISA_IRQS)
		return;
	flags = spin_lock_irqsave(&p->lock);
	if (level)
		p->lines |= (uint16_t)(1u << irq);
	else
		p->lines &= (uint16_t) ~(1u << irq);
	spin_unlock_irqrestore(&p->lock, flags);
}

enum err vpic_register(struct iobus *bus, struct vpic *p)
{
	enum err e;

	memset(p, 0, sizeof(*p));
	p->chip[0].imr = PIC_IMR_ALL;
	p->chip[1].imr = PIC_IMR_ALL;
	e = iobus_add_ports(bus, PIC1_PORT_CMD, PIC_PORTS, vpic_access, p, "8259 PIC master");
	if (e == E_OK)
		e = iobus_add_ports(bus, PIC2_PORT_CMD, PIC_PORTS, vpic_access, p,
				    "8259 PIC slave");
	if (e == E_OK)
		e = iobus_add_irq_sink(bus, vpic_set_irq, NULL, p);
	return e;
}
