/* SPDX-License-Identifier: MIT */
/*
 * Guest linear -> guest physical translation by walking the guest's own page
 * tables (SDM 3A chapter 4), used to fetch the instruction bytes at guest RIP.
 * Pure logic: guest memory is read through a caller-supplied function.
 */
#ifndef VIREO_GUEST_GVA_H
#define VIREO_GUEST_GVA_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/x86_regs.h"
#include "lib/error.h"

/* Read size bytes (1, 4 or 8) of guest-physical memory at gpa; false = unbacked. */
typedef bool (*gva_read_fn)(void *ctx, uint64_t gpa, uint64_t *val, unsigned size);

struct gva_regs {
	uint64_t cr0, cr3, cr4, efer;
};

/*
 * Translate gla. Returns E_NOENT when an entry on the walk is not present,
 * E_RANGE when a paging-structure read hits unbacked memory, E_INVAL for a
 * non-canonical address or an impossible mode (EFER.LMA without CR4.PAE).
 * Access rights and reserved bits are not checked: the guest already made
 * this access. PSE-36 (4 MiB pages above 4 GiB) is not supported.
 */
enum err gva_translate(const struct gva_regs *r, uint64_t gla, gva_read_fn rd, void *ctx,
		       uint64_t *gpa);

/*
 * Copy len bytes of guest linear memory starting at gla into buf, translating
 * each page separately; *got is how many bytes were copied before the first
 * failure (the return value says why, E_OK when all len were copied).
 */
enum err gva_fetch(const struct gva_regs *r, uint64_t gla, gva_read_fn rd, void *ctx, uint8_t *buf,
		   unsigned len, unsigned *got);

#endif
