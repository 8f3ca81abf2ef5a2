/* SPDX-License-Identifier: MIT */
/*
 * The exit-status and shutdown ports: each turns a guest write into one
 * call of the VM's exit callback, and the access into IOBUS_STOP.
 */
#include "dev/debug_exit.h"
#include "lib/string.h"

#define SHUTDOWN_WORD "Shutdown"
#define EXIT_STATUS_MASK 0xffu

static enum iobus_result debug_exit_access(void *ctx, uint64_t addr, unsigned size, bool write,
					   uint32_t *value)
{
	struct debug_exit *d = ctx;
	uint32_t v = *value & EXIT_STATUS_MASK;

	if (!write)
		return IOBUS_UNCLAIMED;
	d->exit(d->ctx, d->isa_debug_exit ? (int)(v << 1 | 1) : (int)v);
	return IOBUS_STOP;
}

/* The word must arrive in one run; a wrong byte restarts the match, and a
 * completed word starts the next match from the beginning (more bytes
 * after it are a new sequence, never read past the word's end). */
static enum iobus_result shutdown_access(void *ctx, uint64_t addr, unsigned size, bool write,
					 uint32_t *value)
{
	static const char word[] = SHUTDOWN_WORD;
	struct debug_exit *d = ctx;
	char c = (char)*value;
	uint64_t flags;
	bool done;

	if (!write)
		return IOBUS_UNCLAIMED;
	flags = spin_lock_irqsave(&d->lock);
	if (c != word[d->shutdown_pos])
		d->shutdown_pos = c == word[0];
	else
		d->shutdown_pos++;
	done = d->shutdown_pos == sizeof(word) - 1;
	if (done)
		d->shutdown_pos = 0;
	spin_unlock_irqrestore(&d->lock, flags);
	if (!done)
		return IOBUS_DONE;
	d->exit(d->ctx, 0);
	return IOBUS_STOP;
}

enum err debug_exit_register(struct iobus *bus, struct debug_exit *d, bool isa_debug_exit,
			     debug_exit_fn exit, void *ctx)
{
	enum err e;

	memset(d, 0, sizeof(*d));
	d->isa_debug_exit = isa_debug_exit;
	d->exit = exit;
	d->ctx = ctx;
	e = iobus_add_ports(bus, DEBUG_EXIT_PORT, 1, debug_exit_access, d, "debug exit");
	if (e == E_OK)
		e = iobus_add_ports(bus, DEBUG_SHUTDOWN_PORT, 1, shutdown_access, d, "shutdown");
	return e;
}
