/* SPDX-License-Identifier: MIT */
/*
 * Host tests for kernel/cmdline.c: every option type, every syntax and
 * value error, and the reports a user would read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "kernel/cmdline.h"

#define MAX_MSGS 8
#define NAME_SIZE 8
#define GIB (1ull << 30)
#define DEFAULT_MEM 4096

static char opt_name[NAME_SIZE];
static uint64_t opt_mem;
static uint64_t opt_any;
static bool opt_flag;
static int opt_mode;

static const char *const mode_names[] = {"halt", "poweroff", "reboot", NULL};
static char list_items[2][8];
static struct cmdline_list opt_list = {&list_items[0][0], 2, 0, 0};

static const struct cmdline_option opts[] = {
    {"name", CMDLINE_STR, opt_name, sizeof(opt_name), 0, 0, NULL, "a short name"},
    {"mem", CMDLINE_U64, &opt_mem, 0, 1, GIB, NULL, "memory size"},
    {"any", CMDLINE_U64, &opt_any, 0, 0, 0, NULL, "any number"},
    {"flag", CMDLINE_BOOL, &opt_flag, 0, 0, 0, NULL, "a switch"},
    {"mode", CMDLINE_ENUM, &opt_mode, 0, 0, 0, mode_names, "what to do"},
    {"vm", CMDLINE_LIST, &opt_list, sizeof(list_items[0]), 0, 0, NULL, "repeatable"},
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static char msgs[MAX_MSGS][CMDLINE_MSG_MAX];
static unsigned nmsgs;

static void record(void *ctx, const char *msg)
{
	unsigned *calls = ctx;

	(*calls)++;
	assert_true(strlen(msg) < CMDLINE_MSG_MAX);
	if (nmsgs < MAX_MSGS)
		snprintf(msgs[nmsgs++], CMDLINE_MSG_MAX, "%s", msg);
}

static int reset(void **state)
{
	strcpy(opt_name, "dflt");
	opt_mem = DEFAULT_MEM;
	opt_any = 0;
	opt_flag = false;
	opt_mode = 0;
	opt_list.count = 0;
	opt_list.refused = 0;
	nmsgs = 0;
	memset(msgs, 0, sizeof(msgs));
	return 0;
}

/* Parse @line and check the problem count both returned and reported. */
static void parse(const char *line, unsigned problems)
{
	unsigned calls = 0;
	unsigned n = cmdline_parse(line, opts, NOPTS, record, &calls);

	if (n != problems)
		fail_msg("'%.80s': %u problems (first: %s), expected %u", line, n, msgs[0],
			 problems);
	assert_int_equal(calls, n);
}

static void assert_msg(unsigned i, const char *part)
{
	assert_true(i < nmsgs);
	if (!strstr(msgs[i], part))
		fail_msg("message '%s' lacks '%s'", msgs[i], part);
}

static void test_list_keeps_every_occurrence(void **state)
{
	parse("vm=a:x vm=\"b c\"", 0);
	assert_int_equal(opt_list.count, 2);
	assert_string_equal(list_items[0], "a:x");
	assert_string_equal(list_items[1], "b c");
	assert_int_equal(opt_list.refused, 0);
	parse("vm=third", 1); /* the list is full */
	assert_msg(0, "one too many");
	assert_int_equal(opt_list.count, 2);
	assert_int_equal(opt_list.refused, 1);
}

static void test_list_item_too_long(void **state)
{
	parse("vm=123456789", 1);
	assert_msg(0, "too long");
	assert_int_equal(opt_list.count, 0);
	assert_int_equal(opt_list.refused, 1); /* given, not taken: no demo instead */
}

static void test_empty_line(void **state)
{
	parse("", 0);
	parse("   \t\n ", 0);
	assert_int_equal(cmdline_parse(NULL, opts, NOPTS, record, &(unsigned){0}), 0);
	assert_string_equal(opt_name, "dflt");
	assert_int_equal(opt_mem, DEFAULT_MEM);
}

static void test_string(void **state)
{
	parse("name=hello", 0);
	assert_string_equal(opt_name, "hello");
	parse("name=\"a b\tc\"", 0);
	assert_string_equal(opt_name, "a b\tc");
	parse("name=", 0);
	assert_string_equal(opt_name, "");
	parse("name=\"\"", 0);
	assert_string_equal(opt_name, "");
	parse("name=1234567", 0);
	assert_string_equal(opt_name, "1234567");
}

static void test_string_too_long(void **state)
{
	parse("name=12345678", 1);
	assert_string_equal(opt_name, "dflt");
	assert_msg(0, "option 'name': '12345678' is too long");
	assert_msg(0, "at most 7 characters");
	assert_msg(0, "keeping the previous value");
}

static void test_u64_forms(void **state)
{
	static const struct {
		const char *line;
		uint64_t want;
	} cases[] = {
	    {"mem=1", 1},	   {"mem=123456", 123456}, {"mem=0x1F", 0x1f},
	    {"mem=0XaB", 0xab},	   {"mem=4K", 4096},	   {"mem=4k", 4096},
	    {"mem=16M", 16 << 20}, {"mem=1G", GIB},	   {"mem=0x10m", 16 << 20},
	    {"mem=\"2K\"", 2048},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse(cases[i].line, 0);
		assert_int_equal(opt_mem, cases[i].want);
	}
	parse("any=18446744073709551615", 0);
	assert_int_equal(opt_any, UINT64_MAX);
	parse("any=0xffffffffffffffff any=0", 0);
	assert_int_equal(opt_any, 0);
	parse("any=0x3fffffffffffffK", 0);
	assert_int_equal(opt_any, 0x3fffffffffffffull << 10);
}

static void test_u64_range(void **state)
{
	parse("mem=0", 1);
	assert_msg(0, "option 'mem': '0' is out of range");
	assert_msg(0, "from 1 to 1073741824");
	parse("mem=1G mem=0x40000001", 1);
	assert_int_equal(opt_mem, GIB);
	assert_msg(1, "'0x40000001' is out of range");
	parse("mem=2G", 1);
	assert_int_equal(opt_mem, GIB);
}

static void test_u64_malformed(void **state)
{
	static const char *const bad[] = {
	    "mem=12q", "mem=",	    "mem=0x",  "mem=K",	  "mem=-1",
	    "mem=1.5", "mem=0x1g2", "mem=1KK", "mem= 1x", "mem=0b1",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reset(state);
		parse(bad[i], 1 + (strchr(bad[i], ' ') != NULL));
		assert_int_equal(opt_mem, DEFAULT_MEM);
		assert_msg(0, "option 'mem': '");
		assert_msg(0, "decimal or 0x hex, optional K/M/G suffix");
	}
}

static void test_u64_overflow(void **state)
{
	parse("any=18446744073709551616", 1);
	assert_msg(0, "does not fit in 64 bits");
	parse("any=0x10000000000000000", 1);
	parse("any=0x40000000000000K", 1);
	parse("any=17179869184G", 1);
	assert_int_equal(opt_any, 0);
}

static void test_bool(void **state)
{
	static const struct {
		const char *word;
		bool want;
	} cases[] = {{"1", true},  {"0", false},   {"yes", true},  {"no", false},
		     {"on", true}, {"off", false}, {"true", true}, {"false", false}};
	char line[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		opt_flag = !cases[i].want;
		snprintf(line, sizeof(line), "flag=%s", cases[i].word);
		parse(line, 0);
		assert_int_equal(opt_flag, cases[i].want);
	}
	opt_flag = false;
	parse("flag", 0);
	assert_true(opt_flag);
}

static void test_bool_malformed(void **state)
{
	parse("flag=maybe flag= flag=YES", 3);
	assert_false(opt_flag);
	assert_msg(0, "option 'flag': 'maybe' is not a boolean");
	assert_msg(0, "1/0, yes/no, on/off or true/false");
	assert_msg(1, "option 'flag': '' is not a boolean");
}

static void test_enum(void **state)
{
	parse("mode=reboot", 0);
	assert_int_equal(opt_mode, 2);
	parse("mode=halt", 0);
	assert_int_equal(opt_mode, 0);
	parse("mode=sleep", 1);
	assert_int_equal(opt_mode, 0);
	assert_msg(0, "option 'mode': 'sleep' is not a known choice");
	assert_msg(0, "one of: halt, poweroff, reboot");
	parse("mode=hal mode=halted", 2);
}

static void test_missing_value(void **state)
{
	parse("mem name mode", 3);
	assert_msg(0, "option 'mem' needs a value (mem=...)");
	assert_msg(1, "option 'name' needs a value");
	assert_msg(2, "one of: halt, poweroff, reboot");
	assert_int_equal(opt_mem, DEFAULT_MEM);
}

static void test_unknown_option(void **state)
{
	parse("vireo.no_such_option=1 flag", 1);
	assert_true(opt_flag);
	assert_msg(0, "unknown option 'vireo.no_such_option' (ignored)");
	assert_msg(0, "known options: name, mem, any, flag, mode");
	parse("Flag", 1);
	assert_msg(1, "unknown option 'Flag'");
}

static void test_kernel_path_first_word(void **state)
{
	parse("/boot/vireo.elf flag mode=poweroff", 0);
	assert_true(opt_flag);
	assert_int_equal(opt_mode, 1);
	parse("  /boot/vireo.elf", 0);
	parse("flag /boot/vireo.elf", 1);
	assert_msg(0, "unknown option '/boot/vireo.elf'");
}

/* Repeated keys are applied in order: the last valid value wins. */
static void test_duplicates_last_wins(void **state)
{
	parse("mode=halt mode=reboot", 0);
	assert_int_equal(opt_mode, 2);
	parse("mode=poweroff mode=bogus", 1);
	assert_int_equal(opt_mode, 1);
	parse("name=a name=b", 0);
	assert_string_equal(opt_name, "b");
}

/* GRUB passes an argument holding spaces as one quoted word. */
static void test_whole_word_quoted(void **state)
{
	parse("\"name=a b,c\" flag", 0);
	assert_string_equal(opt_name, "a b,c");
	assert_true(opt_flag);
	parse("\"name=\"a\"\"", 1);
	assert_msg(0, "is not an option");
}

static void test_quote_errors(void **state)
{
	parse("name=\"abc flag", 1);
	assert_msg(0, "has an opening '\"' without a closing one");
	assert_false(opt_flag);
	assert_string_equal(opt_name, "dflt");
	parse("name=a\"b c\"", 1);
	assert_msg(1, "option 'name': value 'a\"b c\"' has a stray '\"'");
	parse("name=\"a\"\"b\"", 1);
	assert_msg(2, "stray");
	parse("\"name\"=x", 1);
	assert_msg(3, "is not an option: expected key or key=value");
	parse("=value", 1);
	assert_msg(4, "'=value' is not an option");
	assert_string_equal(opt_name, "dflt");
}

static void test_whitespace_kinds(void **state)
{
	parse("\tflag\nmode=reboot\r\n  name=x\v", 0);
	assert_true(opt_flag);
	assert_int_equal(opt_mode, 2);
	assert_string_equal(opt_name, "x");
}

static void test_value_with_equals(void **state)
{
	parse("name=a=b", 0);
	assert_string_equal(opt_name, "a=b");
}

static void fill_words(char *line, size_t at, size_t end)
{
	while (at + 5 <= end) {
		memcpy(line + at, "flag ", 5);
		at += 5;
	}
	memset(line + at, ' ', end - at);
}

static void test_line_too_long(void **state)
{
	static char line[CMDLINE_MAX_LEN + 600];
	size_t cross = CMDLINE_MAX_LEN - 3;

	memset(line, 0, sizeof(line));
	memcpy(line, "mode=reboot ", 12);
	fill_words(line, 12, cross);
	memcpy(line + cross, "mem=77 mode=halt", 16);
	parse(line, 1);
	assert_msg(0, "longer than 4096 characters");
	assert_int_equal(opt_mode, 2);
	assert_int_equal(opt_mem, DEFAULT_MEM);
}

static void test_word_ending_at_limit(void **state)
{
	static char line[CMDLINE_MAX_LEN + 600];
	size_t at = CMDLINE_MAX_LEN - 6;

	memset(line, 0, sizeof(line));
	fill_words(line, 0, at);
	memcpy(line + at, "mem=77 mode=halt bogus", 22);
	opt_mode = 2;
	parse(line, 1);
	assert_int_equal(opt_mem, 77);
	assert_int_equal(opt_mode, 2);
}

static void test_line_at_limit(void **state)
{
	static char line[CMDLINE_MAX_LEN + 1];

	memset(line, 0, sizeof(line));
	fill_words(line, 0, CMDLINE_MAX_LEN - 6);
	memcpy(line + CMDLINE_MAX_LEN - 6, "mem=77", 6);
	parse(line, 0);
	assert_int_equal(opt_mem, 77);
}

static void test_null_report(void **state)
{
	assert_int_equal(cmdline_parse("bogus mem=0 flag", opts, NOPTS, NULL, NULL), 2);
	assert_true(opt_flag);
}

#define LONG_OPT(n)                                                                                \
	{                                                                                          \
		"option.with.a.rather.long.name.number." n, CMDLINE_BOOL, &opt_flag, 0, 0, 0,      \
		    NULL, NULL                                                                     \
	}
/* Messages quote at most this much of the user's text. */
#define SHOWN_MAX 64

static void test_long_text_clamped(void **state)
{
	static const struct cmdline_option many[] = {
	    LONG_OPT("one"),  LONG_OPT("two"), LONG_OPT("three"),  LONG_OPT("four"),
	    LONG_OPT("five"), LONG_OPT("six"), LONG_OPT("seven"),  LONG_OPT("eight"),
	    LONG_OPT("nine"), LONG_OPT("ten"), LONG_OPT("eleven"), LONG_OPT("twelve"),
	};
	char key[300];
	unsigned calls = 0;

	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	assert_int_equal(cmdline_parse(key, many, sizeof(many) / sizeof(many[0]), record, &calls),
			 1);
	assert_int_equal(strlen(msgs[0]), CMDLINE_MSG_MAX - 1);
	assert_non_null(strstr(msgs[0], "unknown option 'kkkk"));
	memset(key, 'k', sizeof(key) - 1);
	key[SHOWN_MAX + 1] = '\0';
	assert_null(strstr(msgs[0], key));
	assert_non_null(strstr(msgs[0], "number.one, option.with"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_list_keeps_every_occurrence, reset),
	    cmocka_unit_test_setup(test_list_item_too_long, reset),
	    cmocka_unit_test_setup(test_empty_line, reset),
	    cmocka_unit_test_setup(test_string, reset),
	    cmocka_unit_test_setup(test_string_too_long, reset),
	    cmocka_unit_test_setup(test_u64_forms, reset),
	    cmocka_unit_test_setup(test_u64_range, reset),
	    cmocka_unit_test_setup(test_u64_malformed, reset),
	    cmocka_unit_test_setup(test_u64_overflow, reset),
	    cmocka_unit_test_setup(test_bool, reset),
	    cmocka_unit_test_setup(test_bool_malformed, reset),
	    cmocka_unit_test_setup(test_enum, reset),
	    cmocka_unit_test_setup(test_missing_value, reset),
	    cmocka_unit_test_setup(test_unknown_option, reset),
	    cmocka_unit_test_setup(test_kernel_path_first_word, reset),
	    cmocka_unit_test_setup(test_duplicates_last_wins, reset),
	    cmocka_unit_test_setup(test_quote_errors, reset),
	    cmocka_unit_test_setup(test_whole_word_quoted, reset),
	    cmocka_unit_test_setup(test_whitespace_kinds, reset),
	    cmocka_unit_test_setup(test_value_with_equals, reset),
	    cmocka_unit_test_setup(test_line_too_long, reset),
	    cmocka_unit_test_setup(test_word_ending_at_limit, reset),
	    cmocka_unit_test_setup(test_line_at_limit, reset),
	    cmocka_unit_test_setup(test_null_report, reset),
	    cmocka_unit_test_setup(test_long_text_clamped, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
