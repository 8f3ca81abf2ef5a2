/* SPDX-License-Identifier: MIT */
/*
 * A minimal 8042 keyboard controller at ports 0x60/0x64: enough for the
 * PC's oldest reset path (the "pulse output port" command 0xFE that Linux's
 * reboot falls back to), no keyboard and no mouse behind it. The FADT does
 * not claim an 8042 (loader/acpi_gen.c), so an OS does not probe it.
 */
#ifndef VIREO_DEV_I8042_H
#define VIREO_DEV_I8042_H

#include <stdint.h>
#include "dev/iobus.h"

#define I8042_PORT_DATA 0x60
#define I8042_PORT_CMD 0x64 /* read: status; write: command */

/* Status register (IBM PC/AT Technical Reference, 8042 status byte). */
#define I8042_STATUS_OBF (1u << 0)	/* output buffer full: never here */
#define I8042_STATUS_IBF (1u << 1)	/* input buffer full: never here */
#define I8042_STATUS_SYS (1u << 2)	/* system flag: self-test passed (after POST) */
#define I8042_STATUS_UNLOCKED (1u << 4) /* keyboard not inhibited */
#define I8042_STATUS_IDLE (I8042_STATUS_SYS | I8042_STATUS_UNLOCKED)

/* Commands 0xF0-0xFF pulse the output-port lines whose bit (3:0) is 0;
 * bit 0 of the output port is the CPU reset line. */
#define I8042_CMD_PULSE_BASE 0xF0u
#define I8042_PULSE_RESET_LINE (1u << 0)
#define I8042_CMD_RESET 0xFEu /* pulse the reset line only */

/* The guest reset the machine through @how. Called with no lock held. */
typedef void (*i8042_reset_fn)(void *ctx, const char *how);

struct i8042 {
	i8042_reset_fn reset;
	void *ctx;
};

/*
 * Claim ports 0x60 and 0x64. The status register always reads
 * I8042_STATUS_IDLE (both buffers empty), the data port 0; a pulse command
 * with the reset line's bit clear calls @reset(@ctx, "keyboard controller")
 * and ends the access with IOBUS_STOP; every other write is ignored.
 */
enum err i8042_register(struct iobus *bus, struct i8042 *k, i8042_reset_fn reset, void *ctx);

#endif
