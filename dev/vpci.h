/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration mechanism #1 (PCI Local Bus 3.0 3.2.2.3.2) in front of
 * a bus with one device, the host bridge at 00:00.0 (a read-only type 0
 * header: vendor, device, class "host bridge"), as on every PC; operating
 * systems look for it before they trust mechanism #1. CONFIG_ADDRESS at
 * 0xCF8 holds what is written; CONFIG_DATA reads of any other address are a
 * master abort (all ones).
 */
#ifndef VIREO_DEV_VPCI_H
#define VIREO_DEV_VPCI_H

#include <stdint.h>
#include "arch/x86/spinlock.h"
#include "dev/iobus.h"

#define PCI_PORT_ADDRESS 0xCF8
#define PCI_PORT_DATA 0xCFC
#define PCI_PORT_DATA_LEN 4

/* CONFIG_ADDRESS fields (PCI Local Bus 3.0 Figure 3-2). */
#define PCI_ADDR_ENABLE (1u << 31)
#define PCI_ADDR_BDF_SHIFT 8 /* bus 23:16, device 15:11, function 10:8 */
#define PCI_ADDR_BDF_MASK 0xFFFFu
#define PCI_ADDR_REG_MASK 0xFCu

/* The host bridge's header (PCI Local Bus 3.0 6.1): an Intel 440FX host
 * bridge's IDs, the chipset of the PC most emulators model. */
#define PCI_HOST_BDF 0u
#define PCI_HOST_VENDOR 0x8086u
#define PCI_HOST_DEVICE 0x1237u
#define PCI_HOST_CLASS_REV 0x06000002u /* class 06h subclass 00h: host bridge; rev 2 */
#define PCI_REG_ID 0x00u
#define PCI_REG_CLASS_REV 0x08u

struct vpci {
	struct spinlock lock; /* guards address */
	uint32_t address;     /* CONFIG_ADDRESS */
};

enum err vpci_register(struct iobus *bus, struct vpci *p);

#endif
