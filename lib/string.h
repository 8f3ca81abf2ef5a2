/* SPDX-License-Identifier: MIT */
/*
 * Freestanding memory and string helpers for the kernel. Host builds use the
 * C library's versions of the same functions.
 */
#ifndef VIREO_LIB_STRING_H
#define VIREO_LIB_STRING_H

#ifdef VIREO_HOST_TEST
#include <string.h>
#else
#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
#endif

#endif
