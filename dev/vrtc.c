/* SPDX-License-Identifier: MIT */
/*
 * The CMOS/RTC model (MC146818A data sheet: registers, status A-D): clock
 * registers computed from the VM's clock at each read, the rest plain RAM.
 */
#include "dev/vrtc.h"
#include "lib/string.h"

#define RTC_DAYS_PER_WEEK 7
#define RTC_HOURS_12 12
#define RTC_YEARS_PER_CENTURY 100
#define RTC_CMOS_A_WRITABLE 0x7Fu
#define RTC_MONTHS 12
#define RTC_MARCH 3
#define BCD_BASE 10
#define BCD_SHIFT 4

static uint8_t to_bcd(unsigned v)
{
	return (uint8_t)((v / BCD_BASE) << BCD_SHIFT | v % BCD_BASE);
}

/* Day of the week, 1 = Sunday as the RTC counts it (Sakamoto's method). */
static uint8_t rtc_weekday(const struct vrtc_time *t)
{
	static const uint8_t month_offset[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
	unsigned m = t->month >= 1 && t->month <= RTC_MONTHS ? t->month : 1;
	unsigned y = t->year - (m < RTC_MARCH);

	return (uint8_t)((y + y / 4 - y / 100 + y / 400 + month_offset[m - 1] + t->day) %
			     RTC_DAYS_PER_WEEK +
			 1);
}

static uint8_t rtc_hours(const struct vrtc *r, const struct vrtc_time *t, bool binary)
{
	unsigned h = t->hour;
	uint8_t pm = 0;

	if (!(r->cmos[CMOS_STATUS_B] & CMOS_B_24H)) {
		pm = h >= RTC_HOURS_12 ? CMOS_HOUR_PM : 0;
		h %= RTC_HOURS_12;
		if (h == 0)
			h = RTC_HOURS_12;
	}
	return (uint8_t)((binary ? h : to_bcd(h)) | pm);
}

/* Whether index is a clock register, and if so its value at time @t. */
static bool rtc_time_reg(const struct vrtc *r, const struct vrtc_time *t, uint8_t index,
			 uint8_t *out)
{
	bool binary = r->cmos[CMOS_STATUS_B] & CMOS_B_BINARY;
	unsigned v;

	switch (index) {
	case CMOS_SECONDS:
		v = t->second;
		break;
	case CMOS_MINUTES:
		v = t->minute;
		break;
	case CMOS_HOURS:
		*out = rtc_hours(r, t, binary);
		return true;
	case CMOS_WEEKDAY:
		v = rtc_weekday(t);
		break;
	case CMOS_DAY:
		v = t->day;
		break;
	case CMOS_MONTH:
		v = t->month;
		break;
	case CMOS_YEAR:
		v = t->year % RTC_YEARS_PER_CENTURY;
		break;
	case CMOS_CENTURY:
		v = t->year / RTC_YEARS_PER_CENTURY % RTC_YEARS_PER_CENTURY;
		break;
	default:
		return false;
	}
	*out = binary ? (uint8_t)v : to_bcd(v);
	return true;
}

/* UIP at @elapsed_ns since the clock read r->start: in the window before
 * each whole second, never while SET holds the updates back. */
static bool rtc_uip(const struct vrtc *r, uint64_t elapsed_ns)
{
	if (r->cmos[CMOS_STATUS_B] & CMOS_B_SET)
		return false;
	return elapsed_ns % IOBUS_NS_PER_SEC >= IOBUS_NS_PER_SEC - CMOS_UIP_WINDOW_NS;
}

static uint8_t cmos_read(const struct vrtc *r, const struct vrtc_time *t, bool uip)
{
	uint8_t v;

	if (rtc_time_reg(r, t, r->index, &v))
		return v;
	switch (r->index) {
	case CMOS_STATUS_A:
		return (r->cmos[CMOS_STATUS_A] & ~CMOS_A_UIP) | (uip ? CMOS_A_UIP : 0);
	case CMOS_STATUS_C:
		return 0; /* no interrupt flags: no RTC interrupts */
	case CMOS_STATUS_D:
		return CMOS_D_VRT;
	default:
		return r->cmos[r->index];
	}
}

/* Clock registers follow the host's time: guest writes to them are dropped. */
static void cmos_write(struct vrtc *r, const struct vrtc_time *t, uint8_t v)
{
	uint8_t ignored;

	if (rtc_time_reg(r, t, r->index, &ignored))
		return;
	switch (r->index) {
	case CMOS_STATUS_A:
		r->cmos[CMOS_STATUS_A] = v & RTC_CMOS_A_WRITABLE;
		return;
	case CMOS_STATUS_C:
	case CMOS_STATUS_D:
		return; /* read-only */
	default:
		r->cmos[r->index] = v;
	}
}

static void vrtc_io(struct vrtc *r, uint16_t port, bool write, uint32_t *value)
{
	struct vrtc_time now;
	uint64_t elapsed;

	if (port == CMOS_PORT_INDEX) {
		if (!write) {
			*value = r->index | (r->nmi_disabled ? CMOS_NMI_DISABLE : 0);
		} else {
			r->index = (uint8_t)(*value & CMOS_INDEX_MASK);
			r->nmi_disabled = *value & CMOS_NMI_DISABLE;
		}
		return;
	}
	elapsed = iobus_now_ns(r->bus) - r->start_ns;
	now = r->start;
	vrtc_advance(&now, elapsed / IOBUS_NS_PER_SEC);
	if (!write)
		*value = cmos_read(r, &now, rtc_uip(r, elapsed));
	else
		cmos_write(r, &now, (uint8_t)*value);
}

static enum iobus_result vrtc_access(void *ctx, uint64_t addr, unsigned size, bool write,
				     uint32_t *value)
{
	struct vrtc *r = ctx;
	uint64_t flags = spin_lock_irqsave(&r->lock);

	vrtc_io(r, (uint16_t)addr, write, value);
	spin_unlock_irqrestore(&r->lock, flags);
	return IOBUS_DONE;
}

enum err vrtc_register(struct iobus *bus, struct vrtc *r, const struct vrtc_time *start)
{
	memset(r, 0, sizeof(*r));
	r->bus = bus;
	r->start = *start;
	r->start_ns = iobus_now_ns(bus);
	r->cmos[CMOS_STATUS_A] = CMOS_A_DEFAULT;
	r->cmos[CMOS_STATUS_B] = CMOS_B_DEFAULT;
	return iobus_add_ports(bus, CMOS_PORT_INDEX, CMOS_PORTS, vrtc_access, r, "CMOS/RTC");
}
#define SECS_PER_DAY 86400ull
#define DAYS_PER_400Y 146097ull

/* Days since 0000-03-01 in the proleptic Gregorian calendar (March-based
 * years put the leap day last). */
static uint64_t days_from_date(unsigned y, unsigned m, unsigned d)
{
	unsigned yy = m <= 2 ? y - 1 : y, mm = m <= 2 ? m + 9 : m - 3;

	return 365ull * yy + yy / 4 - yy / 100 + yy / 400 + (153 * mm + 2) / 5 + d - 1;
}

static void date_from_days(uint64_t days, struct vrtc_time *t)
{
	uint64_t era = days / DAYS_PER_400Y, doe = days % DAYS_PER_400Y;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t mp = (5 * doy + 2) / 153;
	unsigned m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);

	t->day = (uint8_t)(doy - (153 * mp + 2) / 5 + 1);
	t->month = (uint8_t)m;
	t->year = (uint16_t)(era * 400 + yoe + (m <= 2));
}

void vrtc_advance(struct vrtc_time *t, uint64_t seconds)
{
	uint64_t s = days_from_date(t->year, t->month, t->day) * SECS_PER_DAY + t->hour * 3600ull +
		     t->minute * 60ull + t->second + seconds;

	date_from_days(s / SECS_PER_DAY, t);
	s %= SECS_PER_DAY;
	t->hour = (uint8_t)(s / 3600);
	t->minute = (uint8_t)(s / 60 % 60);
	t->second = (uint8_t)(s % 60);
}
