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

/* Set bits in the size-byte (4 or 8) paging-structure entry at gpa, atomically. */
typedef void (*gva_set_bits_fn)(void *ctx, uint64_t gpa, uint64_t bits, unsigned size);

/* Guest memory as a checked walk sees it; set_bits may be NULL (read-only). */
struct gva_mem {
	gva_read_fn read;
	gva_set_bits_fn set_bits;
	void *ctx;
};

/* A data access made by the guest itself (SDM 3A 4.6). */
struct gva_access {
	bool write;
	bool user; /* at CPL 3 */
	bool ac;   /* RFLAGS.AC: a supervisor access to a user page passes SMAP */
};

/*
 * Translate gla as the CPU would for access a: E_OK after setting the
 * accessed flags of the entries used (and the dirty flag of the last for a
 * write); E_NOENT for a page fault, with its error code in *pf_error (P set
 * for a protection violation, clear for a not-present entry); E_RANGE and
 * E_INVAL as gva_translate(). Reserved bits are not checked.
 */
enum err gva_translate_access(const struct gva_regs *r, uint64_t gla, const struct gva_access *a,
			      const struct gva_mem *m, uint64_t *gpa, uint32_t *pf_error);

/*
 * Copy len bytes of guest linear memory starting at gla into buf, translating
 * each page separately; *got is how many bytes were copied before the first
 * failure (the return value says why, E_OK when all len were copied).
 */
enum err gva_fetch(const struct gva_regs *r, uint64_t gla, gva_read_fn rd, void *ctx, uint8_t *buf,
		   unsigned len, unsigned *got);

#endif
