/* SPDX-License-Identifier: MIT */
/*
 * The console escape (sched/console_escape.h): Ctrl-A N moves the host
 * keyboard to the N-th VM.
 */
#include "sched/console_escape.h"

#define DIGIT_FIRST '1'
#define DIGIT_LAST '9'

unsigned console_escape_feed(struct console_escape *e, uint8_t c,
			     uint8_t out[CONSOLE_ESCAPE_OUT_MAX], int *switch_to)
{
	*switch_to = CONSOLE_ESCAPE_NONE;
	if (!e->armed) {
		if (c == CONSOLE_ESCAPE_KEY) {
			e->armed = true;
			return 0;
		}
		out[0] = c;
		return 1;
	}
	e->armed = false;
	if (c >= DIGIT_FIRST && c <= DIGIT_LAST) {
		*switch_to = c - DIGIT_FIRST;
		return 0;
	}
	out[0] = CONSOLE_ESCAPE_KEY;
	if (c == CONSOLE_ESCAPE_KEY)
		return 1;
	out[1] = c;
	return 2;
}
