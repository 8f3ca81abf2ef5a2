/* SPDX-License-Identifier: MIT */
/*
 * Host tests for dev/vlapic.c: reset state, xAPIC MMIO and x2APIC MSR access
 * rules, APIC base transitions, TPR/PPR masking, EOI, the three timer modes,
 * ICR decoding and logical/physical destination matching.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dev/vlapic.h"

#define VCPU_APIC_ID 3
#define T0 1000000ull
#define VEC_TIMER 0x40
#define VEC_ERROR 0xFE
#define DCR_DIV1 0xB
#define DCR_DIV16 0x3
#define LVT_PERIODIC (APIC_TIMER_PERIODIC << APIC_LVT_TIMER_MODE_SHIFT)
#define LVT_DEADLINE (APIC_TIMER_TSC_DEADLINE << APIC_LVT_TIMER_MODE_SHIFT)
#define X2APIC_BASE (LAPIC_DEFAULT_BASE | APIC_BASE_ENABLE | APIC_BASE_X2APIC)

static struct vlapic l;

static uint32_t rd(uint32_t off)
{
	uint32_t v = 0xDEADBEEF;

	vlapic_mmio_read(&l, off, 4, &v, T0);
	return v;
}

static void wr(uint32_t off, uint32_t v)
{
	vlapic_mmio_write(&l, off, 4, v, T0, NULL);
}

static void sw_enable(void)
{
	wr(APIC_SVR, APIC_SVR_ENABLE | 0xFF);
}

static void to_x2apic(void)
{
	assert_true(vlapic_set_base(&l, X2APIC_BASE));
	assert_true(vlapic_x2apic_mode(&l));
}

static int setup(void **state)
{
	vlapic_init(&l, VCPU_APIC_ID, true);
	return 0;
}

/* ---- reset and identification ---- */

static void test_power_on_state(void **state)
{
	unsigned i;

	assert_int_equal(vlapic_base(&l), 0xFEE00000ull | APIC_BASE_ENABLE | APIC_BASE_BSP);
	assert_true(vlapic_enabled(&l));
	assert_false(vlapic_x2apic_mode(&l));
	assert_int_equal(rd(APIC_ID), VCPU_APIC_ID << 24);
	assert_int_equal(rd(APIC_VERSION), 0x00050014);
	assert_int_equal(rd(APIC_SVR), 0xFF);
	assert_int_equal(rd(APIC_DFR), 0xFFFFFFFF);
	for (i = 0; i < VLAPIC_LVT_COUNT; i++)
		assert_int_equal(rd(APIC_LVT_TIMER + 0x10 * i), APIC_LVT_MASKED);
	vlapic_init(&l, 5, false);
	assert_int_equal(vlapic_base(&l), 0xFEE00000ull | APIC_BASE_ENABLE);
}

static void test_id_write_ignored(void **state)
{
	wr(APIC_ID, 9u << 24);
	assert_int_equal(rd(APIC_ID), VCPU_APIC_ID << 24);
}

static void test_mmio_odd_accesses(void **state)
{
	uint32_t v = 1;

	wr(APIC_TPR, 0x20);
	vlapic_mmio_read(&l, APIC_TPR, 2, &v, T0);
	assert_int_equal(v, 0);
	vlapic_mmio_read(&l, APIC_TPR + 4, 4, &v, T0);
	assert_int_equal(v, 0);
	vlapic_mmio_read(&l, 0x2000, 4, &v, T0);
	assert_int_equal(v, 0);
	vlapic_mmio_write(&l, APIC_TPR, 1, 0x30, T0, NULL);
	vlapic_mmio_write(&l, APIC_TPR + 1, 4, 0x30, T0, NULL);
	assert_int_equal(rd(APIC_TPR), 0x20);
	assert_int_equal(rd(APIC_APR), 0);
	assert_int_equal(rd(0x3F0), 0); /* SELF IPI is x2APIC-only */
}

static void test_xapic_reserved_bits_dropped(void **state)
{
	wr(APIC_TPR, 0xFFFFFF35);
	assert_int_equal(rd(APIC_TPR), 0x35);
	wr(APIC_LDR, 0x12345678);
	assert_int_equal(rd(APIC_LDR), 0x12000000);
	wr(APIC_DFR, 0x0);
	assert_int_equal(rd(APIC_DFR), 0x0FFFFFFF);
	wr(APIC_TIMER_DCR, 0xFFFFFFFF);
	assert_int_equal(rd(APIC_TIMER_DCR), 0xB);
}

static void test_init_reset(void **state)
{
	uint64_t ldr;

	sw_enable();
	wr(APIC_TPR, 0x50);
	wr(APIC_LDR, 0x01000000);
	wr(APIC_LVT_TIMER, VEC_TIMER);
	wr(APIC_TIMER_INIT, 100);
	assert_true(vlapic_accept(&l, 0x80));
	vlapic_reset_init(&l);
	assert_int_equal(rd(APIC_ID), VCPU_APIC_ID << 24);
	assert_int_equal(rd(APIC_TPR), 0);
	assert_int_equal(rd(APIC_LDR), 0);
	assert_int_equal(rd(APIC_SVR), 0xFF);
	assert_int_equal(rd(APIC_LVT_TIMER), APIC_LVT_MASKED);
	assert_int_equal(rd(APIC_IRR + 0x40), 0);
	assert_int_equal(vlapic_pending(&l), -1);
	assert_int_equal(vlapic_timer_next(&l), 0);
	assert_int_equal(vlapic_base(&l), 0xFEE00000ull | APIC_BASE_ENABLE | APIC_BASE_BSP);
	/* INIT in x2APIC mode stays in x2APIC mode with the derived LDR */
	to_x2apic();
	vlapic_reset_init(&l);
	assert_true(vlapic_x2apic_mode(&l));
	assert_true(vlapic_msr_read(&l, 0x80D, &ldr, T0));
	assert_int_equal(ldr, 1u << VCPU_APIC_ID);
}

/* ---- software disable ---- */

static void test_sw_disabled_masks_lvts(void **state)
{
	wr(APIC_LVT_LINT0, 0x700);
	assert_int_equal(rd(APIC_LVT_LINT0), 0x10700);
	assert_false(vlapic_accept(&l, 0x30));
	sw_enable();
	wr(APIC_LVT_LINT0, 0x700);
	assert_int_equal(rd(APIC_LVT_LINT0), 0x700);
	assert_true(vlapic_accept(&l, 0x30));
	wr(APIC_SVR, 0xFF);
	assert_int_equal(rd(APIC_LVT_LINT0), 0x10700);
	/* IRR survives a software disable (SDM 3A 11.4.7.2) */
	assert_int_equal(vlapic_pending(&l), 0x30);
}

/* ---- priority ---- */

static void test_accept_and_pending(void **state)
{
	sw_enable();
	assert_int_equal(vlapic_pending(&l), -1);
	assert_false(vlapic_irr_any(&l));
	assert_true(vlapic_accept(&l, 0x41));
	assert_true(vlapic_irr_any(&l));
	assert_true(vlapic_accept(&l, 0x93));
	assert_int_equal(rd(APIC_IRR + 0x40), 1u << 0x13);
	assert_int_equal(rd(APIC_IRR + 0x20), 1u << 0x01);
	assert_int_equal(vlapic_pending(&l), 0x93);
	vlapic_ack(&l, 0x93);
	assert_int_equal(rd(APIC_ISR + 0x40), 1u << 0x13);
	assert_int_equal(rd(APIC_IRR + 0x40), 0);
	/* 0x41 is below the in-service class 9 */
	assert_int_equal(rd(APIC_PPR), 0x90);
	assert_int_equal(vlapic_pending(&l), -1);
	wr(APIC_EOI, 0);
	assert_int_equal(vlapic_pending(&l), 0x41);
	vlapic_ack(&l, 0x41);
	assert_false(vlapic_irr_any(&l)); /* both now only in service or done */
}

static void test_tpr_masks_by_class(void **state)
{
	sw_enable();
	assert_true(vlapic_accept(&l, 0x5F));
	wr(APIC_TPR, 0x50);
	assert_int_equal(rd(APIC_PPR), 0x50);
	assert_int_equal(vlapic_pending(&l), -1); /* class 5 is not > 5 */
	wr(APIC_TPR, 0x4F);
	assert_int_equal(vlapic_pending(&l), 0x5F);
	/* PPR: TPR when its class is >= the ISR class, else the ISR class */
	vlapic_ack(&l, 0x5F);
	assert_int_equal(rd(APIC_PPR), 0x50);
	wr(APIC_TPR, 0x5A); /* equal classes: PPR is the whole TPR */
	assert_int_equal(rd(APIC_PPR), 0x5A);
	wr(APIC_TPR, 0x67);
	assert_int_equal(rd(APIC_PPR), 0x67);
	assert_true(vlapic_accept(&l, 0x70));
	assert_int_equal(vlapic_pending(&l), 0x70);
}

static void test_eoi_clears_highest_isr(void **state)
{
	sw_enable();
	assert_true(vlapic_accept(&l, 0x31));
	vlapic_ack(&l, 0x31);
	assert_true(vlapic_accept(&l, 0xE0));
	vlapic_ack(&l, 0xE0);
	wr(APIC_EOI, 0x1234);
	assert_int_equal(rd(APIC_ISR + 0x70), 0);
	assert_int_equal(rd(APIC_ISR + 0x10), 1u << 0x11);
	wr(APIC_EOI, 0);
	assert_int_equal(rd(APIC_ISR + 0x10), 0);
	wr(APIC_EOI, 0); /* EOI with nothing in service is harmless */
	assert_int_equal(rd(APIC_PPR), 0);
}

static void test_illegal_vector_and_esr(void **state)
{
	sw_enable();
	wr(APIC_LVT_ERROR, VEC_ERROR);
	assert_false(vlapic_accept(&l, 15));
	assert_int_equal(rd(APIC_ESR), 0); /* latched only by a write */
	wr(APIC_ESR, 0);
	assert_int_equal(rd(APIC_ESR), APIC_ESR_RECV_ILLEGAL_VECTOR);
	assert_int_equal(vlapic_pending(&l), VEC_ERROR);
	wr(APIC_ESR, 0);
	assert_int_equal(rd(APIC_ESR), 0);
}

/* ---- timer ---- */

static void test_oneshot_timer(void **state)
{
	uint32_t cur;

	sw_enable();
	wr(APIC_LVT_TIMER, VEC_TIMER);
	wr(APIC_TIMER_DCR, DCR_DIV16);
	vlapic_mmio_write(&l, APIC_TIMER_INIT, 4, 1000, T0, NULL);
	assert_int_equal(vlapic_timer_next(&l), T0 + 16000);
	vlapic_mmio_read(&l, APIC_TIMER_CUR, 4, &cur, T0 + 1600);
	assert_int_equal(cur, 900);
	vlapic_timer_update(&l, T0 + 15999);
	assert_int_equal(vlapic_pending(&l), -1);
	vlapic_timer_update(&l, T0 + 16000);
	assert_int_equal(vlapic_pending(&l), VEC_TIMER);
	assert_int_equal(vlapic_timer_next(&l), 0);
	vlapic_mmio_read(&l, APIC_TIMER_CUR, 4, &cur, T0 + 20000);
	assert_int_equal(cur, 0);
	vlapic_mmio_read(&l, APIC_TIMER_INIT, 4, &cur, T0);
	assert_int_equal(cur, 1000);
}

static void test_dcr_encodings(void **state)
{
	static const struct { uint32_t dcr, div; } cases[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xA, 128 }, { 0xB, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		wr(APIC_TIMER_DCR, cases[i].dcr);
		wr(APIC_TIMER_INIT, 10);
		assert_int_equal(vlapic_timer_next(&l), T0 + 10ull * cases[i].div);
	}
	wr(APIC_TIMER_INIT, 0); /* 0 stops the timer */
	assert_int_equal(vlapic_timer_next(&l), 0);
}

static void test_periodic_no_drift(void **state)
{
	uint32_t cur;

	sw_enable();
	wr(APIC_LVT_TIMER, VEC_TIMER | LVT_PERIODIC);
	wr(APIC_TIMER_DCR, DCR_DIV1);
	wr(APIC_TIMER_INIT, 500);
	/* serviced late: the next expiry is still on the T0 + k*500 grid */
	vlapic_timer_update(&l, T0 + 530);
	assert_int_equal(vlapic_pending(&l), VEC_TIMER);
	assert_int_equal(vlapic_timer_next(&l), T0 + 1000);
	vlapic_ack(&l, VEC_TIMER);
	wr(APIC_EOI, 0);
	/* several periods missed: one interrupt, next expiry still on the grid */
	vlapic_timer_update(&l, T0 + 2750);
	assert_int_equal(vlapic_timer_next(&l), T0 + 3000);
	assert_int_equal(vlapic_pending(&l), VEC_TIMER);
	vlapic_mmio_read(&l, APIC_TIMER_CUR, 4, &cur, T0 + 2900);
	assert_int_equal(cur, 100);
	/* current count computed even before the update catches up */
	vlapic_mmio_read(&l, APIC_TIMER_CUR, 4, &cur, T0 + 3200);
	assert_int_equal(cur, 300);
}

static void test_masked_timer_still_counts(void **state)
{
	sw_enable();
	wr(APIC_LVT_TIMER, VEC_TIMER | LVT_PERIODIC | APIC_LVT_MASKED);
	wr(APIC_TIMER_DCR, DCR_DIV1);
	wr(APIC_TIMER_INIT, 100);
	vlapic_timer_update(&l, T0 + 100);
	assert_int_equal(vlapic_pending(&l), -1);
	assert_int_equal(vlapic_timer_next(&l), T0 + 200);
}

static void test_tsc_deadline(void **state)
{
	uint32_t cur;

	sw_enable();
	vlapic_set_tsc_deadline(&l, T0 + 50, T0); /* not in deadline mode: ignored */
	assert_int_equal(vlapic_tsc_deadline(&l), 0);
	assert_int_equal(vlapic_timer_next(&l), 0);
	wr(APIC_LVT_TIMER, VEC_TIMER | LVT_DEADLINE);
	wr(APIC_TIMER_INIT, 100); /* ignored in deadline mode */
	assert_int_equal(vlapic_timer_next(&l), 0);
	vlapic_mmio_read(&l, APIC_TIMER_INIT, 4, &cur, T0);
	assert_int_equal(cur, 0);
	vlapic_set_tsc_deadline(&l, T0 + 777, T0);
	assert_int_equal(vlapic_tsc_deadline(&l), T0 + 777);
	assert_int_equal(vlapic_timer_next(&l), T0 + 777);
	vlapic_mmio_read(&l, APIC_TIMER_CUR, 4, &cur, T0);
	assert_int_equal(cur, 0);
	vlapic_timer_update(&l, T0 + 776);
	assert_int_equal(vlapic_pending(&l), -1);
	vlapic_timer_update(&l, T0 + 800);
	assert_int_equal(vlapic_pending(&l), VEC_TIMER);
	assert_int_equal(vlapic_tsc_deadline(&l), 0);
	assert_int_equal(vlapic_timer_next(&l), 0);
	/* writing 0 disarms */
	vlapic_set_tsc_deadline(&l, T0 + 900, T0);
	vlapic_set_tsc_deadline(&l, 0, T0);
	assert_int_equal(vlapic_timer_next(&l), 0);
}

static void test_mode_switch_disarms(void **state)
{
	sw_enable();
	wr(APIC_LVT_TIMER, VEC_TIMER);
	wr(APIC_TIMER_INIT, 100);
	assert_int_not_equal(vlapic_timer_next(&l), 0);
	wr(APIC_LVT_TIMER, VEC_TIMER | APIC_LVT_MASKED); /* same mode: still armed */
	assert_int_not_equal(vlapic_timer_next(&l), 0);
	wr(APIC_LVT_TIMER, VEC_TIMER | LVT_DEADLINE);
	assert_int_equal(vlapic_timer_next(&l), 0);
	vlapic_set_tsc_deadline(&l, T0 + 10, T0);
	wr(APIC_LVT_TIMER, VEC_TIMER);
	assert_int_equal(vlapic_timer_next(&l), 0);
	wr(APIC_LVT_TIMER, VEC_TIMER | LVT_DEADLINE);
	assert_int_equal(vlapic_tsc_deadline(&l), 0);
	/* mode 3 is reserved: the write is dropped */
	wr(APIC_LVT_TIMER, VEC_TIMER | (3u << APIC_LVT_TIMER_MODE_SHIFT));
	assert_int_equal(rd(APIC_LVT_TIMER), VEC_TIMER | LVT_DEADLINE);
}

/* ---- IPIs ---- */

static void test_xapic_icr(void **state)
{
	struct vlapic_icr ipi;

	wr(APIC_ICR_HI, 0x0A123456);
	assert_int_equal(rd(APIC_ICR_HI), 0x0A000000);
	/* INIT, level assert, logical destination */
	vlapic_mmio_write(&l, APIC_ICR_LO, 4, 0x00004D00 | (1u << 12), T0, &ipi);
	assert_true(ipi.valid);
	assert_int_equal(ipi.delivery_mode, VLAPIC_DM_INIT);
	assert_true(ipi.level_assert);
	assert_false(ipi.trigger_level);
	assert_true(ipi.dest_logical);
	assert_int_equal(ipi.dest, 0x0A);
	assert_int_equal(rd(APIC_ICR_LO), 0x00004D00); /* delivery status idle */
	/* SIPI to all excluding self */
	vlapic_mmio_write(&l, APIC_ICR_LO, 4, 0x000C4608, T0, &ipi);
	assert_true(ipi.valid);
	assert_int_equal(ipi.delivery_mode, VLAPIC_DM_SIPI);
	assert_int_equal(ipi.vector, 0x08);
	assert_int_equal(ipi.shorthand, VLAPIC_SH_ALL_EXCL_SELF);
	/* fixed with an illegal vector: no IPI, ESR send-illegal */
	vlapic_mmio_write(&l, APIC_ICR_LO, 4, 0x00000005, T0, &ipi);
	assert_false(ipi.valid);
	wr(APIC_ESR, 0);
	assert_int_equal(rd(APIC_ESR), APIC_ESR_SEND_ILLEGAL_VECTOR);
	/* other writes clear valid */
	ipi.valid = true;
	vlapic_mmio_write(&l, APIC_TPR, 4, 0, T0, &ipi);
	assert_false(ipi.valid);
}

static void test_match_physical_xapic(void **state)
{
	struct vlapic_icr icr = {.valid = true, .dest = VCPU_APIC_ID};

	assert_true(vlapic_match_dest(&l, &icr, 0));
	icr.dest = VCPU_APIC_ID + 1;
	assert_false(vlapic_match_dest(&l, &icr, 0));
	icr.dest = 0xFF;
	assert_true(vlapic_match_dest(&l, &icr, 0));
	icr.shorthand = VLAPIC_SH_SELF;
	icr.dest = 0;
	assert_true(vlapic_match_dest(&l, &icr, VCPU_APIC_ID));
	assert_false(vlapic_match_dest(&l, &icr, 0));
	icr.shorthand = VLAPIC_SH_ALL_EXCL_SELF;
	assert_false(vlapic_match_dest(&l, &icr, VCPU_APIC_ID));
	assert_true(vlapic_match_dest(&l, &icr, 0));
	icr.shorthand = VLAPIC_SH_ALL_INCL_SELF;
	assert_true(vlapic_match_dest(&l, &icr, VCPU_APIC_ID));
	/* a globally disabled APIC receives nothing */
	assert_true(vlapic_set_base(&l, LAPIC_DEFAULT_BASE));
	assert_false(vlapic_match_dest(&l, &icr, 0));
}

static void test_match_logical_flat_and_cluster(void **state)
{
	struct vlapic_icr icr = { .valid = true, .dest_logical = true };

	wr(APIC_LDR, 0x24u << 24); /* flat: bits 2 and 5 */
	icr.dest = 0x04;
	assert_true(vlapic_match_dest(&l, &icr, 0));
	icr.dest = 0x0A;
	assert_false(vlapic_match_dest(&l, &icr, 0));
	icr.dest = 0xFF;
	assert_true(vlapic_match_dest(&l, &icr, 0));
	wr(APIC_DFR, 0x0FFFFFFF);  /* cluster model */
	wr(APIC_LDR, 0x32u << 24); /* cluster 3, member bit 1 */
	icr.dest = 0x32;
	assert_true(vlapic_match_dest(&l, &icr, 0));
	icr.dest = 0x3D;
	assert_false(vlapic_match_dest(&l, &icr, 0));
	icr.dest = 0x22; /* right member, wrong cluster */
	assert_false(vlapic_match_dest(&l, &icr, 0));
	icr.dest = 0xF2; /* all clusters, member bit 1 */
	assert_true(vlapic_match_dest(&l, &icr, 0));
	icr.dest = 0xF1;
	assert_false(vlapic_match_dest(&l, &icr, 0));
}

static void test_match_x2apic(void **state)
{
	struct vlapic_icr icr = { .valid = true, .dest_logical = true };
	struct vlapic t;

	vlapic_init(&t, 0x25, false); /* cluster 2, member 5 */
	assert_true(vlapic_set_base(&t, X2APIC_BASE));
	icr.dest = (2u << 16) | (1u << 5) | 1u;
	assert_true(vlapic_match_dest(&t, &icr, 0));
	icr.dest = (2u << 16) | 1u;
	assert_false(vlapic_match_dest(&t, &icr, 0));
	icr.dest = (1u << 16) | (1u << 5);
	assert_false(vlapic_match_dest(&t, &icr, 0));
	icr.dest = 0xFFFFFFFF;
	assert_true(vlapic_match_dest(&t, &icr, 0));
	icr.dest_logical = false;
	icr.dest = 0x25;
	assert_true(vlapic_match_dest(&t, &icr, 0));
	icr.dest = 0xFF; /* not a broadcast in x2APIC mode */
	assert_false(vlapic_match_dest(&t, &icr, 0));
}

/* ---- APIC base and x2APIC ---- */

static void test_base_transitions(void **state)
{
	uint64_t v;

	assert_false(vlapic_set_base(&l, LAPIC_DEFAULT_BASE | APIC_BASE_ENABLE | 1));
	assert_false(vlapic_set_base(&l, 0xFED00000ull | APIC_BASE_ENABLE));
	assert_false(vlapic_set_base(&l, LAPIC_DEFAULT_BASE | APIC_BASE_X2APIC));
	assert_false(vlapic_msr_read(&l, 0x802, &v, T0)); /* xAPIC mode */
	to_x2apic();
	assert_int_equal(vlapic_base(&l), X2APIC_BASE | APIC_BASE_BSP);
	/* x2APIC -> xAPIC directly is invalid */
	assert_false(vlapic_set_base(&l, LAPIC_DEFAULT_BASE | APIC_BASE_ENABLE));
	sw_enable(); /* MMIO is dead in x2APIC mode */
	assert_int_equal(rd(APIC_SVR), 0);
	assert_true(vlapic_msr_write(&l, 0x80F, 0x1FF, T0, NULL));
	/* x2APIC -> disabled resets the state; disabled -> x2APIC is invalid */
	assert_true(vlapic_set_base(&l, LAPIC_DEFAULT_BASE));
	assert_false(vlapic_enabled(&l));
	assert_false(vlapic_accept(&l, 0x40));
	assert_false(vlapic_set_base(&l, X2APIC_BASE));
	assert_true(vlapic_set_base(&l, LAPIC_DEFAULT_BASE | APIC_BASE_ENABLE));
	assert_int_equal(rd(APIC_SVR), 0xFF);
	/* the BSP bit is read-only */
	assert_true(vlapic_set_base(&l, LAPIC_DEFAULT_BASE | APIC_BASE_ENABLE));
	assert_true(vlapic_base(&l) & APIC_BASE_BSP);
}

static void test_x2apic_reads(void **state)
{
	uint64_t v;

	to_x2apic();
	assert_true(vlapic_msr_read(&l, 0x802, &v, T0));
	assert_int_equal(v, VCPU_APIC_ID);
	assert_true(vlapic_msr_read(&l, 0x803, &v, T0));
	assert_int_equal(v, VLAPIC_VERSION);
	assert_true(vlapic_msr_read(&l, 0x80D, &v, T0));
	assert_int_equal(v, 1u << VCPU_APIC_ID); /* SDM 11.12.10.2 derived LDR */
	assert_true(vlapic_msr_read(&l, 0x80F, &v, T0));
	assert_int_equal(v, 0xFF);
	/* write-only, absent or reserved registers #GP on read */
	assert_false(vlapic_msr_read(&l, 0x80B, &v, T0)); /* EOI */
	assert_false(vlapic_msr_read(&l, 0x83F, &v, T0)); /* SELF IPI */
	assert_false(vlapic_msr_read(&l, 0x809, &v, T0)); /* APR */
	assert_false(vlapic_msr_read(&l, 0x80E, &v, T0)); /* DFR */
	assert_false(vlapic_msr_read(&l, 0x831, &v, T0)); /* ICR high */
	assert_false(vlapic_msr_read(&l, 0x801, &v, T0));
	assert_false(vlapic_msr_read(&l, 0x840, &v, T0));
	assert_false(vlapic_msr_read(&l, 0x8FF, &v, T0));
	assert_false(vlapic_msr_read(&l, 0x7FF, &v, T0));
}

static void test_x2apic_write_faults(void **state)
{
	to_x2apic();
	assert_false(vlapic_msr_write(&l, 0x802, VCPU_APIC_ID, T0, NULL)); /* ID is RO */
	assert_false(vlapic_msr_write(&l, 0x803, 0, T0, NULL));	 /* version */
	assert_false(vlapic_msr_write(&l, 0x80A, 0, T0, NULL));	 /* PPR */
	assert_false(vlapic_msr_write(&l, 0x80D, 0, T0, NULL));	 /* LDR is RO */
	assert_false(vlapic_msr_write(&l, 0x810, 0, T0, NULL));	 /* ISR */
	assert_false(vlapic_msr_write(&l, 0x839, 0, T0, NULL));	 /* current count */
	assert_false(vlapic_msr_write(&l, 0x80B, 1, T0, NULL));	 /* EOI non-zero */
	assert_true(vlapic_msr_write(&l, 0x80B, 0, T0, NULL));
	assert_false(vlapic_msr_write(&l, 0x828, 1, T0, NULL));	 /* ESR non-zero */
	assert_true(vlapic_msr_write(&l, 0x828, 0, T0, NULL));
	assert_false(vlapic_msr_write(&l, 0x808, 0x100, T0, NULL)); /* TPR reserved */
	assert_false(vlapic_msr_write(&l, 0x808, 1ull << 32, T0, NULL));
	assert_true(vlapic_msr_write(&l, 0x808, 0x20, T0, NULL));
	assert_false(vlapic_msr_write(&l, 0x83E, 0x4, T0, NULL));	 /* DCR bit 2 */
	assert_false(vlapic_msr_write(&l, 0x832, 0x1000, T0, NULL)); /* delivery status */
	assert_false(vlapic_msr_write(&l, 0x832, 0x60000, T0, NULL)); /* timer mode 3 */
	assert_false(vlapic_msr_write(&l, 0x830, 1u << 12, T0, NULL)); /* ICR reserved */
	assert_false(vlapic_msr_write(&l, 0x83F, 0x100, T0, NULL));
}

static void test_x2apic_icr_and_self_ipi(void **state)
{
	struct vlapic_icr ipi;
	uint64_t v;

	to_x2apic();
	assert_true(vlapic_msr_write(&l, 0x830, (0x12345ull << 32) | 0x4830, T0, &ipi));
	assert_true(ipi.valid);
	assert_int_equal(ipi.vector, 0x30);
	assert_true(ipi.dest_logical);
	assert_int_equal(ipi.dest, 0x12345);
	assert_true(vlapic_msr_read(&l, 0x830, &v, T0));
	assert_int_equal(v, (0x12345ull << 32) | 0x4830);
	assert_true(vlapic_msr_write(&l, 0x83F, 0x55, T0, &ipi));
	assert_true(ipi.valid);
	assert_int_equal(ipi.vector, 0x55);
	assert_int_equal(ipi.shorthand, VLAPIC_SH_SELF);
	assert_int_equal(ipi.delivery_mode, VLAPIC_DM_FIXED);
	assert_true(vlapic_match_dest(&l, &ipi, VCPU_APIC_ID));
}

static void test_x2apic_eoi_and_timer(void **state)
{
	uint64_t v;

	to_x2apic();
	assert_true(vlapic_msr_write(&l, 0x80F, 0x1FF, T0, NULL));
	assert_true(vlapic_accept(&l, 0x61));
	vlapic_ack(&l, 0x61);
	assert_true(vlapic_msr_read(&l, 0x80A, &v, T0));
	assert_int_equal(v, 0x60);
	assert_true(vlapic_msr_read(&l, 0x813, &v, T0));
	assert_int_equal(v, 1u << 1);
	assert_true(vlapic_msr_write(&l, 0x80B, 0, T0, NULL));
	assert_true(vlapic_msr_read(&l, 0x813, &v, T0));
	assert_int_equal(v, 0);
	assert_true(vlapic_msr_write(&l, 0x832, VEC_TIMER, T0, NULL));
	assert_true(vlapic_msr_write(&l, 0x83E, DCR_DIV1, T0, NULL));
	assert_true(vlapic_msr_write(&l, 0x838, 250, T0, NULL));
	assert_true(vlapic_msr_read(&l, 0x839, &v, T0 + 50));
	assert_int_equal(v, 200);
	vlapic_timer_update(&l, T0 + 250);
	assert_int_equal(vlapic_pending(&l), VEC_TIMER);
}

/* CR8 reads TPR[7:4]; writing it sets TPR[7:4] and clears TPR[3:0]
 * (SDM Vol. 3A 11.8.6.1), and the PPR follows. */
static void test_cr8_is_tpr_high_nibble(void **state)
{
	uint32_t v;

	(void)state;
	wr(APIC_TPR, 0x5a);
	assert_int_equal(vlapic_cr8(&l), 5);
	vlapic_set_cr8(&l, 0xf);
	vlapic_mmio_read(&l, APIC_TPR, 4, &v, T0);
	assert_int_equal(v, 0xf0);
	assert_int_equal(vlapic_ppr(&l) & 0xf0, 0xf0);
	vlapic_set_cr8(&l, 0);
	assert_int_equal(vlapic_cr8(&l), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_power_on_state, setup),
		cmocka_unit_test_setup(test_id_write_ignored, setup),
		cmocka_unit_test_setup(test_mmio_odd_accesses, setup),
		cmocka_unit_test_setup(test_xapic_reserved_bits_dropped, setup),
		cmocka_unit_test_setup(test_init_reset, setup),
		cmocka_unit_test_setup(test_sw_disabled_masks_lvts, setup),
		cmocka_unit_test_setup(test_accept_and_pending, setup),
		cmocka_unit_test_setup(test_tpr_masks_by_class, setup),
		cmocka_unit_test_setup(test_eoi_clears_highest_isr, setup),
		cmocka_unit_test_setup(test_illegal_vector_and_esr, setup),
		cmocka_unit_test_setup(test_oneshot_timer, setup),
		cmocka_unit_test_setup(test_dcr_encodings, setup),
		cmocka_unit_test_setup(test_periodic_no_drift, setup),
		cmocka_unit_test_setup(test_masked_timer_still_counts, setup),
		cmocka_unit_test_setup(test_tsc_deadline, setup),
		cmocka_unit_test_setup(test_mode_switch_disarms, setup),
		cmocka_unit_test_setup(test_xapic_icr, setup),
		cmocka_unit_test_setup(test_match_physical_xapic, setup),
		cmocka_unit_test_setup(test_match_logical_flat_and_cluster, setup),
		cmocka_unit_test_setup(test_match_x2apic, setup),
		cmocka_unit_test_setup(test_base_transitions, setup),
		cmocka_unit_test_setup(test_x2apic_reads, setup),
		cmocka_unit_test_setup(test_x2apic_write_faults, setup),
		cmocka_unit_test_setup(test_x2apic_icr_and_self_ipi, setup),
		cmocka_unit_test_setup(test_x2apic_eoi_and_timer, setup),
		cmocka_unit_test_setup(test_cr8_is_tpr_high_nibble, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
