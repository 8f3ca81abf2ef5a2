/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for kernel/cmdline.c: parses arbitrary text against a
 * small option table, once as given and once placed across the length limit,
 * and checks the reports and the stored values stay within bounds.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/cmdline.h"

#define NAME_SIZE 8
#define MEM_MIN 1
#define MEM_MAX (1ull << 30)
#define MEM_DEFAULT 4096

static char opt_name[NAME_SIZE];
static uint64_t opt_mem;
static uint64_t opt_any;
static bool opt_flag;
static int opt_mode;

static const char *const mode_names[] = {"halt", "poweroff", "reboot", NULL};

static const struct cmdline_option opts[] = {
    {"name", CMDLINE_STR, opt_name, sizeof(opt_name), 0, 0, NULL, "a short name"},
    {"mem", CMDLINE_U64, &opt_mem, 0, MEM_MIN, MEM_MAX, NULL, "memory size"},
    {"any", CMDLINE_U64, &opt_any, 0, 0, 0, NULL, "any number"},
    {"flag", CMDLINE_BOOL, &opt_flag, 0, 0, 0, NULL, "a switch"},
    {"mode", CMDLINE_ENUM, &opt_mode, 0, 0, 0, mode_names, "what to do"},
};

static void count_report(void *ctx, const char *msg)
{
	if (strnlen(msg, CMDLINE_MSG_MAX) >= CMDLINE_MSG_MAX || !msg[0])
		__builtin_trap();
	(*(unsigned *)ctx)++;
}

static void parse_at(const uint8_t *data, size_t size, size_t pad)
{
	char *line = malloc(pad + size + 1);
	unsigned calls = 0, n;

	if (!line)
		return;
	memset(line, ' ', pad);
	memcpy(line + pad, data, size);
	line[pad + size] = '\0';
	memcpy(opt_name, "dflt", 5);
	opt_mem = MEM_DEFAULT;
	opt_mode = 0;
	n = cmdline_parse(line, opts, sizeof(opts) / sizeof(opts[0]), count_report, &calls);
	if (n != calls || memchr(opt_name, '\0', sizeof(opt_name)) == NULL)
		__builtin_trap();
	if (opt_mem != MEM_DEFAULT && (opt_mem < MEM_MIN || opt_mem > MEM_MAX))
		__builtin_trap();
	if (opt_mode < 0 || opt_mode > 2)
		__builtin_trap();
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t half = size / 2;

	parse_at(data, size, 0);
	if (half < CMDLINE_MAX_LEN)
		parse_at(data, size, CMDLINE_MAX_LEN - half);
	return 0;
}
