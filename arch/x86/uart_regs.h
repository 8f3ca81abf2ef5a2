/* SPDX-License-Identifier: MIT */
/*
 * The 16550A UART as hardware defines it (16550A data sheet): the legacy COM
 * port bases, the eight register offsets from a base port and their bits.
 * Shared by the host serial driver (arch/x86/uart.c) and the guest-facing
 * model (dev/vuart.c); definitions only.
 */
#ifndef VIREO_ARCH_X86_UART_REGS_H
#define VIREO_ARCH_X86_UART_REGS_H

#define UART_COM1 0x3f8
#define UART_COM2 0x2f8
#define UART_COM3 0x3e8
#define UART_COM4 0x2e8

/* Register offsets from the base port */
#define UART_RBR 0 /* read, DLAB=0: receiver buffer */
#define UART_THR 0 /* write, DLAB=0: transmitter holding */
#define UART_DLL 0 /* DLAB=1: divisor latch, low byte */
#define UART_IER 1 /* DLAB=0: interrupt enable */
#define UART_DLM 1 /* DLAB=1: divisor latch, high byte */
#define UART_IIR 2 /* read: interrupt identification */
#define UART_FCR 2 /* write: FIFO control */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */
#define UART_MSR 6 /* modem status */
#define UART_SCR 7 /* scratch */
#define UART_NREGS 8

#define UART_IER_RDA 0x01  /* received data available */
#define UART_IER_THRE 0x02 /* transmitter holding register empty */
#define UART_IER_RLS 0x04  /* receiver line status */
#define UART_IER_MS 0x08   /* modem status */
#define UART_IER_MASK 0x0f

#define UART_IIR_NONE 0x01    /* no interrupt pending */
#define UART_IIR_MS 0x00      /* modem status changed */
#define UART_IIR_THRE 0x02    /* transmitter holding register empty */
#define UART_IIR_RDA 0x04     /* received data at the trigger level */
#define UART_IIR_RLS 0x06     /* receiver line status (overrun) */
#define UART_IIR_TIMEOUT 0x0c /* data below the trigger level (FIFO mode) */
#define UART_IIR_FIFO 0xc0    /* FIFOs enabled */

#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04
#define UART_FCR_TRIGGER_SHIFT 6

#define UART_LCR_WLEN8 0x03 /* 8 data bits, 1 stop bit, no parity */
#define UART_LCR_DLAB 0x80

#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10
#define UART_MCR_MASK 0x1f

#define UART_LSR_DR 0x01   /* data ready */
#define UART_LSR_OE 0x02   /* overrun error; cleared by reading the LSR */
#define UART_LSR_THRE 0x20 /* transmitter holding register empty */
#define UART_LSR_TEMT 0x40 /* transmitter empty */

#define UART_MSR_DCTS 0x01
#define UART_MSR_DDSR 0x02
#define UART_MSR_TERI 0x04 /* RI went from 1 to 0 */
#define UART_MSR_DDCD 0x08
#define UART_MSR_DELTAS 0x0f
#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI 0x40
#define UART_MSR_DCD 0x80

#define UART_FIFO_SIZE 16

#endif /* VIREO_ARCH_X86_UART_REGS_H */
