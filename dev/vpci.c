/* SPDX-License-Identifier: MIT */
/*
 * The PCI host bridge's configuration ports with no device behind them.
 */
#include "dev/vpci.h"
#include "lib/string.h"

/*
 * Only dword accesses to 0xCF8 reach CONFIG_ADDRESS (PCI Local Bus 3.0
 * 3.2.2.3.2); narrower ones (e.g. the 0xCF9 reset register) are not ours.
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

enum err vpci_register(struct iobus *bus, struct vpci *p)
{
	memset(p, 0, sizeof(*p));
	return iobus_add_ports(bus, PCI_PORT_ADDRESS, PCI_PORTS, vpci_access, p, "PCI config");
}
