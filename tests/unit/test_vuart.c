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
#define FCR_ON UART_FCR_ENABLE
#define FCR_TRIGGER_14 (3 << UART_FCR_TRIGGER_SHIFT)
#define FCR_TRIGGER_4 (1 << UART_FCR_TRIGGER_SHIFT)
#define LCR_8N1 0x03
#define LSR_IDLE (UART_LSR_THRE | UART_LSR_TEMT)
#define MSR_IDLE (UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD)

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
	return rd(UART_IIR) & 0x0f;
}

/* ---- reset and plain registers ---------------------------------------------- */

static void test_reset_values(void **state)
{
	assert_int_equal(rd(UART_IER), 0);
	assert_int_equal(rd(UART_IIR), UART_IIR_NONE);
	assert_int_equal(rd(UART_LCR), 0);
	assert_int_equal(rd(UART_MCR), 0);
	assert_int_equal(rd(UART_LSR), LSR_IDLE);
	assert_int_equal(rd(UART_MSR), MSR_IDLE);
	assert_int_equal(rd(UART_SCR), 0);
	assert_int_equal(rd(UART_RBR), 0);
	assert_false(vuart_irq_pending(&u));
	assert_int_equal(vuart_rx_space(&u), 1);
}

static void test_scratch_lcr_ier_mcr(void **state)
{
	for (unsigned v = 0; v < 256; v += 0x11) {
		wr(UART_SCR, (uint8_t)v);
		assert_int_equal(rd(UART_SCR), v);
	}
	wr(UART_LCR, 0x7f);
	assert_int_equal(rd(UART_LCR), 0x7f);
	wr(UART_IER, 0xff);
	assert_int_equal(rd(UART_IER), UART_IER_MASK);
	wr(UART_MCR, 0xff);
	assert_int_equal(rd(UART_MCR), UART_MCR_MASK);
	wr(UART_MCR, UART_MCR_DTR | UART_MCR_OUT2);
	assert_int_equal(rd(UART_MCR), UART_MCR_DTR | UART_MCR_OUT2);
}

static void test_read_only_and_unmapped(void **state)
{
	wr(UART_LSR, 0);
	wr(UART_MSR, 0);
	assert_int_equal(rd(UART_LSR), LSR_IDLE);
	assert_int_equal(rd(UART_MSR), MSR_IDLE);
	assert_int_equal(rd(UART_NREGS), 0xff);
	assert_int_equal(rd(100), 0xff);
	wr(UART_NREGS, 0x41);
	assert_int_equal(tx_count, 0);
	assert_int_equal(rd(UART_LCR), 0);
}

static void test_dlab(void **state)
{
	wr(UART_IER, UART_IER_RDA);
	wr(UART_LCR, UART_LCR_DLAB | LCR_8N1);
	assert_int_equal(rd(UART_DLL), VUART_DIVISOR_RESET);
	assert_int_equal(rd(UART_DLM), 0);
	wr(UART_DLL, 0x01);
	wr(UART_DLM, 0x02);
	assert_int_equal(rd(UART_DLL), 0x01);
	assert_int_equal(rd(UART_DLM), 0x02);
	assert_int_equal(tx_count, 0); /* the DLL write did not transmit */
	assert_true(vuart_receive(&u, 'x'));
	assert_int_equal(rd(UART_DLL), 0x01); /* no byte consumed */
	wr(UART_LCR, LCR_8N1);
	assert_int_equal(rd(UART_IER), UART_IER_RDA); /* IER untouched by DLM */
	assert_int_equal(rd(UART_LCR), LCR_8N1);
	assert_int_equal(rd(UART_RBR), 'x');
	wr(UART_LCR, UART_LCR_DLAB);
	assert_int_equal(rd(UART_DLL), 0x01);
	assert_int_equal(rd(UART_DLM), 0x02);
	/* Offsets 2..7 ignore DLAB. */
	wr(UART_SCR, 0x33);
	assert_int_equal(rd(UART_SCR), 0x33);
	assert_int_equal(rd(UART_LSR), LSR_IDLE);
}

/* ---- transmit ----------------------------------------------------------------- */

static void test_polled_transmit(void **state)
{
	const char *msg = "Hello, 16550A!\n";

	for (const char *c = msg; *c; c++) {
		while (!(rd(UART_LSR) & UART_LSR_THRE))
			;
		wr(UART_THR, (uint8_t)*c);
	}
	assert_int_equal(tx_count, strlen(msg));
	assert_memory_equal(tx_bytes, msg, strlen(msg));
	assert_int_equal(rd(UART_LSR), LSR_IDLE);
	assert_false(vuart_irq_pending(&u)); /* IER is 0 */
}

static void test_transmit_without_callback(void **state)
{
	vuart_init(&u, NULL, NULL);
	wr(UART_THR, 'a');
	assert_int_equal(rd(UART_LSR), LSR_IDLE);
}

/* ---- receive FIFO ----------------------------------------------------------- */

static void test_holding_register_without_fifo(void **state)
{
	assert_true(vuart_receive(&u, 'a'));
	assert_int_equal(vuart_rx_space(&u), 0);
	assert_int_equal(rd(UART_LSR), LSR_IDLE | UART_LSR_DR);
	assert_false(vuart_receive(&u, 'b'));
	assert_int_equal(rd(UART_LSR), LSR_IDLE | UART_LSR_DR | UART_LSR_OE);
	assert_int_equal(rd(UART_LSR), LSR_IDLE | UART_LSR_DR); /* OE cleared by the read */
	assert_int_equal(rd(UART_RBR), 'a');
	assert_int_equal(rd(UART_LSR), LSR_IDLE);
	assert_int_equal(vuart_rx_space(&u), 1);
	assert_int_equal(rd(UART_RBR), 0); /* empty */
}

static void test_fifo_fill_overflow(void **state)
{
	wr(UART_FCR, FCR_ON);
	assert_int_equal(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_NONE);
	assert_int_equal(vuart_rx_space(&u), UART_FIFO_SIZE);
	for (unsigned i = 0; i < UART_FIFO_SIZE; i++) {
		assert_true(vuart_receive(&u, (uint8_t)('A' + i)));
		assert_int_equal(vuart_rx_space(&u), UART_FIFO_SIZE - 1 - i);
	}
	assert_int_equal(rd(UART_LSR) & UART_LSR_OE, 0);
	assert_false(vuart_receive(&u, '!'));
	assert_int_equal(vuart_rx_space(&u), 0);
	assert_int_equal(rd(UART_LSR), LSR_IDLE | UART_LSR_DR | UART_LSR_OE);
	assert_int_equal(rd(UART_LSR) & UART_LSR_OE, 0);
	for (unsigned i = 0; i < UART_FIFO_SIZE; i++) {
		assert_true(rd(UART_LSR) & UART_LSR_DR);
		assert_int_equal(rd(UART_RBR), 'A' + i); /* in order; '!' was dropped */
	}
	assert_int_equal(rd(UART_LSR), LSR_IDLE);
}

static void test_fifo_wraps(void **state)
{
	wr(UART_FCR, FCR_ON);
	for (unsigned round = 0; round < 3 * UART_FIFO_SIZE; round++) {
		assert_true(vuart_receive(&u, (uint8_t)round));
		assert_true(vuart_receive(&u, (uint8_t)(round + 100)));
		assert_int_equal(rd(UART_RBR), (uint8_t)round);
		assert_int_equal(rd(UART_RBR), (uint8_t)(round + 100));
	}
	assert_int_equal(vuart_rx_space(&u), UART_FIFO_SIZE);
}

static void test_fifo_clear_bits(void **state)
{
	wr(UART_FCR, FCR_ON);
	vuart_receive(&u, '1');
	vuart_receive(&u, '2');
	wr(UART_FCR, FCR_ON | UART_FCR_CLEAR_TX); /* TX clear leaves RX alone */
	assert_int_equal(vuart_rx_space(&u), UART_FIFO_SIZE - 2);
	wr(UART_FCR, FCR_ON | UART_FCR_CLEAR_RX);
	assert_int_equal(vuart_rx_space(&u), UART_FIFO_SIZE);
	assert_int_equal(rd(UART_LSR), LSR_IDLE);
	assert_int_equal(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_NONE); /* still enabled */

	/* Without bit 0 the clear bits do nothing but disable (which empties). */
	vuart_receive(&u, '3');
	wr(UART_FCR, UART_FCR_CLEAR_RX);
	assert_int_equal(rd(UART_IIR), UART_IIR_NONE);
	assert_int_equal(vuart_rx_space(&u), 1);
	vuart_receive(&u, '4');
	wr(UART_FCR, FCR_ON); /* enabling empties too */
	assert_int_equal(vuart_rx_space(&u), UART_FIFO_SIZE);
	vuart_receive(&u, '5');
	wr(UART_FCR, FCR_ON | FCR_TRIGGER_14); /* no change of bit 0: kept */
	assert_int_equal(rd(UART_RBR), '5');
}

/* ---- interrupts --------------------------------------------------------------- */

static void test_rda_interrupt(void **state)
{
	vuart_receive(&u, 'a');
	assert_false(vuart_irq_pending(&u)); /* IER bit 0 clear */
	assert_int_equal(iir_id(), UART_IIR_NONE);
	wr(UART_IER, UART_IER_RDA);
	assert_true(vuart_irq_pending(&u));
	assert_int_equal(rd(UART_IIR), UART_IIR_RDA);
	assert_int_equal(rd(UART_IIR), UART_IIR_RDA); /* reading IIR does not ack RDA */
	assert_int_equal(rd(UART_RBR), 'a');
	assert_false(vuart_irq_pending(&u));
	assert_int_equal(rd(UART_IIR), UART_IIR_NONE);
}

static void test_fifo_trigger_and_timeout(void **state)
{
	wr(UART_FCR, FCR_ON | FCR_TRIGGER_4);
	wr(UART_IER, UART_IER_RDA);
	vuart_receive(&u, 1);
	vuart_receive(&u, 2);
	vuart_receive(&u, 3);
	assert_int_equal(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_TIMEOUT);
	vuart_receive(&u, 4);
	assert_int_equal(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_RDA);
	rd(UART_RBR);
	assert_int_equal(iir_id(), UART_IIR_TIMEOUT);
	wr(UART_FCR, FCR_ON | FCR_TRIGGER_4 | UART_FCR_CLEAR_RX);
	assert_int_equal(iir_id(), UART_IIR_NONE);
	wr(UART_FCR, FCR_ON); /* trigger level 1 */
	vuart_receive(&u, 5);
	assert_int_equal(iir_id(), UART_IIR_RDA);
}

static void test_thre_interrupt(void **state)
{
	wr(UART_IER, UART_IER_THRE); /* enabling with the THR empty raises it */
	assert_true(vuart_irq_pending(&u));
	assert_int_equal(rd(UART_IIR), UART_IIR_THRE);
	assert_int_equal(rd(UART_IIR), UART_IIR_NONE); /* acknowledged by the IIR read */
	assert_false(vuart_irq_pending(&u));
	wr(UART_IER, UART_IER_THRE); /* already enabled: no new edge */
	assert_false(vuart_irq_pending(&u));
	wr(UART_THR, 'x'); /* transmitted at once: THR empty again */
	assert_true(vuart_irq_pending(&u));
	wr(UART_THR, 'y'); /* a THR write clears and, sent at once, re-arms */
	assert_int_equal(iir_id(), UART_IIR_THRE);
	assert_int_equal(iir_id(), UART_IIR_NONE);
	assert_int_equal(tx_count, 2);

	/* Latched while disabled, reported once enabled; toggling re-raises. */
	wr(UART_IER, 0);
	wr(UART_THR, 'z');
	assert_false(vuart_irq_pending(&u));
	wr(UART_IER, UART_IER_THRE);
	assert_int_equal(iir_id(), UART_IIR_THRE);
	wr(UART_IER, 0);
	wr(UART_IER, UART_IER_THRE);
	assert_int_equal(iir_id(), UART_IIR_THRE);
}

static void test_rls_interrupt(void **state)
{
	wr(UART_IER, UART_IER_RLS | UART_IER_RDA | UART_IER_THRE);
	vuart_receive(&u, 'a');
	assert_false(vuart_receive(&u, 'b'));
	assert_int_equal(iir_id(), UART_IIR_RLS); /* highest priority */
	assert_int_equal(iir_id(), UART_IIR_RLS); /* only the LSR read clears it */
	assert_int_equal(rd(UART_LSR) & UART_LSR_OE, UART_LSR_OE);
	assert_int_equal(iir_id(), UART_IIR_RDA);
	rd(UART_RBR);
	assert_int_equal(iir_id(), UART_IIR_THRE);
	assert_int_equal(iir_id(), UART_IIR_NONE);

	wr(UART_IER, UART_IER_RDA); /* OE without IER bit 2: no RLS */
	vuart_receive(&u, 'a');
	vuart_receive(&u, 'b');
	assert_int_equal(iir_id(), UART_IIR_RDA);
	assert_true(rd(UART_LSR) & UART_LSR_OE);
}

static void test_iir_priority_order(void **state)
{
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_RTS); /* a modem status delta */
	wr(UART_IER, UART_IER_MASK);
	vuart_receive(&u, 'a');
	vuart_receive(&u, 'b'); /* overrun */
	assert_int_equal(iir_id(), UART_IIR_RLS);
	rd(UART_LSR);
	assert_int_equal(iir_id(), UART_IIR_RDA);
	rd(UART_RBR);
	assert_int_equal(iir_id(), UART_IIR_THRE);
	assert_int_equal(iir_id(), UART_IIR_MS);
	assert_true(vuart_irq_pending(&u));
	rd(UART_MSR);
	assert_int_equal(iir_id(), UART_IIR_NONE);
	assert_false(vuart_irq_pending(&u));
}

/* ---- loopback and modem status -------------------------------------------- */

static void test_loopback(void **state)
{
	wr(UART_FCR, FCR_ON);
	wr(UART_MCR, UART_MCR_LOOP);
	wr(UART_THR, 'L');
	wr(UART_THR, 'B');
	assert_int_equal(tx_count, 0); /* nothing reaches the host */
	assert_int_equal(rd(UART_LSR), LSR_IDLE | UART_LSR_DR);
	assert_int_equal(rd(UART_RBR), 'L');
	assert_int_equal(rd(UART_RBR), 'B');
	for (unsigned i = 0; i <= UART_FIFO_SIZE; i++)
		wr(UART_THR, (uint8_t)i);
	assert_true(rd(UART_LSR) & UART_LSR_OE); /* the 17th byte overran */
	wr(UART_MCR, 0);
	wr(UART_THR, 'h');
	assert_int_equal(tx_count, 1);
	assert_int_equal(tx_bytes[0], 'h');
}

static void test_loopback_msr(void **state)
{
	static const struct {
		uint8_t mcr;
		uint8_t lines;
	} wiring[] = {
	    {UART_MCR_DTR, UART_MSR_DSR},
	    {UART_MCR_RTS, UART_MSR_CTS},
	    {UART_MCR_OUT1, UART_MSR_RI},
	    {UART_MCR_OUT2, UART_MSR_DCD},
	    {UART_MCR_RTS | UART_MCR_OUT2, UART_MSR_CTS | UART_MSR_DCD}, /* Linux probe: 0x90 */
	    {0x0f, 0xf0},
	    {0, 0},
	};

	for (size_t i = 0; i < sizeof(wiring) / sizeof(wiring[0]); i++) {
		wr(UART_MCR, UART_MCR_LOOP | wiring[i].mcr);
		assert_int_equal(rd(UART_MSR) & 0xf0, wiring[i].lines);
	}
	wr(UART_MCR, 0);
	assert_int_equal(rd(UART_MSR) & 0xf0, MSR_IDLE);
}

static void test_msr_deltas(void **state)
{
	assert_int_equal(rd(UART_MSR), MSR_IDLE);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_OUT1);
	/* CTS stays 1; DSR and DCD fall; RI rises (no TERI on a rising edge). */
	assert_int_equal(rd(UART_MSR), UART_MSR_CTS | UART_MSR_RI | UART_MSR_DDSR | UART_MSR_DDCD);
	assert_int_equal(rd(UART_MSR), UART_MSR_CTS | UART_MSR_RI); /* deltas cleared */
	wr(UART_MCR, UART_MCR_LOOP);
	assert_int_equal(rd(UART_MSR), UART_MSR_DCTS | UART_MSR_TERI);
	wr(UART_IER, UART_IER_MS);
	assert_false(vuart_irq_pending(&u));
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR);
	assert_int_equal(rd(UART_IIR), UART_IIR_MS);
	assert_int_equal(rd(UART_MSR), UART_MSR_DSR | UART_MSR_DDSR);
	assert_int_equal(rd(UART_IIR), UART_IIR_NONE);
}

static void test_host_input_in_loopback(void **state)
{
	wr(UART_MCR, UART_MCR_LOOP);
	assert_true(vuart_receive(&u, 'k'));
	assert_int_equal(rd(UART_RBR), 'k');
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
