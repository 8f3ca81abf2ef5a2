/* SPDX-License-Identifier: MIT */
/*
 * Reads the host RTC through CMOS ports 0x70/0x71: waits for the update-in-
 * progress flag (status A bit 7) to clear, reads twice until both reads
 * agree, and converts from BCD and 12-hour form as status B says.
 */
#include "arch/x86/rtc.h"
#include "arch/x86/cpu.h"
#include "lib/string.h"

#define RTC_INDEX 0x70
#define RTC_DATA 0x71
#define RTC_NMI_OFF 0x80
#define RTC_SEC 0x00
#define RTC_MIN 0x02
#define RTC_HOUR 0x04
#define RTC_DAY 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_STATUS_A 0x0a
#define RTC_STATUS_B 0x0b
#define RTC_CENTURY 0x32
#define RTC_A_UIP 0x80
#define RTC_B_24H 0x02
#define RTC_B_BINARY 0x04
#define RTC_HOUR_PM 0x80
#define RTC_TRIES 100000
#define RTC_BASE_CENTURY 2000

static uint8_t rtc_reg(uint8_t index)
{
	cpu_outb(RTC_INDEX, index | RTC_NMI_OFF);
	return cpu_inb(RTC_DATA);
}

static uint8_t from_bcd(uint8_t v)
{
	return (uint8_t)((v >> 4) * 10 + (v & 0xf));
}

static bool read_raw(uint8_t raw[7])
{
	static const uint8_t regs[7] = {RTC_SEC,   RTC_MIN,  RTC_HOUR,	 RTC_DAY,
					RTC_MONTH, RTC_YEAR, RTC_CENTURY};
	unsigned tries = RTC_TRIES;

	while ((rtc_reg(RTC_STATUS_A) & RTC_A_UIP) && --tries)
		cpu_pause();
	for (unsigned i = 0; i < 7; i++)
		raw[i] = rtc_reg(regs[i]);
	return tries != 0;
}

bool rtc_read(struct rtc_time *t)
{
	uint8_t a[7], b[7], st;
	bool bcd, pm;
	unsigned tries = 8;

	do {
		if (!read_raw(a) || !read_raw(b))
			return false;
	} while (memcmp(a, b, sizeof(a)) && --tries);
	st = rtc_reg(RTC_STATUS_B);
	bcd = !(st & RTC_B_BINARY);
	pm = !(st & RTC_B_24H) && (a[2] & RTC_HOUR_PM);
	a[2] &= (uint8_t)~RTC_HOUR_PM;
	for (unsigned i = 0; bcd && i < 7; i++)
		a[i] = from_bcd(a[i]);
	if (!(st & RTC_B_24H))
		a[2] = (uint8_t)(a[2] % 12 + (pm ? 12 : 0));
	t->second = a[0];
	t->minute = a[1];
	t->hour = a[2];
	t->day = a[3];
	t->month = a[4];
	t->year = (uint16_t)((a[6] >= 19 && a[6] <= 99 ? a[6] * 100 : RTC_BASE_CENTURY) + a[5]);
	return t->second < 60 && t->minute < 60 && t->hour < 24 && t->day >= 1 && t->day <= 31 &&
	       t->month >= 1 && t->month <= 12;
}
