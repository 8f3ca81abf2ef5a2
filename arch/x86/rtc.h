/* SPDX-License-Identifier: MIT */
/*
 * The host's MC146818 real-time clock, read once when a VM is built so its
 * virtual CMOS starts at the current date and time.
 */
#ifndef VIREO_ARCH_X86_RTC_H
#define VIREO_ARCH_X86_RTC_H

#include <stdbool.h>
#include <stdint.h>

struct rtc_time {
	uint16_t year;
	uint8_t month, day, hour, minute, second;
};

/* false when the clock never left its update cycle or gave nonsense. */
bool rtc_read(struct rtc_time *t);

#endif
