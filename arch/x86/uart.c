/* SPDX-License-Identifier: MIT */
/*
 * 16550 UART, polled, 115200 8N1. Probed with the scratch register before use
 * so a machine without the port stays silent instead of hanging.
 */
#include "arch/x86/uart.h"
#include "arch/x86/cpu.h"

#define UART_THR 0
#define UART_RBR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07
#define MCR_DTR_RTS_OUT2 0x0b
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define UART_CLOCK_DIVISOR 1 /* 115200 baud */
#define UART_TX_SPINS 100000

static uint16_t uart_port;
static bool uart_ok;
static uint64_t uart_sent;

static bool uart_probe(uint16_t base)
{
	cpu_outb(base + UART_SCR, 0x5a);
	if (cpu_inb(base + UART_SCR) != 0x5a)
		return false;
	cpu_outb(base + UART_SCR, 0xa5);
	return cpu_inb(base + UART_SCR) == 0xa5;
}

bool uart_init(uint16_t base)
{
	uart_ok = false;
	uart_port = base;
	if (!base || !uart_probe(base))
		return false;
	cpu_outb(base + UART_IER, 0);
	cpu_outb(base + UART_LCR, LCR_DLAB);
	cpu_outb(base + UART_DLL, UART_CLOCK_DIVISOR & 0xff);
	cpu_outb(base + UART_DLM, UART_CLOCK_DIVISOR >> 8);
	cpu_outb(base + UART_LCR, LCR_8N1);
	cpu_outb(base + UART_FCR, FCR_ENABLE_CLEAR);
	cpu_outb(base + UART_MCR, MCR_DTR_RTS_OUT2);
	uart_ok = true;
	return true;
}

bool uart_present(void)
{
	return uart_ok;
}

uint16_t uart_base(void)
{
	return uart_port;
}

void uart_putc(char c)
{
	if (!uart_ok)
		return;
	for (int i = 0; i < UART_TX_SPINS; i++) {
		if (cpu_inb(uart_port + UART_LSR) & LSR_THR_EMPTY)
			break;
		cpu_pause();
	}
	cpu_outb(uart_port + UART_THR, (uint8_t)c);
	uart_sent++;
}

int uart_getc_nonblock(void)
{
	if (!uart_ok || !(cpu_inb(uart_port + UART_LSR) & LSR_DATA_READY))
		return -1;
	return cpu_inb(uart_port + UART_RBR);
}

uint64_t uart_bytes_sent(void)
{
	return uart_sent;
}
