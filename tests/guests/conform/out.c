/*
 * Fact output of the conformance kernel: facts are packed into lines of
 * "conform: facts KEY=VALUE KEY=VALUE ..." and paced to a byte rate that
 * Vireo's per-VM console limit (docs/guest-platform.md, 2048 bytes per
 * second after a burst of 8192) never drops, measured with a TSC
 * calibrated against PIT channel 2. On a bare machine the pacing costs a
 * few emulated seconds and nothing else.
 */
#include "conform.h"

#define LINE_CAP 128 /* with the prefix below the 159 characters Vireo wraps at */
#define LINE_FLUSH_AT 96
#define PACE_BYTES_PER_S 1500u
#define PACE_BURST 4096u
#define PREFIX_OVERHEAD 8 /* "[name] " and CR/LF a host may add per line */
#define PIT_HZ 1193182ull
#define PIT_TICKS 11932u /* 10 ms */
#define PIT_POLLS 2000000u
#define PORT_PIT_CH2 0x42
#define PORT_PIT_CMD 0x43
#define PORT_SYS_CTRL 0x61
#define PIT_CH2_MODE0_LOHI 0xb0
#define SYS_CTRL_GATE2 0x01
#define SYS_CTRL_SPEAKER 0x02
#define SYS_CTRL_OUT2 0x20
#define TSC_HZ_FALLBACK 1000000000ull
#define MIN_TSC_HZ 1000000ull
#define USEC_PER_SEC 1000000u

static char line[LINE_CAP];
static size_t line_len;
static int unbuffered;
static uint64_t pace_hz = TSC_HZ_FALLBACK, pace_last;
static uint64_t pace_tokens = PACE_BURST;

/* PIT channel 2 in mode 0 for 10 ms; OUT2 shows in port 0x61 bit 5. */
void out_init(void)
{
	uint8_t p61 = inb(PORT_SYS_CTRL);
	uint64_t t0, t1;
	uint32_t i;

	outb(PORT_SYS_CTRL, (p61 & ~SYS_CTRL_SPEAKER) | SYS_CTRL_GATE2);
	outb(PORT_PIT_CMD, PIT_CH2_MODE0_LOHI);
	outb(PORT_PIT_CH2, PIT_TICKS & 0xff);
	outb(PORT_PIT_CH2, PIT_TICKS >> 8);
	t0 = rdtsc();
	for (i = 0; i < PIT_POLLS && !(inb(PORT_SYS_CTRL) & SYS_CTRL_OUT2); i++)
		;
	t1 = rdtsc();
	outb(PORT_SYS_CTRL, p61);
	if (i < PIT_POLLS && t1 > t0 && udiv64((t1 - t0) * PIT_HZ, PIT_TICKS, NULL) >= MIN_TSC_HZ)
		pace_hz = udiv64((t1 - t0) * PIT_HZ, PIT_TICKS, NULL);
	pace_last = rdtsc();
}

void delay_us(uint32_t us)
{
	uint64_t end = rdtsc() + udiv64(pace_hz * us, USEC_PER_SEC, NULL);

	while (rdtsc() < end)
		cpu_relax();
}

/* Wait until n bytes fit the token bucket. */
static void pace(size_t n)
{
	uint64_t now, earned;

	for (;;) {
		now = rdtsc();
		earned = udiv64((now - pace_last) * PACE_BYTES_PER_S, pace_hz, NULL);
		if (earned) {
			pace_tokens += earned;
			if (pace_tokens > PACE_BURST)
				pace_tokens = PACE_BURST;
			pace_last = now;
		}
		if (pace_tokens >= n) {
			pace_tokens -= n;
			return;
		}
		cpu_relax();
	}
}

/* Print what is buffered (also before any other output and at the end). */
void fact_flush(void)
{
	if (!line_len)
		return;
	pace(line_len + sizeof("conform: facts\n") + PREFIX_OVERHEAD);
	printf("conform: facts%s\n", line);
	line_len = 0;
	line[0] = 0;
}

/* From now on every fact goes out at once (before a probe that may end
 * the machine). */
void fact_unbuffered(void)
{
	fact_flush();
	unbuffered = 1;
}

void fact_put(const char *key, const char *val)
{
	size_t need = strlen(key) + strlen(val) + 2;

	if (line_len + need >= LINE_CAP)
		fact_flush();
	line_len += (size_t)snprintf(line + line_len, LINE_CAP - line_len, " %s=%s", key, val);
	if (line_len >= LINE_FLUSH_AT || unbuffered)
		fact_flush();
}
