/* SPDX-License-Identifier: MIT */
/*
 * The MC146818 RTC and its CMOS RAM at ports 0x70 (index, bit 7 = NMI
 * disable) and 0x71 (data): the clock registers follow the VM's clock from
 * the wall-clock time it started at, in BCD or binary, 24- or 12-hour.
 */
#ifndef VIREO_DEV_VRTC_H
#define VIREO_DEV_VRTC_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/spinlock.h"
#include "dev/iobus.h"

#define CMOS_PORT_INDEX 0x70
#define CMOS_PORT_DATA 0x71
#define CMOS_PORTS 2
#define CMOS_NMI_DISABLE 0x80u
#define CMOS_INDEX_MASK 0x7Fu
#define CMOS_SIZE 128
#define CMOS_SECONDS 0x00
#define CMOS_MINUTES 0x02
#define CMOS_HOURS 0x04
#define CMOS_WEEKDAY 0x06
#define CMOS_DAY 0x07
#define CMOS_MONTH 0x08
#define CMOS_YEAR 0x09
#define CMOS_STATUS_A 0x0A
#define CMOS_STATUS_B 0x0B
#define CMOS_STATUS_C 0x0C
#define CMOS_STATUS_D 0x0D
#define CMOS_CENTURY 0x32 /* the FADT CENTURY field names this index */
#define CMOS_A_UIP 0x80u  /* update in progress (below) */
/*
 * MC146818A data sheet, "Update cycle": UIP rises 244 us before the update
 * cycle, which lasts 1984 us with the 32.768 kHz time base; the clock
 * registers change at its end. Here UIP is set for the 2228 us before each
 * second's change, so a reader that sees it clear has at least 244 us.
 */
#define CMOS_UIP_WINDOW_NS 2228000ull
#define CMOS_B_SET 0x80u     /* SET: updates inhibited, UIP cleared */
#define CMOS_A_DEFAULT 0x26u /* 32.768 kHz divider, 1.024 kHz rate */
#define CMOS_B_24H 0x02u
#define CMOS_B_BINARY 0x04u /* DM: 1 = binary, 0 = BCD */
#define CMOS_B_DEFAULT CMOS_B_24H
#define CMOS_D_VRT 0x80u   /* valid RAM and time */
#define CMOS_HOUR_PM 0x80u /* 12-hour mode: PM flag in the hours byte */

struct vrtc_time {
	uint16_t year; /* e.g. 2025 */
	uint8_t month; /* 1-12 */
	uint8_t day;   /* 1-31 */
	uint8_t hour;  /* 0-23 */
	uint8_t minute;
	uint8_t second;
};

struct vrtc {
	struct spinlock lock;	 /* guards everything below */
	const struct iobus *bus; /* its clock */
	struct vrtc_time start;	 /* wall-clock time at start_ns */
	uint64_t start_ns;
	uint8_t index;
	bool nmi_disabled;
	uint8_t cmos[CMOS_SIZE];
};

/* The wall-clock time @seconds after @t (Gregorian calendar, leap years
 * included): how a VM's CMOS clock advances from the host time at its start. */
void vrtc_advance(struct vrtc_time *t, uint64_t seconds);

/* Reset state, the clock reading @start now (by the bus's clock), on @bus. */
enum err vrtc_register(struct iobus *bus, struct vrtc *r, const struct vrtc_time *start);

#endif
