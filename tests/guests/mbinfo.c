/*
 * Reads the boot information a Multiboot 1 or Multiboot2 loader passes in
 * EBX (Multiboot 0.6.96 section 3.3; Multiboot2 1.0 section 3.6) into
 * struct boot_info, walking MB2 tags only within the announced total size.
 */
#include "mbtest.h"

#define MB1_BOOT_MAGIC 0x2BADB002u
#define MB2_BOOT_MAGIC 0x36d76289u

struct boot_info boot;

static uint32_t rd32(uintptr_t a)
{
	return *(const uint32_t *)a;
}

static uint64_t rd64(uintptr_t a)
{
	return *(const uint64_t *)a;
}

#define MAX_MODS (sizeof(boot.mods) / sizeof(boot.mods[0]))

static void add_module(uint32_t start, uint32_t end, const char *string)
{
	if (boot.nmods < MAX_MODS) {
		boot.mods[boot.nmods].start = start;
		boot.mods[boot.nmods].end = end;
		boot.mods[boot.nmods].string = string;
	}
	boot.nmods++;
}

static void add_mmap(uint64_t base, uint64_t len, uint32_t type)
{
	if (type == 1)
		boot.mmap_avail += len;
	if (boot.nmmap < MMAP_KEPT) {
		boot.mmap[boot.nmmap].base = base;
		boot.mmap[boot.nmmap].len = len;
		boot.mmap[boot.nmmap].type = type;
	}
	boot.nmmap++;
}

const char *mmap_kind(uint64_t addr, uint64_t len)
{
	const char *kind = "unlisted";

	for (unsigned i = 0; i < boot.nmmap && i < MMAP_KEPT; i++) {
		uint64_t b = boot.mmap[i].base, e = b + boot.mmap[i].len;

		if (addr >= e || addr + len <= b)
			continue;
		if (addr < b || addr + len > e)
			return "mixed";
		kind = boot.mmap[i].type == 1 ? "available" : "reserved";
	}
	return kind;
}

static int mb1_parse(void)
{
	uintptr_t mbi = boot.info;
	uint32_t flags = rd32(mbi);

	if (flags & (1u << 0)) {
		boot.have_mem = 1;
		boot.mem_lower = rd32(mbi + 4);
		boot.mem_upper = rd32(mbi + 8);
	}
	if (flags & (1u << 2))
		boot.cmdline = (const char *)rd32(mbi + 16);
	if (flags & (1u << 9))
		boot.loader = (const char *)rd32(mbi + 64);
	if (flags & (1u << 3)) {
		/* mods_count at +20, mods_addr at +24; 16-byte entries */
		for (uint32_t i = 0, n = rd32(mbi + 20), m = rd32(mbi + 24); i < n && i < 64; i++)
			add_module(rd32(m + 16 * i), rd32(m + 16 * i + 4),
				   (const char *)rd32(m + 16 * i + 8));
	}
	if (flags & (1u << 6)) {
		uintptr_t p = rd32(mbi + 48), end = p + rd32(mbi + 44);
		int n = 0;

		/* each entry: u32 size (not counting itself), u64 base, u64 len, u32 type */
		while (p + 24 <= end && n++ < 1024) {
			uint32_t size = rd32(p);

			add_mmap(rd64(p + 4), rd64(p + 12), rd32(p + 20));
			if (size < 20) {
				snprintf(boot.why, sizeof(boot.why), "mmap entry size %u < 20",
					 size);
				return 0;
			}
			p += size + 4;
		}
		boot.have_mmap = 1;
	}
	if (!(flags & ((1u << 0) | (1u << 6)))) {
		snprintf(boot.why, sizeof(boot.why),
			 "MB1 flags %x lack bit 0 (mem) and bit 6 (mmap)", flags);
		return 0;
	}
	return 1;
}

static int mb2_parse(void)
{
	uintptr_t mbi = boot.info, p, end;
	uint32_t total = rd32(mbi);
	int seen_end = 0, n = 0;

	if (mbi & 7 || total < 16 || total > 1u << 20) {
		snprintf(boot.why, sizeof(boot.why), "MB2 info at %x with total_size %u", mbi,
			 total);
		return 0;
	}
	end = mbi + total;
	for (p = mbi + 8; p + 8 <= end && n++ < 4096; p = (p + rd32(p + 4) + 7) & ~(uintptr_t)7) {
		uint32_t type = rd32(p), size = rd32(p + 4);

		if (size < 8 || p + size > end) {
			snprintf(boot.why, sizeof(boot.why),
				 "MB2 tag %u at %x has size %u past the end", type, p, size);
			return 0;
		}
		switch (type) {
		case 0:
			seen_end = 1;
			break;
		case 1:
			boot.cmdline = (const char *)(p + 8);
			break;
		case 2:
			boot.loader = (const char *)(p + 8);
			break;
		case 3:
			add_module(rd32(p + 8), rd32(p + 12), (const char *)(p + 16));
			break;
		case 4:
			boot.have_mem = 1;
			boot.mem_lower = rd32(p + 8);
			boot.mem_upper = rd32(p + 12);
			break;
		case 6: {
			uint32_t esize = rd32(p + 8);
			uintptr_t e;

			if (esize < 24) {
				snprintf(boot.why, sizeof(boot.why), "MB2 mmap entry_size %u < 24",
					 esize);
				return 0;
			}
			for (e = p + 16; e + esize <= p + size; e += esize)
				add_mmap(rd64(e), rd64(e + 8), rd32(e + 16));
			boot.have_mmap = 1;
			break;
		}
		case 14:
		case 15:
			/* prefer the new (ACPI 2.0+) RSDP copy when both are given */
			if (!boot.rsdp || type == 15)
				boot.rsdp = (const void *)(p + 8);
			break;
		}
		if (seen_end)
			break;
	}
	if (!seen_end) {
		snprintf(boot.why, sizeof(boot.why), "MB2 tags have no end tag within %u bytes",
			 total);
		return 0;
	}
	if (!boot.have_mem && !boot.have_mmap) {
		snprintf(boot.why, sizeof(boot.why), "MB2 info has neither basic meminfo nor mmap");
		return 0;
	}
	return 1;
}

/* Returns 1 when the magic matches the header this image carries and the info is sane. */
int mbinfo_parse(void)
{
	uint32_t want = boot.version == 1 ? MB1_BOOT_MAGIC : MB2_BOOT_MAGIC;

	if (boot.magic != want) {
		snprintf(boot.why, sizeof(boot.why), "EAX magic %x at entry, expected %x",
			 boot.magic, want);
		return 0;
	}
	if (!boot.info) {
		snprintf(boot.why, sizeof(boot.why), "EBX (information address) is 0");
		return 0;
	}
	return boot.version == 1 ? mb1_parse() : mb2_parse();
}
