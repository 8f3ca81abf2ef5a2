/* SPDX-License-Identifier: MIT */
/*
 * printk: formats a message and writes it to every console (the 16550 UART
 * and, when the emulator offers it, port 0xE9). Messages above the level set
 * by vireo.log= are dropped. A spinlock keeps lines from different CPUs whole;
 * after a panic the lock is bypassed so the report always gets out.
 */
#include "kernel/printk.h"
#include "arch/x86/cpu.h"
#include "arch/x86/spinlock.h"
#include "arch/x86/uart.h"
#include "lib/format.h"

#define DEBUGCON_PORT 0xe9
#define PRINTK_LINE_MAX 512

static int printk_level = LOG_INFO;
static bool debugcon_ok;
static bool printk_panic_mode;
static struct spinlock printk_lock = SPINLOCK_INIT;
static void (*printk_extra_console)(int level, const char *s, int len);

void printk_init_consoles(uint16_t uart_port)
{
	/* Bochs' port_e9_hack and QEMU's debugcon read back 0xE9 (SDM-independent). */
	debugcon_ok = cpu_inb(DEBUGCON_PORT) == DEBUGCON_PORT;
	uart_init(uart_port);
}

bool printk_debugcon_present(void)
{
	return debugcon_ok;
}

void printk_set_extra_console(void (*write)(int level, const char *s, int len))
{
	printk_extra_console = write;
}

void printk_enter_panic_mode(void)
{
	printk_panic_mode = true;
}

void printk_set_level(int level)
{
	printk_level = level;
}

int printk_get_level(void)
{
	return printk_level;
}

static void console_write(int level, const char *s, int len)
{
	for (int i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
		if (debugcon_ok)
			cpu_outb(DEBUGCON_PORT, (uint8_t)s[i]);
	}
	if (printk_extra_console)
		printk_extra_console(level, s, len);
}

void vprintk(int level, const char *fmt, va_list ap)
{
	char line[PRINTK_LINE_MAX];
	int len;
	uint64_t flags;

	if (level > printk_level)
		return;
	len = fmt_vsnprintf(line, sizeof(line), fmt, ap);
	if (len >= (int)sizeof(line))
		len = sizeof(line) - 1;
	if (printk_panic_mode) {
		console_write(level, line, len);
		return;
	}
	flags = spin_lock_irqsave(&printk_lock);
	console_write(level, line, len);
	spin_unlock_irqrestore(&printk_lock, flags);
}

void printk(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}
