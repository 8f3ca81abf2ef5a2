/* SPDX-License-Identifier: MIT */
/*
 * printk: formats a message and writes it to every console (the 16550 UART
 * and, when the emulator offers it, port 0xE9). Messages above the level set
 * by vireo.log= are dropped. A spinlock keeps lines from different CPUs whole;
 * after a panic the lock is bypassed so the report always gets out. Lines
 * printed before the screen console exists are kept (up to EARLY_LOG_MAX
 * bytes) and replayed to it when it registers.
 */
#include "lib/printk.h"
#include "arch/x86/cpu.h"
#include "arch/x86/spinlock.h"
#include "arch/x86/uart.h"
#include "lib/format.h"
#include "lib/string.h"

#define DEBUGCON_PORT 0xe9
#define PRINTK_LINE_MAX 512
#define EARLY_LOG_MAX 4096
#define EARLY_RECORD_HEAD 3 /* level, then the length in two bytes */

static int printk_level = LOG_INFO;
static bool debugcon_ok;
static bool printk_panic_mode;
static struct spinlock printk_lock = SPINLOCK_INIT;
static void (*printk_extra_console)(int level, const char *s, int len);
static char early_log[EARLY_LOG_MAX];
static size_t early_len;
static bool early_lost, early_done;

/* Keep a line for the screen console that does not exist yet. */
static void early_keep(int level, const char *s, int len)
{
	if (early_done)
		return;
	if (early_len + EARLY_RECORD_HEAD + (size_t)len > sizeof(early_log)) {
		early_lost = true;
		return;
	}
	early_log[early_len] = (char)level;
	early_log[early_len + 1] = (char)(len & 0xff);
	early_log[early_len + 2] = (char)(len >> 8);
	memcpy(early_log + early_len + EARLY_RECORD_HEAD, s, (size_t)len);
	early_len += EARLY_RECORD_HEAD + (size_t)len;
}

static void early_replay(void)
{
	for (size_t at = 0; at < early_len;) {
		int level = early_log[at];
		int len = (uint8_t)early_log[at + 1] | (uint8_t)early_log[at + 2] << 8;

		printk_extra_console(level, early_log + at + EARLY_RECORD_HEAD, len);
		at += EARLY_RECORD_HEAD + (size_t)len;
	}
	if (early_lost) {
		static const char note[] = "(more early lines are on the serial console only)\n";

		printk_extra_console(LOG_WARN, note, sizeof(note) - 1);
	}
	early_done = true;
}

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
	uint64_t flags = spin_lock_irqsave(&printk_lock);

	printk_extra_console = write;
	if (write && !early_done)
		early_replay();
	spin_unlock_irqrestore(&printk_lock, flags);
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
	else
		early_keep(level, s, len);
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
