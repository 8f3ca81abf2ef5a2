/* SPDX-License-Identifier: MIT */
/*
 * Port-I/O models for the guest's legacy platform: fw_cfg, CMOS/RTC, PCI
 * mechanism #1 with an empty bus, 8259/8254 stubs for guests that mask them,
 * and the ACPI PM1 / PM timer blocks. No hardware access; time comes in p.
 */
#include "dev/platform_io.h"
#include "lib/string.h"

#define NS_PER_SEC 1000000000ull
#define BYTE_MASK 0xFFu
#define BITS_PER_BYTE 8

/* ---- helpers ------------------------------------------------------------ */

static uint32_t size_mask(unsigned size)
{
	return size >= sizeof(uint32_t) ? 0xFFFFFFFFu : (1u << (size * BITS_PER_BYTE)) - 1;
}

/* Ticks of a hz clock after ns nanoseconds, without 64-bit overflow. */
static uint64_t ns_to_ticks(uint64_t ns, uint32_t hz)
{
	return ns / NS_PER_SEC * hz + ns % NS_PER_SEC * hz / NS_PER_SEC;
}

static void put_le(uint8_t *buf, uint64_t v, unsigned len)
{
	unsigned i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(v >> (i * BITS_PER_BYTE));
}

/* ---- QEMU fw_cfg (docs/specs/fw_cfg.rst, "Selector/Data Register") ------ */

#define FW_CFG_ITEM_MAX 8
#define FW_CFG_CPUS_LEN 2
#define FW_CFG_ID_LEN 4
#define FW_CFG_RAM_LEN 8

/* The bytes of item key; unknown keys are empty, so they read as 0. */
static unsigned fw_cfg_item(const struct platform_io *p, uint16_t key,
			    uint8_t buf[FW_CFG_ITEM_MAX])
{
	switch (key) {
	case FW_CFG_SIGNATURE:
		memcpy(buf, "QEMU", 4);
		return 4;
	case FW_CFG_ID:
		put_le(buf, FW_CFG_ID_TRADITIONAL, FW_CFG_ID_LEN);
		return FW_CFG_ID_LEN;
	case FW_CFG_RAM_SIZE:
		put_le(buf, p->ram_size, FW_CFG_RAM_LEN);
		return FW_CFG_RAM_LEN;
	case FW_CFG_NB_CPUS:
		put_le(buf, p->ncpus, FW_CFG_CPUS_LEN);
		return FW_CFG_CPUS_LEN;
	case FW_CFG_MAX_CPUS:
		put_le(buf, p->max_cpus, FW_CFG_CPUS_LEN);
		return FW_CFG_CPUS_LEN;
	default:
		return 0;
	}
}

/* Each data byte read advances the offset; past the item's end it reads 0. */
static uint8_t fw_cfg_next_byte(struct platform_io *p)
{
	uint8_t buf[FW_CFG_ITEM_MAX];
	unsigned len = fw_cfg_item(p, p->fw_cfg_key, buf);
	uint32_t off = p->fw_cfg_offset;

	if (off != UINT32_MAX)
		p->fw_cfg_offset++;
	return off < len ? buf[off] : 0;
}

bool fw_cfg_io(struct platform_io *p, uint16_t port, unsigned size, bool in, uint32_t *value)
{
	unsigned i;

	if (port == FW_CFG_PORT_SEL) {
		if (in) {
			*value = 0;
		} else {
			p->fw_cfg_key = (uint16_t)*value;
			p->fw_cfg_offset = 0;
		}
		return true;
	}
	if (port != FW_CFG_PORT_DATA)
		return false;
	/* Writes through the data port are deprecated and ignored, as in QEMU. */
	if (in) {
		*value = 0;
		for (i = 0; i < size && i < sizeof(*value); i++)
			*value |= (uint32_t)fw_cfg_next_byte(p) << (i * BITS_PER_BYTE);
	}
	return true;
}

/* ---- CMOS / RTC (MC146818A data sheet: registers, status A-D) ----------- */

#define RTC_DAYS_PER_WEEK 7
#define RTC_HOURS_12 12
#define RTC_YEARS_PER_CENTURY 100
#define RTC_CMOS_A_WRITABLE 0x7Fu

static uint8_t to_bcd(unsigned v)
{
	return (uint8_t)((v / 10) << 4 | v % 10);
}

/* Day of the week, 1 = Sunday as the RTC counts it (Sakamoto's method). */
static uint8_t rtc_weekday(const struct platform_rtc_time *t)
{
	static const uint8_t month_offset[] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };
	unsigned m = t->month >= 1 && t->month <= 12 ? t->month : 1;
	unsigned y = t->year - (m < 3);

	return (uint8_t)((y + y / 4 - y / 100 + y / 400 + month_offset[m - 1] + t->day) %
			 RTC_DAYS_PER_WEEK + 1);
}

static uint8_t rtc_hours(const struct platform_io *p, bool binary)
{
	unsigned h = p->rtc_time.hour;
	uint8_t pm = 0;

	if (!(p->cmos[CMOS_STATUS_B] & CMOS_B_24H)) {
		pm = h >= RTC_HOURS_12 ? CMOS_HOUR_PM : 0;
		h %= RTC_HOURS_12;
		if (h == 0)
			h = RTC_HOURS_12;
	}
	return (uint8_t)((binary ? h : to_bcd(h)) | pm);
}

/* Whether index is a clock register, and if so its current value. */
static bool rtc_time_reg(const struct platform_io *p, uint8_t index, uint8_t *out)
{
	const struct platform_rtc_time *t = &p->rtc_time;
	bool binary = p->cmos[CMOS_STATUS_B] & CMOS_B_BINARY;
	unsigned v;

	switch (index) {
	case CMOS_SECONDS:
		v = t->second;
		break;
	case CMOS_MINUTES:
		v = t->minute;
		break;
	case CMOS_HOURS:
		*out = rtc_hours(p, binary);
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

static uint8_t cmos_read(const struct platform_io *p)
{
	uint8_t v;

	if (rtc_time_reg(p, p->cmos_index, &v))
		return v;
	switch (p->cmos_index) {
	case CMOS_STATUS_A:
		return p->cmos[CMOS_STATUS_A] & ~CMOS_A_UIP;
	case CMOS_STATUS_C:
		return 0;			/* no interrupt flags: no RTC interrupts */
	case CMOS_STATUS_D:
		return CMOS_D_VRT;
	default:
		return p->cmos[p->cmos_index];
	}
}

/* Clock registers follow the host's time: guest writes to them are dropped. */
static void cmos_write(struct platform_io *p, uint8_t v)
{
	uint8_t ignored;

	if (rtc_time_reg(p, p->cmos_index, &ignored))
		return;
	switch (p->cmos_index) {
	case CMOS_STATUS_A:
		p->cmos[CMOS_STATUS_A] = v & RTC_CMOS_A_WRITABLE;
		return;
	case CMOS_STATUS_C:
	case CMOS_STATUS_D:
		return;				/* read-only */
	default:
		p->cmos[p->cmos_index] = v;
	}
}

bool cmos_io(struct platform_io *p, uint16_t port, unsigned size, bool in, uint32_t *value)
{
	if (port == CMOS_PORT_INDEX) {
		if (in) {
			*value = p->cmos_index | (p->nmi_disabled ? CMOS_NMI_DISABLE : 0);
		} else {
			p->cmos_index = (uint8_t)(*value & CMOS_INDEX_MASK);
			p->nmi_disabled = *value & CMOS_NMI_DISABLE;
		}
		return true;
	}
	if (port != CMOS_PORT_DATA)
		return false;
	if (in)
		*value = cmos_read(p);
	else
		cmos_write(p, (uint8_t)*value);
	return true;
}

/* ---- PCI configuration mechanism #1, empty bus ------------------------- */

/*
 * Only dword accesses to 0xCF8 reach CONFIG_ADDRESS (PCI Local Bus 3.0
 * 3.2.2.3.2); narrower ones (e.g. the 0xCF9 reset register) are not ours.
 * With no device behind any address, data reads are all ones (master abort).
 */
bool pci_cfg_io(struct platform_io *p, uint16_t port, unsigned size, bool in, uint32_t *value)
{
	if (port == PCI_PORT_ADDRESS && size == sizeof(uint32_t)) {
		if (in)
			*value = p->pci_address;
		else
			p->pci_address = *value;
		return true;
	}
	if (port < PCI_PORT_DATA || port >= PCI_PORT_DATA + PCI_PORT_DATA_LEN)
		return false;
	if (in)
		*value = size_mask(size);
	return true;
}

/* ---- 8259A PIC pair (Intel 8259A data sheet: ICW1-4, OCW1-3) ----------- */

#define PIC_ICW1 0x10u
#define PIC_ICW1_IC4 0x01u
#define PIC_ICW1_SNGL 0x02u
#define PIC_OCW3 0x08u
#define PIC_OCW3_RR 0x02u
#define PIC_OCW3_RIS 0x01u
#define PIC_VECTOR_MASK 0xF8u
#define PIC_STEP_ICW2 2
#define PIC_STEP_ICW3 3
#define PIC_STEP_ICW4 4

static void pic_command(struct platform_pic *c, uint8_t v)
{
	if (v & PIC_ICW1) {
		/* ICW1 clears the IMR and starts the ICW2..ICW4 sequence */
		c->imr = 0;
		c->read_isr = false;
		c->single = v & PIC_ICW1_SNGL;
		c->need_icw4 = v & PIC_ICW1_IC4;
		c->init_step = PIC_STEP_ICW2;
	} else if (v & PIC_OCW3) {
		if (v & PIC_OCW3_RR)
			c->read_isr = v & PIC_OCW3_RIS;
	}
	/* OCW2 (EOI, priority rotation) has nothing to act on: no IRQ is ever raised. */
}

static void pic_data(struct platform_pic *c, uint8_t v)
{
	switch (c->init_step) {
	case PIC_STEP_ICW2:
		c->vector_base = v & PIC_VECTOR_MASK;
		if (!c->single)
			c->init_step = PIC_STEP_ICW3;
		else
			c->init_step = c->need_icw4 ? PIC_STEP_ICW4 : 0;
		return;
	case PIC_STEP_ICW3:
		c->init_step = c->need_icw4 ? PIC_STEP_ICW4 : 0;
		return;
	case PIC_STEP_ICW4:
		c->init_step = 0;
		return;
	default:
		c->imr = v;			/* OCW1 */
	}
}

bool pic_io(struct platform_io *p, uint16_t port, unsigned size, bool in, uint32_t *value)
{
	struct platform_pic *c;
	bool data;

	if (port == PIC1_PORT_CMD || port == PIC1_PORT_DATA)
		c = &p->pic[0];
	else if (port == PIC2_PORT_CMD || port == PIC2_PORT_DATA)
		c = &p->pic[1];
	else
		return false;
	data = port == PIC1_PORT_DATA || port == PIC2_PORT_DATA;
	if (in)
		*value = data ? c->imr : 0;	/* IRR and ISR are always empty */
	else if (data)
		pic_data(c, (uint8_t)*value);
	else
		pic_command(c, (uint8_t)*value);
	return true;
}

/* ---- 8254 PIT (Intel 8254 data sheet: control word, read-back) --------- */

#define PIT_CMD_CHANNEL_SHIFT 6
#define PIT_CMD_READBACK 3
#define PIT_CMD_ACCESS_SHIFT 4
#define PIT_CMD_ACCESS_MASK 3u
#define PIT_CMD_MODE_SHIFT 1
#define PIT_CMD_MODE_MASK 7u
#define PIT_ACCESS_LATCH 0
#define PIT_ACCESS_LOW 1
#define PIT_ACCESS_HIGH 2
#define PIT_ACCESS_LOHI 3
#define PIT_RB_NO_COUNT 0x20u		/* read-back: bit 5 clear latches counts */
#define PIT_RB_CHANNEL_SHIFT 1
#define PIT_MODE_ONESHOT 0
#define PIT_MODE_SQUARE 3
#define PIT_COUNT_MAX 0x10000u
#define PIT_CH2 2
#define PORT_B_GATE2 0x01u
#define PORT_B_WRITABLE 0x03u		/* gate 2, speaker data enable */
#define PORT_B_REFRESH 0x10u
#define PORT_B_OUT2 0x20u
#define PORT_B_REFRESH_NS 15085u	/* DRAM refresh toggle period on PC/AT */

static uint64_t pit_elapsed(const struct platform_io *p, const struct platform_pit_channel *c)
{
	uint64_t now = ns_to_ticks(p->now_ns, PIT_HZ);

	return now > c->start_ticks ? now - c->start_ticks : 0;
}

static uint32_t pit_reload(const struct platform_pit_channel *c)
{
	return c->reload ? c->reload : PIT_COUNT_MAX;
}

/* Mode 0 counts down through 0 and wraps; the periodic modes reload. */
static uint16_t pit_count(const struct platform_io *p, const struct platform_pit_channel *c)
{
	uint64_t el = pit_elapsed(p, c);

	if (c->mode == PIT_MODE_ONESHOT)
		return (uint16_t)(pit_reload(c) - el);
	return (uint16_t)(pit_reload(c) - el % pit_reload(c));
}

static bool pit_out(const struct platform_io *p, const struct platform_pit_channel *c)
{
	uint64_t el = pit_elapsed(p, c);

	if (c->mode == PIT_MODE_ONESHOT)
		return el >= pit_reload(c);
	if (c->mode == PIT_MODE_SQUARE)
		return el % pit_reload(c) < pit_reload(c) / 2;
	return true;
}

static void pit_latch(struct platform_io *p, struct platform_pit_channel *c)
{
	if (c->latched)
		return;
	c->latch = pit_count(p, c);
	c->latched = true;
	c->read_high = false;
}

static void pit_command(struct platform_io *p, uint8_t v)
{
	unsigned ch = v >> PIT_CMD_CHANNEL_SHIFT, access, i;
	struct platform_pit_channel *c;

	if (ch == PIT_CMD_READBACK) {
		for (i = 0; i < PIT_CHANNELS; i++) {
			if (!(v & PIT_RB_NO_COUNT) && (v & (1u << (i + PIT_RB_CHANNEL_SHIFT))))
				pit_latch(p, &p->pit[i]);
		}
		return;
	}
	c = &p->pit[ch];
	access = v >> PIT_CMD_ACCESS_SHIFT & PIT_CMD_ACCESS_MASK;
	if (access == PIT_ACCESS_LATCH) {
		pit_latch(p, c);
		return;
	}
	c->access = (uint8_t)access;
	c->mode = (uint8_t)(v >> PIT_CMD_MODE_SHIFT & PIT_CMD_MODE_MASK);
	c->write_high = false;
	c->read_high = false;
	c->latched = false;
}

static void pit_load(struct platform_io *p, struct platform_pit_channel *c, uint16_t count)
{
	c->reload = count ? count : PIT_COUNT_MAX;
	c->start_ticks = ns_to_ticks(p->now_ns, PIT_HZ);
}

static void pit_write(struct platform_io *p, struct platform_pit_channel *c, uint8_t v)
{
	switch (c->access) {
	case PIT_ACCESS_LOW:
		pit_load(p, c, v);
		return;
	case PIT_ACCESS_HIGH:
		pit_load(p, c, (uint16_t)(v << BITS_PER_BYTE));
		return;
	default:
		if (c->write_high)
			pit_load(p, c, (uint16_t)(c->write_low | v << BITS_PER_BYTE));
		else
			c->write_low = v;
		c->write_high = !c->write_high;
	}
}

static uint8_t pit_read(struct platform_io *p, struct platform_pit_channel *c)
{
	uint16_t count = c->latched ? c->latch : pit_count(p, c);
	bool high = c->access == PIT_ACCESS_HIGH ||
		    (c->access == PIT_ACCESS_LOHI && c->read_high);
	bool done = c->access != PIT_ACCESS_LOHI || c->read_high;

	if (c->access == PIT_ACCESS_LOHI)
		c->read_high = !c->read_high;
	if (done)
		c->latched = false;
	return (uint8_t)(high ? count >> BITS_PER_BYTE : count);
}

static uint8_t port_b_read(const struct platform_io *p)
{
	uint8_t v = p->port_b & PORT_B_WRITABLE;

	if (p->now_ns / PORT_B_REFRESH_NS & 1)
		v |= PORT_B_REFRESH;
	if ((p->port_b & PORT_B_GATE2) && pit_out(p, &p->pit[PIT_CH2]))
		v |= PORT_B_OUT2;
	return v;
}

/* A rising gate restarts channel 2's count, as the TSC calibration loops expect. */
static void port_b_write(struct platform_io *p, uint8_t v)
{
	if ((v & PORT_B_GATE2) && !(p->port_b & PORT_B_GATE2))
		p->pit[PIT_CH2].start_ticks = ns_to_ticks(p->now_ns, PIT_HZ);
	p->port_b = v & PORT_B_WRITABLE;
}

bool pit_io(struct platform_io *p, uint16_t port, unsigned size, bool in, uint32_t *value)
{
	if (port == PIT_PORT_B) {
		if (in)
			*value = port_b_read(p);
		else
			port_b_write(p, (uint8_t)*value);
		return true;
	}
	if (port < PIT_PORT_CH0 || port > PIT_PORT_CMD)
		return false;
	if (port == PIT_PORT_CMD) {
		if (in)
			*value = BYTE_MASK;	/* the control word register is write-only */
		else
			pit_command(p, (uint8_t)*value);
		return true;
	}
	if (in)
		*value = pit_read(p, &p->pit[port - PIT_PORT_CH0]);
	else
		pit_write(p, &p->pit[port - PIT_PORT_CH0], (uint8_t)*value);
	return true;
}

/* ---- ACPI PM1 event/control blocks and PM timer (ACPI 6.5 4.8.3) ------- */

#define PM_BLOCK_LEN (PM_TMR_PORT + PM_TMR_LEN - PM_PORT_BASE)
#define PM_OFF_EN 2
#define PM_OFF_CNT (PM1_CNT_PORT - PM_PORT_BASE)
#define PM_OFF_TMR (PM_TMR_PORT - PM_PORT_BASE)

/* The block as bytes: PM1_STS (always 0), PM1_EN, PM1_CNT, gap, PM_TMR. */
static void pm_snapshot(const struct platform_io *p, uint8_t regs[PM_BLOCK_LEN])
{
	memset(regs, 0, PM_BLOCK_LEN);
	put_le(regs + PM_OFF_EN, p->pm1_en, sizeof(p->pm1_en));
	put_le(regs + PM_OFF_CNT, p->pm1_cnt | PM1_CNT_SCI_EN, sizeof(p->pm1_cnt));
	put_le(regs + PM_OFF_TMR, ns_to_ticks(p->now_ns, PM_TMR_HZ) & PM_TMR_MASK, PM_TMR_LEN);
}

/*
 * PM1_STS bits are write-1-to-clear and never set; PM1_EN is plain storage.
 * SLP_EN is write-only: it records a sleep request (SLP_TYP) for the VM owner.
 */
static void pm_write_byte(struct platform_io *p, unsigned off, uint8_t v)
{
	unsigned shift = (off & 1) * BITS_PER_BYTE;
	uint16_t mask = (uint16_t)(BYTE_MASK << shift);

	if (off == PM_OFF_EN || off == PM_OFF_EN + 1)
		p->pm1_en = (uint16_t)((p->pm1_en & ~mask) | v << shift);
	if (off == PM_OFF_CNT || off == PM_OFF_CNT + 1)
		p->pm1_cnt = (uint16_t)((p->pm1_cnt & ~mask) | v << shift);
}

bool pm_io(struct platform_io *p, uint16_t port, unsigned size, bool in, uint32_t *value)
{
	uint8_t regs[PM_BLOCK_LEN];
	unsigned off, i;

	if (port < PM_PORT_BASE || port >= PM_PORT_BASE + PM_BLOCK_LEN)
		return false;
	off = port - PM_PORT_BASE;
	if (in) {
		pm_snapshot(p, regs);
		*value = 0;
		for (i = 0; i < size && i < sizeof(*value) && off + i < PM_BLOCK_LEN; i++)
			*value |= (uint32_t)regs[off + i] << (i * BITS_PER_BYTE);
		return true;
	}
	for (i = 0; i < size && i < sizeof(*value) && off + i < PM_BLOCK_LEN; i++)
		pm_write_byte(p, off + i, (uint8_t)(*value >> (i * BITS_PER_BYTE)));
	if (p->pm1_cnt & PM1_CNT_SLP_EN) {
		p->sleep_requested = true;
		p->sleep_type = (uint8_t)((p->pm1_cnt & PM1_CNT_SLP_TYP_MASK) >>
					  PM1_CNT_SLP_TYP_SHIFT);
		p->pm1_cnt &= (uint16_t)~PM1_CNT_SLP_EN;
	}
	return true;
}

/* ---- setup and dispatch ------------------------------------------------- */

void platform_io_init(struct platform_io *p, unsigned ncpus, uint64_t ram_size)
{
	unsigned i;

	memset(p, 0, sizeof(*p));
	p->ncpus = ncpus;
	p->max_cpus = ncpus;
	p->ram_size = ram_size;
	p->cmos[CMOS_STATUS_A] = CMOS_A_DEFAULT;
	p->cmos[CMOS_STATUS_B] = CMOS_B_DEFAULT;
	for (i = 0; i < 2; i++)
		p->pic[i].imr = BYTE_MASK;	/* everything masked until the guest says */
	for (i = 0; i < PIT_CHANNELS; i++) {
		p->pit[i].reload = PIT_COUNT_MAX;
		p->pit[i].access = PIT_ACCESS_LOHI;
		p->pit[i].mode = PIT_MODE_SQUARE;
	}
}

typedef bool (*platform_io_fn)(struct platform_io *p, uint16_t port, unsigned size, bool in,
			       uint32_t *value);

static const platform_io_fn platform_models[] = {
	fw_cfg_io, cmos_io, pci_cfg_io, pic_io, pit_io, pm_io,
};

bool platform_io(struct platform_io *p, uint16_t port, unsigned size, bool in, uint32_t *value)
{
	size_t i;

	for (i = 0; i < sizeof(platform_models) / sizeof(platform_models[0]); i++) {
		if (platform_models[i](p, port, size, in, value)) {
			if (in)
				*value &= size_mask(size);
			return true;
		}
	}
	return false;
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

static void date_from_days(uint64_t days, struct platform_rtc_time *t)
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

void platform_rtc_advance(struct platform_rtc_time *t, uint64_t seconds)
{
	uint64_t s = days_from_date(t->year, t->month, t->day) * SECS_PER_DAY +
		     t->hour * 3600ull + t->minute * 60ull + t->second + seconds;

	date_from_days(s / SECS_PER_DAY, t);
	s %= SECS_PER_DAY;
	t->hour = (uint8_t)(s / 3600);
	t->minute = (uint8_t)(s / 60 % 60);
	t->second = (uint8_t)(s % 60);
}
