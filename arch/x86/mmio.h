/* SPDX-License-Identifier: MIT */
/*
 * Stores to memory-mapped device memory such as a framebuffer: volatile,
 * widest first, and never a load, since a read from an uncached mapping
 * costs a bus round trip. The kernel implements it in arch/x86/mmio.c; host
 * tests link a fake that checks and records every store.
 */
#ifndef VIREO_ARCH_X86_MMIO_H
#define VIREO_ARCH_X86_MMIO_H

#include <stddef.h>

/* Copy @len bytes from ordinary memory at @src to device memory at @dst. */
void mmio_write(void *dst, const void *src, size_t len);

#endif
