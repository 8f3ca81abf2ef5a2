/* SPDX-License-Identifier: MIT */
/*
 * The 16550A model behind dev/vuart.h: register reads and writes dispatched
 * through one table per direction, the receive FIFO ring, the interrupt
 * identification priorities and the loopback wiring of MCR to MSR; on an
 * I/O bus, its ports and its interrupt line under its own lock.
 */
#include "dev/vuart.h"
#include "lib/string.h"

#define VUART_UNMAPPED 0xff  /* value read beyond the eight registers */
#define VUART_EMPTY_RBR 0x00 /* value read from an empty receiver */
#define VUART_TRIGGER_MASK 0x03

/* Receive FIFO trigger levels by FCR bits 7:6 (data sheet table 3). */
static const uint8_t vuart_triggers[] = {1, 4, 8, 14};

/* Modem inputs outside loopback: a terminal that is present and ready. */
#define VUART_LINES_IDLE (UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD)

static bool vuart_dlab(const struct vuart *u)
{
	return u->lcr & UART_LCR_DLAB;
}

static unsigned vuart_rx_capacity(const struct vuart *u)
{
	return u->fifo_enabled ? UART_FIFO_SIZE : 1;
}

static void vuart_rx_clear(struct vuart *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

static bool vuart_rx_push(struct vuart *u, uint8_t byte)
{
	if (u->rx_count >= vuart_rx_capacity(u)) {
		u->lsr_errors |= UART_LSR_OE;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = byte;
	u->rx_count++;
	return true;
}

static uint8_t vuart_rx_pop(struct vuart *u)
{
	uint8_t byte;

	if (!u->rx_count)
		return VUART_EMPTY_RBR;
	byte = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
	u->rx_count--;
	return byte;
}

/* MSR bits 7:4. In loopback DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
static uint8_t vuart_msr_lines(uint8_t mcr)
{
	uint8_t lines = 0;

	if (!(mcr & UART_MCR_LOOP))
		return VUART_LINES_IDLE;
	if (mcr & UART_MCR_DTR)
		lines |= UART_MSR_DSR;
	if (mcr & UART_MCR_RTS)
		lines |= UART_MSR_CTS;
	if (mcr & UART_MCR_OUT1)
		lines |= UART_MSR_RI;
	if (mcr & UART_MCR_OUT2)
		lines |= UART_MSR_DCD;
	return lines;
}

/* Delta bits for a change of the modem lines from @old to @now. */
static uint8_t vuart_msr_deltas(uint8_t old, uint8_t now)
{
	uint8_t changed = old ^ now, d = 0;

	if (changed & UART_MSR_CTS)
		d |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		d |= UART_MSR_DDSR;
	if ((old & UART_MSR_RI) && !(now & UART_MSR_RI))
		d |= UART_MSR_TERI;
	if (changed & UART_MSR_DCD)
		d |= UART_MSR_DDCD;
	return d;
}

static uint8_t vuart_lsr(const struct vuart *u)
{
	uint8_t lsr = UART_LSR_THRE | UART_LSR_TEMT | u->lsr_errors;

	if (u->rx_count)
		lsr |= UART_LSR_DR;
	return lsr;
}

/* IIR bits 3:0 in priority order; no side effects. */
static uint8_t vuart_iir_id(const struct vuart *u)
{
	if ((u->ier & UART_IER_RLS) && u->lsr_errors)
		return UART_IIR_RLS;
	if ((u->ier & UART_IER_RDA) && u->rx_count) {
		if (u->fifo_enabled && u->rx_count < u->trigger)
			return UART_IIR_TIMEOUT;
		return UART_IIR_RDA;
	}
	if ((u->ier & UART_IER_THRE) && u->thre_pending)
		return UART_IIR_THRE;
	if ((u->ier & UART_IER_MS) && u->msr_deltas)
		return UART_IIR_MS;
	return UART_IIR_NONE;
}

/* ---- reads ------------------------------------------------------------------ */

static uint8_t vuart_read_rbr(struct vuart *u)
{
	return vuart_dlab(u) ? u->dll : vuart_rx_pop(u);
}

static uint8_t vuart_read_ier(struct vuart *u)
{
	return vuart_dlab(u) ? u->dlm : u->ier;
}

/* Reading the IIR acknowledges a THRE interrupt it reports. */
static uint8_t vuart_read_iir(struct vuart *u)
{
	uint8_t id = vuart_iir_id(u);

	if (id == UART_IIR_THRE)
		u->thre_pending = false;
	return id | (u->fifo_enabled ? UART_IIR_FIFO : 0);
}

static uint8_t vuart_read_lcr(struct vuart *u)
{
	return u->lcr;
}

static uint8_t vuart_read_mcr(struct vuart *u)
{
	return u->mcr;
}

static uint8_t vuart_read_lsr(struct vuart *u)
{
	uint8_t lsr = vuart_lsr(u);

	u->lsr_errors = 0;
	return lsr;
}

static uint8_t vuart_read_msr(struct vuart *u)
{
	uint8_t msr = vuart_msr_lines(u->mcr) | u->msr_deltas;

	u->msr_deltas = 0;
	return msr;
}

static uint8_t vuart_read_scr(struct vuart *u)
{
	return u->scr;
}

static uint8_t (*const vuart_reads[UART_NREGS])(struct vuart *u) = {
    [UART_RBR] = vuart_read_rbr, [UART_IER] = vuart_read_ier, [UART_IIR] = vuart_read_iir,
    [UART_LCR] = vuart_read_lcr, [UART_MCR] = vuart_read_mcr, [UART_LSR] = vuart_read_lsr,
    [UART_MSR] = vuart_read_msr, [UART_SCR] = vuart_read_scr,
};

/* ---- writes ----------------------------------------------------------------- */

/* Transmit is instant: the THR is empty again at once, so THRE re-arms. */
static void vuart_write_thr(struct vuart *u, uint8_t val)
{
	if (vuart_dlab(u)) {
		u->dll = val;
		return;
	}
	if (u->mcr & UART_MCR_LOOP)
		vuart_rx_push(u, val);
	else if (u->tx)
		u->tx(u->ctx, val);
	u->thre_pending = true;
}

/* Enabling the THRE interrupt while the THR is empty raises it at once. */
static void vuart_write_ier(struct vuart *u, uint8_t val)
{
	uint8_t old = u->ier;

	if (vuart_dlab(u)) {
		u->dlm = val;
		return;
	}
	u->ier = val & UART_IER_MASK;
	if ((u->ier & UART_IER_THRE) && !(old & UART_IER_THRE))
		u->thre_pending = true;
}

/* Other FCR bits take effect only with bit 0 set; toggling bit 0 empties both FIFOs. */
static void vuart_write_fcr(struct vuart *u, uint8_t val)
{
	bool enable = val & UART_FCR_ENABLE;

	if (enable != u->fifo_enabled)
		vuart_rx_clear(u);
	u->fifo_enabled = enable;
	if (!enable)
		return;
	if (val & UART_FCR_CLEAR_RX)
		vuart_rx_clear(u);
	u->trigger = vuart_triggers[(val >> UART_FCR_TRIGGER_SHIFT) & VUART_TRIGGER_MASK];
}

static void vuart_write_lcr(struct vuart *u, uint8_t val)
{
	u->lcr = val;
}

static void vuart_write_mcr(struct vuart *u, uint8_t val)
{
	uint8_t old = vuart_msr_lines(u->mcr);

	u->mcr = val & UART_MCR_MASK;
	u->msr_deltas |= vuart_msr_deltas(old, vuart_msr_lines(u->mcr));
}

/* The LSR and MSR are read-only here (their writes are a factory test aid). */
static void vuart_write_ignore(struct vuart *u, uint8_t val)
{
}

static void vuart_write_scr(struct vuart *u, uint8_t val)
{
	u->scr = val;
}

static void (*const vuart_writes[UART_NREGS])(struct vuart *u, uint8_t val) = {
    [UART_THR] = vuart_write_thr,    [UART_IER] = vuart_write_ier, [UART_FCR] = vuart_write_fcr,
    [UART_LCR] = vuart_write_lcr,    [UART_MCR] = vuart_write_mcr, [UART_LSR] = vuart_write_ignore,
    [UART_MSR] = vuart_write_ignore, [UART_SCR] = vuart_write_scr,
};

/* ---- API ---------------------------------------------------------------------- */

void vuart_init(struct vuart *u, vuart_tx_fn tx, void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->tx = tx;
	u->ctx = ctx;
	u->dll = VUART_DIVISOR_RESET;
	u->trigger = vuart_triggers[0];
}

void vuart_io(struct vuart *u, unsigned offset, bool in, uint8_t *val)
{
	if (offset >= UART_NREGS) {
		if (in)
			*val = VUART_UNMAPPED;
		return;
	}
	if (in)
		*val = vuart_reads[offset](u);
	else
		vuart_writes[offset](u, *val);
}

/* Host input is accepted in loopback too, so no keystroke is lost meanwhile. */
bool vuart_receive(struct vuart *u, uint8_t byte)
{
	return vuart_rx_push(u, byte);
}

bool vuart_irq_pending(const struct vuart *u)
{
	return vuart_iir_id(u) != UART_IIR_NONE;
}

unsigned vuart_rx_space(const struct vuart *u)
{
	return vuart_rx_capacity(u) - u->rx_count;
}

/* The interrupt output follows the IIR; a change of level goes to the bus.
 * Under u->lock, so that the levels reach the bus in order. */
static void vuart_irq_sync(struct vuart *u)
{
	bool line = vuart_irq_pending(u);

	if (line == u->irq_line)
		return;
	u->irq_line = line;
	iobus_set_irq(u->bus, u->gsi, line);
}

static enum iobus_result vuart_access(void *ctx, uint64_t addr, unsigned size, bool write,
				      uint32_t *value)
{
	struct vuart *u = ctx;
	uint8_t b = (uint8_t)*value;
	uint64_t flags = spin_lock_irqsave(&u->lock);

	vuart_io(u, (unsigned)(addr - u->base), !write, &b);
	if (!write)
		*value = b;
	vuart_irq_sync(u);
	spin_unlock_irqrestore(&u->lock, flags);
	return IOBUS_DONE;
}

enum err vuart_register(struct iobus *bus, struct vuart *u, uint16_t base, unsigned gsi)
{
	u->bus = bus;
	u->base = base;
	u->gsi = gsi;
	u->irq_line = false;
	return iobus_add_ports(bus, base, UART_NREGS, vuart_access, u, "16550 UART");
}

bool vuart_input(struct vuart *u, uint8_t byte)
{
	uint64_t flags = spin_lock_irqsave(&u->lock);
	bool ok = vuart_receive(u, byte);

	vuart_irq_sync(u);
	spin_unlock_irqrestore(&u->lock, flags);
	return ok;
}
