/* SPDX-License-Identifier: MIT */
/*
 * Virtual I/O APIC register model (82093AA datasheet 3.0-3.2): IOREGSEL/IOWIN
 * decoding, the ID/version/arbitration registers, redirection entries, and
 * turning input line changes and EOIs into messages for the local APICs;
 * its place on the I/O bus (the MMIO page, an irq sink) under its lock.
 */
#include "dev/vioapic.h"
#include "lib/string.h"

#define MMIO_ALIGN_MASK 0x3u
#define REGSEL_MASK 0xFFu
#define LOW32 0xFFFFFFFFull
#define HIGH_SHIFT 32

/* IOAPICID / IOAPICARB: 4-bit ID in bits 27:24 (datasheet 3.2.1, 3.2.3) */
#define ID_SHIFT 24
#define ID_MASK (0xFu << ID_SHIFT)

/* IOAPICVER: version 7:0, maximum redirection entry 23:16 (datasheet 3.2.2) */
#define VER_MAX_REDIR_SHIFT 16

/*
 * Bits software may write (datasheet 3.2.4): delivery status (12) and Remote
 * IRR (14) are read-only, bits 55:17 are reserved and read back as 0.
 */
#define RTE_WRITABLE (VIOAPIC_RTE_VECTOR_MASK | VIOAPIC_RTE_DELMODE_MASK | \
		      VIOAPIC_RTE_DESTMODE | VIOAPIC_RTE_POLARITY | \
		      VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_MASKED | \
		      VIOAPIC_RTE_DEST_MASK)

static void msg_clear(struct vioapic_msg *out)
{
	if (out)
		memset(out, 0, sizeof(*out));
}

static bool rte_level(uint64_t rte)
{
	return rte & VIOAPIC_RTE_LEVEL;
}

static bool rte_masked(uint64_t rte)
{
	return rte & VIOAPIC_RTE_MASKED;
}

static bool line_asserted(const struct vioapic *a, unsigned pin)
{
	return a->pin_level & (1u << pin);
}

/* Decode entry `pin` into a message; a level entry now awaits its EOI. */
static void send(struct vioapic *a, unsigned pin, struct vioapic_msg *out)
{
	uint64_t rte = a->redir[pin];

	if (rte_level(rte))
		a->redir[pin] |= VIOAPIC_RTE_REMOTE_IRR;
	if (!out)
		return;
	out->valid = true;
	out->vector = rte & VIOAPIC_RTE_VECTOR_MASK;
	out->delivery_mode = (rte & VIOAPIC_RTE_DELMODE_MASK) >>
			     VIOAPIC_RTE_DELMODE_SHIFT;
	out->dest_logical = rte & VIOAPIC_RTE_DESTMODE;
	out->dest = rte >> VIOAPIC_RTE_DEST_SHIFT;
	out->level = rte_level(rte);
}

/* A level pin fires while its line is requested, unmasked and not in service. */
static bool level_pending(const struct vioapic *a, unsigned pin)
{
	uint64_t rte = a->redir[pin];

	return rte_level(rte) && !rte_masked(rte) &&
	       !(rte & VIOAPIC_RTE_REMOTE_IRR) && line_asserted(a, pin);
}

void vioapic_init(struct vioapic *a, uint8_t id)
{
	unsigned i;

	memset(a, 0, sizeof(*a));
	a->id = ((uint32_t)id << ID_SHIFT) & ID_MASK;
	for (i = 0; i < VIOAPIC_PINS; i++)
		a->redir[i] = VIOAPIC_RTE_MASKED;
}

/* Index of the entry selected by `reg`, or -1 if `reg` is not in the table. */
static int redir_index(uint32_t reg)
{
	if (reg < VIOAPIC_REG_REDIR_LO(0) ||
	    reg > VIOAPIC_REG_REDIR_HI(VIOAPIC_PINS - 1))
		return -1;
	return (reg - VIOAPIC_REG_REDIR_LO(0)) / 2;
}

static bool redir_is_high(uint32_t reg)
{
	return (reg - VIOAPIC_REG_REDIR_LO(0)) & 1;
}

/* IOWIN read of the register selected by IOREGSEL (datasheet 3.2). */
static uint32_t reg_read(const struct vioapic *a)
{
	uint32_t reg = a->regsel;
	int n = redir_index(reg);
	uint64_t rte;

	switch (reg) {
	case VIOAPIC_REG_ID:
	case VIOAPIC_REG_ARB:
		return a->id;
	case VIOAPIC_REG_VER:
		return VIOAPIC_VERSION |
		       ((uint32_t)(VIOAPIC_PINS - 1) << VER_MAX_REDIR_SHIFT);
	}
	if (n < 0)
		return 0;
	/* Messages are delivered at once, so delivery status is always idle. */
	rte = a->redir[n] & ~VIOAPIC_RTE_DELIVS;
	return redir_is_high(reg) ? (uint32_t)(rte >> HIGH_SHIFT)
				  : (uint32_t)(rte & LOW32);
}

/*
 * Update half of entry `n`, keeping the read-only bits. Moving an entry to
 * edge trigger drops Remote IRR, which only has meaning for level pins.
 */
static void redir_write(struct vioapic *a, unsigned n, bool high, uint32_t val)
{
	uint64_t half = high ? ((uint64_t)val << HIGH_SHIFT) : val;
	uint64_t keep = high ? LOW32 : (LOW32 << HIGH_SHIFT);
	uint64_t rte = a->redir[n];

	rte = (rte & keep) | (half & ~keep);
	rte = (rte & RTE_WRITABLE) | (a->redir[n] & VIOAPIC_RTE_REMOTE_IRR);
	if (!rte_level(rte))
		rte &= ~VIOAPIC_RTE_REMOTE_IRR;
	a->redir[n] = rte;
}

void vioapic_mmio_read(struct vioapic *a, uint32_t offset, uint32_t *val)
{
	switch (offset) {
	case VIOAPIC_MMIO_REGSEL:
		*val = a->regsel;
		break;
	case VIOAPIC_MMIO_WIN:
		*val = reg_read(a);
		break;
	default:
		*val = 0;
		break;
	}
}

/* IOWIN write to the register selected by IOREGSEL (datasheet 3.2). */
static void reg_write(struct vioapic *a, uint32_t val, struct vioapic_msg *out)
{
	uint32_t reg = a->regsel;
	int n = redir_index(reg);

	if (reg == VIOAPIC_REG_ID) {
		a->id = val & ID_MASK;
		return;
	}
	if (n < 0)
		return;
	redir_write(a, n, redir_is_high(reg), val);
	if (level_pending(a, n))
		send(a, n, out);
}

void vioapic_mmio_write(struct vioapic *a, uint32_t offset, uint32_t val,
			struct vioapic_msg *out)
{
	msg_clear(out);
	if (offset & MMIO_ALIGN_MASK)
		return;
	if (offset == VIOAPIC_MMIO_REGSEL)
		a->regsel = val & REGSEL_MASK;
	else if (offset == VIOAPIC_MMIO_WIN)
		reg_write(a, val, out);
}

void vioapic_set_irq(struct vioapic *a, unsigned pin, bool asserted,
		     struct vioapic_msg *out)
{
	bool was;
	uint64_t rte;

	msg_clear(out);
	if (pin >= VIOAPIC_PINS)
		return;
	was = line_asserted(a, pin);
	rte = a->redir[pin];
	if (asserted)
		a->pin_level |= 1u << pin;
	else
		a->pin_level &= ~(1u << pin);

	if (rte_level(rte)) {
		if (level_pending(a, pin))
			send(a, pin, out);
	} else if (asserted && !was && !rte_masked(rte)) {
		send(a, pin, out);
	}
}

void vioapic_eoi(struct vioapic *a, uint8_t vector, struct vioapic_msg *out)
{
	unsigned i;
	bool sent = false;

	msg_clear(out);
	for (i = 0; i < VIOAPIC_PINS; i++) {
		uint64_t rte = a->redir[i];

		if (!rte_level(rte) ||
		    (rte & VIOAPIC_RTE_VECTOR_MASK) != vector)
			continue;
		a->redir[i] &= ~VIOAPIC_RTE_REMOTE_IRR;
		if (!sent && level_pending(a, i)) {
			send(a, i, out);
			sent = true;
		}
	}
}

/* Only aligned dword accesses reach the registers; narrower reads give 0. */
static enum iobus_result vioapic_access(void *ctx, uint64_t addr, unsigned size, bool write,
					uint32_t *value)
{
	struct vioapic *a = ctx;
	uint32_t off = (uint32_t)(addr - VIOAPIC_BASE);
	struct vioapic_msg m = {0};
	uint64_t flags = spin_lock_irqsave(&a->lock);

	if (size != sizeof(uint32_t) && !write)
		*value = 0;
	else if (write && size == sizeof(uint32_t))
		vioapic_mmio_write(a, off, *value, &m);
	else if (!write)
		vioapic_mmio_read(a, off, value);
	spin_unlock_irqrestore(&a->lock, flags);
	if (m.valid)
		a->deliver(a->deliver_ctx, &m);
	return IOBUS_DONE;
}

static void vioapic_sink_irq(void *ctx, unsigned gsi, bool level)
{
	struct vioapic *a = ctx;
	struct vioapic_msg m = {0};
	uint64_t flags = spin_lock_irqsave(&a->lock);

	vioapic_set_irq(a, gsi, level, &m);
	spin_unlock_irqrestore(&a->lock, flags);
	if (m.valid)
		a->deliver(a->deliver_ctx, &m);
}

static void vioapic_sink_eoi(void *ctx, uint8_t vector)
{
	struct vioapic *a = ctx;
	struct vioapic_msg m = {0};
	uint64_t flags = spin_lock_irqsave(&a->lock);

	vioapic_eoi(a, vector, &m);
	spin_unlock_irqrestore(&a->lock, flags);
	if (m.valid)
		a->deliver(a->deliver_ctx, &m);
}

enum err vioapic_register(struct iobus *bus, struct vioapic *a, uint8_t id,
			  vioapic_deliver_fn deliver, void *ctx)
{
	enum err e;

	vioapic_init(a, id);
	a->deliver = deliver;
	a->deliver_ctx = ctx;
	e = iobus_add_mmio(bus, VIOAPIC_BASE, VIOAPIC_PAGE_SIZE, vioapic_access, a, "I/O APIC");
	if (e == E_OK)
		e = iobus_add_irq_sink(bus, vioapic_sink_irq, vioapic_sink_eoi, a);
	return e;
}
