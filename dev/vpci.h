/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration mechanism #1 (PCI Local Bus 3.0 3.2.2.3.2) in front of
 * an empty bus: CONFIG_ADDRESS at 0xCF8 holds what is written, every
 * CONFIG_DATA read is a master abort (all ones).
 */
#ifndef VIREO_DEV_VPCI_H
#define VIREO_DEV_VPCI_H

#include <stdint.h>
#include "arch/x86/spinlock.h"
#include "dev/iobus.h"

#define PCI_PORT_ADDRESS 0xCF8
#define PCI_PORT_DATA 0xCFC
#define PCI_PORT_DATA_LEN 4

struct vpci {
	struct spinlock lock; /* guards address */
	uint32_t address;     /* CONFIG_ADDRESS */
};

enum err vpci_register(struct iobus *bus, struct vpci *p);

#endif
