/* SPDX-License-Identifier: MIT */
/*
 * Bounded printf-style formatting for the kernel (no floating point):
 * %d %i %u %x %X %o %p %s %c %% with h/hh/l/ll/z/j modifiers, width,
 * precision, '-', '0', '+', ' ' and '#'. Returns the length the output would
 * have had, like C's snprintf; the buffer is always NUL-terminated if n > 0.
 */
#ifndef VIREO_LIB_FORMAT_H
#define VIREO_LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

int fmt_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4))) int fmt_snprintf(char *buf, size_t n, const char *fmt, ...);

#endif
