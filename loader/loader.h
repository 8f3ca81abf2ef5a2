/* SPDX-License-Identifier: MIT */
/*
 * Guest kernel loader: finds a Multiboot 1 or Multiboot 2 header in a kernel
 * image, validates every address and size (ELF32/ELF64 program headers or the
 * a.out-kludge address fields), then copies it into guest memory. Pure C.
 */
#ifndef VIREO_LOADER_LOADER_H
#define VIREO_LOADER_LOADER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include "lib/error.h"
#include "guest/vcpu.h"

/* EAX at kernel entry (Multiboot 0.6.96 section 3.2, Multiboot2 section 3.2). */
#define LOADER_MB1_BOOT_MAGIC 0x2BADB002u
#define LOADER_MB2_BOOT_MAGIC 0x36d76289u

#define LOADER_MAX_SEGMENTS 16
#define LOADER_MB_TABLE_LIMIT 0xffffu /* IDTR limit at entry */
#define LOADER_WHY_MAX 160

/* Guest-physical 0..size maps to base[0..size). */
struct guest_mem_view {
	uint8_t *base;
	uint64_t size;
};

/* A guest-physical range [base, base + size) the kernel must not overwrite. */
struct loader_range {
	uint64_t base;
	uint64_t size;
};

enum loader_flavour {
	LOADER_NONE = 0,
	LOADER_MB1 = 1,
	LOADER_MB2 = 2,
};

enum loader_format {
	LOADER_FMT_NONE = 0,
	LOADER_FMT_ELF32,
	LOADER_FMT_ELF64,
	LOADER_FMT_AOUT_KLUDGE, /* MB1 flags bit 16 or the MB2 address tag */
};

/* One copy: filesz bytes from the image at file_off to dst, then zeroes up to memsz. */
struct loader_segment {
	uint64_t dst;
	uint64_t file_off;
	uint64_t filesz;
	uint64_t memsz;
};

/*
 * What loader_check() / loader_load() found. On failure, why is a sentence
 * naming the field, the value seen, and (where it helps) the limit.
 */
struct loader_result {
	enum loader_flavour flavour;
	enum loader_format format;
	uint32_t entry;		   /* guest-physical, entered in 32-bit protected mode */
	uint64_t load_start;	   /* lowest guest-physical address written */
	uint64_t load_end;	   /* one past the highest address written (BSS included) */
	uint32_t header_offset;	   /* where the Multiboot header was found in the image */
	uint32_t mb1_flags;	   /* MB1 header flags (0 for MB2) */
	bool modules_page_aligned; /* MB1 flags bit 0 or the MB2 module alignment tag */
	uint64_t mb2_requests;	   /* bit n: MB2 information request asked for tag type n */
	struct loader_segment seg[LOADER_MAX_SEGMENTS];
	unsigned segment_count;
	const char *why;
	char why_buf[LOADER_WHY_MAX];
};

/*
 * Validate @image (@len bytes) as a Multiboot kernel for @mem, keeping clear
 * of @reserved[0..@nreserved). A Multiboot2 header is preferred when the image
 * carries both. Writes nothing to guest memory. Returns E_OK, or E_INVAL
 * (bad arguments), E_BADSIG (no header / not ELF), E_CHECKSUM, E_MALFORMED,
 * E_TRUNC (data past the end of the image), E_NOTSUP (a required feature
 * Vireo lacks), E_RANGE (outside guest memory or 4 GiB), E_BUSY (overlaps a
 * reserved range), each with out->why set.
 */
enum err loader_check(const void *image, uint64_t len, const struct guest_mem_view *mem,
		      const struct loader_range *reserved, unsigned nreserved,
		      struct loader_result *out);

/*
 * loader_check(), then copy the segments and zero the BSS. On any failure
 * guest memory is untouched.
 */
enum err loader_load(const void *image, uint64_t len, const struct guest_mem_view *mem,
		     const struct loader_range *reserved, unsigned nreserved,
		     struct loader_result *out);

/*
 * The GDT a Multiboot kernel finds at entry. The specs let GDTR be invalid
 * then (Multiboot 0.6.96 3.2 "Machine state", Multiboot2 3.3 "I386 machine
 * state"), but GRUB and QEMU's -kernel leave a valid one whose descriptors
 * match CS and DS, and kernels that take an exception before loading their
 * own GDT rely on it: null, flat 32-bit code at VCPU_BOOT_CS, flat data at
 * VCPU_BOOT_DS (SDM Vol. 3A 3.4.5 "Segment Descriptors"; the accessed bits
 * set, as in the hidden parts the vCPU starts with).
 */
#define LOADER_BOOT_GDT_ENTRIES 3
#define LOADER_BOOT_GDT_SIZE (LOADER_BOOT_GDT_ENTRIES * sizeof(uint64_t))
#define LOADER_BOOT_GDT_ALIGN 8u

/*
 * Write that GDT at guest-physical @gpa. E_INVAL: no memory view; E_ALIGN:
 * @gpa not 8-byte aligned; E_RANGE: it does not fit in guest memory below
 * 4 GiB. Nothing is written on failure.
 */
enum err loader_write_boot_gdt(const struct guest_mem_view *mem, uint64_t gpa);

/*
 * The machine state a Multiboot kernel starts in (Multiboot 0.6.96 3.2,
 * Multiboot2 3.3 "I386 machine state"): 32-bit protected mode, paging off,
 * flat segments, EIP = r->entry, EAX = the flavour's magic, EBX = info,
 * GDTR = the boot GDT at @gdt (loader_write_boot_gdt()).
 */
void loader_boot_state(const struct loader_result *r, uint32_t info, uint32_t gdt,
		       struct vcpu_boot_state *bs);

/*
 * Where something of @len bytes can go at or after @at, @align-aligned
 * (a power of two), clear of every @reserved range: the first such address,
 * or UINT64_MAX when the search runs past the end of the address space.
 */
uint64_t loader_next_free(uint64_t at, uint64_t len, uint64_t align,
			  const struct loader_range *reserved, unsigned nreserved);

/* "Multiboot 1" / "Multiboot 2" / "none"; "ELF32" / "ELF64" / "a.out kludge" / "none". */
const char *loader_flavour_name(enum loader_flavour f);
const char *loader_format_name(enum loader_format f);

/* Helpers the guest loaders share (loader.c): the end of [base, base +
 * size) saturated at 2^64 - 1; whether [a, a + an) meets [b, b + bn); and a
 * refusal: the reason formatted into buf (LOADER_WHY_MAX bytes), *why
 * pointed at it, e returned. */
uint64_t loader_range_end(uint64_t base, uint64_t size);
bool loader_overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn);
enum err loader_why(char *buf, const char **why, enum err e, const char *fmt, va_list ap);

#endif
