/* SPDX-License-Identifier: MIT */
/*
 * The per-VM I/O bus: sorted port and MMIO range tables with binary-search
 * lookup, refusal of overlapping claims, unclaimed-port semantics, and the
 * fan-out of interrupt lines and EOIs to the interrupt controller models.
 */
#include "dev/iobus.h"
#include "lib/printk.h"
#include "lib/string.h"

void iobus_init(struct iobus *bus, iobus_clock_fn clock_ns, void *clock_ctx)
{
	memset(bus, 0, sizeof(*bus));
	bus->clock_ns = clock_ns;
	bus->clock_ctx = clock_ctx;
}

/* Index of the first range whose base is above @addr (0..n). */
static unsigned upper_bound(const struct iobus_range *r, unsigned n, uint64_t addr)
{
	unsigned lo = 0, hi = n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (r[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct iobus_range *find(const struct iobus_range *r, unsigned n, uint64_t addr)
{
	unsigned i = upper_bound(r, n, addr);

	if (i == 0 || addr - r[i - 1].base >= r[i - 1].len)
		return NULL;
	return &r[i - 1];
}

static void report_overlap(const char *space, const struct iobus_range *old,
			   const struct iobus_range *new)
{
	pr_err("iobus: %s %s 0x%llx-0x%llx overlaps %s 0x%llx-0x%llx: not registered\n", new->name,
	       space, (unsigned long long)new->base, (unsigned long long)(new->base + new->len - 1),
	       old->name, (unsigned long long)old->base,
	       (unsigned long long)(old->base + old->len - 1));
}

/* Insert @new into the sorted table unless it overlaps a neighbour. */
static enum err insert(struct iobus_range *r, unsigned *n, unsigned max, const char *space,
		       const struct iobus_range *new)
{
	unsigned i = upper_bound(r, *n, new->base);

	if (i > 0 && new->base - r[i - 1].base < r[i - 1].len) {
		report_overlap(space, &r[i - 1], new);
		return E_OVERLAP;
	}
	if (i < *n && r[i].base - new->base < new->len) {
		report_overlap(space, &r[i], new);
		return E_OVERLAP;
	}
	if (*n == max)
		return E_NOMEM;
	memmove(&r[i + 1], &r[i], (*n - i) * sizeof(*r));
	r[i] = *new;
	(*n)++;
	return E_OK;
}

static void rebuild_port_index(struct iobus *bus)
{
	unsigned i;
	uint64_t p;

	memset(bus->port_index, 0, sizeof(bus->port_index));
	for (i = 0; i < bus->nports; i++) {
		const struct iobus_range *r = &bus->ports[i];

		for (p = r->base; p < r->base + r->len && p < IOBUS_INDEXED_PORTS; p++)
			bus->port_index[p] = (uint8_t)(i + 1);
	}
}

enum err iobus_add_ports(struct iobus *bus, uint16_t base, unsigned len, iobus_access_fn access,
			 void *ctx, const char *name)
{
	struct iobus_range new = {
	    .base = base, .len = len, .access = access, .ctx = ctx, .name = name};
	enum err e;

	if (!len || len > IOBUS_PORT_LIMIT - base || !access)
		return E_RANGE;
	e = insert(bus->ports, &bus->nports, IOBUS_MAX_PORT_RANGES, "ports", &new);
	if (e == E_OK)
		rebuild_port_index(bus);
	return e;
}

enum err iobus_add_mmio(struct iobus *bus, uint64_t base, uint64_t len, iobus_access_fn access,
			void *ctx, const char *name)
{
	struct iobus_range new = {
	    .base = base, .len = len, .access = access, .ctx = ctx, .name = name};

	if (!len || base + len < base || !access)
		return E_RANGE;
	return insert(bus->mmio, &bus->nmmio, IOBUS_MAX_MMIO_RANGES, "MMIO", &new);
}

enum err iobus_add_irq_sink(struct iobus *bus, iobus_irq_fn set_irq, iobus_eoi_fn eoi, void *ctx)
{
	if (!set_irq)
		return E_INVAL;
	if (bus->nsinks == IOBUS_MAX_IRQ_SINKS)
		return E_NOMEM;
	bus->sinks[bus->nsinks++] = (struct iobus_irq_sink){set_irq, eoi, ctx};
	return E_OK;
}

const struct iobus_range *iobus_find_port_sorted(const struct iobus *bus, uint16_t port)
{
	return find(bus->ports, bus->nports, port);
}

const struct iobus_range *iobus_find_mmio(const struct iobus *bus, uint64_t gpa)
{
	return find(bus->mmio, bus->nmmio, gpa);
}

enum iobus_result iobus_mmio_io(const struct iobus_range *r, uint64_t gpa, unsigned size,
				bool write, uint32_t *value)
{
	return r->access(r->ctx, gpa, size, write, value);
}

void iobus_set_irq(const struct iobus *bus, unsigned gsi, bool level)
{
	unsigned i;

	for (i = 0; i < bus->nsinks; i++)
		bus->sinks[i].set_irq(bus->sinks[i].ctx, gsi, level);
}

void iobus_eoi(const struct iobus *bus, uint8_t vector)
{
	unsigned i;

	for (i = 0; i < bus->nsinks; i++) {
		if (bus->sinks[i].eoi)
			bus->sinks[i].eoi(bus->sinks[i].ctx, vector);
	}
}
