/* SPDX-License-Identifier: MIT */
/*
 * One I/O bus per VM: the port and guest-physical MMIO ranges its device
 * models claim, with one access callback and a context each, and the
 * interrupt lines (GSIs) between the devices and the interrupt controller
 * models that consume them (irq sinks: the I/O APIC and the 8259 pair).
 *
 * Lock order (each device model has its own lock; nothing takes one of
 * these while holding a later one):
 *   device lock (vuart, vpit, vrtc, ...) -> the VM's host console lock
 *   device lock -> irq sink lock (vpic or vioapic, never both at once)
 *   device lock -> vCPU lock (the vLAPIC: I/O APIC messages are delivered
 *   after the vioapic lock is dropped, with the raising device's held)
 * The bus itself takes no lock: devices are registered while the VM is
 * built, before any vCPU runs, and the tables are read-only afterwards.
 */
#ifndef VIREO_DEV_IOBUS_H
#define VIREO_DEV_IOBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/error.h"

#define IOBUS_MAX_PORT_RANGES 24
#define IOBUS_MAX_MMIO_RANGES 4
#define IOBUS_MAX_IRQ_SINKS 2
#define IOBUS_PORT_LIMIT 0x10000u
#define IOBUS_BITS_PER_BYTE 8u
/* Ports below this (the ISA and legacy PC range) are found through a
 * direct index; the rest by binary search. */
#define IOBUS_INDEXED_PORTS 0x1000u

/* What a device made of one access. */
enum iobus_result {
	IOBUS_DONE,	 /* handled; a read stored its value */
	IOBUS_UNCLAIMED, /* not this device's after all: the bus treats it as unclaimed */
	IOBUS_STOP,	 /* handled, and the VM is ending: the vCPU must stop */
};

/*
 * One access at @addr (the port, or the guest-physical address) of @size
 * bytes (1, 2 or 4). A read stores its result in *@value; a write reads the
 * low @size bytes of *@value. Called without any lock held.
 */
typedef enum iobus_result (*iobus_access_fn)(void *ctx, uint64_t addr, unsigned size, bool write,
					     uint32_t *value);

/* The VM's monotonic clock in nanoseconds, for the timer models. */
typedef uint64_t (*iobus_clock_fn)(void *ctx);

/* An interrupt controller input: line @gsi is now at @level (true = asserted). */
typedef void (*iobus_irq_fn)(void *ctx, unsigned gsi, bool level);
/* A local APIC EOI for @vector, for the controllers with level-triggered state. */
typedef void (*iobus_eoi_fn)(void *ctx, uint8_t vector);

struct iobus_range {
	uint64_t base;
	uint64_t len;
	iobus_access_fn access;
	void *ctx;
	const char *name;
};

struct iobus_irq_sink {
	iobus_irq_fn set_irq;
	iobus_eoi_fn eoi; /* may be NULL */
	void *ctx;
};

/* Ranges are kept sorted by base so that a lookup is a binary search;
 * port_index[p] is 1 + the index in ports[] of the range holding port p
 * (0: unclaimed), rebuilt at each registration. */
struct iobus {
	struct iobus_range ports[IOBUS_MAX_PORT_RANGES];
	unsigned nports;
	uint8_t port_index[IOBUS_INDEXED_PORTS];
	struct iobus_range mmio[IOBUS_MAX_MMIO_RANGES];
	unsigned nmmio;
	struct iobus_irq_sink sinks[IOBUS_MAX_IRQ_SINKS];
	unsigned nsinks;
	iobus_clock_fn clock_ns;
	void *clock_ctx;
};

/* An empty bus (every port unclaimed, no MMIO range, no irq sink) whose
 * devices read the time from @clock_ns(@ctx). */
void iobus_init(struct iobus *bus, iobus_clock_fn clock_ns, void *clock_ctx);

/* Now, by the VM's clock (ns). */
static inline uint64_t iobus_now_ns(const struct iobus *bus)
{
	return bus->clock_ns(bus->clock_ctx);
}

#define IOBUS_NS_PER_SEC 1000000000ull

/* Ticks of a @hz clock after @ns nanoseconds, without 64-bit overflow. */
static inline uint64_t iobus_ns_to_ticks(uint64_t ns, uint32_t hz)
{
	return ns / IOBUS_NS_PER_SEC * hz + ns % IOBUS_NS_PER_SEC * hz / IOBUS_NS_PER_SEC;
}

/*
 * Claim ports [@base, @base + @len) or guest-physical [@base, @base + @len)
 * for the device @name. E_OVERLAP (both devices and ranges are reported)
 * if part of it is already claimed, E_RANGE for an empty or out-of-range
 * span, E_NOMEM when the bus is full.
 */
enum err iobus_add_ports(struct iobus *bus, uint16_t base, unsigned len, iobus_access_fn access,
			 void *ctx, const char *name);
enum err iobus_add_mmio(struct iobus *bus, uint64_t base, uint64_t len, iobus_access_fn access,
			void *ctx, const char *name);
/* Add an interrupt controller: every iobus_set_irq() and iobus_eoi() reaches it. */
enum err iobus_add_irq_sink(struct iobus *bus, iobus_irq_fn set_irq, iobus_eoi_fn eoi, void *ctx);

/* The range holding @addr, or NULL. */
const struct iobus_range *iobus_find_mmio(const struct iobus *bus, uint64_t gpa);
/* Binary search, for the ports above the index. */
const struct iobus_range *iobus_find_port_sorted(const struct iobus *bus, uint16_t port);

static inline const struct iobus_range *iobus_find_port(const struct iobus *bus, uint16_t port)
{
	unsigned slot;

	if (port >= IOBUS_INDEXED_PORTS)
		return iobus_find_port_sorted(bus, port);
	slot = bus->port_index[port];
	return slot ? &bus->ports[slot - 1] : NULL;
}

/* All ones in the low @size bytes (1, 2 or 4). */
static inline uint32_t iobus_size_mask(unsigned size)
{
	return size >= sizeof(uint32_t) ? 0xFFFFFFFFu : (1u << (size * IOBUS_BITS_PER_BYTE)) - 1;
}

/*
 * A port access: the device's result, or IOBUS_UNCLAIMED when no device
 * took it (a read then stores all ones, a write is dropped). Reads are
 * masked to @size bytes. Inline: this is every port-I/O exit's path.
 */
static inline enum iobus_result iobus_port_io(const struct iobus *bus, uint16_t port, unsigned size,
					      bool write, uint32_t *value)
{
	const struct iobus_range *r = iobus_find_port(bus, port);
	enum iobus_result res = IOBUS_UNCLAIMED;

	if (r)
		res = r->access(r->ctx, port, size, write, value);
	if (write)
		return res;
	if (res == IOBUS_UNCLAIMED)
		*value = iobus_size_mask(size);
	else
		*value &= iobus_size_mask(size);
	return res;
}
/* An access to @gpa in range @r (from iobus_find_mmio()). */
enum iobus_result iobus_mmio_io(const struct iobus_range *r, uint64_t gpa, unsigned size,
				bool write, uint32_t *value);

/* Drive interrupt line @gsi to @level at every irq sink. */
void iobus_set_irq(const struct iobus *bus, unsigned gsi, bool level);
/* Broadcast a local APIC EOI for @vector to the irq sinks. */
void iobus_eoi(const struct iobus *bus, uint8_t vector);

#endif
