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
#include "arch/x86/uart_regs.h"
#include "arch/x86/spinlock.h"
#include "dev/iobus.h"

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
	uint8_t lsr_errors; /* UART_LSR_OE when set, until the LSR is read */
	uint8_t msr_deltas; /* UART_MSR_DELTAS bits, until the MSR is read */
	uint8_t trigger;    /* receive FIFO trigger level in bytes */
	bool fifo_enabled;  /* FCR bit 0 */
	bool thre_pending;  /* THRE interrupt latched (THR write or IER enable) */
	uint8_t rx[UART_FIFO_SIZE];
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
