/* SPDX-License-Identifier: MIT */
/*
 * The two ports a guest ends its VM through: the exit-status port 0xF4
 * (QEMU isa-debug-exit for platform VMs: status = value * 2 + 1; the raw
 * byte for built-in guests) and the Bochs shutdown port 0x8900 (writing
 * the bytes of "Shutdown" exits with status 0). Reads are not claimed.
 */
#ifndef VIREO_DEV_DEBUG_EXIT_H
#define VIREO_DEV_DEBUG_EXIT_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/spinlock.h"
#include "dev/iobus.h"

#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_SHUTDOWN_PORT 0x8900

/* End the VM with @status: the VM's own action, called with no lock held. */
typedef void (*debug_exit_fn)(void *ctx, int status);

struct debug_exit {
	struct spinlock lock; /* guards shutdown_pos */
	bool isa_debug_exit;  /* encode the status as QEMU's isa-debug-exit does */
	unsigned shutdown_pos;
	debug_exit_fn exit;
	void *ctx;
};

enum err debug_exit_register(struct iobus *bus, struct debug_exit *d, bool isa_debug_exit,
			     debug_exit_fn exit, void *ctx);

#endif
