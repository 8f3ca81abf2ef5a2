/* SPDX-License-Identifier: MIT */
/*
 * printf-style formatting into a bounded buffer (lib/format.h). Pure C, used
 * by printk and tested on the host against the C library's snprintf.
 */
#include <stdbool.h>
#include <stdint.h>
#include "lib/format.h"

struct fmt_out {
	char *buf;
	size_t cap;
	size_t len;
};

struct fmt_spec {
	bool left, zero, plus, space, alt;
	int width;
	int prec; /* -1: none */
	int size; /* 'H' hh, 'h', 0 int, 'l', 'L' long long */
};

static void out_char(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

static void out_pad(struct fmt_out *o, char c, int count)
{
	while (count-- > 0)
		out_char(o, c);
}

static void out_str(struct fmt_out *o, const struct fmt_spec *s, const char *str)
{
	int len = 0;

	if (!str)
		str = "(null)";
	while (str[len] && (s->prec < 0 || len < s->prec))
		len++;
	if (!s->left)
		out_pad(o, ' ', s->width - len);
	for (int i = 0; i < len; i++)
		out_char(o, str[i]);
	if (s->left)
		out_pad(o, ' ', s->width - len);
}

static void out_num(struct fmt_out *o, const struct fmt_spec *s, uint64_t v, bool neg,
		    unsigned base, bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int nd = 0, plen = 0, zeros, total;
	char sign = neg ? '-' : s->plus ? '+' : s->space ? ' ' : 0;

	while (v) {
		tmp[nd++] = digits[v % base];
		v /= base;
	}
	if (nd == 0 && s->prec != 0)
		tmp[nd++] = '0';
	while (prefix && prefix[plen])
		plen++;
	zeros = s->prec > nd ? s->prec - nd : 0;
	total = nd + zeros + plen + (sign ? 1 : 0);
	if (s->zero && !s->left && s->prec < 0 && s->width > total) {
		zeros += s->width - total;
		total = s->width;
	}
	if (!s->left)
		out_pad(o, ' ', s->width - total);
	if (sign)
		out_char(o, sign);
	for (int i = 0; i < plen; i++)
		out_char(o, prefix[i]);
	out_pad(o, '0', zeros);
	while (nd)
		out_char(o, tmp[--nd]);
	if (s->left)
		out_pad(o, ' ', s->width - total);
}

static const char *parse_spec(const char *f, struct fmt_spec *s, va_list *ap)
{
	*s = (struct fmt_spec){.prec = -1};
	for (;; f++) {
		if (*f == '-')
			s->left = true;
		else if (*f == '0')
			s->zero = true;
		else if (*f == '+')
			s->plus = true;
		else if (*f == ' ')
			s->space = true;
		else if (*f == '#')
			s->alt = true;
		else
			break;
	}
	if (*f == '*') {
		s->width = va_arg(*ap, int);
		if (s->width < 0) {
			s->left = true;
			s->width = -s->width;
		}
		f++;
	}
	while (*f >= '0' && *f <= '9')
		s->width = s->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		s->prec = 0;
		if (*f == '*') {
			s->prec = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			s->prec = s->prec * 10 + (*f++ - '0');
	}
	for (;; f++) {
		if (*f == 'h')
			s->size = s->size == 'h' ? 'H' : 'h';
		else if (*f == 'l')
			s->size = s->size == 'l' ? 'L' : 'l';
		else if (*f == 'z' || *f == 'j' || *f == 't')
			s->size = 'L';
		else
			break;
	}
	return f;
}

static uint64_t arg_unsigned(const struct fmt_spec *s, va_list *ap)
{
	switch (s->size) {
	case 'L':
		return va_arg(*ap, unsigned long long);
	case 'l':
		return va_arg(*ap, unsigned long);
	case 'h':
		return (unsigned short)va_arg(*ap, unsigned int);
	case 'H':
		return (unsigned char)va_arg(*ap, unsigned int);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static int64_t arg_signed(const struct fmt_spec *s, va_list *ap)
{
	switch (s->size) {
	case 'L':
		return va_arg(*ap, long long);
	case 'l':
		return va_arg(*ap, long);
	case 'h':
		return (short)va_arg(*ap, int);
	case 'H':
		return (signed char)va_arg(*ap, int);
	default:
		return va_arg(*ap, int);
	}
}

static void format_one(struct fmt_out *o, char conv, struct fmt_spec *s, va_list *ap)
{
	int64_t sv;
	uint64_t uv;

	switch (conv) {
	case 'd':
	case 'i':
		sv = arg_signed(s, ap);
		uv = sv < 0 ? (uint64_t)0 - (uint64_t)sv : (uint64_t)sv;
		out_num(o, s, uv, sv < 0, 10, false, 0);
		break;
	case 'u':
		out_num(o, s, arg_unsigned(s, ap), false, 10, false, 0);
		break;
	case 'o':
		uv = arg_unsigned(s, ap);
		out_num(o, s, uv, false, 8, false, s->alt && uv ? "0" : 0);
		break;
	case 'x':
	case 'X':
		uv = arg_unsigned(s, ap);
		out_num(o, s, uv, false, 16, conv == 'X',
			s->alt && uv ? (conv == 'X' ? "0X" : "0x") : 0);
		break;
	case 'p':
		uv = (uintptr_t)va_arg(*ap, void *);
		out_num(o, s, uv, false, 16, false, "0x");
		break;
	case 'c': {
		char c[2] = {(char)va_arg(*ap, int), 0};

		s->prec = 1;
		out_str(o, s, c);
		break;
	}
	case 's':
		out_str(o, s, va_arg(*ap, const char *));
		break;
	default:
		out_char(o, '%');
		if (conv)
			out_char(o, conv);
		break;
	}
}

int fmt_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct fmt_out o = {buf, n, 0};
	struct fmt_spec s;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &s, &args);
		if (*fmt == '%') {
			out_char(&o, '%');
			fmt++;
			continue;
		}
		format_one(&o, *fmt, &s, &args);
		if (*fmt)
			fmt++;
	}
	va_end(args);
	if (n)
		buf[o.len < n ? o.len : n - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fmt_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}
