/* SPDX-License-Identifier: MIT */
/*
 * Host tests for dev/iobus.c: registration in any order, overlapping
 * claims refused with E_OVERLAP and a report naming both devices, dispatch
 * to the owning device, unclaimed ports, MMIO ranges, and interrupt lines
 * and EOIs reaching the real vI/O APIC and vPIC sinks, and a vUART's line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dev/iobus.h"
#include "dev/vioapic.h"
#include "dev/vpic.h"
#include "dev/vuart.h"
#include "tests/unit/fake_printk.h"

#define MMIO_BASE 0xFED00000ull
#define PAGE 0x1000u
#define MAX_MSGS 8

static struct iobus bus;

/* A device that records its last access and answers with its tag. */
struct probe {
	uint32_t tag;
	uint64_t addr;
	unsigned size;
	bool write;
	uint32_t written;
	unsigned calls;
	enum iobus_result result;
};

static struct probe a, b, c;

static enum iobus_result probe_access(void *ctx, uint64_t addr, unsigned size, bool write,
				      uint32_t *value)
{
	struct probe *p = ctx;

	p->addr = addr;
	p->size = size;
	p->write = write;
	p->calls++;
	if (write)
		p->written = *value;
	else
		*value = p->tag;
	return p->result;
}

static uint64_t no_clock(void *ctx)
{
	return 0;
}

static int setup(void **state)
{
	iobus_init(&bus, no_clock, NULL);
	a = (struct probe){.tag = 0xAAAAAAAAu};
	b = (struct probe){.tag = 0xBBBBBBBBu};
	c = (struct probe){.tag = 0xCCCCCCCCu};
	fake_printk_clear();
	return 0;
}

static uint32_t port_read(uint16_t port, unsigned size, enum iobus_result want)
{
	uint32_t v = 0x12345678u;

	assert_int_equal(iobus_port_io(&bus, port, size, false, &v), want);
	return v;
}

static void test_dispatch_to_owner(void **state)
{
	uint32_t v = 0x5A;

	/* Registered out of order: the table is kept sorted. */
	assert_int_equal(iobus_add_ports(&bus, 0x70, 2, probe_access, &b, "b"), E_OK);
	assert_int_equal(iobus_add_ports(&bus, 0x3F8, 8, probe_access, &c, "c"), E_OK);
	assert_int_equal(iobus_add_ports(&bus, 0x20, 2, probe_access, &a, "a"), E_OK);
	assert_int_equal(port_read(0x21, 1, IOBUS_DONE), 0xAA);
	assert_int_equal(a.addr, 0x21);
	assert_int_equal(port_read(0x71, 2, IOBUS_DONE), 0xBBBB);
	assert_int_equal(port_read(0x3F8, 4, IOBUS_DONE), 0xCCCCCCCCu);
	assert_int_equal(port_read(0x3FF, 1, IOBUS_DONE), 0xCC);
	assert_int_equal(iobus_port_io(&bus, 0x3FD, 1, true, &v), IOBUS_DONE);
	assert_true(c.write);
	assert_int_equal(c.written, 0x5A);
	assert_int_equal(c.addr, 0x3FD);
	assert_int_equal(a.calls + b.calls + c.calls, 5);
}

static void test_unclaimed_ports(void **state)
{
	uint32_t v = 0x77;

	assert_int_equal(port_read(0x80, 1, IOBUS_UNCLAIMED), 0xFF);
	assert_int_equal(iobus_add_ports(&bus, 0x20, 2, probe_access, &a, "a"), E_OK);
	assert_int_equal(port_read(0x1F, 2, IOBUS_UNCLAIMED), 0xFFFF);
	assert_int_equal(port_read(0x22, 4, IOBUS_UNCLAIMED), 0xFFFFFFFFu);
	assert_int_equal(port_read(0xFFFF, 1, IOBUS_UNCLAIMED), 0xFF);
	assert_int_equal(iobus_port_io(&bus, 0x22, 1, true, &v), IOBUS_UNCLAIMED);
	assert_int_equal(v, 0x77);
	assert_int_equal(a.calls, 0);
	/* A device may decline an access: the bus then treats it as unclaimed. */
	a.result = IOBUS_UNCLAIMED;
	assert_int_equal(port_read(0x20, 1, IOBUS_UNCLAIMED), 0xFF);
	assert_int_equal(a.calls, 1);
}

static void test_overlap_refused(void **state)
{
	assert_int_equal(iobus_add_ports(&bus, 0x60, 8, probe_access, &a, "keyboard"), E_OK);
	assert_int_equal(iobus_add_ports(&bus, 0x64, 1, probe_access, &b, "status"), E_OVERLAP);
	assert_true(fake_printk_contains("status ports 0x64-0x64 overlaps keyboard 0x60-0x67"));
	assert_int_equal(iobus_add_ports(&bus, 0x5C, 5, probe_access, &b, "low"), E_OVERLAP);
	assert_true(fake_printk_contains("low ports 0x5c-0x60 overlaps keyboard"));
	assert_int_equal(iobus_add_ports(&bus, 0x50, 0x20, probe_access, &b, "wide"), E_OVERLAP);
	assert_int_equal(iobus_add_ports(&bus, 0x5C, 4, probe_access, &b, "below"), E_OK);
	assert_int_equal(iobus_add_ports(&bus, 0x68, 1, probe_access, &c, "above"), E_OK);
	assert_int_equal(bus.nports, 3);
	assert_ptr_equal(iobus_find_port(&bus, 0x67)->ctx, &a);
	assert_ptr_equal(iobus_find_port(&bus, 0x5F)->ctx, &b);
	assert_string_equal(err_name(E_OVERLAP), "E_OVERLAP");
}

static void test_bad_ranges_and_full_bus(void **state)
{
	unsigned i;

	assert_int_equal(iobus_add_ports(&bus, 0x10, 0, probe_access, &a, "empty"), E_RANGE);
	assert_int_equal(iobus_add_ports(&bus, 0xFFFF, 2, probe_access, &a, "past"), E_RANGE);
	assert_int_equal(iobus_add_mmio(&bus, ~0ull - 1, 4, probe_access, &a, "wraps"), E_RANGE);
	assert_int_equal(iobus_add_ports(&bus, 0xFFFF, 1, probe_access, &a, "last"), E_OK);
	for (i = 1; i < IOBUS_MAX_PORT_RANGES; i++)
		assert_int_equal(iobus_add_ports(&bus, (uint16_t)(i * 4), 4, probe_access, &b, "n"),
				 E_OK);
	assert_int_equal(iobus_add_ports(&bus, 0x1000, 4, probe_access, &c, "one more"), E_NOMEM);
}

static void test_mmio_ranges(void **state)
{
	const struct iobus_range *r;
	uint32_t v = 0xFEEDu;

	assert_int_equal(iobus_add_mmio(&bus, MMIO_BASE + PAGE, PAGE, probe_access, &b, "b"), E_OK);
	assert_int_equal(iobus_add_mmio(&bus, MMIO_BASE, PAGE, probe_access, &a, "a"), E_OK);
	assert_int_equal(iobus_add_mmio(&bus, MMIO_BASE + 0x800, PAGE, probe_access, &c, "c"),
			 E_OVERLAP);
	assert_true(fake_printk_contains("c MMIO 0xfed00800-0xfed017ff overlaps a"));
	assert_null(iobus_find_mmio(&bus, MMIO_BASE - 1));
	assert_null(iobus_find_mmio(&bus, MMIO_BASE + 2 * PAGE));
	r = iobus_find_mmio(&bus, MMIO_BASE + PAGE + 0x10);
	assert_non_null(r);
	assert_string_equal(r->name, "b");
	assert_int_equal(iobus_mmio_io(r, MMIO_BASE + PAGE + 0x10, 4, true, &v), IOBUS_DONE);
	assert_int_equal(b.addr, MMIO_BASE + PAGE + 0x10);
	assert_int_equal(b.written, 0xFEEDu);
	/* Port and MMIO spaces are separate. */
	assert_int_equal(iobus_add_ports(&bus, 0, 0x100, probe_access, &c, "ports"), E_OK);
	assert_ptr_equal(iobus_find_mmio(&bus, MMIO_BASE)->ctx, &a);
}

/* ---- interrupt lines ---------------------------------------------------- */

static struct vioapic ioapic;
static struct vpic pic;
static struct vioapic_msg msgs[MAX_MSGS];
static unsigned nmsgs;

static void record_msg(void *ctx, const struct vioapic_msg *m)
{
	assert_ptr_equal(ctx, &bus);
	assert_true(nmsgs < MAX_MSGS);
	msgs[nmsgs++] = *m;
}

static int setup_irq(void **state)
{
	setup(state);
	nmsgs = 0;
	assert_int_equal(vioapic_register(&bus, &ioapic, 2, record_msg, &bus), E_OK);
	assert_int_equal(vpic_register(&bus, &pic), E_OK);
	return 0;
}

static void ioapic_write(uint32_t reg, uint32_t val)
{
	const struct iobus_range *r = iobus_find_mmio(&bus, VIOAPIC_BASE);

	assert_non_null(r);
	assert_int_equal(iobus_mmio_io(r, VIOAPIC_BASE + VIOAPIC_MMIO_REGSEL, 4, true, &reg),
			 IOBUS_DONE);
	assert_int_equal(iobus_mmio_io(r, VIOAPIC_BASE + VIOAPIC_MMIO_WIN, 4, true, &val),
			 IOBUS_DONE);
}

static void test_irq_reaches_ioapic_and_pic(void **state)
{
	ioapic_write(VIOAPIC_REG_REDIR_HI(4), 1u << 24);
	ioapic_write(VIOAPIC_REG_REDIR_LO(4), 0x41);
	iobus_set_irq(&bus, 4, true);
	assert_int_equal(nmsgs, 1);
	assert_int_equal(msgs[0].vector, 0x41);
	assert_int_equal(msgs[0].dest, 1);
	assert_int_equal(pic.lines, 1u << 4);
	iobus_set_irq(&bus, 4, false);
	assert_int_equal(pic.lines, 0);
	assert_int_equal(nmsgs, 1);
	assert_int_equal(ioapic.lock.next, ioapic.lock.owner);
	assert_int_equal(pic.lock.next, pic.lock.owner);
}

/* A level-triggered pin still asserted at EOI fires again. */
static void test_eoi_broadcast(void **state)
{
	ioapic_write(VIOAPIC_REG_REDIR_LO(9), (uint32_t)VIOAPIC_RTE_LEVEL | 0x59);
	iobus_set_irq(&bus, 9, true);
	assert_int_equal(nmsgs, 1);
	iobus_set_irq(&bus, 9, true);
	assert_int_equal(nmsgs, 1); /* Remote IRR holds it */
	iobus_eoi(&bus, 0x58);
	assert_int_equal(nmsgs, 1);
	iobus_eoi(&bus, 0x59);
	assert_int_equal(nmsgs, 2);
	assert_true(msgs[1].level);
	iobus_set_irq(&bus, 9, false);
	iobus_eoi(&bus, 0x59);
	assert_int_equal(nmsgs, 2);
}

/* A vUART on the bus drives its line: up when THRE is enabled, down when read. */
static void test_uart_line(void **state)
{
	struct vuart u;
	uint32_t v = UART_IER_THRE;

	vuart_init(&u, NULL, NULL);
	assert_int_equal(vuart_register(&bus, &u, 0x2F8, 3), E_OK);
	ioapic_write(VIOAPIC_REG_REDIR_LO(3), 0x33);
	assert_int_equal(iobus_port_io(&bus, 0x2F8 + UART_IER, 1, true, &v), IOBUS_DONE);
	assert_int_equal(nmsgs, 1);
	assert_int_equal(msgs[0].vector, 0x33);
	assert_int_equal(pic.lines, 1u << 3);
	assert_int_equal(port_read(0x2F8 + UART_IIR, 1, IOBUS_DONE) & 0x0F, UART_IIR_THRE);
	assert_int_equal(pic.lines, 0);
	assert_true(vuart_input(&u, 'x'));
	assert_int_equal(u.lock.next, u.lock.owner);
	v = UART_IER_RDA;
	assert_int_equal(iobus_port_io(&bus, 0x2F8 + UART_IER, 1, true, &v), IOBUS_DONE);
	assert_int_equal(pic.lines, 1u << 3);
	assert_int_equal(port_read(0x2F8 + UART_RBR, 1, IOBUS_DONE), 'x');
	assert_int_equal(pic.lines, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_dispatch_to_owner, setup),
	    cmocka_unit_test_setup(test_unclaimed_ports, setup),
	    cmocka_unit_test_setup(test_overlap_refused, setup),
	    cmocka_unit_test_setup(test_bad_ranges_and_full_bus, setup),
	    cmocka_unit_test_setup(test_mmio_ranges, setup),
	    cmocka_unit_test_setup(test_irq_reaches_ioapic_and_pic, setup_irq),
	    cmocka_unit_test_setup(test_eoi_broadcast, setup_irq),
	    cmocka_unit_test_setup(test_uart_line, setup_irq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
