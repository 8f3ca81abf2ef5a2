/*
 * Freestanding support of the Multiboot test kernels: the polled 16550 COM1
 * console (under a spinlock, since APs print too), a small printf, the
 * "ok N" case reporter and the machine exit. The memory and string helpers
 * gcc may call come from Vireo's lib/string.c, built for 32 bits.
 */
#include "mbtest.h"

#define COM1 0x3f8

volatile uint32_t console_lock;
static int ncase, npass, nfail;

void spin_lock(volatile uint32_t *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		while (*l)
			cpu_relax();
}

void spin_unlock(volatile uint32_t *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

/* 8250/16550: 115200 8N1, FIFOs on, DTR/RTS/OUT2 (the usual driver setup). */
void uart_init(void)
{
	outb(COM1 + 1, 0x00); /* IER: no interrupts */
	outb(COM1 + 3, 0x80); /* LCR: DLAB */
	outb(COM1 + 0, 0x01); /* DLL: divisor 1 = 115200 baud */
	outb(COM1 + 1, 0x00); /* DLM */
	outb(COM1 + 3, 0x03); /* LCR: 8N1, DLAB off */
	outb(COM1 + 2, 0xc7); /* FCR: enable, clear, 14-byte trigger */
	outb(COM1 + 4, 0x0b); /* MCR: DTR, RTS, OUT2 */
}

/* Read a line from COM1 (polled: LSR bit 0, data ready) into buf; gives up
 * when the TSC passes `deadline`. Returns the length, or -1 on a timeout. */
int uart_getline(char *buf, int cap, uint64_t deadline)
{
	int n = 0;

	while (rdtsc() < deadline) {
		char c;

		if (!(inb(COM1 + 5) & 0x01)) {
			cpu_relax();
			continue;
		}
		c = (char)inb(COM1);
		if (c == '\r' || c == '\n') {
			buf[n] = '\0';
			return n;
		}
		if (n < cap - 1)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return -1;
}

static void uart_putc(char c)
{
	int i;

	/* LSR bit 5: transmit holding register empty; bounded if no UART */
	for (i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		cpu_relax();
	outb(COM1, (uint8_t)c);
}

struct sink {
	char *buf; /* NULL: the UART */
	size_t len, cap;
};

static void sink_put(struct sink *s, char c)
{
	if (!s->buf) {
		if (c == '\n')
			uart_putc('\r');
		uart_putc(c);
		return;
	}
	if (s->len + 1 < s->cap)
		s->buf[s->len++] = c;
}

/* 64-by-64 division by shift and subtract: 32-bit code has no libgcc here. */
uint64_t udiv64(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0, r = 0;
	int i;

	if (!d) {
		if (rem)
			*rem = 0;
		return ~0ull;
	}
	for (i = 63; i >= 0; i--) {
		r = (r << 1) | ((n >> i) & 1);
		if (r >= d) {
			r -= d;
			q |= 1ull << i;
		}
	}
	if (rem)
		*rem = r;
	return q;
}

static void put_num(struct sink *s, uint64_t v, unsigned int base, int width, char pad, int neg)
{
	char tmp[24];
	int n = 0;

	do {
		uint64_t r;

		v = udiv64(v, base, &r);
		tmp[n++] = "0123456789abcdef"[r];
	} while (v);
	if (neg)
		tmp[n++] = '-';
	while (width-- > n)
		sink_put(s, pad);
	while (n)
		sink_put(s, tmp[--n]);
}

/* %s %c %d %u %x with optional '0', width and 'l'/'ll' */
static void format(struct sink *s, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';
		uint64_t v;

		if (*fmt != '%') {
			sink_put(s, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *p = va_arg(ap, const char *);

			if (!p)
				p = "(null)";
			for (; *p; p++)
				sink_put(s, *p);
			break;
		}
		case 'c':
			sink_put(s, (char)va_arg(ap, int));
			break;
		case 'd': {
			int64_t sv = lng >= 2 ? va_arg(ap, int64_t) : va_arg(ap, int32_t);

			put_num(s, sv < 0 ? -(uint64_t)sv : (uint64_t)sv, 10, width, pad, sv < 0);
			break;
		}
		case 'u':
		case 'x':
			v = lng >= 2 ? va_arg(ap, uint64_t) : va_arg(ap, uint32_t);
			put_num(s, v, *fmt == 'u' ? 10 : 16, width, pad, 0);
			break;
		case '%':
			sink_put(s, '%');
			break;
		default:
			sink_put(s, '?');
			break;
		}
	}
}

void vprintf_locked(const char *fmt, va_list ap)
{
	struct sink s = {0};

	format(&s, fmt, ap);
}

void printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	spin_lock(&console_lock);
	vprintf_locked(fmt, ap);
	spin_unlock(&console_lock);
	va_end(ap);
}

int vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
	struct sink s = {buf, 0, cap};

	format(&s, fmt, ap);
	if (cap)
		buf[s.len] = 0;
	return (int)s.len;
}

int snprintf(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	return n;
}

static void uprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf_locked(fmt, ap);
	va_end(ap);
}

/* One KTAP-like result line; the reason follows a colon on failure. */
void report(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	ncase++;
	if (ok)
		npass++;
	else
		nfail++;
	spin_lock(&console_lock);
	uprintf("%sok %d - %s", ok ? "" : "not ", ncase, name);
	if (!ok && fmt) {
		uprintf(": ");
		va_start(ap, fmt);
		vprintf_locked(fmt, ap);
		va_end(ap);
	}
	uprintf("\n");
	spin_unlock(&console_lock);
}

void skip(const char *name, const char *why)
{
	ncase++;
	npass++;
	printf("ok %d - %s # SKIP %s\n", ncase, name, why);
}

/*
 * isa-debug-exit (iobase 0xf4) turns the byte into QEMU status (v << 1) | 1;
 * Bochs shuts down on "Shutdown" written to port 0x8900.
 */
void machine_exit(uint8_t code)
{
	const char *p;

	outb(0xf4, code);
	for (p = "Shutdown"; *p; p++)
		outb(0x8900, (uint8_t)*p);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* mbtest.exit=shutdown: report through the Bochs-style port only. */
void shutdown_only(void)
{
	const char *p;

	printf("mbtest: %d passed, %d failed\n", npass, nfail);
	printf("mbtest: exiting by the 0x8900 Shutdown sequence only\n");
	for (p = "Shutdown"; *p; p++)
		outb(0x8900, (uint8_t)*p);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void finish(void)
{
	printf("mbtest: %d passed, %d failed\n", npass, nfail);
	machine_exit((uint8_t)nfail);
}
