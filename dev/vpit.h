/* SPDX-License-Identifier: MIT */
/*
 * The 8254 PIT (channels 0-2 at 0x40-0x42, control word at 0x43) and the
 * PC's port B (0x61: channel 2 gate, speaker enable, OUT2 and refresh
 * status), counting by the VM's clock, for the guests' calibration loops.
 * It raises no interrupt.
 */
#ifndef VIREO_DEV_VPIT_H
#define VIREO_DEV_VPIT_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/pit.h"
#include "arch/x86/spinlock.h"
#include "dev/iobus.h"

#define PIT_PORTS (PIT_PORT_CMD - PIT_PORT_CH0 + 1)
#define PIT_CHANNELS 3

struct vpit_channel {
	uint32_t reload;      /* 1..65536 (a written 0 means 65536) */
	uint64_t start_ticks; /* PIT ticks at the last reload write */
	uint8_t mode;
	uint8_t access;	 /* 1 = low byte, 2 = high byte, 3 = low then high */
	bool write_high; /* next lo/hi write is the high byte */
	bool read_high;	 /* next lo/hi read is the high byte */
	bool latched;
	uint16_t latch;
	uint8_t write_low;   /* low byte held until the high byte arrives */
	bool awaiting_count; /* mode 0 set, no count loaded yet: OUT low */
};

struct vpit {
	struct spinlock lock;	 /* guards everything below */
	const struct iobus *bus; /* its clock */
	uint64_t now_ns;	 /* the bus's clock at the current access */
	struct vpit_channel ch[PIT_CHANNELS];
	uint8_t port_b; /* 0x61 bits 0-1: gate 2, speaker enable */
};

/* Every channel in mode 3 with count 65536; ports on @bus. */
enum err vpit_register(struct iobus *bus, struct vpit *p);

#endif
