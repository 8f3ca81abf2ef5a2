/* SPDX-License-Identifier: MIT */
/*
 * Host tests for dev/vuart.c: every register and its reset value, DLAB
 * switching, receive FIFO fill/overflow/clear, IIR priorities, THRE
 * acknowledgement, MCR loopback with MSR lines and deltas, polled transmit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dev/vuart.h"

#define TX_MAX 64
#define FCR_ON VUART_FCR_ENABLE
#define FCR_TRIGGER_14 (3 << VUART_FCR_TRIGGER_SHIFT)
#define FCR_TRIGGER_4 (1 << VUART_FCR_TRIGGER_SHIFT)
#define LCR_8N1 0x03
#define LSR_IDLE (VUART_LSR_THRE | VUART_LSR_TEMT)
#define MSR_IDLE (VUART_MSR_CTS | VUART_MSR_DSR | VUART_MSR_DCD)

static struct vuart u;
static uint8_t tx_bytes[TX_MAX];
static unsigned tx_count;
static int tx_ctx_seen;

static void capture(void *ctx, uint8_t byte)
{
	assert_ptr_equal(ctx, &tx_ctx_seen);
	assert_true(tx_count < TX_MAX);
	tx_bytes[tx_count++] = byte;
}

static int setup(void **state)
{
	memset(&u, 0xa5, sizeof(u));
	vuart_init(&u, capture, &tx_ctx_seen);
	tx_count = 0;
	return 0;
}

static uint8_t rd(unsigned off)
{
	uint8_t v = 0x5a;

	vuart_io(&u, off, true, &v);
	return v;
}

static void wr(unsigned off, uint8_t v)
{
	vuart_io(&u, off, false, &v);
}

static uint8_t iir_id(void)
{
	return rd(VUART_IIR) & 0x0f;
}

/* ---- reset and plain registers ---------------------------------------------- */

static void test_reset_values(void **state)
{
	assert_int_equal(rd(VUART_IER), 0);
	assert_int_equal(rd(VUART_IIR), VUART_IIR_NONE);
	assert_int_equal(rd(VUART_LCR), 0);
	assert_int_equal(rd(VUART_MCR), 0);
	assert_int_equal(rd(VUART_LSR), LSR_IDLE);
	assert_int_equal(rd(VUART_MSR), MSR_IDLE);
	assert_int_equal(rd(VUART_SCR), 0);
	assert_int_equal(rd(VUART_RBR), 0);
	assert_false(vuart_irq_pending(&u));
	assert_int_equal(vuart_rx_space(&u), 1);
}

static void test_scratch_lcr_ier_mcr(void **state)
{
	for (unsigned v = 0; v < 256; v += 0x11) {
		wr(VUART_SCR, (uint8_t)v);
		assert_int_equal(rd(VUART_SCR), v);
	}
	wr(VUART_LCR, 0x7f);
	assert_int_equal(rd(VUART_LCR), 0x7f);
	wr(VUART_IER, 0xff);
	assert_int_equal(rd(VUART_IER), VUART_IER_MASK);
	wr(VUART_MCR, 0xff);
	assert_int_equal(rd(VUART_MCR), VUART_MCR_MASK);
	wr(VUART_MCR, VUART_MCR_DTR | VUART_MCR_OUT2);
	assert_int_equal(rd(VUART_MCR), VUART_MCR_DTR | VUART_MCR_OUT2);
}

static void test_read_only_and_unmapped(void **state)
{
	wr(VUART_LSR, 0);
	wr(VUART_MSR, 0);
	assert_int_equal(rd(VUART_LSR), LSR_IDLE);
	assert_int_equal(rd(VUART_MSR), MSR_IDLE);
	assert_int_equal(rd(VUART_NREGS), 0xff);
	assert_int_equal(rd(100), 0xff);
	wr(VUART_NREGS, 0x41);
	assert_int_equal(tx_count, 0);
	assert_int_equal(rd(VUART_LCR), 0);
}

static void test_dlab(void **state)
{
	wr(VUART_IER, VUART_IER_RDA);
	wr(VUART_LCR, VUART_LCR_DLAB | LCR_8N1);
	assert_int_equal(rd(VUART_DLL), VUART_DIVISOR_RESET);
	assert_int_equal(rd(VUART_DLM), 0);
	wr(VUART_DLL, 0x01);
	wr(VUART_DLM, 0x02);
	assert_int_equal(rd(VUART_DLL), 0x01);
	assert_int_equal(rd(VUART_DLM), 0x02);
	assert_int_equal(tx_count, 0); /* the DLL write did not transmit */
	assert_true(vuart_receive(&u, 'x'));
	assert_int_equal(rd(VUART_DLL), 0x01); /* no byte consumed */
	wr(VUART_LCR, LCR_8N1);
	assert_int_equal(rd(VUART_IER), VUART_IER_RDA); /* IER untouched by DLM */
	assert_int_equal(rd(VUART_LCR), LCR_8N1);
	assert_int_equal(rd(VUART_RBR), 'x');
	wr(VUART_LCR, VUART_LCR_DLAB);
	assert_int_equal(rd(VUART_DLL), 0x01);
	assert_int_equal(rd(VUART_DLM), 0x02);
	/* Offsets 2..7 ignore DLAB. */
	wr(VUART_SCR, 0x33);
	assert_int_equal(rd(VUART_SCR), 0x33);
	assert_int_equal(rd(VUART_LSR), LSR_IDLE);
}

/* ---- transmit ----------------------------------------------------------------- */

static void test_polled_transmit(void **state)
{
	const char *msg = "Hello, 16550A!\n";

	for (const char *c = msg; *c; c++) {
		while (!(rd(VUART_LSR) & VUART_LSR_THRE))
			;
		wr(VUART_THR, (uint8_t)*c);
	}
	assert_int_equal(tx_count, strlen(msg));
	assert_memory_equal(tx_bytes, msg, strlen(msg));
	assert_int_equal(rd(VUART_LSR), LSR_IDLE);
	assert_false(vuart_irq_pending(&u)); /* IER is 0 */
}

static void test_transmit_without_callback(void **state)
{
	vuart_init(&u, NULL, NULL);
	wr(VUART_THR, 'a');
	assert_int_equal(rd(VUART_LSR), LSR_IDLE);
}

/* ---- receive FIFO ----------------------------------------------------------- */

static void test_holding_register_without_fifo(void **state)
{
	assert_true(vuart_receive(&u, 'a'));
	assert_int_equal(vuart_rx_space(&u), 0);
	assert_int_equal(rd(VUART_LSR), LSR_IDLE | VUART_LSR_DR);
	assert_false(vuart_receive(&u, 'b'));
	assert_int_equal(rd(VUART_LSR), LSR_IDLE | VUART_LSR_DR | VUART_LSR_OE);
	assert_int_equal(rd(VUART_LSR), LSR_IDLE | VUART_LSR_DR); /* OE cleared by the read */
	assert_int_equal(rd(VUART_RBR), 'a');
	assert_int_equal(rd(VUART_LSR), LSR_IDLE);
	assert_int_equal(vuart_rx_space(&u), 1);
	assert_int_equal(rd(VUART_RBR), 0); /* empty */
}

static void test_fifo_fill_overflow(void **state)
{
	wr(VUART_FCR, FCR_ON);
	assert_int_equal(rd(VUART_IIR), VUART_IIR_FIFO | VUART_IIR_NONE);
	assert_int_equal(vuart_rx_space(&u), VUART_FIFO_SIZE);
	for (unsigned i = 0; i < VUART_FIFO_SIZE; i++) {
		assert_true(vuart_receive(&u, (uint8_t)('A' + i)));
		assert_int_equal(vuart_rx_space(&u), VUART_FIFO_SIZE - 1 - i);
	}
	assert_int_equal(rd(VUART_LSR) & VUART_LSR_OE, 0);
	assert_false(vuart_receive(&u, '!'));
	assert_int_equal(vuart_rx_space(&u), 0);
	assert_int_equal(rd(VUART_LSR), LSR_IDLE | VUART_LSR_DR | VUART_LSR_OE);
	assert_int_equal(rd(VUART_LSR) & VUART_LSR_OE, 0);
	for (unsigned i = 0; i < VUART_FIFO_SIZE; i++) {
		assert_true(rd(VUART_LSR) & VUART_LSR_DR);
		assert_int_equal(rd(VUART_RBR), 'A' + i); /* in order; '!' was dropped */
	}
	assert_int_equal(rd(VUART_LSR), LSR_IDLE);
}

static void test_fifo_wraps(void **state)
{
	wr(VUART_FCR, FCR_ON);
	for (unsigned round = 0; round < 3 * VUART_FIFO_SIZE; round++) {
		assert_true(vuart_receive(&u, (uint8_t)round));
		assert_true(vuart_receive(&u, (uint8_t)(round + 100)));
		assert_int_equal(rd(VUART_RBR), (uint8_t)round);
		assert_int_equal(rd(VUART_RBR), (uint8_t)(round + 100));
	}
	assert_int_equal(vuart_rx_space(&u), VUART_FIFO_SIZE);
}

static void test_fifo_clear_bits(void **state)
{
	wr(VUART_FCR, FCR_ON);
	vuart_receive(&u, '1');
	vuart_receive(&u, '2');
	wr(VUART_FCR, FCR_ON | VUART_FCR_CLEAR_TX); /* TX clear leaves RX alone */
	assert_int_equal(vuart_rx_space(&u), VUART_FIFO_SIZE - 2);
	wr(VUART_FCR, FCR_ON | VUART_FCR_CLEAR_RX);
	assert_int_equal(vuart_rx_space(&u), VUART_FIFO_SIZE);
	assert_int_equal(rd(VUART_LSR), LSR_IDLE);
	assert_int_equal(rd(VUART_IIR), VUART_IIR_FIFO | VUART_IIR_NONE); /* still enabled */

	/* Without bit 0 the clear bits do nothing but disable (which empties). */
	vuart_receive(&u, '3');
	wr(VUART_FCR, VUART_FCR_CLEAR_RX);
	assert_int_equal(rd(VUART_IIR), VUART_IIR_NONE);
	assert_int_equal(vuart_rx_space(&u), 1);
	vuart_receive(&u, '4');
	wr(VUART_FCR, FCR_ON); /* enabling empties too */
	assert_int_equal(vuart_rx_space(&u), VUART_FIFO_SIZE);
	vuart_receive(&u, '5');
	wr(VUART_FCR, FCR_ON | FCR_TRIGGER_14); /* no change of bit 0: kept */
	assert_int_equal(rd(VUART_RBR), '5');
}

/* ---- interrupts --------------------------------------------------------------- */

static void test_rda_interrupt(void **state)
{
	vuart_receive(&u, 'a');
	assert_false(vuart_irq_pending(&u)); /* IER bit 0 clear */
	assert_int_equal(iir_id(), VUART_IIR_NONE);
	wr(VUART_IER, VUART_IER_RDA);
	assert_true(vuart_irq_pending(&u));
	assert_int_equal(rd(VUART_IIR), VUART_IIR_RDA);
	assert_int_equal(rd(VUART_IIR), VUART_IIR_RDA); /* reading IIR does not ack RDA */
	assert_int_equal(rd(VUART_RBR), 'a');
	assert_false(vuart_irq_pending(&u));
	assert_int_equal(rd(VUART_IIR), VUART_IIR_NONE);
}

static void test_fifo_trigger_and_timeout(void **state)
{
	wr(VUART_FCR, FCR_ON | FCR_TRIGGER_4);
	wr(VUART_IER, VUART_IER_RDA);
	vuart_receive(&u, 1);
	vuart_receive(&u, 2);
	vuart_receive(&u, 3);
	assert_int_equal(rd(VUART_IIR), VUART_IIR_FIFO | VUART_IIR_TIMEOUT);
	vuart_receive(&u, 4);
	assert_int_equal(rd(VUART_IIR), VUART_IIR_FIFO | VUART_IIR_RDA);
	rd(VUART_RBR);
	assert_int_equal(iir_id(), VUART_IIR_TIMEOUT);
	wr(VUART_FCR, FCR_ON | FCR_TRIGGER_4 | VUART_FCR_CLEAR_RX);
	assert_int_equal(iir_id(), VUART_IIR_NONE);
	wr(VUART_FCR, FCR_ON); /* trigger level 1 */
	vuart_receive(&u, 5);
	assert_int_equal(iir_id(), VUART_IIR_RDA);
}

static void test_thre_interrupt(void **state)
{
	wr(VUART_IER, VUART_IER_THRE); /* enabling with the THR empty raises it */
	assert_true(vuart_irq_pending(&u));
	assert_int_equal(rd(VUART_IIR), VUART_IIR_THRE);
	assert_int_equal(rd(VUART_IIR), VUART_IIR_NONE); /* acknowledged by the IIR read */
	assert_false(vuart_irq_pending(&u));
	wr(VUART_IER, VUART_IER_THRE); /* already enabled: no new edge */
	assert_false(vuart_irq_pending(&u));
	wr(VUART_THR, 'x'); /* transmitted at once: THR empty again */
	assert_true(vuart_irq_pending(&u));
	wr(VUART_THR, 'y'); /* a THR write clears and, sent at once, re-arms */
	assert_int_equal(iir_id(), VUART_IIR_THRE);
	assert_int_equal(iir_id(), VUART_IIR_NONE);
	assert_int_equal(tx_count, 2);

	/* Latched while disabled, reported once enabled; toggling re-raises. */
	wr(VUART_IER, 0);
	wr(VUART_THR, 'z');
	assert_false(vuart_irq_pending(&u));
	wr(VUART_IER, VUART_IER_THRE);
	assert_int_equal(iir_id(), VUART_IIR_THRE);
	wr(VUART_IER, 0);
	wr(VUART_IER, VUART_IER_THRE);
	assert_int_equal(iir_id(), VUART_IIR_THRE);
}

static void test_rls_interrupt(void **state)
{
	wr(VUART_IER, VUART_IER_RLS | VUART_IER_RDA | VUART_IER_THRE);
	vuart_receive(&u, 'a');
	assert_false(vuart_receive(&u, 'b'));
	assert_int_equal(iir_id(), VUART_IIR_RLS); /* highest priority */
	assert_int_equal(iir_id(), VUART_IIR_RLS); /* only the LSR read clears it */
	assert_int_equal(rd(VUART_LSR) & VUART_LSR_OE, VUART_LSR_OE);
	assert_int_equal(iir_id(), VUART_IIR_RDA);
	rd(VUART_RBR);
	assert_int_equal(iir_id(), VUART_IIR_THRE);
	assert_int_equal(iir_id(), VUART_IIR_NONE);

	wr(VUART_IER, VUART_IER_RDA); /* OE without IER bit 2: no RLS */
	vuart_receive(&u, 'a');
	vuart_receive(&u, 'b');
	assert_int_equal(iir_id(), VUART_IIR_RDA);
	assert_true(rd(VUART_LSR) & VUART_LSR_OE);
}

static void test_iir_priority_order(void **state)
{
	wr(VUART_MCR, VUART_MCR_LOOP | VUART_MCR_RTS); /* a modem status delta */
	wr(VUART_IER, VUART_IER_MASK);
	vuart_receive(&u, 'a');
	vuart_receive(&u, 'b'); /* overrun */
	assert_int_equal(iir_id(), VUART_IIR_RLS);
	rd(VUART_LSR);
	assert_int_equal(iir_id(), VUART_IIR_RDA);
	rd(VUART_RBR);
	assert_int_equal(iir_id(), VUART_IIR_THRE);
	assert_int_equal(iir_id(), VUART_IIR_MS);
	assert_true(vuart_irq_pending(&u));
	rd(VUART_MSR);
	assert_int_equal(iir_id(), VUART_IIR_NONE);
	assert_false(vuart_irq_pending(&u));
}

/* ---- loopback and modem status -------------------------------------------- */

static void test_loopback(void **state)
{
	wr(VUART_FCR, FCR_ON);
	wr(VUART_MCR, VUART_MCR_LOOP);
	wr(VUART_THR, 'L');
	wr(VUART_THR, 'B');
	assert_int_equal(tx_count, 0); /* nothing reaches the host */
	assert_int_equal(rd(VUART_LSR), LSR_IDLE | VUART_LSR_DR);
	assert_int_equal(rd(VUART_RBR), 'L');
	assert_int_equal(rd(VUART_RBR), 'B');
	for (unsigned i = 0; i <= VUART_FIFO_SIZE; i++)
		wr(VUART_THR, (uint8_t)i);
	assert_true(rd(VUART_LSR) & VUART_LSR_OE); /* the 17th byte overran */
	wr(VUART_MCR, 0);
	wr(VUART_THR, 'h');
	assert_int_equal(tx_count, 1);
	assert_int_equal(tx_bytes[0], 'h');
}

static void test_loopback_msr(void **state)
{
	static const struct {
		uint8_t mcr;
		uint8_t lines;
	} wiring[] = {
	    {VUART_MCR_DTR, VUART_MSR_DSR},
	    {VUART_MCR_RTS, VUART_MSR_CTS},
	    {VUART_MCR_OUT1, VUART_MSR_RI},
	    {VUART_MCR_OUT2, VUART_MSR_DCD},
	    {VUART_MCR_RTS | VUART_MCR_OUT2, VUART_MSR_CTS | VUART_MSR_DCD}, /* Linux probe: 0x90 */
	    {0x0f, 0xf0},
	    {0, 0},
	};

	for (size_t i = 0; i < sizeof(wiring) / sizeof(wiring[0]); i++) {
		wr(VUART_MCR, VUART_MCR_LOOP | wiring[i].mcr);
		assert_int_equal(rd(VUART_MSR) & 0xf0, wiring[i].lines);
	}
	wr(VUART_MCR, 0);
	assert_int_equal(rd(VUART_MSR) & 0xf0, MSR_IDLE);
}

static void test_msr_deltas(void **state)
{
	assert_int_equal(rd(VUART_MSR), MSR_IDLE);
	wr(VUART_MCR, VUART_MCR_LOOP | VUART_MCR_RTS | VUART_MCR_OUT1);
	/* CTS stays 1; DSR and DCD fall; RI rises (no TERI on a rising edge). */
	assert_int_equal(rd(VUART_MSR),
			 VUART_MSR_CTS | VUART_MSR_RI | VUART_MSR_DDSR | VUART_MSR_DDCD);
	assert_int_equal(rd(VUART_MSR), VUART_MSR_CTS | VUART_MSR_RI); /* deltas cleared */
	wr(VUART_MCR, VUART_MCR_LOOP);
	assert_int_equal(rd(VUART_MSR), VUART_MSR_DCTS | VUART_MSR_TERI);
	wr(VUART_IER, VUART_IER_MS);
	assert_false(vuart_irq_pending(&u));
	wr(VUART_MCR, VUART_MCR_LOOP | VUART_MCR_DTR);
	assert_int_equal(rd(VUART_IIR), VUART_IIR_MS);
	assert_int_equal(rd(VUART_MSR), VUART_MSR_DSR | VUART_MSR_DDSR);
	assert_int_equal(rd(VUART_IIR), VUART_IIR_NONE);
}

static void test_host_input_in_loopback(void **state)
{
	wr(VUART_MCR, VUART_MCR_LOOP);
	assert_true(vuart_receive(&u, 'k'));
	assert_int_equal(rd(VUART_RBR), 'k');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_reset_values, setup),
	    cmocka_unit_test_setup(test_scratch_lcr_ier_mcr, setup),
	    cmocka_unit_test_setup(test_read_only_and_unmapped, setup),
	    cmocka_unit_test_setup(test_dlab, setup),
	    cmocka_unit_test_setup(test_polled_transmit, setup),
	    cmocka_unit_test_setup(test_transmit_without_callback, setup),
	    cmocka_unit_test_setup(test_holding_register_without_fifo, setup),
	    cmocka_unit_test_setup(test_fifo_fill_overflow, setup),
	    cmocka_unit_test_setup(test_fifo_wraps, setup),
	    cmocka_unit_test_setup(test_fifo_clear_bits, setup),
	    cmocka_unit_test_setup(test_rda_interrupt, setup),
	    cmocka_unit_test_setup(test_fifo_trigger_and_timeout, setup),
	    cmocka_unit_test_setup(test_thre_interrupt, setup),
	    cmocka_unit_test_setup(test_rls_interrupt, setup),
	    cmocka_unit_test_setup(test_iir_priority_order, setup),
	    cmocka_unit_test_setup(test_loopback, setup),
	    cmocka_unit_test_setup(test_loopback_msr, setup),
	    cmocka_unit_test_setup(test_msr_deltas, setup),
	    cmocka_unit_test_setup(test_host_input_in_loopback, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
