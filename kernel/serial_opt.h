/* SPDX-License-Identifier: MIT */
/*
 * The vireo.serial= value: which 16550 base port (or none) a word names.
 * Pure C, no port access, so host tests cover every accepted and rejected form.
 */
#ifndef VIREO_KERNEL_SERIAL_OPT_H
#define VIREO_KERNEL_SERIAL_OPT_H

#include <stdint.h>
#include "lib/error.h"

/* "none": no serial console. */
#define SERIAL_OPT_NONE 0
/* A 16550 spans 8 ports; below 0x100 live the PIC, PIT, keyboard and CMOS. */
#define SERIAL_OPT_PORT_MIN 0x100
#define SERIAL_OPT_PORT_MAX 0xfff8
#define SERIAL_OPT_PORT_ALIGN 8

#define SERIAL_OPT_ACCEPTED                                                                        \
	"com1, com2, com3, com4, none, or a 16550 base port from 0x100 to 0xfff8 that is a "       \
	"multiple of 8, in hex (0x2f8) or decimal (760)"

/*
 * Parse @value (NUL-terminated; NULL counts as empty). On success stores the
 * base port, or SERIAL_OPT_NONE for "none", in *@port and returns E_OK.
 * Otherwise leaves *@port alone, points *@why at a phrase saying what is
 * wrong (to follow the quoted value in a message) and returns E_INVAL (not a
 * name or a number), E_RANGE (a port no UART can have) or E_ALIGN.
 */
enum err serial_opt_parse(const char *value, uint16_t *port, const char **why);

#endif
