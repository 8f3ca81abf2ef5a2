/* SPDX-License-Identifier: MIT */
/*
 * Linux x86 boot protocol loader (Documentation/arch/x86/boot.rst,
 * protocol 2.12 or later): checks a bzImage's setup header, places the
 * protected-mode kernel, the command line and the initrd in guest memory,
 * builds the zero page (struct boot_params, zero-page.rst) with its e820
 * map, and the state the boot vCPU starts in (the 32-bit or the 64-bit
 * entry). Pure C; everything is checked before guest memory is written.
 */
#ifndef VIREO_LOADER_LINUX_H
#define VIREO_LOADER_LINUX_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/error.h"
#include "guest/vcpu.h"
#include "loader/loader.h"

/* boot.rst "The Real-Mode Kernel Header": the oldest protocol accepted. */
#define LINUX_MIN_PROTOCOL 0x020Cu

/* boot.rst: the version field holds the major number in its high byte, the
 * minor in its low byte; the 64-bit entry is 0x200 past the load address. */
#define LINUX_VERSION_MAJOR_SHIFT 8
#define LINUX_VERSION_MINOR_MASK 0xFFu
#define LINUX_ENTRY64_OFFSET 0x200u

/* zero-page.rst / boot.rst: e820 entry types used here and the table size. */
#define LINUX_E820_RAM 1u
#define LINUX_E820_RESERVED 2u
#define LINUX_E820_MAX 128u
/* The most reserved ranges the e820 builder takes (the map's own limit is
 * reached well before: every range inside RAM adds up to two entries). */
#define LINUX_E820_MAX_RESERVED 128u

/*
 * The low-memory area (below the legacy hole) the loader fills besides the
 * kernel and initrd: the zero page, the boot GDT (with a small stack above
 * it in the same page), the identity-mapping page tables for the 64-bit
 * entry (first 4 GiB, 2 MiB pages) and the command line. Offsets from the
 * area's base, which the caller chooses (LINUX_BOOT_AREA_ALIGN-aligned).
 */
#define LINUX_PAGE 0x1000ull
#define LINUX_AREA_ZERO_PAGE 0x0000ull
#define LINUX_AREA_GDT 0x1000ull
#define LINUX_AREA_STACK_TOP 0x2000ull
#define LINUX_AREA_PML4 0x2000ull
#define LINUX_AREA_PDPT 0x3000ull
#define LINUX_AREA_PD 0x4000ull
#define LINUX_IDENT_PDS 4u /* one page directory per GiB: 4 GiB mapped */
#define LINUX_AREA_CMDLINE 0x8000ull
#define LINUX_AREA_SIZE 0x10000ull
#define LINUX_CMDLINE_AREA_MAX (LINUX_AREA_SIZE - LINUX_AREA_CMDLINE)
#define LINUX_BOOT_AREA_ALIGN LINUX_PAGE

/*
 * The boot GDT (boot.rst "32-bit Boot Protocol" and "64-bit Boot
 * Protocol"): flat code at __BOOT_CS 0x10 and flat data at __BOOT_DS 0x18;
 * the vCPU starts with those selectors (vcpu_boot_state code_sel/data_sel).
 * The GDT also holds at 0x08 a flat code descriptor, as a PC loader's does.
 */
#define LINUX_BOOT_CS 0x10u
#define LINUX_BOOT_DS 0x18u
#define LINUX_GDT_ENTRIES 4u
#define LINUX_GDT_SIZE (LINUX_GDT_ENTRIES * sizeof(uint64_t))

/* Which kernel entry the boot vCPU starts at. */
enum linux_entry {
	LINUX_ENTRY_64, /* startup_64 at load address + 0x200, long mode */
	LINUX_ENTRY_32, /* code32_start, protected mode, paging off */
};

/* The setup header fields the loader uses (boot.rst "Details of Header Fields"). */
struct linux_header {
	uint16_t version;
	uint8_t setup_sects; /* as used: 0 in the image means 4 */
	uint8_t loadflags;
	uint16_t xloadflags;
	uint32_t syssize; /* protected-mode part in 16-byte units */
	uint32_t kernel_alignment;
	bool relocatable;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t cmdline_size;
	uint32_t initrd_addr_max;
	uint32_t header_end; /* 0x202 + the byte at 0x201 */
	uint64_t pm_offset;  /* (setup_sects + 1) * 512: where the kernel proper starts */
	uint64_t pm_size;    /* its length: image length - pm_offset */
};

/* What to boot and where the caller's fixed pieces are. */
struct linux_boot_input {
	const void *image;
	uint64_t image_len;
	const char *cmdline; /* cmdline_len bytes, no NUL needed; NULL when 0 */
	uint64_t cmdline_len;
	const void *initrd; /* NULL when initrd_len is 0: no initrd */
	uint64_t initrd_len;
	uint64_t acpi_rsdp;		     /* guest-physical, 0: none */
	const struct loader_range *reserved; /* kept out of RAM in e820 and never loaded over */
	unsigned nreserved;
	uint64_t area; /* guest-physical base of the LINUX_AREA_SIZE low area */
	enum linux_entry entry;
};

struct linux_result {
	struct linux_header hdr;
	enum linux_entry entry;
	uint64_t kernel_addr;  /* where the protected-mode part goes */
	uint64_t kernel_span;  /* bytes it may use from there: max(init_size, pm_size) */
	uint64_t initrd_addr;  /* 0 without an initrd */
	uint64_t zero_page;    /* guest-physical addresses inside the low area */
	uint64_t cmdline_addr; /* always set: an empty command line is one NUL */
	uint64_t gdt_addr;
	uint64_t pml4_addr; /* 0 for the 32-bit entry (no page tables) */
	unsigned e820_count;
	const char *why;
	char why_buf[LOADER_WHY_MAX];
};

/* One e820 entry as the builder returns it (zero-page.rst: 20 bytes in the zero page). */
struct linux_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

/*
 * Check @image (@len bytes) as a bzImage and fill out->hdr. E_TRUNC (shorter
 * than its header or its protected-mode part), E_BADSIG (no 0xAA55 at 0x1FE
 * or "HdrS" at 0x202), E_NOTSUP (protocol older than 2.12, not a bzImage),
 * E_MALFORMED (header fields that contradict each other), each with out->why.
 */
enum err linux_parse(const void *image, uint64_t len, struct linux_result *out);

/*
 * linux_parse(), then plan every placement for @in in @mem without writing:
 * E_INVAL (bad arguments), E_NOTSUP (no 64-bit entry when it is asked for),
 * E_RANGE (the kernel, command line or initrd does not fit), E_BUSY (the low
 * area overlaps a reserved range), each with out->why set.
 */
enum err linux_check(const struct linux_boot_input *in, const struct guest_mem_view *mem,
		     struct linux_result *out);

/*
 * linux_check(), then write the kernel, command line, initrd, zero page,
 * boot GDT and (64-bit entry) page tables. On failure nothing is written.
 */
enum err linux_load(const struct linux_boot_input *in, const struct guest_mem_view *mem,
		    struct linux_result *out);

/*
 * The state the boot vCPU starts in for r->entry, from a successful
 * linux_load() (boot.rst "32-bit Boot Protocol", "64-bit Boot Protocol").
 */
void linux_boot_state(const struct linux_result *r, struct vcpu_boot_state *bs);

/*
 * The e820 map of a VM with @ram_size bytes of RAM: RAM below 0x9F000,
 * reserved 0x9F000-1 MiB, RAM from 1 MiB to @ram_size, with every
 * @reserved range (any order, overlaps allowed) reserved over whatever it
 * covers; sorted, with touching entries of one type merged. E_INVAL (NULL
 * pointers, more than LINUX_E820_MAX_RESERVED ranges), E_RANGE (more than
 * @max entries needed; *count is then what was needed).
 */
enum err linux_e820_build(uint64_t ram_size, const struct loader_range *reserved,
			  unsigned nreserved, struct linux_e820_entry *map, unsigned max,
			  unsigned *count);

#endif
