/* SPDX-License-Identifier: MIT */
/*
 * The vireo.serial= value: COM names, "none", and base ports in hex or
 * decimal, each checked to be a port a 16550 can sit at. Pure C.
 */
#include <stdbool.h>
#include <stddef.h>
#include "kernel/serial_opt.h"
#include "arch/x86/uart.h"

#define HEX_BASE 16
#define DEC_BASE 10
#define PORT_LAST 0xffff

static const struct {
	const char *name;
	uint16_t port;
} serial_names[] = {
    {"com1", UART_COM1}, {"com2", UART_COM2},	    {"com3", UART_COM3},
    {"com4", UART_COM4}, {"none", SERIAL_OPT_NONE},
};

static char so_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool so_same(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		if (so_lower(*a) != so_lower(*b))
			return false;
	}
	return *a == *b;
}

static unsigned so_digit(char c)
{
	char l = so_lower(c);

	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (l >= 'a' && l <= 'f')
		return (unsigned)(l - 'a' + 10);
	return HEX_BASE;
}

/* "com" and a number: a COM name, though not one of those with a fixed port. */
static bool so_com_like(const char *s)
{
	if (so_lower(s[0]) != 'c' || so_lower(s[1]) != 'o' || so_lower(s[2]) != 'm' || !s[3])
		return false;
	for (s += 3; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
	}
	return true;
}

static enum err so_number(const char *s, uint16_t *port, const char **why)
{
	unsigned base = DEC_BASE;
	uint32_t v = 0;

	if (s[0] == '0' && so_lower(s[1]) == 'x') {
		base = HEX_BASE;
		s += 2;
		if (!*s) {
			*why = "has no digits after 0x";
			return E_INVAL;
		}
	}
	for (; *s; s++) {
		unsigned d = so_digit(*s);

		if (d >= base) {
			*why = base == HEX_BASE ? "is not a hex number"
						: "is not a port name or number";
			return E_INVAL;
		}
		v = v * base + d;
		if (v > PORT_LAST) {
			*why = "is beyond the last I/O port (0xffff)";
			return E_RANGE;
		}
	}
	if (v < SERIAL_OPT_PORT_MIN || v > SERIAL_OPT_PORT_MAX) {
		*why = "is outside 0x100..0xfff8, where a 16550's eight ports can sit";
		return E_RANGE;
	}
	if (v % SERIAL_OPT_PORT_ALIGN) {
		*why = "is not a multiple of 8, as a 16550 base port is";
		return E_ALIGN;
	}
	*port = (uint16_t)v;
	return E_OK;
}

enum err serial_opt_parse(const char *value, uint16_t *port, const char **why)
{
	const char *unused;

	if (!why)
		why = &unused;
	if (!value || !*value) {
		*why = "is empty";
		return E_INVAL;
	}
	for (size_t i = 0; i < sizeof(serial_names) / sizeof(serial_names[0]); i++) {
		if (so_same(value, serial_names[i].name)) {
			*port = serial_names[i].port;
			return E_OK;
		}
	}
	if (so_com_like(value)) {
		*why = "names no standard port (only com1..com4 have one; give others by number)";
		return E_RANGE;
	}
	return so_number(value, port, why);
}
