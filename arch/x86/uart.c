/* SPDX-License-Identifier: MIT */
/*
 * 16550 UART, polled, 115200 8N1. Probed with the scratch register before use
 * so a machine without the port stays silent instead of hanging.
 */
#include "arch/x86/uart.h"
#include "arch/x86/cpu.h"

#define UART_FCR_ENABLE_CLEAR (UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX)
#define UART_MCR_DTR_RTS_OUT2 (UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2)
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
	cpu_outb(base + UART_LCR, UART_LCR_DLAB);
	cpu_outb(base + UART_DLL, UART_CLOCK_DIVISOR & 0xff);
	cpu_outb(base + UART_DLM, UART_CLOCK_DIVISOR >> 8);
	cpu_outb(base + UART_LCR, UART_LCR_WLEN8);
	cpu_outb(base + UART_FCR, UART_FCR_ENABLE_CLEAR);
	cpu_outb(base + UART_MCR, UART_MCR_DTR_RTS_OUT2);
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
		if (cpu_inb(uart_port + UART_LSR) & UART_LSR_THRE)
			break;
		cpu_pause();
	}
	cpu_outb(uart_port + UART_THR, (uint8_t)c);
	uart_sent++;
}

int uart_getc_nonblock(void)
{
	if (!uart_ok || !(cpu_inb(uart_port + UART_LSR) & UART_LSR_DR))
		return -1;
	return cpu_inb(uart_port + UART_RBR);
}

uint64_t uart_bytes_sent(void)
{
	return uart_sent;
}
