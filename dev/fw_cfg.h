/* SPDX-License-Identifier: MIT */
/*
 * QEMU's fw_cfg device as a guest sees it through the x86 I/O ports (the
 * selector and the byte-wide data port), answering the keys below.
 */
#ifndef VIREO_DEV_FW_CFG_H
#define VIREO_DEV_FW_CFG_H

#include <stdint.h>
#include "arch/x86/spinlock.h"
#include "dev/iobus.h"

/* QEMU docs/specs/fw_cfg.rst: the x86 I/O port interface and the keys we answer */
#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_PORTS 2
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_ID 0x0001
#define FW_CFG_RAM_SIZE 0x0003
#define FW_CFG_NB_CPUS 0x0005
#define FW_CFG_MAX_CPUS 0x000f
#define FW_CFG_ID_TRADITIONAL (1u << 0) /* bit 1 (DMA) stays clear */

struct fw_cfg {
	struct spinlock lock; /* guards key and offset */
	unsigned ncpus;
	unsigned max_cpus;
	uint64_t ram_size;
	uint16_t key;
	uint32_t offset;
};

/* Reset state for a VM of @ncpus vCPUs and @ram_size bytes, on @bus. */
enum err fw_cfg_register(struct iobus *bus, struct fw_cfg *f, unsigned ncpus, uint64_t ram_size);

#endif
