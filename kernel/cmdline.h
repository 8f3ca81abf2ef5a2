/* SPDX-License-Identifier: MIT */
/*
 * Kernel command-line parser: checks the words of the boot command line
 * against a table of known options, stores typed values, and reports every
 * unknown option or malformed value through a callback. Pure C.
 */
#ifndef VIREO_KERNEL_CMDLINE_H
#define VIREO_KERNEL_CMDLINE_H

#include <stddef.h>
#include <stdint.h>

/* Longest command line parsed; the rest is reported and ignored. */
#define CMDLINE_MAX_LEN 4096
/* Longest message handed to the report callback, NUL included. */
#define CMDLINE_MSG_MAX 512

/*
 * What `value` points at:
 *   CMDLINE_STR   char[size]; the value is copied and NUL-terminated
 *   CMDLINE_U64   uint64_t; decimal or 0x hex, optional K/M/G (binary)
 *                 suffix, checked against [min, max] (min = max = 0: any)
 *   CMDLINE_BOOL  bool; 1/0 yes/no on/off true/false, a bare key is true
 *   CMDLINE_ENUM  int; the index of the value in `choices`
 */
enum cmdline_type { CMDLINE_STR, CMDLINE_U64, CMDLINE_BOOL, CMDLINE_ENUM, CMDLINE_LIST };

/* CMDLINE_LIST: every occurrence of the key is kept, in order, as text in
 * items[count * size] (size: the option's `size` field). */
struct cmdline_list {
	char *items;
	unsigned cap;
	unsigned count;
	unsigned refused; /* values given but not taken (too long, one too many) */
};

struct cmdline_option {
	const char *key;
	enum cmdline_type type;
	void *value;
	size_t size;
	uint64_t min, max;
	const char *const *choices;
	const char *help;
};

typedef void (*cmdline_report_fn)(void *ctx, const char *msg);

/*
 * Parse @line (NUL-terminated; NULL counts as empty) against @opts. Words are
 * separated by whitespace and have the form key or key=value; a value may be
 * double-quoted to hold spaces. A first word starting with '/' (the kernel
 * path some loaders prepend) is skipped. Options not on the line, or whose
 * value is rejected, keep the value they had. Each problem is passed to
 * @report (if not NULL) as one sentence; returns the number of problems.
 */
unsigned cmdline_parse(const char *line, const struct cmdline_option *opts, size_t nopts,
		       cmdline_report_fn report, void *ctx);

#endif
