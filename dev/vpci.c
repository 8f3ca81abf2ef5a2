/* SPDX-License-Identifier: MIT */
/*
 * The PCI host bridge's configuration ports, with the bridge itself as the
 * only device behind them.
 */
#include "dev/vpci.h"
#include "lib/string.h"

#define BITS_PER_BYTE 8
#define PCI_ID_DEVICE_SHIFT 16

/* The dword at @reg of the device @address selects; all ones: none there. */
static uint32_t vpci_config_read(uint32_t address)
{
	unsigned bdf = (address >> PCI_ADDR_BDF_SHIFT) & PCI_ADDR_BDF_MASK;

	if (!(address & PCI_ADDR_ENABLE) || bdf != PCI_HOST_BDF)
		return UINT32_MAX;
	switch (address & PCI_ADDR_REG_MASK) {
	case PCI_REG_ID:
		return PCI_HOST_DEVICE << PCI_ID_DEVICE_SHIFT | PCI_HOST_VENDOR;
	case PCI_REG_CLASS_REV:
		return PCI_HOST_CLASS_REV;
	default:
		return 0; /* the rest of the header reads 0; writes are ignored */
	}
}

/* CONFIG_DATA: @size bytes at @addr (0xCFC-0xCFF) of the selected dword. */
static void vpci_data(struct vpci *p, uint64_t addr, unsigned size, bool write, uint32_t *value)
{
	unsigned shift = (unsigned)(addr - PCI_PORT_DATA) * BITS_PER_BYTE;
	uint64_t flags;
	uint32_t address;

	if (write)
		return;
	flags = spin_lock_irqsave(&p->lock);
	address = p->address;
	spin_unlock_irqrestore(&p->lock, flags);
	*value = (vpci_config_read(address) >> shift) & iobus_size_mask(size);
}

/*
 * Only dword accesses to 0xCF8 reach CONFIG_ADDRESS (PCI Local Bus 3.0
 * 3.2.2.3.2); narrower ones there are not ours.
 */
static enum iobus_result vpci_access(void *ctx, uint64_t addr, unsigned size, bool write,
				     uint32_t *value)
{
	struct vpci *p = ctx;
	uint64_t flags;

	if (addr >= PCI_PORT_DATA) {
		vpci_data(p, addr, size, write, value);
		return IOBUS_DONE;
	}
	if (addr != PCI_PORT_ADDRESS || size != sizeof(uint32_t))
		return IOBUS_UNCLAIMED;
	flags = spin_lock_irqsave(&p->lock);
	if (!write)
		*value = p->address;
	else
		p->address = *value;
	spin_unlock_irqrestore(&p->lock, flags);
	return IOBUS_DONE;
}

/*
 * CONFIG_ADDRESS is claimed by its first port only: a dword access there is
 * found by that port, and 0xCF9-0xCFB stay free for the reset control
 * register at 0xCF9 (dev/reset_ctl.c), which a PC decodes for byte
 * accesses beside the dword register.
 */
enum err vpci_register(struct iobus *bus, struct vpci *p)
{
	enum err e;

	memset(p, 0, sizeof(*p));
	e = iobus_add_ports(bus, PCI_PORT_ADDRESS, 1, vpci_access, p, "PCI config address");
	if (e == E_OK)
		e = iobus_add_ports(bus, PCI_PORT_DATA, PCI_PORT_DATA_LEN, vpci_access, p,
				    "PCI config data");
	return e;
}
