/* SPDX-License-Identifier: MIT */
/*
 * Host tests for dev/vpic.c through the I/O bus: ICW1-4 sequences, IMR
 * readback, OCW3, and the ISA lines it follows as an irq sink.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dev/vpic.h"
#include "tests/unit/dev_bus.h"

static struct vpic pic;

static int setup(void **state)
{
	test_bus_reset();
	assert_int_equal(vpic_register(&test_bus, &pic), E_OK);
	return 0;
}

static void pic_init(uint16_t cmd, uint16_t data, uint8_t base, uint8_t icw3)
{
	out(cmd, 1, 0x11); /* ICW1: edge, cascade, ICW4 */
	out(data, 1, base);
	out(data, 1, icw3);
	out(data, 1, 0x01); /* ICW4: 8086 mode */
}

static void test_pic_imr_readback(void **state)
{
	assert_int_equal(in(PIC1_PORT_DATA, 1), 0xFF);
	pic_init(PIC1_PORT_CMD, PIC1_PORT_DATA, 0x20, 0x04);
	pic_init(PIC2_PORT_CMD, PIC2_PORT_DATA, 0x28, 0x02);
	assert_int_equal(in(PIC1_PORT_DATA, 1), 0); /* ICW1 cleared the IMR */
	assert_int_equal(pic.chip[0].vector_base, 0x20);
	assert_int_equal(pic.chip[1].vector_base, 0x28);
	assert_int_equal(pic.chip[0].init_step, 0);
	out(PIC1_PORT_DATA, 1, 0xFB);
	out(PIC2_PORT_DATA, 1, 0xA5);
	assert_int_equal(in(PIC1_PORT_DATA, 1), 0xFB); /* OCW1 on each chip, kept apart */
	assert_int_equal(in(PIC2_PORT_DATA, 1), 0xA5);
	out(PIC2_PORT_DATA, 1, 0xFF);
	assert_int_equal(in(PIC2_PORT_DATA, 1), 0xFF);
	assert_int_equal(in(PIC1_PORT_DATA, 1), 0xFB);
	out(PIC1_PORT_CMD, 1, 0x20); /* OCW2: EOI */
	out(PIC1_PORT_CMD, 1, 0x0B); /* OCW3: read ISR */
	assert_int_equal(in(PIC1_PORT_CMD, 1), 0);
	assert_int_equal(in(PIC1_PORT_DATA, 1), 0xFB);
}

static void test_pic_single_no_icw4(void **state)
{
	out(PIC1_PORT_CMD, 1, 0x12);  /* ICW1: single, no ICW4 */
	out(PIC1_PORT_DATA, 1, 0x30); /* ICW2 */
	out(PIC1_PORT_DATA, 1, 0x7E); /* already OCW1 */
	assert_int_equal(pic.chip[0].vector_base, 0x30);
	assert_int_equal(in(PIC1_PORT_DATA, 1), 0x7E);
}

/* Lines raised on the bus land on ISA IRQs (GSI 2 is IRQ 0); IRR stays empty. */
static void test_pic_follows_lines(void **state)
{
	iobus_set_irq(&test_bus, 4, true);
	assert_int_equal(pic.lines, 1u << 4);
	iobus_set_irq(&test_bus, 2, true);
	assert_int_equal(pic.lines, 1u << 4 | 1u << 0);
	iobus_set_irq(&test_bus, 4, false);
	iobus_set_irq(&test_bus, 20, true); /* an I/O APIC-only GSI */
	assert_int_equal(pic.lines, 1u << 0);
	out(PIC1_PORT_CMD, 1, 0x0A); /* OCW3: read IRR */
	assert_int_equal(in(PIC1_PORT_CMD, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_pic_imr_readback, setup),
	    cmocka_unit_test_setup(test_pic_single_no_icw4, setup),
	    cmocka_unit_test_setup(test_pic_follows_lines, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
