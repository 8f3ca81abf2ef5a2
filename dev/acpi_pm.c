/* SPDX-License-Identifier: MIT */
/*
 * The ACPI PM1 event/control blocks and PM timer (ACPI 6.5 4.8.3) as one
 * byte-addressed register block: PM1_STS, PM1_EN, PM1_CNT, a gap, PM_TMR.
 */
#include "dev/acpi_pm.h"
#include "lib/bytes.h"
#include "lib/printk.h"
#include "lib/string.h"

#define PM_BLOCK_LEN (PM_TMR_PORT + ACPI_PM_TMR_LEN - PM_PORT_BASE)
#define PM_OFF_EN 2
#define PM_OFF_CNT (PM1_CNT_PORT - PM_PORT_BASE)
#define PM_OFF_TMR (PM_TMR_PORT - PM_PORT_BASE)
#define BYTE_MASK 0xFFu
#define PM_NO_SLEEP (-1)

/* The block as bytes: PM1_STS (always 0), PM1_EN, PM1_CNT, gap, PM_TMR. */
static void pm_snapshot(const struct acpi_pm *pm, uint8_t regs[PM_BLOCK_LEN])
{
	uint64_t now = iobus_now_ns(pm->bus);

	memset(regs, 0, PM_BLOCK_LEN);
	le16_put(regs + PM_OFF_EN, pm->pm1_en);
	le16_put(regs + PM_OFF_CNT, (uint16_t)(pm->pm1_cnt | PM1_CNT_SCI_EN));
	le32_put(regs + PM_OFF_TMR,
		 (uint32_t)(iobus_ns_to_ticks(now, ACPI_PM_TIMER_HZ) & ACPI_PM_TIMER_MASK_24));
}

/*
 * PM1_STS bits are write-1-to-clear and never set; PM1_EN is plain storage.
 * SLP_EN is write-only: it records a sleep request (SLP_TYP), acted on by
 * acpi_pm_sleep() once the lock is dropped.
 */
static void pm_write_byte(struct acpi_pm *pm, unsigned off, uint8_t v)
{
	unsigned shift = (off & 1) * BITS_PER_BYTE;
	uint16_t mask = (uint16_t)(BYTE_MASK << shift);

	if (off == PM_OFF_EN || off == PM_OFF_EN + 1)
		pm->pm1_en = (uint16_t)((pm->pm1_en & ~mask) | v << shift);
	if (off == PM_OFF_CNT || off == PM_OFF_CNT + 1)
		pm->pm1_cnt = (uint16_t)((pm->pm1_cnt & ~mask) | v << shift);
}

/* Returns the SLP_TYP of a write that set SLP_EN, else PM_NO_SLEEP. */
static int acpi_pm_io(struct acpi_pm *pm, unsigned off, unsigned size, bool write, uint32_t *value)
{
	uint8_t regs[PM_BLOCK_LEN];
	unsigned i;

	if (!write) {
		pm_snapshot(pm, regs);
		*value = 0;
		for (i = 0; i < size && i < sizeof(*value) && off + i < PM_BLOCK_LEN; i++)
			*value |= (uint32_t)regs[off + i] << (i * BITS_PER_BYTE);
		return PM_NO_SLEEP;
	}
	for (i = 0; i < size && i < sizeof(*value) && off + i < PM_BLOCK_LEN; i++)
		pm_write_byte(pm, off + i, (uint8_t)(*value >> (i * BITS_PER_BYTE)));
	if (!(pm->pm1_cnt & PM1_CNT_SLP_EN))
		return PM_NO_SLEEP;
	pm->sleep_requested = true;
	pm->sleep_type = (uint8_t)((pm->pm1_cnt & PM1_CNT_SLP_TYP_MASK) >> PM1_CNT_SLP_TYP_SHIFT);
	pm->pm1_cnt &= (uint16_t)~PM1_CNT_SLP_EN;
	return pm->sleep_type;
}

/*
 * SLP_EN (ACPI 6.5 4.8.3.2.1, Table 4.13): the S5 type ends the VM; the
 * others name states this platform does not offer (its \_S5 is the only
 * sleep package in the DSDT), so the write does nothing, as on a PC
 * without S1-S4, and the first one is logged.
 */
static enum iobus_result acpi_pm_sleep(struct acpi_pm *pm, int typ, bool first_refusal)
{
	if (typ == (int)ACPI_PM_SLP_TYP_S5) {
		if (!pm->power_off)
			return IOBUS_DONE;
		pm->power_off(pm->ctx);
		return IOBUS_STOP;
	}
	if (first_refusal)
		pr_warn("[%s] the guest asked for sleep type %d (PM1_CNT SLP_TYP), which this "
			"platform does not offer (only S5, soft off, type %u): ignored\n",
			pm->owner, typ, ACPI_PM_SLP_TYP_S5);
	return IOBUS_DONE;
}

static enum iobus_result acpi_pm_access(void *ctx, uint64_t addr, unsigned size, bool write,
					uint32_t *value)
{
	struct acpi_pm *pm = ctx;
	uint64_t flags = spin_lock_irqsave(&pm->lock);
	int typ = acpi_pm_io(pm, (unsigned)(addr - PM_PORT_BASE), size, write, value);
	bool first_refusal = false;

	if (typ != PM_NO_SLEEP && typ != (int)ACPI_PM_SLP_TYP_S5) {
		first_refusal = !pm->sleep_refused;
		pm->sleep_refused = true;
	}
	spin_unlock_irqrestore(&pm->lock, flags);
	if (typ == PM_NO_SLEEP)
		return IOBUS_DONE;
	return acpi_pm_sleep(pm, typ, first_refusal);
}

enum err acpi_pm_register(struct iobus *bus, struct acpi_pm *pm, const char *owner,
			  acpi_pm_power_off_fn power_off, void *ctx)
{
	memset(pm, 0, sizeof(*pm));
	pm->bus = bus;
	pm->owner = owner;
	pm->power_off = power_off;
	pm->ctx = ctx;
	return iobus_add_ports(bus, PM_PORT_BASE, PM_BLOCK_LEN, acpi_pm_access, pm, "ACPI PM");
}
