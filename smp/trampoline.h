/* SPDX-License-Identifier: MIT */
/* Layout of the AP trampoline page; must match smp/trampoline.inc. */
#ifndef VIREO_SMP_TRAMPOLINE_H
#define VIREO_SMP_TRAMPOLINE_H

#include <stdint.h>

#define TRAMPOLINE_BASE 0x8000ull
#define TRAMPOLINE_DATA_OFFSET 0x200

struct smp_trampoline_data {
	uint32_t cr3;
	uint32_t nx;
	uint64_t ticket_ptr; /* address of the kernel's uint32_t ticket counter */
	uint64_t entry;
	uint64_t stacks; /* address of an array of stack tops, one per ticket */
} __attribute__((packed));

#endif
