/* SPDX-License-Identifier: MIT */
/*
 * The 8042 keyboard controller's reset path: status reads "idle", the
 * pulse-output-port commands that drop the reset line end the VM. It has no
 * state, so no lock.
 */
#include "dev/i8042.h"
#include "lib/string.h"

#define I8042_HOW "keyboard controller"
#define I8042_DATA_EMPTY 0x00u

static bool i8042_pulses_reset(uint8_t cmd)
{
	return cmd >= I8042_CMD_PULSE_BASE && !(cmd & I8042_PULSE_RESET_LINE);
}

static enum iobus_result i8042_access(void *ctx, uint64_t addr, unsigned size, bool write,
				      uint32_t *value)
{
	struct i8042 *k = ctx;

	if (!write) {
		*value = addr == I8042_PORT_CMD ? I8042_STATUS_IDLE : I8042_DATA_EMPTY;
		return IOBUS_DONE;
	}
	if (addr != I8042_PORT_CMD || !i8042_pulses_reset((uint8_t)*value) || !k->reset)
		return IOBUS_DONE;
	k->reset(k->ctx, I8042_HOW);
	return IOBUS_STOP;
}

enum err i8042_register(struct iobus *bus, struct i8042 *k, i8042_reset_fn reset, void *ctx)
{
	enum err e;

	memset(k, 0, sizeof(*k));
	k->reset = reset;
	k->ctx = ctx;
	e = iobus_add_ports(bus, I8042_PORT_DATA, 1, i8042_access, k, "8042 data");
	if (e == E_OK)
		e = iobus_add_ports(bus, I8042_PORT_CMD, 1, i8042_access, k, "8042 command");
	return e;
}
