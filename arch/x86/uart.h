/* SPDX-License-Identifier: MIT */
/* Polled 16550 UART driver (COM1 by default) used as the serial console. */
#ifndef VIREO_ARCH_X86_UART_H
#define VIREO_ARCH_X86_UART_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/uart_regs.h"

bool uart_init(uint16_t base);
bool uart_present(void);
uint16_t uart_base(void);
void uart_putc(char c);
int uart_getc_nonblock(void);
uint64_t uart_bytes_sent(void);

#endif
