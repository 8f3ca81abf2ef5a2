/* SPDX-License-Identifier: MIT */
/*
 * Device-memory stores (arch/x86/mmio.h): 8-byte volatile stores while at
 * least 8 bytes remain, then 4, then single bytes. x86 allows unaligned
 * stores, so a framebuffer row with an odd pitch costs no extra stores.
 */
#include <stdint.h>
#include "arch/x86/mmio.h"

typedef uint64_t __attribute__((aligned(1), may_alias)) mmio_u64;
typedef uint32_t __attribute__((aligned(1), may_alias)) mmio_u32;

void mmio_write(void *dst, const void *src, size_t len)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	for (; len >= sizeof(uint64_t); len -= sizeof(uint64_t)) {
		*(volatile mmio_u64 *)d = *(const mmio_u64 *)s;
		d += sizeof(uint64_t);
		s += sizeof(uint64_t);
	}
	if (len >= sizeof(uint32_t)) {
		*(volatile mmio_u32 *)d = *(const mmio_u32 *)s;
		d += sizeof(uint32_t);
		s += sizeof(uint32_t);
		len -= sizeof(uint32_t);
	}
	while (len--)
		*(volatile uint8_t *)d++ = *s++;
}
