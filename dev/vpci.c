/* SPDX-License-Identifier: MIT */
/*
 * The PCI host bridge's configuration ports with no device behind them.
 */
#include "dev/vpci.h"
#include "lib/string.h"

/*
 * Only dword accesses to 0xCF8 reach CONFIG_ADDRESS (PCI Local Bus 3.0
 * 3.2.2.3.2); narrower ones there are not ours.
 * With no device behind any address, data reads are all ones (master abort).
 */
static enum iobus_result vpci_access(void *ctx, uint64_t addr, unsigned size, bool write,
				     uint32_t *value)
{
	struct vpci *p = ctx;
	uint64_t flags;

	if (addr >= PCI_PORT_DATA) {
		if (!write)
			*value = iobus_size_mask(size);
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
