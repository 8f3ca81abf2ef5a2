/* SPDX-License-Identifier: MIT */
/*
 * A VM's guest console (vm/console.h): line assembly with visible escapes,
 * the per-VM ring of whole lines, the token bucket that limits each VM's
 * share of the host console, drop accounting with its notes, and draining
 * a bounded chunk at a time outside the VM's lock.
 */
#include "vm/console.h"
#include <stdarg.h>
#include "lib/format.h"
#include "lib/printk.h"
#include "lib/string.h"

#define US_PER_S 1000000ull
#define CON_FIRST_PRINTABLE ' '
#define CON_LAST_PRINTABLE '~'
#define CON_ESCAPE_LEN 4 /* "\xHH" */
#define HEX_DIGIT_BITS 4
#define HEX_DIGIT_MASK 0xfu
#define CON_PREFIX_EXTRA 3 /* '[', ']' and the space after the name */
#define CON_NEWLINE_LEN 1
#define REC_HEAD 4 /* level, bytes already shown, length (two bytes, little-endian) */
#define REC_SHOWN 1
#define REC_LEN_LO 2
#define REC_LEN_HI 3
#define BYTE_BITS 8
#define BYTE_MASK 0xffu
#define DROP_NOTE_MAX 80 /* "... N bytes of console output dropped (why)" */
#define NOTE_RING (REC_HEAD + DROP_NOTE_MAX)
/* Kept free for host notes and the final partial line of a full ring. */
#define CON_RESERVE (2 * (REC_HEAD + VM_CONSOLE_NOTE_MAX))
#define CON_RESUME_DIVISOR 2 /* over the rate: resume at half the burst */
/* The console whose unfinished line is on the host console now (a keyboard
 * VM's prompt and echo), or NULL: whatever else is printed ends that line. */
static struct vm_console *live_on_screen;
/* An unfinished line shows once the guest has paused this long: a prompt or
 * an echo, not a line being written out byte by byte. */
#define LIVE_IDLE_US 20000ull

_Static_assert((VM_CONSOLE_RING & (VM_CONSOLE_RING - 1)) == 0, "ring size: a power of two");
_Static_assert(VM_CONSOLE_NOTE_MAX <= UINT16_MAX, "a record's length fits two bytes");

/* ---- the ring of records (under c->lock) ---------------------------------- */

static uint32_t ring_free(const struct vm_console *c)
{
	return VM_CONSOLE_RING - (c->head - c->tail);
}

/* Ring offset of free-running index @at, and the bytes from it to the end. */
static uint32_t ring_span(uint32_t at, uint32_t n, uint32_t *off)
{
	*off = at & (VM_CONSOLE_RING - 1);
	return n < VM_CONSOLE_RING - *off ? n : VM_CONSOLE_RING - *off;
}

static void ring_copy_in(struct vm_console *c, const void *src, uint32_t n)
{
	uint32_t off, first = ring_span(c->head, n, &off);

	memcpy(c->ring + off, src, first);
	memcpy(c->ring, (const uint8_t *)src + first, n - first);
	c->head += n;
}

static void ring_copy_out(struct vm_console *c, void *dst, uint32_t n)
{
	uint32_t off, first = ring_span(c->tail, n, &off);

	memcpy(dst, c->ring + off, first);
	memcpy((uint8_t *)dst + first, c->ring, n - first);
	c->tail += n;
}

/* The caller checked there is room for REC_HEAD + len. */
static void ring_put_shown(struct vm_console *c, int level, const char *text, unsigned len,
			   unsigned shown)
{
	uint8_t head[REC_HEAD] = {(uint8_t)level, (uint8_t)shown, (uint8_t)(len & BYTE_MASK),
				  (uint8_t)(len >> BYTE_BITS)};

	ring_copy_in(c, head, REC_HEAD);
	ring_copy_in(c, text, len);
}

static void ring_put(struct vm_console *c, int level, const char *text, unsigned len)
{
	ring_put_shown(c, level, text, len, 0);
}

/* The oldest record into @buf (VM_CONSOLE_NOTE_MAX bytes, NUL-terminated);
 * false when the ring is empty. */
static bool ring_get(struct vm_console *c, int *level, unsigned *shown, char *buf)
{
	uint8_t head[REC_HEAD];
	unsigned len;

	if (c->head == c->tail)
		return false;
	ring_copy_out(c, head, REC_HEAD);
	len = head[REC_LEN_LO] | (unsigned)head[REC_LEN_HI] << BYTE_BITS;
	ring_copy_out(c, buf, len);
	buf[len] = '\0';
	*level = head[0];
	*shown = head[REC_SHOWN];
	return true;
}

/* ---- the rate limit (under c->lock) --------------------------------------- */

/* What a line of @len text bytes costs the host console: "[name] text\n". */
static uint64_t line_cost(const struct vm_console *c, unsigned len)
{
	return c->line_extra + len;
}

static void refill(struct vm_console *c)
{
	uint64_t now = c->clock_us(), cap = c->burst * US_PER_S;

	if (now <= c->refill_us)
		return;
	if ((now - c->refill_us) >= cap / (c->rate ? c->rate : 1))
		c->tokens = cap;
	else
		c->tokens += (now - c->refill_us) * c->rate;
	if (c->tokens > cap)
		c->tokens = cap;
	c->refill_us = now;
}

/* Take @cost bytes from the bucket if it has them. Once over the rate, the
 * bucket must fill to half the burst first: output resumes in runs, each
 * after one note, instead of a note per line. */
static bool take_tokens(struct vm_console *c, uint64_t cost)
{
	if (!c->rate)
		return true;
	if (c->throttled || c->tokens < cost * US_PER_S)
		refill(c); /* the clock only when the bucket is short */
	if (c->throttled && c->tokens < c->burst * US_PER_S / CON_RESUME_DIVISOR)
		return false;
	if (c->tokens < cost * US_PER_S) {
		c->throttled = true;
		return false;
	}
	c->tokens -= cost * US_PER_S;
	c->throttled = false;
	return true;
}

/* ---- drop notes (under c->lock) ------------------------------------------- */

/* How many notes are owed (dropped bytes not yet reported, per reason).
 * Room and rate are reserved for a note's longest form, so that nothing
 * is formatted on the exit path until a note is really queued. */
static unsigned notes_owed(const struct vm_console *c)
{
	return (c->unreported_rate != 0) + (c->unreported_full != 0);
}

static void put_note(struct vm_console *c, uint64_t *bytes, const char *why)
{
	char text[DROP_NOTE_MAX];
	int len;

	if (!*bytes)
		return;
	len = fmt_snprintf(text, sizeof(text), "... %llu bytes of console output dropped (%s)",
			   (unsigned long long)*bytes, why);
	if (len >= (int)sizeof(text))
		len = sizeof(text) - 1;
	ring_put(c, LOG_WARN, text, (unsigned)len);
	*bytes = 0;
}

/* The caller reserved NOTE_RING bytes of ring per note owed. */
static void put_notes(struct vm_console *c)
{
	put_note(c, &c->unreported_rate, "rate limit");
	put_note(c, &c->unreported_full, "buffer full");
}

/* Queue the notes owed if the ring has room beyond @reserve and, when
 * @charge, the bucket has their cost. */
static void queue_notes(struct vm_console *c, uint32_t reserve, bool charge)
{
	unsigned n = notes_owed(c);

	if (!n || ring_free(c) < n * NOTE_RING + reserve ||
	    (charge && !take_tokens(c, n * line_cost(c, DROP_NOTE_MAX))))
		return;
	put_notes(c);
}

/* ---- line assembly (under c->lock) ----------------------------------------- */

static void drop_line(struct vm_console *c, uint64_t raw, bool full)
{
	if (full) {
		c->unreported_full += raw;
		c->stats.dropped_full += raw;
	} else {
		c->unreported_rate += raw;
		c->stats.dropped_rate += raw;
	}
}

/* Queue the assembled line (after the notes owed before it), or drop it:
 * a @final line (the VM's exit) goes over the rate and into the reserve. */
static void commit_line(struct vm_console *c, bool final)
{
	unsigned len = c->line_len, notes = notes_owed(c), shown = c->live_shown;
	uint64_t raw = c->line_raw;

	c->line_len = 0;
	c->line_raw = 0;
	c->live_shown = 0;
	if (!len)
		return;
	if (ring_free(c) < REC_HEAD + len + notes * NOTE_RING + (final ? 0 : CON_RESERVE)) {
		drop_line(c, raw, true);
		return;
	}
	if (!final && !take_tokens(c, line_cost(c, len) + notes * line_cost(c, DROP_NOTE_MAX))) {
		drop_line(c, raw, false);
		return;
	}
	put_notes(c);
	ring_put_shown(c, LOG_INFO, c->line, len, shown);
}

static bool plain(char ch)
{
	return (ch >= CON_FIRST_PRINTABLE && ch <= CON_LAST_PRINTABLE) || ch == '\t';
}

static void put_byte(struct vm_console *c, char ch)
{
	static const char hex[] = "0123456789abcdef";
	unsigned need = plain(ch) ? 1 : CON_ESCAPE_LEN;
	char *p;

	c->line_raw++;
	if (ch == '\r')
		return;
	if (ch == '\n' || c->line_len + need > VM_CONSOLE_LINE - 1)
		commit_line(c, false);
	if (ch == '\n')
		return;
	p = c->line + c->line_len;
	if (need == 1) {
		*p = ch;
		c->line_len++;
		return;
	}
	p[0] = '\\';
	p[1] = 'x';
	p[2] = hex[(uint8_t)ch >> HEX_DIGIT_BITS];
	p[3] = hex[(uint8_t)ch & HEX_DIGIT_MASK];
	c->line_len += CON_ESCAPE_LEN;
}

/* ---- the interface ---------------------------------------------------------- */

void vm_console_init(struct vm_console *c, const char *name, uint64_t (*clock_us)(void))
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->line_extra = strlen(name) + CON_PREFIX_EXTRA + CON_NEWLINE_LEN;
	c->clock_us = clock_us;
	c->refill_us = clock_us();
	vm_console_set_rate(c, VM_CONSOLE_RATE, VM_CONSOLE_BURST);
}

void vm_console_set_rate(struct vm_console *c, uint64_t rate, uint64_t burst)
{
	uint64_t flags = spin_lock_irqsave(&c->lock);

	c->rate = rate;
	c->burst = burst;
	c->tokens = burst * US_PER_S;
	c->throttled = false;
	spin_unlock_irqrestore(&c->lock, flags);
}

void vm_console_put(struct vm_console *c, const char *buf, size_t len)
{
	uint64_t flags = spin_lock_irqsave(&c->lock);

	for (size_t i = 0; i < len; i++)
		put_byte(c, buf[i]);
	if (c->live)
		c->live_touch_us = c->clock_us();
	spin_unlock_irqrestore(&c->lock, flags);
}

void vm_console_end_line(struct vm_console *c, bool final)
{
	uint64_t flags = spin_lock_irqsave(&c->lock);

	commit_line(c, final);
	spin_unlock_irqrestore(&c->lock, flags);
}

void vm_console_note(struct vm_console *c, int level, const char *fmt, ...)
{
	char text[VM_CONSOLE_NOTE_MAX];
	unsigned len;
	uint64_t flags;
	va_list ap;
	bool queued;

	va_start(ap, fmt);
	len = (unsigned)fmt_vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (len >= sizeof(text))
		len = sizeof(text) - 1;
	flags = spin_lock_irqsave(&c->lock);
	queue_notes(c, REC_HEAD + len, false);
	queued = ring_free(c) >= REC_HEAD + len;
	if (queued)
		ring_put(c, level, text, len);
	spin_unlock_irqrestore(&c->lock, flags);
	if (!queued)
		printk(level, "[%s] %s\n", c->name, text);
}

/* End another console's unfinished line on the host console, if one is
 * there: that console shows its line whole, prefix and all, when it ends. */
static void live_end_other(const struct vm_console *c)
{
	struct vm_console *o = __atomic_load_n(&live_on_screen, __ATOMIC_ACQUIRE);

	if (o && o != c &&
	    __atomic_compare_exchange_n(&live_on_screen, &o, NULL, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		printk(LOG_INFO, "\n");
}

void vm_console_live_break(void)
{
	live_end_other(NULL);
}

/* A whole line; its first @shown bytes are on the screen already if this
 * console's unfinished line is still the last thing printed. */
static void print_record(struct vm_console *c, int level, unsigned shown, const char *text)
{
	struct vm_console *self = c;

	live_end_other(c);
	if (shown && __atomic_compare_exchange_n(&live_on_screen, &self, NULL, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		printk(level, "%s\n", text + shown);
		return;
	}
	printk(level, "[%s] %s\n", c->name, text);
}

/* Print records up to @budget host bytes; the caller holds c->draining. */
static size_t drain_held(struct vm_console *c, size_t budget)
{
	char text[VM_CONSOLE_NOTE_MAX];
	size_t printed = 0;
	uint64_t flags;
	unsigned shown;
	int level;
	bool got;

	while (printed < budget) {
		flags = spin_lock_irqsave(&c->lock);
		if (c->head == c->tail && (c->unreported_rate || c->unreported_full))
			queue_notes(c, 0, true);
		got = ring_get(c, &level, &shown, text);
		spin_unlock_irqrestore(&c->lock, flags);
		if (!got)
			break;
		print_record(c, level, shown, text);
		printed += line_cost(c, (unsigned)strlen(text));
		c->stats.lines++;
	}
	c->stats.bytes += printed;
	return printed;
}

/* The keyboard VM's line as far as it has grown, once its whole lines are
 * out; the caller holds c->draining. */
static size_t drain_live(struct vm_console *c)
{
	char text[VM_CONSOLE_LINE];
	bool here = __atomic_load_n(&live_on_screen, __ATOMIC_ACQUIRE) == c;
	unsigned from, n = 0;
	uint64_t flags = spin_lock_irqsave(&c->lock);

	from = here ? c->live_shown : 0; /* interrupted: show it whole again */
	if (c->live && c->head == c->tail && c->line_len > from &&
	    (c->line_len > c->live_shown || !here) &&
	    c->clock_us() - c->live_touch_us >= LIVE_IDLE_US) {
		n = c->line_len - from;
		memcpy(text, c->line + from, n);
		c->live_shown = c->line_len;
	}
	spin_unlock_irqrestore(&c->lock, flags);
	if (!n)
		return 0;
	text[n] = '\0';
	live_end_other(c);
	__atomic_store_n(&live_on_screen, c, __ATOMIC_RELEASE);
	if (from)
		printk(LOG_INFO, "%s", text);
	else
		printk(LOG_INFO, "[%s] %s", c->name, text);
	return n;
}

static bool live_pending(struct vm_console *c)
{
	return __atomic_load_n(&c->live, __ATOMIC_RELAXED) &&
	       __atomic_load_n(&c->line_len, __ATOMIC_RELAXED) !=
		   __atomic_load_n(&c->live_shown, __ATOMIC_RELAXED);
}

size_t vm_console_drain(struct vm_console *c, size_t budget)
{
	size_t printed;

	if (!vm_console_pending(c) && !live_pending(c))
		return 0;
	if (__atomic_exchange_n(&c->draining, true, __ATOMIC_ACQUIRE))
		return 0;
	printed = drain_held(c, budget);
	printed += drain_live(c);
	__atomic_store_n(&c->draining, false, __ATOMIC_RELEASE);
	return printed;
}

void vm_console_set_live(struct vm_console *c, bool live)
{
	uint64_t flags = spin_lock_irqsave(&c->lock);

	c->live = live;
	spin_unlock_irqrestore(&c->lock, flags);
}

void vm_console_flush(struct vm_console *c)
{
	uint64_t flags;

	while (__atomic_exchange_n(&c->draining, true, __ATOMIC_ACQUIRE))
		cpu_pause();
	vm_console_end_line(c, true);
	drain_held(c, SIZE_MAX);
	flags = spin_lock_irqsave(&c->lock);
	queue_notes(c, 0, false);
	spin_unlock_irqrestore(&c->lock, flags);
	drain_held(c, SIZE_MAX);
	__atomic_store_n(&c->draining, false, __ATOMIC_RELEASE);
}

bool vm_console_pending(struct vm_console *c)
{
	uint32_t head = __atomic_load_n(&c->head, __ATOMIC_RELAXED);

	if (head != __atomic_load_n(&c->tail, __ATOMIC_RELAXED))
		return true;
	return __atomic_load_n(&c->unreported_rate, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&c->unreported_full, __ATOMIC_RELAXED);
}

void vm_console_get_stats(struct vm_console *c, struct vm_console_stats *out)
{
	uint64_t flags = spin_lock_irqsave(&c->lock);

	*out = c->stats;
	spin_unlock_irqrestore(&c->lock, flags);
}
