/* SPDX-License-Identifier: MIT */
/*
 * A 16550A UART as a guest sees it: the eight registers from the base port,
 * the 16-byte receive FIFO, the IIR priority scheme and MCR loopback.
 * Transmit is instant (bytes go to a callback). Pure C; the caller does ports.
 */
#ifndef VIREO_DEV_VUART_H
#define VIREO_DEV_VUART_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/spinlock.h"
#include "dev/iobus.h"

/* Register offsets from the base port (16550A data sheet). */
#define VUART_RBR 0 /* read, DLAB=0: receiver buffer */
#define VUART_THR 0 /* write, DLAB=0: transmitter holding */
#define VUART_DLL 0 /* DLAB=1: divisor latch, low byte */
#define VUART_IER 1 /* DLAB=0: interrupt enable */
#define VUART_DLM 1 /* DLAB=1: divisor latch, high byte */
#define VUART_IIR 2 /* read: interrupt identification */
#define VUART_FCR 2 /* write: FIFO control */
#define VUART_LCR 3 /* line control */
#define VUART_MCR 4 /* modem control */
#define VUART_LSR 5 /* line status */
#define VUART_MSR 6 /* modem status */
#define VUART_SCR 7 /* scratch */
#define VUART_NREGS 8

#define VUART_IER_RDA 0x01  /* received data available */
#define VUART_IER_THRE 0x02 /* transmitter holding register empty */
#define VUART_IER_RLS 0x04  /* receiver line status */
#define VUART_IER_MS 0x08   /* modem status */
#define VUART_IER_MASK 0x0f

#define VUART_IIR_NONE 0x01    /* no interrupt pending */
#define VUART_IIR_MS 0x00      /* modem status changed */
#define VUART_IIR_THRE 0x02    /* transmitter holding register empty */
#define VUART_IIR_RDA 0x04     /* received data at the trigger level */
#define VUART_IIR_RLS 0x06     /* receiver line status (overrun) */
#define VUART_IIR_TIMEOUT 0x0c /* data below the trigger level (FIFO mode) */
#define VUART_IIR_FIFO 0xc0    /* FIFOs enabled */

#define VUART_FCR_ENABLE 0x01
#define VUART_FCR_CLEAR_RX 0x02
#define VUART_FCR_CLEAR_TX 0x04
#define VUART_FCR_TRIGGER_SHIFT 6

#define VUART_LCR_DLAB 0x80

#define VUART_MCR_DTR 0x01
#define VUART_MCR_RTS 0x02
#define VUART_MCR_OUT1 0x04
#define VUART_MCR_OUT2 0x08
#define VUART_MCR_LOOP 0x10
#define VUART_MCR_MASK 0x1f

#define VUART_LSR_DR 0x01   /* data ready */
#define VUART_LSR_OE 0x02   /* overrun error; cleared by reading the LSR */
#define VUART_LSR_THRE 0x20 /* transmitter holding register empty */
#define VUART_LSR_TEMT 0x40 /* transmitter empty */

#define VUART_MSR_DCTS 0x01
#define VUART_MSR_DDSR 0x02
#define VUART_MSR_TERI 0x04 /* RI went from 1 to 0 */
#define VUART_MSR_DDCD 0x08
#define VUART_MSR_DELTAS 0x0f
#define VUART_MSR_CTS 0x10
#define VUART_MSR_DSR 0x20
#define VUART_MSR_RI 0x40
#define VUART_MSR_DCD 0x80

#define VUART_FIFO_SIZE 16
#define VUART_DIVISOR_RESET 12 /* 9600 baud from the 1.8432 MHz clock */

typedef void (*vuart_tx_fn)(void *ctx, uint8_t byte);

/* Public so it can be embedded; touch it only through the functions below. */
struct vuart {
	/* On a bus (vuart_register()): the lock guards all of it on the bus's
	 * paths and vuart_input(); irq_line is the level last sent on gsi. */
	struct spinlock lock;
	const struct iobus *bus;
	uint16_t base;
	unsigned gsi;
	bool irq_line;
	vuart_tx_fn tx;
	void *ctx;
	uint8_t ier;
	uint8_t lcr;
	uint8_t mcr;
	uint8_t scr;
	uint8_t dll;
	uint8_t dlm;
	uint8_t lsr_errors; /* VUART_LSR_OE when set, until the LSR is read */
	uint8_t msr_deltas; /* VUART_MSR_DELTAS bits, until the MSR is read */
	uint8_t trigger;    /* receive FIFO trigger level in bytes */
	bool fifo_enabled;  /* FCR bit 0 */
	bool thre_pending;  /* THRE interrupt latched (THR write or IER enable) */
	uint8_t rx[VUART_FIFO_SIZE];
	unsigned rx_head; /* index of the oldest byte */
	unsigned rx_count;
};

/* Reset state; @tx (may be NULL: output dropped) receives transmitted bytes. */
void vuart_init(struct vuart *u, vuart_tx_fn tx, void *ctx);

/*
 * One byte-wide guest access at @offset (0..7) from the base port: @in reads
 * into *@val, otherwise *@val is written. Offsets beyond 7 read 0xff and
 * ignore writes.
 */
void vuart_io(struct vuart *u, unsigned offset, bool in, uint8_t *val);

/* Host input. False when the receive side is full: the byte is dropped, OE set. */
bool vuart_receive(struct vuart *u, uint8_t byte);

/* True when the IIR would report an interrupt (drives IRQ 4 if wired). */
bool vuart_irq_pending(const struct vuart *u);

/*
 * Put an initialised UART on @bus at ports @base..@base+7, its interrupt
 * output on line @gsi (the level follows vuart_irq_pending()).
 */
enum err vuart_register(struct iobus *bus, struct vuart *u, uint16_t base, unsigned gsi);

/* vuart_receive() for a UART on a bus, under its lock, updating its line. */
bool vuart_input(struct vuart *u, uint8_t byte);

/* Bytes vuart_receive() would still accept (16 with FIFOs, else 1). */
unsigned vuart_rx_space(const struct vuart *u);

#endif
