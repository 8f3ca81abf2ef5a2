/* SPDX-License-Identifier: MIT */
/*
 * Host tests for vm/console.c: nothing reaches printk until a drain; whole
 * lines with the VM's prefix, in order, with escapes and wrapping; the token
 * bucket (burst, refill, resuming at half the burst) and the drop notes;
 * a full ring; the drain budget and the one-drainer rule; host notes kept
 * after the output before them; the final flush.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "vm/console.h"
#include "lib/printk.h"
#include "tests/unit/fake_printk.h"

#define US_PER_S 1000000ull
#define LIVE_PAUSE_US 20000 /* vm/console.c's LIVE_IDLE_US */
#define NAME "vm7"
#define LINE_COST(text_len) (sizeof(NAME) - 1 + 3 + (text_len) + 1) /* "[vm7] text\n" */
#define TEST_RATE 100						    /* bytes per second */
#define TEST_BURST 200						    /* bytes */
#define TEN_BYTE_TEXT "abcdefghi" /* 9 bytes + newline: a line costs 16 */
#define TEN_BYTE_COST LINE_COST(9)
#define MANY 4000

static struct vm_console con;
static uint64_t now_us;

static uint64_t fake_clock(void)
{
	return now_us;
}

static int setup(void **state)
{
	(void)state;
	now_us = 1000;
	vm_console_live_break(); /* no other test's line on the screen */
	fake_printk_clear();
	vm_console_init(&con, NAME, fake_clock);
	return 0;
}

/* Every lock released, interrupts back on. */
static int teardown(void **state)
{
	(void)state;
	assert_int_equal(con.lock.next, con.lock.owner);
	assert_true(cpu_irqs_enabled());
	assert_false(con.draining);
	return 0;
}

static void put(const char *s)
{
	vm_console_put(&con, s, strlen(s));
}

static unsigned count(const char *needle)
{
	unsigned n = 0;

	for (const char *p = fake_printk_log(); (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void test_queued_until_drained(void **state)
{
	(void)state;
	put("hello\r\nworld\n\npartial");
	assert_string_equal(fake_printk_log(), "");
	assert_true(vm_console_pending(&con));
	assert_int_equal(vm_console_drain(&con, SIZE_MAX), LINE_COST(5) * 2);
	assert_string_equal(fake_printk_log(), "[vm7] hello\n[vm7] world\n");
	vm_console_flush(&con);
	assert_string_equal(fake_printk_log(), "[vm7] hello\n[vm7] world\n[vm7] partial\n");
	assert_false(vm_console_pending(&con));
}

/* Drain after the guest has paused long enough for its line to show. */
static void drain_later(struct vm_console *c)
{
	now_us += LIVE_PAUSE_US;
	vm_console_drain(c, SIZE_MAX);
}

/* The keyboard VM's line shows as it grows (a prompt, then each typed
 * character's echo); the newline ends it without a second prefix. */
static void test_live_line(void **state)
{
	(void)state;
	put("boot done\nsh# ");
	drain_later(&con);
	assert_string_equal(fake_printk_log(), "[vm7] boot done\n"); /* not live: whole lines */
	vm_console_set_live(&con, true);
	drain_later(&con);
	assert_string_equal(fake_printk_log(), "[vm7] boot done\n[vm7] sh# ");
	put("l");
	drain_later(&con);
	put("s");
	drain_later(&con);
	assert_string_equal(fake_printk_log(), "[vm7] boot done\n[vm7] sh# ls");
	put("\r\nbin\nsh# ");
	drain_later(&con);
	assert_string_equal(fake_printk_log(),
			    "[vm7] boot done\n[vm7] sh# ls\n[vm7] bin\n[vm7] sh# ");
	put("\n");
	drain_later(&con);
	assert_string_equal(fake_printk_log(),
			    "[vm7] boot done\n[vm7] sh# ls\n[vm7] bin\n[vm7] sh# \n");
	assert_false(vm_console_pending(&con));
	vm_console_set_live(&con, false);
	put("late");
	drain_later(&con);
	assert_false(fake_printk_contains("late"));
}

/* Another VM's line ends the unfinished one on the screen; that one then
 * shows whole again, prefix and all. */
static void test_live_line_interrupted(void **state)
{
	static struct vm_console other;

	(void)state;
	vm_console_init(&other, "vm8", fake_clock);
	vm_console_set_live(&con, true);
	put("sh# l");
	vm_console_drain(&con, SIZE_MAX);
	assert_string_equal(fake_printk_log(), ""); /* still being written: not yet */
	drain_later(&con);
	vm_console_put(&other, "other\n", 6);
	drain_later(&other);
	put("s");
	drain_later(&con);
	assert_string_equal(fake_printk_log(), "[vm7] sh# l\n[vm8] other\n[vm7] sh# ls");
	fake_printk_clear();
	vm_console_live_break(); /* a host message comes next */
	put("\n");
	drain_later(&con);
	assert_string_equal(fake_printk_log(), "\n[vm7] sh# ls\n");
}

static void test_escapes_and_wrap(void **state)
{
	char longline[VM_CONSOLE_LINE + 10];
	struct vm_console_stats st;

	(void)state;
	put("a\x1b[1mb\x9b\x07\tc\n");
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	put(longline);
	vm_console_flush(&con);
	assert_true(fake_printk_contains("[vm7] a\\x1b[1mb\\x9b\\x07\tc\n"));
	assert_false(fake_printk_contains("\x1b"));
	/* 169 x's: one full line of VM_CONSOLE_LINE - 1, then the other 10. */
	assert_true(fake_printk_contains("[vm7] xxxxxxxxxx\n"));
	assert_int_equal(count("[vm7] "), 3);
	vm_console_get_stats(&con, &st);
	assert_int_equal(st.lines, 3);
	assert_int_equal(st.dropped_rate + st.dropped_full, 0);
}

/* A burst passes, the rest is dropped and counted in guest bytes; output
 * resumes only once half the burst is back, after one note. */
static void test_rate_limit_and_note(void **state)
{
	struct vm_console_stats st;
	unsigned burst_lines = TEST_BURST / TEN_BYTE_COST;

	(void)state;
	vm_console_set_rate(&con, TEST_RATE, TEST_BURST);
	for (unsigned i = 0; i < burst_lines + 5; i++)
		put(TEN_BYTE_TEXT "\n");
	vm_console_drain(&con, SIZE_MAX);
	assert_int_equal(count("[vm7] " TEN_BYTE_TEXT "\n"), burst_lines);
	vm_console_get_stats(&con, &st);
	assert_int_equal(st.dropped_rate, 5 * 10);
	/* A quarter of the burst later: still throttled. */
	now_us += US_PER_S * TEST_BURST / 4 / TEST_RATE;
	put("still too soon\n");
	vm_console_drain(&con, SIZE_MAX);
	assert_false(fake_printk_contains("too soon"));
	assert_false(fake_printk_contains("dropped"));
	/* Half the burst: the note, then the line. */
	now_us += US_PER_S * TEST_BURST / 4 / TEST_RATE;
	put("back\n");
	vm_console_drain(&con, SIZE_MAX);
	assert_true(fake_printk_contains(
	    "[vm7] ... 65 bytes of console output dropped (rate limit)\n[vm7] back\n"));
	vm_console_get_stats(&con, &st);
	assert_int_equal(st.dropped_rate, 65);
}

/* With the guest quiet, a drain reports the drops once the rate allows. */
static void test_note_without_more_output(void **state)
{
	(void)state;
	vm_console_set_rate(&con, TEST_RATE, TEST_BURST);
	for (unsigned i = 0; i < MANY; i++)
		put(TEN_BYTE_TEXT "\n");
	vm_console_drain(&con, SIZE_MAX);
	assert_false(fake_printk_contains("dropped"));
	now_us += US_PER_S * TEST_BURST / TEST_RATE;
	vm_console_drain(&con, SIZE_MAX);
	assert_int_equal(count("dropped (rate limit)"), 1);
	vm_console_drain(&con, SIZE_MAX);
	assert_int_equal(count("dropped (rate limit)"), 1);
}

/* The rate counts host bytes, prefix included: one-byte lines cost more. */
static void test_rate_counts_prefix(void **state)
{
	(void)state;
	vm_console_set_rate(&con, TEST_RATE, TEST_BURST);
	for (unsigned i = 0; i < MANY; i++)
		put("z\n");
	vm_console_flush(&con);
	assert_int_equal(count("[vm7] z\n"), TEST_BURST / LINE_COST(1));
}

static void test_ring_full(void **state)
{
	struct vm_console_stats st;

	(void)state;
	vm_console_set_rate(&con, 0, 0); /* no rate limit: only the ring bounds */
	for (unsigned i = 0; i < MANY; i++)
		put(TEN_BYTE_TEXT "\n");
	vm_console_get_stats(&con, &st);
	assert_true(st.dropped_full > 0);
	assert_int_equal(st.dropped_rate, 0);
	vm_console_flush(&con);
	vm_console_get_stats(&con, &st);
	assert_int_equal(count("[vm7] " TEN_BYTE_TEXT "\n") * 10 + st.dropped_full, MANY * 10);
	assert_int_equal(count("bytes of console output dropped (buffer full)"), 1);
}

/* A drain prints about its budget, at least one line. */
static void test_drain_budget(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 10; i++)
		put(TEN_BYTE_TEXT "\n");
	assert_int_equal(vm_console_drain(&con, 1), TEN_BYTE_COST);
	assert_int_equal(count("[vm7] "), 1);
	assert_int_equal(vm_console_drain(&con, 3 * TEN_BYTE_COST), 3 * TEN_BYTE_COST);
	assert_int_equal(count("[vm7] "), 4);
	con.draining = true; /* another CPU drains */
	assert_int_equal(vm_console_drain(&con, SIZE_MAX), 0);
	con.draining = false;
	assert_int_equal(vm_console_drain(&con, SIZE_MAX), 6 * TEN_BYTE_COST);
}

/* A host note comes after the lines before it and before later ones, even
 * with the partial line ended by the VM's exit over the rate. */
static void test_note_order_and_final_line(void **state)
{
	(void)state;
	vm_console_set_rate(&con, TEST_RATE, TEST_BURST);
	put("first\n");
	vm_console_note(&con, LOG_WARN, "stopped by Vireo: %s", "why");
	for (unsigned i = 0; i < MANY; i++)
		put(TEN_BYTE_TEXT "\n");
	put("last words");
	vm_console_end_line(&con, true);
	vm_console_flush(&con);
	assert_non_null(strstr(fake_printk_log(),
			       "[vm7] first\n[vm7] stopped by Vireo: why\n[vm7] " TEN_BYTE_TEXT));
	assert_true(fake_printk_contains("bytes of console output dropped (rate limit)\n"
					 "[vm7] last words\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_queued_until_drained, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_escapes_and_wrap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rate_limit_and_note, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_note_without_more_output, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rate_counts_prefix, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ring_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_drain_budget, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_note_order_and_final_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_live_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_live_line_interrupted, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
