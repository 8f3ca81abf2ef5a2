/* SPDX-License-Identifier: MIT */
/*
 * The 8254 PIT model (Intel 8254 data sheet: control word, read-back): each
 * channel's count is computed from the ticks since its reload, port B's
 * OUT2 from channel 2, the refresh bit from the clock.
 */
#include "dev/vpit.h"
#include "lib/bytes.h"
#include "lib/string.h"

#define BYTE_MASK 0xFFu

#define PIT_CMD_READBACK 3
#define PIT_CMD_ACCESS_MASK 3u
#define PIT_CMD_MODE_MASK 7u
#define PIT_ACCESS_LOW 1
#define PIT_ACCESS_HIGH 2
#define PIT_RB_NO_COUNT 0x20u /* read-back: bit 5 clear latches counts */
#define PIT_RB_CHANNEL_SHIFT 1
#define PIT_MODE_SQUARE 3
#define PIT_COUNT_MAX 0x10000u
#define PORT_B_WRITABLE (PORT_B_GATE2 | PORT_B_SPEAKER)
#define PORT_B_REFRESH_NS 15085u /* DRAM refresh toggle period on PC/AT */

static uint64_t pit_elapsed(const struct vpit *p, const struct vpit_channel *c)
{
	uint64_t now = iobus_ns_to_ticks(p->now_ns, PIT_HZ);

	return now > c->start_ticks ? now - c->start_ticks : 0;
}

static uint32_t pit_reload(const struct vpit_channel *c)
{
	return c->reload ? c->reload : PIT_COUNT_MAX;
}

/* Mode 0 counts down through 0 and wraps; the periodic modes reload. */
static uint16_t pit_count(const struct vpit *p, const struct vpit_channel *c)
{
	uint64_t el = pit_elapsed(p, c);

	if (c->mode == PIT_MODE_ONESHOT)
		return (uint16_t)(pit_reload(c) - el);
	return (uint16_t)(pit_reload(c) - el % pit_reload(c));
}

static bool pit_out(const struct vpit *p, const struct vpit_channel *c)
{
	uint64_t el = pit_elapsed(p, c);

	if (c->mode == PIT_MODE_ONESHOT)
		return !c->awaiting_count && el >= pit_reload(c);
	if (c->mode == PIT_MODE_SQUARE)
		return el % pit_reload(c) < pit_reload(c) / 2;
	return true;
}

static void pit_latch(struct vpit *p, struct vpit_channel *c)
{
	if (c->latched)
		return;
	c->latch = pit_count(p, c);
	c->latched = true;
	c->read_high = false;
}

static void pit_command(struct vpit *p, uint8_t v)
{
	unsigned ch = v >> PIT_CMD_CHANNEL_SHIFT, access, i;
	struct vpit_channel *c;

	if (ch == PIT_CMD_READBACK) {
		for (i = 0; i < PIT_CHANNELS; i++) {
			if (!(v & PIT_RB_NO_COUNT) && (v & (1u << (i + PIT_RB_CHANNEL_SHIFT))))
				pit_latch(p, &p->ch[i]);
		}
		return;
	}
	c = &p->ch[ch];
	access = v >> PIT_CMD_ACCESS_SHIFT & PIT_CMD_ACCESS_MASK;
	if (access == PIT_ACCESS_LATCH) {
		pit_latch(p, c);
		return;
	}
	c->access = (uint8_t)access;
	c->mode = (uint8_t)(v >> PIT_CMD_MODE_SHIFT & PIT_CMD_MODE_MASK);
	c->write_high = false;
	c->read_high = false;
	c->latched = false;
	/* 8254 data sheet, mode 0: OUT goes low on the control word and stays
	 * low until the count, once loaded, reaches 0. */
	c->awaiting_count = c->mode == PIT_MODE_ONESHOT;
}

static void pit_load(struct vpit *p, struct vpit_channel *c, uint16_t count)
{
	c->reload = count ? count : PIT_COUNT_MAX;
	c->start_ticks = iobus_ns_to_ticks(p->now_ns, PIT_HZ);
	c->awaiting_count = false;
}

static void pit_write(struct vpit *p, struct vpit_channel *c, uint8_t v)
{
	switch (c->access) {
	case PIT_ACCESS_LOW:
		pit_load(p, c, v);
		return;
	case PIT_ACCESS_HIGH:
		pit_load(p, c, (uint16_t)(v << BITS_PER_BYTE));
		return;
	default:
		if (c->write_high)
			pit_load(p, c, (uint16_t)(c->write_low | v << BITS_PER_BYTE));
		else
			c->write_low = v;
		c->write_high = !c->write_high;
	}
}

static uint8_t pit_read(struct vpit *p, struct vpit_channel *c)
{
	uint16_t count = c->latched ? c->latch : pit_count(p, c);
	bool high = c->access == PIT_ACCESS_HIGH || (c->access == PIT_ACCESS_LOHI && c->read_high);
	bool done = c->access != PIT_ACCESS_LOHI || c->read_high;

	if (c->access == PIT_ACCESS_LOHI)
		c->read_high = !c->read_high;
	if (done)
		c->latched = false;
	return (uint8_t)(high ? count >> BITS_PER_BYTE : count);
}

static uint8_t port_b_read(const struct vpit *p)
{
	uint8_t v = p->port_b & PORT_B_WRITABLE;

	if (p->now_ns / PORT_B_REFRESH_NS & 1)
		v |= PORT_B_REFRESH;
	if ((p->port_b & PORT_B_GATE2) && pit_out(p, &p->ch[PIT_CH2]))
		v |= PORT_B_OUT2;
	return v;
}

/* A rising gate restarts channel 2's count, as the TSC calibration loops expect. */
static void port_b_write(struct vpit *p, uint8_t v)
{
	if ((v & PORT_B_GATE2) && !(p->port_b & PORT_B_GATE2))
		p->ch[PIT_CH2].start_ticks = iobus_ns_to_ticks(p->now_ns, PIT_HZ);
	p->port_b = v & PORT_B_WRITABLE;
}

static void vpit_io(struct vpit *p, uint16_t port, bool write, uint32_t *value)
{
	if (port == PIT_PORT_B) {
		if (!write)
			*value = port_b_read(p);
		else
			port_b_write(p, (uint8_t)*value);
		return;
	}
	if (port == PIT_PORT_CMD) {
		if (!write)
			*value = BYTE_MASK; /* the control word register is write-only */
		else
			pit_command(p, (uint8_t)*value);
		return;
	}
	if (!write)
		*value = pit_read(p, &p->ch[port - PIT_PORT_CH0]);
	else
		pit_write(p, &p->ch[port - PIT_PORT_CH0], (uint8_t)*value);
}

static enum iobus_result vpit_access(void *ctx, uint64_t addr, unsigned size, bool write,
				     uint32_t *value)
{
	struct vpit *p = ctx;
	uint64_t flags = spin_lock_irqsave(&p->lock);

	p->now_ns = iobus_now_ns(p->bus);
	vpit_io(p, (uint16_t)addr, write, value);
	spin_unlock_irqrestore(&p->lock, flags);
	return IOBUS_DONE;
}

enum err vpit_register(struct iobus *bus, struct vpit *p)
{
	enum err e;
	unsigned i;

	memset(p, 0, sizeof(*p));
	p->bus = bus;
	for (i = 0; i < PIT_CHANNELS; i++) {
		p->ch[i].reload = PIT_COUNT_MAX;
		p->ch[i].access = PIT_ACCESS_LOHI;
		p->ch[i].mode = PIT_MODE_SQUARE;
	}
	e = iobus_add_ports(bus, PIT_PORT_CH0, PIT_PORTS, vpit_access, p, "8254 PIT");
	if (e == E_OK)
		e = iobus_add_ports(bus, PIT_PORT_B, 1, vpit_access, p, "port B");
	return e;
}
