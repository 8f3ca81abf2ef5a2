/* SPDX-License-Identifier: MIT */
/*
 * Which VM the host console's keyboard goes to: a byte-at-a-time state
 * machine over what is typed on Vireo's serial console. Ctrl-A then a digit
 * N (1-9) moves input to the N-th VM started; Ctrl-A Ctrl-A types one Ctrl-A;
 * Ctrl-A then anything else types both bytes. Pure C, host-tested.
 */
#ifndef VIREO_SCHED_CONSOLE_ESCAPE_H
#define VIREO_SCHED_CONSOLE_ESCAPE_H

#include <stdbool.h>
#include <stdint.h>

#define CONSOLE_ESCAPE_KEY 0x01u  /* Ctrl-A */
#define CONSOLE_ESCAPE_OUT_MAX 2u /* bytes one call may hand to the VM */
#define CONSOLE_ESCAPE_NONE (-1)

struct console_escape {
	bool armed; /* the previous byte was a lone Ctrl-A */
};

/*
 * Feed one typed byte @c. Returns how many bytes (0..CONSOLE_ESCAPE_OUT_MAX)
 * from out[] go to the VM that has the keyboard, and sets *switch_to to the
 * 0-based index of the VM the keyboard moves to, or CONSOLE_ESCAPE_NONE.
 */
unsigned console_escape_feed(struct console_escape *e, uint8_t c,
			     uint8_t out[CONSOLE_ESCAPE_OUT_MAX], int *switch_to);

#endif
