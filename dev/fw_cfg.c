/* SPDX-License-Identifier: MIT */
/*
 * QEMU fw_cfg (docs/specs/fw_cfg.rst, "Selector/Data Register"): the
 * selector port picks an item, each data port read returns its next byte.
 */
#include "dev/fw_cfg.h"
#include "lib/bytes.h"
#include "lib/string.h"

#define FW_CFG_ITEM_MAX 8
#define FW_CFG_SIGNATURE_LEN 4
#define BITS_PER_BYTE 8

/* The bytes of item key; unknown keys are empty, so they read as 0. */
static unsigned fw_cfg_item(const struct fw_cfg *f, uint16_t key, uint8_t buf[FW_CFG_ITEM_MAX])
{
	switch (key) {
	case FW_CFG_SIGNATURE:
		memcpy(buf, "QEMU", FW_CFG_SIGNATURE_LEN);
		return FW_CFG_SIGNATURE_LEN;
	case FW_CFG_ID:
		le32_put(buf, FW_CFG_ID_TRADITIONAL);
		return sizeof(uint32_t);
	case FW_CFG_RAM_SIZE:
		le64_put(buf, f->ram_size);
		return sizeof(uint64_t);
	case FW_CFG_NB_CPUS:
		le16_put(buf, (uint16_t)f->ncpus);
		return sizeof(uint16_t);
	case FW_CFG_MAX_CPUS:
		le16_put(buf, (uint16_t)f->max_cpus);
		return sizeof(uint16_t);
	default:
		return 0;
	}
}

/* Each data byte read advances the offset; past the item's end it reads 0. */
static uint8_t fw_cfg_next_byte(struct fw_cfg *f)
{
	uint8_t buf[FW_CFG_ITEM_MAX];
	unsigned len = fw_cfg_item(f, f->key, buf);
	uint32_t off = f->offset;

	if (off != UINT32_MAX)
		f->offset++;
	return off < len ? buf[off] : 0;
}

static void fw_cfg_io(struct fw_cfg *f, uint16_t port, unsigned size, bool write, uint32_t *value)
{
	unsigned i;

	if (port == FW_CFG_PORT_SEL) {
		if (!write) {
			*value = 0;
		} else {
			f->key = (uint16_t)*value;
			f->offset = 0;
		}
		return;
	}
	/* Writes through the data port are deprecated and ignored, as in QEMU. */
	if (!write) {
		*value = 0;
		for (i = 0; i < size && i < sizeof(*value); i++)
			*value |= (uint32_t)fw_cfg_next_byte(f) << (i * BITS_PER_BYTE);
	}
}

static enum iobus_result fw_cfg_access(void *ctx, uint64_t addr, unsigned size, bool write,
				       uint32_t *value)
{
	struct fw_cfg *f = ctx;
	uint64_t flags = spin_lock_irqsave(&f->lock);

	fw_cfg_io(f, (uint16_t)addr, size, write, value);
	spin_unlock_irqrestore(&f->lock, flags);
	return IOBUS_DONE;
}

enum err fw_cfg_register(struct iobus *bus, struct fw_cfg *f, unsigned ncpus, uint64_t ram_size)
{
	memset(f, 0, sizeof(*f));
	f->ncpus = ncpus;
	f->max_cpus = ncpus;
	f->ram_size = ram_size;
	return iobus_add_ports(bus, FW_CFG_PORT_SEL, FW_CFG_PORTS, fw_cfg_access, f, "fw_cfg");
}
