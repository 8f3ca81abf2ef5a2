/* SPDX-License-Identifier: MIT */
/*
 * Host tests for dev/vioapic.c: power-on state, the IOREGSEL/IOWIN window,
 * redirection entry read-only bits, edge and level pin semantics with Remote
 * IRR and EOI, and rejected pins and MMIO offsets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dev/vioapic.h"

#define IOAPIC_ID 2
#define PIN 5
#define VEC 0x31
#define VEC2 0x42
#define DEST 0xA7
#define UNKNOWN_REG 0x05
#define PAST_TABLE (VIOAPIC_REG_REDIR_HI(VIOAPIC_PINS - 1) + 1)

static struct vioapic a;

static uint32_t rd(uint32_t reg)
{
	uint32_t v = 0xDEADBEEF;

	vioapic_mmio_write(&a, VIOAPIC_MMIO_REGSEL, reg, NULL);
	vioapic_mmio_read(&a, VIOAPIC_MMIO_WIN, &v);
	return v;
}

/* Write register `reg`; returns the message the IOWIN write produced. */
static struct vioapic_msg wr(uint32_t reg, uint32_t val)
{
	struct vioapic_msg m = { .valid = true };

	vioapic_mmio_write(&a, VIOAPIC_MMIO_REGSEL, reg, NULL);
	vioapic_mmio_write(&a, VIOAPIC_MMIO_WIN, val, &m);
	return m;
}

static struct vioapic_msg irq(unsigned pin, bool asserted)
{
	struct vioapic_msg m = { .valid = true };

	vioapic_set_irq(&a, pin, asserted, &m);
	return m;
}

static struct vioapic_msg eoi(uint8_t vector)
{
	struct vioapic_msg m = { .valid = true };

	vioapic_eoi(&a, vector, &m);
	return m;
}

static uint32_t lo(unsigned pin)
{
	return rd(VIOAPIC_REG_REDIR_LO(pin));
}

/* Program `pin` as an unmasked fixed physical entry to DEST. */
static void program(unsigned pin, uint8_t vector, bool level)
{
	assert_false(wr(VIOAPIC_REG_REDIR_HI(pin), (uint32_t)DEST << 24).valid);
	wr(VIOAPIC_REG_REDIR_LO(pin),
	   vector | (level ? (uint32_t)VIOAPIC_RTE_LEVEL : 0));
}

static int setup(void **state)
{
	vioapic_init(&a, IOAPIC_ID);
	return 0;
}

/* ---- power-on state and identification ---- */

static void test_power_on_masked(void **state)
{
	unsigned i;

	for (i = 0; i < VIOAPIC_PINS; i++) {
		assert_int_equal(lo(i), VIOAPIC_RTE_MASKED);
		assert_int_equal(rd(VIOAPIC_REG_REDIR_HI(i)), 0);
	}
	assert_int_equal(a.pin_level, 0);
}

static void test_version(void **state)
{
	assert_int_equal(rd(VIOAPIC_REG_VER), 0x00170020);
	wr(VIOAPIC_REG_VER, 0);
	assert_int_equal(rd(VIOAPIC_REG_VER), 0x00170020);
}

static void test_id_and_arb(void **state)
{
	assert_int_equal(rd(VIOAPIC_REG_ID), IOAPIC_ID << 24);
	assert_int_equal(rd(VIOAPIC_REG_ARB), IOAPIC_ID << 24);
	wr(VIOAPIC_REG_ID, 0xFFFFFFFF);
	assert_int_equal(rd(VIOAPIC_REG_ID), 0x0F000000);
	wr(VIOAPIC_REG_ID, 9u << 24);
	assert_int_equal(rd(VIOAPIC_REG_ID), 9u << 24);
	assert_int_equal(rd(VIOAPIC_REG_ARB), 9u << 24);
	wr(VIOAPIC_REG_ARB, 0);
	assert_int_equal(rd(VIOAPIC_REG_ARB), 9u << 24);
	vioapic_init(&a, 0x1F);
	assert_int_equal(rd(VIOAPIC_REG_ID), 0x0F000000);
}

static void test_unknown_index(void **state)
{
	assert_int_equal(rd(UNKNOWN_REG), 0);
	wr(UNKNOWN_REG, 0xFFFFFFFF);
	assert_int_equal(rd(UNKNOWN_REG), 0);
	assert_int_equal(rd(PAST_TABLE), 0);
	wr(PAST_TABLE, 0);
	assert_int_equal(lo(VIOAPIC_PINS - 1), VIOAPIC_RTE_MASKED);
}

static void test_regsel_masking(void **state)
{
	uint32_t v = 0;

	vioapic_mmio_write(&a, VIOAPIC_MMIO_REGSEL, 0xABCD0001, NULL);
	vioapic_mmio_read(&a, VIOAPIC_MMIO_REGSEL, &v);
	assert_int_equal(v, 0x01);
	vioapic_mmio_read(&a, VIOAPIC_MMIO_WIN, &v);
	assert_int_equal(v, 0x00170020);
}

/* ---- redirection entries ---- */

static void test_redir_write_read(void **state)
{
	unsigned last = VIOAPIC_PINS - 1;

	wr(VIOAPIC_REG_REDIR_LO(last), 0xFFFFFFFF);
	wr(VIOAPIC_REG_REDIR_HI(last), 0xFFFFFFFF);
	/* delivery status (12), Remote IRR (14), reserved 31:17 read 0 */
	assert_int_equal(lo(last), 0x0001AFFF);
	assert_int_equal(rd(VIOAPIC_REG_REDIR_HI(last)), 0xFF000000);
	wr(VIOAPIC_REG_REDIR_HI(last), 0x12000000);
	assert_int_equal(lo(last), 0x0001AFFF);
	assert_int_equal(rd(VIOAPIC_REG_REDIR_HI(last)), 0x12000000);
	assert_int_equal(lo(0), VIOAPIC_RTE_MASKED);
}

static void test_remote_irr_preserved(void **state)
{
	program(PIN, VEC, true);
	assert_true(irq(PIN, true).valid);
	assert_int_equal(lo(PIN), VEC | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_REMOTE_IRR);
	/* software cannot clear it ... */
	wr(VIOAPIC_REG_REDIR_LO(PIN), VEC | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_MASKED);
	assert_int_equal(lo(PIN), VEC | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_MASKED |
				  VIOAPIC_RTE_REMOTE_IRR);
	wr(VIOAPIC_REG_REDIR_HI(PIN), 0);
	assert_true(lo(PIN) & VIOAPIC_RTE_REMOTE_IRR);
	/* ... nor set it */
	wr(VIOAPIC_REG_REDIR_LO(0), VEC2 | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_REMOTE_IRR);
	assert_int_equal(lo(0), VEC2 | VIOAPIC_RTE_LEVEL);
}

/* ---- edge-triggered pins ---- */

static void test_edge_message_decoded(void **state)
{
	struct vioapic_msg m;

	wr(VIOAPIC_REG_REDIR_HI(PIN), (uint32_t)DEST << 24);
	wr(VIOAPIC_REG_REDIR_LO(PIN), VEC | (VIOAPIC_DM_LOWEST << 8) |
				      VIOAPIC_RTE_DESTMODE | VIOAPIC_RTE_POLARITY);
	m = irq(PIN, true);
	assert_true(m.valid);
	assert_int_equal(m.vector, VEC);
	assert_int_equal(m.delivery_mode, VIOAPIC_DM_LOWEST);
	assert_true(m.dest_logical);
	assert_int_equal(m.dest, DEST);
	assert_false(m.level);
	/* edge pins never latch Remote IRR */
	assert_false(lo(PIN) & VIOAPIC_RTE_REMOTE_IRR);
}

static void test_edge_physical_nmi(void **state)
{
	struct vioapic_msg m;

	wr(VIOAPIC_REG_REDIR_HI(1), 3u << 24);
	wr(VIOAPIC_REG_REDIR_LO(1), VIOAPIC_DM_NMI << 8);
	m = irq(1, true);
	assert_true(m.valid);
	assert_int_equal(m.delivery_mode, VIOAPIC_DM_NMI);
	assert_false(m.dest_logical);
	assert_int_equal(m.dest, 3);
}

static void test_edge_held_high_once(void **state)
{
	program(PIN, VEC, false);
	assert_true(irq(PIN, true).valid);
	assert_false(irq(PIN, true).valid);
	assert_false(irq(PIN, false).valid);
	assert_true(irq(PIN, true).valid);
}

static void test_edge_masked(void **state)
{
	wr(VIOAPIC_REG_REDIR_LO(PIN), VEC | VIOAPIC_RTE_MASKED);
	assert_false(irq(PIN, true).valid);
	assert_true(a.pin_level & (1u << PIN));
}

static void test_edge_unmask_while_high(void **state)
{
	wr(VIOAPIC_REG_REDIR_LO(PIN), VEC | VIOAPIC_RTE_MASKED);
	assert_false(irq(PIN, true).valid);
	assert_false(wr(VIOAPIC_REG_REDIR_LO(PIN), VEC).valid);
	assert_false(irq(PIN, true).valid);
	assert_false(irq(PIN, false).valid);
	assert_true(irq(PIN, true).valid);
}

static void test_edge_eoi_ignored(void **state)
{
	program(PIN, VEC, false);
	assert_true(irq(PIN, true).valid);
	assert_false(eoi(VEC).valid);
}

/* ---- level-triggered pins ---- */

static void test_level_sets_remote_irr(void **state)
{
	struct vioapic_msg m;

	program(PIN, VEC, true);
	assert_false(lo(PIN) & VIOAPIC_RTE_REMOTE_IRR);
	m = irq(PIN, true);
	assert_true(m.valid);
	assert_int_equal(m.vector, VEC);
	assert_int_equal(m.delivery_mode, VIOAPIC_DM_FIXED);
	assert_false(m.dest_logical);
	assert_int_equal(m.dest, DEST);
	assert_true(m.level);
	assert_true(lo(PIN) & VIOAPIC_RTE_REMOTE_IRR);
}

static void test_level_no_resend_before_eoi(void **state)
{
	program(PIN, VEC, true);
	assert_true(irq(PIN, true).valid);
	assert_false(irq(PIN, true).valid);
	assert_false(irq(PIN, false).valid);
	assert_false(irq(PIN, true).valid);
	assert_false(eoi(VEC2).valid);
	assert_true(lo(PIN) & VIOAPIC_RTE_REMOTE_IRR);
}

static void test_level_eoi_line_high_resends(void **state)
{
	struct vioapic_msg m;

	program(PIN, VEC, true);
	assert_true(irq(PIN, true).valid);
	m = eoi(VEC);
	assert_true(m.valid);
	assert_int_equal(m.vector, VEC);
	assert_true(m.level);
	assert_true(lo(PIN) & VIOAPIC_RTE_REMOTE_IRR);
}

static void test_level_eoi_line_low(void **state)
{
	program(PIN, VEC, true);
	assert_true(irq(PIN, true).valid);
	assert_false(irq(PIN, false).valid);
	assert_false(eoi(VEC).valid);
	assert_false(lo(PIN) & VIOAPIC_RTE_REMOTE_IRR);
	assert_true(irq(PIN, true).valid);
}

static void test_level_eoi_masked(void **state)
{
	program(PIN, VEC, true);
	assert_true(irq(PIN, true).valid);
	wr(VIOAPIC_REG_REDIR_LO(PIN), VEC | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_MASKED);
	assert_false(eoi(VEC).valid);
	assert_false(lo(PIN) & VIOAPIC_RTE_REMOTE_IRR);
}

static void test_level_eoi_first_pin_only(void **state)
{
	struct vioapic_msg m;

	program(3, VEC, true);
	program(PIN, VEC, true);
	assert_true(irq(3, true).valid);
	assert_true(irq(PIN, true).valid);
	m = eoi(VEC);
	assert_true(m.valid);
	assert_true(lo(3) & VIOAPIC_RTE_REMOTE_IRR);
	assert_false(lo(PIN) & VIOAPIC_RTE_REMOTE_IRR);
	/* the second pin fires on its next assertion */
	assert_true(irq(PIN, true).valid);
}

static void test_level_unmask_while_asserted(void **state)
{
	struct vioapic_msg m;

	wr(VIOAPIC_REG_REDIR_HI(PIN), (uint32_t)DEST << 24);
	wr(VIOAPIC_REG_REDIR_LO(PIN), VEC | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_MASKED);
	assert_false(irq(PIN, true).valid);
	assert_false(lo(PIN) & VIOAPIC_RTE_REMOTE_IRR);
	m = wr(VIOAPIC_REG_REDIR_LO(PIN), VEC | VIOAPIC_RTE_LEVEL);
	assert_true(m.valid);
	assert_int_equal(m.vector, VEC);
	assert_int_equal(m.dest, DEST);
	assert_true(m.level);
	assert_true(lo(PIN) & VIOAPIC_RTE_REMOTE_IRR);
	/* writing the high half while in service sends nothing */
	assert_false(wr(VIOAPIC_REG_REDIR_HI(PIN), (uint32_t)DEST << 24).valid);
}

static void test_level_unmask_line_low(void **state)
{
	wr(VIOAPIC_REG_REDIR_LO(PIN), VEC | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_MASKED);
	assert_false(wr(VIOAPIC_REG_REDIR_LO(PIN), VEC | VIOAPIC_RTE_LEVEL).valid);
}

static void test_level_to_edge_drops_remote_irr(void **state)
{
	program(PIN, VEC, true);
	assert_true(irq(PIN, true).valid);
	wr(VIOAPIC_REG_REDIR_LO(PIN), VEC | VIOAPIC_RTE_MASKED);
	assert_false(lo(PIN) & VIOAPIC_RTE_REMOTE_IRR);
}

/* ---- rejected input ---- */

static void test_out_of_range_pin(void **state)
{
	assert_false(irq(VIOAPIC_PINS, true).valid);
	assert_false(irq(~0u, true).valid);
	assert_int_equal(a.pin_level, 0);
}

static void test_odd_mmio_offsets(void **state)
{
	static const uint32_t offs[] = { 0x01, 0x02, 0x04, 0x0C, 0x11, 0x14, 0x20, 0x40, 0xFFC };
	struct vioapic_msg m;
	uint32_t v;
	unsigned i;

	vioapic_mmio_write(&a, VIOAPIC_MMIO_REGSEL, VIOAPIC_REG_REDIR_LO(PIN), NULL);
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		v = 0xDEADBEEF;
		vioapic_mmio_read(&a, offs[i], &v);
		assert_int_equal(v, 0);
		m.valid = true;
		vioapic_mmio_write(&a, offs[i], 0, &m);
		assert_false(m.valid);
	}
	vioapic_mmio_read(&a, VIOAPIC_MMIO_REGSEL, &v);
	assert_int_equal(v, VIOAPIC_REG_REDIR_LO(PIN));
	assert_int_equal(lo(PIN), VIOAPIC_RTE_MASKED);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_power_on_masked),
		T(test_version),
		T(test_id_and_arb),
		T(test_unknown_index),
		T(test_regsel_masking),
		T(test_redir_write_read),
		T(test_remote_irr_preserved),
		T(test_edge_message_decoded),
		T(test_edge_physical_nmi),
		T(test_edge_held_high_once),
		T(test_edge_masked),
		T(test_edge_unmask_while_high),
		T(test_edge_eoi_ignored),
		T(test_level_sets_remote_irr),
		T(test_level_no_resend_before_eoi),
		T(test_level_eoi_line_high_resends),
		T(test_level_eoi_line_low),
		T(test_level_eoi_masked),
		T(test_level_eoi_first_pin_only),
		T(test_level_unmask_while_asserted),
		T(test_level_unmask_line_low),
		T(test_level_to_edge_drops_remote_irr),
		T(test_out_of_range_pin),
		T(test_odd_mmio_offsets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
