/* SPDX-License-Identifier: MIT */
/*
 * Boot information for Multiboot guests: builds the Multiboot 1 info
 * structure (spec 0.6.96 section 3.3) or the Multiboot2 tag list (spec 3.6)
 * directly in guest memory, describing the VM (not the host).
 */
#ifndef VIREO_LOADER_MBINFO_H
#define VIREO_LOADER_MBINFO_H

#include <stdint.h>
#include "boot/mb2.h"
#include "lib/error.h"
#include "loader/loader.h"

#define MBINFO_LOADER_NAME "Vireo"
/* The PC hole [640 KiB, 1 MiB) the derived memory map reserves. */
#define MBINFO_HOLE_START 0xA0000ull
#define MBINFO_HOLE_END 0x100000ull

struct mbinfo_module {
	uint32_t start; /* guest-physical */
	uint32_t end;	/* one past the last byte */
	const char *string;
};

/*
 * What the guest is told. mmap == NULL derives the PC layout from mem_size:
 * [0, 640K) available, [640K, 1M) reserved, [1M, mem_size) available.
 * cmdline NULL gives "", loader_name NULL gives "Vireo". rsdp (Multiboot2
 * only, may be NULL) is copied into an ACPI old RSDP tag (its first 20 bytes)
 * and, when rsdp_len >= 36, also into an ACPI new RSDP tag.
 */
struct mbinfo_params {
	uint64_t mem_size;
	const struct mb2_mmap_entry *mmap;
	unsigned mmap_count;
	const char *cmdline;
	const char *loader_name;
	const struct mbinfo_module *modules;
	unsigned module_count;
	const void *rsdp;
	uint32_t rsdp_len;
};

/*
 * Write the information block at guest-physical @addr, using at most @limit
 * bytes, and store its size in *@used. All pointers inside it are
 * guest-physical. Nothing is written unless it all fits. Returns E_OK,
 * E_INVAL (bad parameters, a module with start > end, an RSDP under 20 bytes),
 * E_ALIGN (@addr not 4-aligned for MB1, 8-aligned for MB2), E_TRUNC (more
 * than @limit bytes needed; *@used still says how many), or E_RANGE (outside
 * guest memory or above 4 GiB).
 */
enum err mbinfo_build_mb1(const struct guest_mem_view *mem, uint64_t addr, uint64_t limit,
			  const struct mbinfo_params *p, uint64_t *used);
enum err mbinfo_build_mb2(const struct guest_mem_view *mem, uint64_t addr, uint64_t limit,
			  const struct mbinfo_params *p, uint64_t *used);

#endif
