/* SPDX-License-Identifier: MIT */
/*
 * The Reset Control Register (port 0xCF9): holds its three bits and turns
 * a write that sets RST_CPU into the VM's reset callback.
 */
#include "dev/reset_ctl.h"
#include "lib/string.h"

#define RESET_CTL_HOW "port 0xCF9"

/*
 * RST_CPU resets on its 0 -> 1 transition (ICH9 13.7.5); the write that
 * sets it ends the VM, so the bit is never seen set and every write with it
 * set is such a transition. Only byte accesses reach the register: the
 * dword at 0xCF8 is PCI's CONFIG_ADDRESS (dev/vpci.c), and a wider access
 * starting here is nobody's (PCI Local Bus 3.0 3.2.2.3.2).
 */
static enum iobus_result reset_ctl_access(void *ctx, uint64_t addr, unsigned size, bool write,
					  uint32_t *value)
{
	struct reset_ctl *r = ctx;
	uint64_t flags;
	bool reset;

	if (size != 1)
		return IOBUS_UNCLAIMED;
	flags = spin_lock_irqsave(&r->lock);
	if (!write)
		*value = r->value;
	else
		r->value = (uint8_t)(*value & RESET_CTL_BITS);
	reset = write && (*value & RESET_CTL_RST_CPU);
	spin_unlock_irqrestore(&r->lock, flags);
	if (!reset || !r->reset)
		return IOBUS_DONE;
	r->reset(r->ctx, RESET_CTL_HOW);
	return IOBUS_STOP;
}

enum err reset_ctl_register(struct iobus *bus, struct reset_ctl *r, reset_ctl_fn reset, void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->reset = reset;
	r->ctx = ctx;
	return iobus_add_ports(bus, RESET_CTL_PORT, 1, reset_ctl_access, r, "reset control");
}
