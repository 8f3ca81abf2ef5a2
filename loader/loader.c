/* SPDX-License-Identifier: MIT */
/*
 * Guest kernel loader: Multiboot 1 (spec 0.6.96 section 3.1) and Multiboot2
 * (spec section 3.1) header search, ELF32/ELF64 program headers and the
 * a.out-kludge address fields. Everything is validated into a copy plan
 * before a single byte of guest memory is written.
 */
#include <stdarg.h>
#include "loader/loader.h"
#include "boot/mb2.h"
#include "lib/bytes.h"
#include "lib/format.h"
#include "lib/string.h"

/* Multiboot 0.6.96 section 3.1.1: magic, flags, checksum; 3.1.3: a.out address fields. */
#define MB1_HEADER_MAGIC 0x1BADB002u
#define MB1_SEARCH_LIMIT 8192
#define MB1_HEADER_ALIGN 4
#define MB1_HEADER_SIZE 12
#define MB1_AOUT_HEADER_SIZE 32
#define MB1_OFF_FLAGS 4
#define MB1_OFF_CHECKSUM 8
#define MB1_OFF_HEADER_ADDR 12
#define MB1_OFF_LOAD_ADDR 16
#define MB1_OFF_LOAD_END 20
#define MB1_OFF_BSS_END 24
#define MB1_OFF_ENTRY 28
/* Section 3.1.2: bits 0-15 are requirements, bits 16-31 optional features. */
#define MB1_FLAG_PAGE_ALIGN (1u << 0)
#define MB1_FLAG_MEMINFO (1u << 1)
#define MB1_FLAG_VIDEO (1u << 2)
#define MB1_FLAG_AOUT_KLUDGE (1u << 16)
#define MB1_REQUIRED_MASK 0xFFFFu
#define MB1_SUPPORTED_REQUIRED (MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMINFO)

/* Multiboot2 section 3.1.1: magic, architecture, header_length, checksum, tags. */
#define MB2_HEADER_MAGIC 0xE85250D6u
#define MB2_SEARCH_LIMIT 32768
#define MB2_HEADER_ALIGN 8
#define MB2_HEADER_FIXED 16
#define MB2_OFF_ARCH 4
#define MB2_OFF_LENGTH 8
#define MB2_OFF_CHECKSUM 12
#define MB2_ARCH_I386 0
#define MB2_TAG_HDR 8
#define MB2_TAG_OPTIONAL 1u
/* Section 3.1.3 onwards: header tag types. */
#define MB2_HTAG_END 0
#define MB2_HTAG_INFO_REQUEST 1
#define MB2_HTAG_ADDRESS 2
#define MB2_HTAG_ENTRY 3
#define MB2_HTAG_CONSOLE 4
#define MB2_HTAG_FRAMEBUFFER 5
#define MB2_HTAG_MODULE_ALIGN 6
#define MB2_HTAG_EFI_BS 7
#define MB2_HTAG_EFI32_ENTRY 8
#define MB2_HTAG_EFI64_ENTRY 9
#define MB2_HTAG_RELOCATABLE 10
#define MB2_HTAG_COUNT 11
#define MB2_ADDRESS_TAG_SIZE 24
#define MB2_ENTRY_TAG_SIZE 12
#define MB2_CONSOLE_TAG_SIZE 12
#define MB2_FRAMEBUFFER_TAG_SIZE 20
#define MB2_RELOCATABLE_TAG_SIZE 24
#define MB2_CONSOLE_REQUIRED (1u << 0)
#define MB2_ADDR_OFF_HEADER 8
#define MB2_ADDR_OFF_LOAD 12
#define MB2_ADDR_OFF_LOAD_END 16
#define MB2_ADDR_OFF_BSS_END 20
/* Section 3.1.5: load_addr of -1 means "load from the start of the file". */
#define MB2_LOAD_FROM_FILE_START 0xFFFFFFFFu
/* Boot information tag types Vireo's mbinfo provides (section 3.6). */
#define MB2_PROVIDED_INFO                                                                          \
	((1ull << 1) | (1ull << 2) | (1ull << 3) | (1ull << 4) | (1ull << 6) | (1ull << 14) |      \
	 (1ull << 15))
#define MB2_REQUEST_BITS 64

/* System V gABI, ELF header and program header (ELF32 and ELF64 layouts). */
#define ELF_MAG0 0x7f
#define ELF_IDENT_SIZE 16
#define ELF_EI_CLASS 4
#define ELF_EI_DATA 5
#define ELF_EI_VERSION 6
#define ELF_CLASS32 1
#define ELF_CLASS64 2
#define ELF_DATA_LSB 1
#define ELF_EV_CURRENT 1
#define ELF_ET_EXEC 2
#define ELF_EM_386 3
#define ELF_EM_X86_64 62
#define ELF_PT_LOAD 1
#define ELF_PN_XNUM 0xFFFFu
#define ELF_OFF_TYPE 16
#define ELF_OFF_MACHINE 18
#define ELF_OFF_ENTRY 24

/* The boot GDT's descriptors (SDM Vol. 3A 3.4.5): base 0, limit 0xfffff
 * with G (4 GiB), D/B (32-bit), P, DPL 0, S; type 0xB (code, execute/read,
 * accessed) and 0x3 (data, read/write, accessed). */
#define LOADER_GDT_FLAT_CODE32 0x00cf9b000000ffffull
#define LOADER_GDT_FLAT_DATA 0x00cf93000000ffffull

/* Kernels start in 32-bit protected mode with paging off: nothing above 4 GiB is reachable. */
#define LOADER_4G (1ull << 32)
#define LOADER_LABEL_MAX 40

struct elf_class {
	const char *name;
	enum loader_format fmt;
	uint16_t machine;
	unsigned word; /* bytes of an address / offset field */
	uint32_t ehdr_size, phdr_size;
	uint32_t e_phoff, e_phentsize, e_phnum;
	uint32_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz;
};

/* Field offsets from the gABI's Elf32_Ehdr/Elf32_Phdr and Elf64_Ehdr/Elf64_Phdr layouts. */
static const struct elf_class elf32 = {
    .name = "ELF32",
    .fmt = LOADER_FMT_ELF32,
    .machine = ELF_EM_386,
    .word = 4,
    .ehdr_size = 52,
    .phdr_size = 32,
    .e_phoff = 28,
    .e_phentsize = 42,
    .e_phnum = 44,
    .p_offset = 4,
    .p_vaddr = 8,
    .p_paddr = 12,
    .p_filesz = 16,
    .p_memsz = 20,
};

static const struct elf_class elf64 = {
    .name = "ELF64",
    .fmt = LOADER_FMT_ELF64,
    .machine = ELF_EM_X86_64,
    .word = 8,
    .ehdr_size = 64,
    .phdr_size = 56,
    .e_phoff = 32,
    .e_phentsize = 54,
    .e_phnum = 56,
    .p_offset = 8,
    .p_vaddr = 16,
    .p_paddr = 24,
    .p_filesz = 32,
    .p_memsz = 40,
};

struct loader_ctx {
	const uint8_t *img;
	uint64_t len;
	const struct guest_mem_view *mem;
	const struct loader_range *reserved;
	unsigned nreserved;
	struct loader_result *out;
};

/* The Multiboot2 header tags that matter for loading (section 3.1.5, 3.1.6). */
struct mb2_header_info {
	bool has_address;
	uint32_t header_addr, load_addr, load_end, bss_end;
	bool has_entry;
	uint32_t entry;
};

static uint64_t ld_rdword(const uint8_t *p, unsigned word)
{
	return word == sizeof(uint64_t) ? le64_get(p) : le32_get(p);
}

enum err loader_why(char *buf, const char **why, enum err e, const char *fmt, va_list ap)
{
	fmt_vsnprintf(buf, LOADER_WHY_MAX, fmt, ap);
	*why = buf;
	return e;
}

__attribute__((format(printf, 3, 4))) static enum err ld_fail(struct loader_result *out, enum err e,
							      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	e = loader_why(out->why_buf, &out->why, e, fmt, ap);
	va_end(ap);
	return e;
}

uint64_t loader_range_end(uint64_t base, uint64_t size)
{
	return size > UINT64_MAX - base ? UINT64_MAX : base + size;
}

bool loader_overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return an && bn && a < loader_range_end(b, bn) && b < loader_range_end(a, an);
}

/* Check one copy against the image, guest memory, 4 GiB, reserved ranges and earlier copies. */
static enum err ld_plan_add(struct loader_ctx *c, const char *what, const struct loader_segment *s)
{
	struct loader_result *out = c->out;
	uint64_t end;

	if (s->filesz > s->memsz)
		return ld_fail(out, E_MALFORMED, "%s: file size 0x%llx exceeds memory size 0x%llx",
			       what, (unsigned long long)s->filesz, (unsigned long long)s->memsz);
	if (s->file_off > c->len || s->filesz > c->len - s->file_off)
		return ld_fail(out, E_TRUNC,
			       "%s: bytes 0x%llx+0x%llx lie past the end of the %llu-byte image",
			       what, (unsigned long long)s->file_off, (unsigned long long)s->filesz,
			       (unsigned long long)c->len);
	if (s->memsz > c->mem->size || s->dst > c->mem->size - s->memsz)
		return ld_fail(out, E_RANGE,
			       "%s: 0x%llx+0x%llx does not fit in the VM's 0x%llx bytes of memory; "
			       "give the VM more memory",
			       what, (unsigned long long)s->dst, (unsigned long long)s->memsz,
			       (unsigned long long)c->mem->size);
	end = s->dst + s->memsz;
	if (end > LOADER_4G)
		return ld_fail(
		    out, E_RANGE,
		    "%s ends at 0x%llx, above 4 GiB, unreachable in 32-bit protected mode", what,
		    (unsigned long long)end);
	for (unsigned i = 0; i < c->nreserved; i++) {
		const struct loader_range *r = &c->reserved[i];

		if (loader_overlap(s->dst, s->memsz, r->base, r->size))
			return ld_fail(out, E_BUSY,
				       "%s at 0x%llx-0x%llx overlaps reserved guest memory "
				       "0x%llx+0x%llx (boot info, boot GDT or ACPI)",
				       what, (unsigned long long)s->dst, (unsigned long long)end,
				       (unsigned long long)r->base, (unsigned long long)r->size);
	}
	for (unsigned i = 0; i < out->segment_count; i++) {
		const struct loader_segment *o = &out->seg[i];

		if (loader_overlap(s->dst, s->memsz, o->dst, o->memsz))
			return ld_fail(out, E_MALFORMED,
				       "%s at 0x%llx-0x%llx overlaps an earlier segment at 0x%llx",
				       what, (unsigned long long)s->dst, (unsigned long long)end,
				       (unsigned long long)o->dst);
	}
	if (out->segment_count >= LOADER_MAX_SEGMENTS)
		return ld_fail(out, E_NOTSUP,
			       "more than %u loadable segments; link the kernel "
			       "with fewer PT_LOAD headers",
			       LOADER_MAX_SEGMENTS);
	out->seg[out->segment_count++] = *s;
	return E_OK;
}

/* Translate an ELF virtual entry point through the segment that contains it. */
static bool ld_elf_entry(const struct loader_result *out, const uint64_t *vaddr, uint64_t entry,
			 uint64_t *phys)
{
	for (unsigned i = 0; i < out->segment_count; i++) {
		const struct loader_segment *s = &out->seg[i];

		if (entry >= vaddr[i] && entry - vaddr[i] < s->memsz) {
			*phys = s->dst + (entry - vaddr[i]);
			return true;
		}
	}
	return false;
}

static enum err ld_elf_ident(struct loader_ctx *c, bool allow64, const struct elf_class **cls)
{
	const uint8_t *p = c->img;
	const struct elf_class *k;

	if (c->len < ELF_IDENT_SIZE || p[0] != ELF_MAG0 || p[1] != 'E' || p[2] != 'L' ||
	    p[3] != 'F')
		return ld_fail(c->out, E_BADSIG,
			       "the image is not ELF (no 0x7f 'ELF' at offset 0) and its header "
			       "has no a.out-kludge address fields");
	if (p[ELF_EI_CLASS] == ELF_CLASS32)
		k = &elf32;
	else if (p[ELF_EI_CLASS] == ELF_CLASS64)
		k = &elf64;
	else
		return ld_fail(c->out, E_MALFORMED, "ELF class %u is neither 1 (32) nor 2 (64)",
			       p[ELF_EI_CLASS]);
	if (k == &elf64 && !allow64)
		return ld_fail(c->out, E_NOTSUP,
			       "a Multiboot 1 kernel must be ELF32 (this is "
			       "ELF64); add a Multiboot2 header or the a.out-kludge fields");
	if (c->len < k->ehdr_size)
		return ld_fail(c->out, E_TRUNC, "%s header needs %u bytes; the image has %llu",
			       k->name, k->ehdr_size, (unsigned long long)c->len);
	if (p[ELF_EI_DATA] != ELF_DATA_LSB || p[ELF_EI_VERSION] != ELF_EV_CURRENT)
		return ld_fail(c->out, E_MALFORMED,
			       "ELF data encoding %u / version %u; need 1 (little-endian) / 1",
			       p[ELF_EI_DATA], p[ELF_EI_VERSION]);
	if (le16_get(p + ELF_OFF_TYPE) != ELF_ET_EXEC)
		return ld_fail(c->out, E_NOTSUP, "ELF type %u; only executables (2) can be loaded",
			       le16_get(p + ELF_OFF_TYPE));
	if (le16_get(p + ELF_OFF_MACHINE) != k->machine)
		return ld_fail(c->out, E_NOTSUP, "%s machine %u; expected %u (x86)", k->name,
			       le16_get(p + ELF_OFF_MACHINE), k->machine);
	*cls = k;
	return E_OK;
}

/* Read the program header table bounds and check they lie inside the image. */
static enum err ld_elf_phdrs(struct loader_ctx *c, const struct elf_class *k, uint64_t *phoff,
			     unsigned *phnum, unsigned *phentsize)
{
	uint64_t off = ld_rdword(c->img + k->e_phoff, k->word);
	unsigned n = le16_get(c->img + k->e_phnum);
	unsigned esz = le16_get(c->img + k->e_phentsize);

	if (n == 0 || n == ELF_PN_XNUM)
		return ld_fail(c->out, E_MALFORMED, "e_phnum is %u: no usable program headers", n);
	if (esz < k->phdr_size)
		return ld_fail(c->out, E_MALFORMED, "e_phentsize %u is below the %s minimum %u",
			       esz, k->name, k->phdr_size);
	if (off > c->len || (uint64_t)n * esz > c->len - off)
		return ld_fail(c->out, E_TRUNC,
			       "program headers (e_phoff 0x%llx, %u x %u bytes) run past the "
			       "%llu-byte image",
			       (unsigned long long)off, n, esz, (unsigned long long)c->len);
	*phoff = off;
	*phnum = n;
	*phentsize = esz;
	return E_OK;
}

static enum err ld_elf(struct loader_ctx *c, bool allow64, const struct mb2_header_info *h)
{
	const struct elf_class *k = &elf32;
	uint64_t vaddr[LOADER_MAX_SEGMENTS];
	uint64_t phoff = 0, entry, phys = 0;
	unsigned phnum = 0, esz = 0;
	enum err e;

	e = ld_elf_ident(c, allow64, &k);
	if (e == E_OK)
		e = ld_elf_phdrs(c, k, &phoff, &phnum, &esz);
	if (e != E_OK)
		return e;
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = c->img + phoff + (uint64_t)i * esz;
		struct loader_segment s;
		char label[LOADER_LABEL_MAX];

		if (le32_get(ph) != ELF_PT_LOAD)
			continue;
		s.file_off = ld_rdword(ph + k->p_offset, k->word);
		s.dst = ld_rdword(ph + k->p_paddr, k->word);
		s.filesz = ld_rdword(ph + k->p_filesz, k->word);
		s.memsz = ld_rdword(ph + k->p_memsz, k->word);
		if (!s.memsz && !s.filesz)
			continue;
		fmt_snprintf(label, sizeof(label), "%s program header %u", k->name, i);
		if (c->out->segment_count < LOADER_MAX_SEGMENTS)
			vaddr[c->out->segment_count] = ld_rdword(ph + k->p_vaddr, k->word);
		e = ld_plan_add(c, label, &s);
		if (e != E_OK)
			return e;
	}
	if (!c->out->segment_count)
		return ld_fail(c->out, E_MALFORMED, "%s has no PT_LOAD segment with a size",
			       k->name);
	c->out->format = k->fmt;
	if (h && h->has_entry) {
		c->out->entry = h->entry;
		return E_OK;
	}
	entry = ld_rdword(c->img + ELF_OFF_ENTRY, k->word);
	if (!ld_elf_entry(c->out, vaddr, entry, &phys))
		return ld_fail(c->out, E_MALFORMED,
			       "ELF entry point 0x%llx lies in no PT_LOAD segment",
			       (unsigned long long)entry);
	c->out->entry = (uint32_t)phys; /* segments end below 4 GiB */
	return E_OK;
}

/*
 * The a.out-kludge fields (MB1 section 3.1.3, MB2 section 3.1.5): the header
 * at file offset hdr_off is loaded at header_addr, so the file offset of
 * load_addr is hdr_off - (header_addr - load_addr).
 */
static enum err ld_aout(struct loader_ctx *c, uint32_t hdr_off, const struct mb2_header_info *a)
{
	struct loader_segment s;
	uint32_t delta;

	if (a->load_addr > a->header_addr)
		return ld_fail(c->out, E_MALFORMED, "load_addr 0x%x is above header_addr 0x%x",
			       a->load_addr, a->header_addr);
	delta = a->header_addr - a->load_addr;
	if (delta > hdr_off)
		return ld_fail(c->out, E_MALFORMED,
			       "header_addr - load_addr = 0x%x but the header is at file offset "
			       "0x%x: loading would start before the image",
			       delta, hdr_off);
	s.dst = a->load_addr;
	s.file_off = hdr_off - delta;
	if (a->load_end == 0) {
		s.filesz = c->len - s.file_off;
	} else if (a->load_end <= a->load_addr) {
		return ld_fail(c->out, E_MALFORMED,
			       "load_end_addr 0x%x is not above load_addr 0x%x", a->load_end,
			       a->load_addr);
	} else {
		s.filesz = a->load_end - a->load_addr;
	}
	s.memsz = s.filesz;
	if (a->bss_end) {
		if ((uint64_t)a->bss_end < s.dst + s.filesz)
			return ld_fail(
			    c->out, E_MALFORMED,
			    "bss_end_addr 0x%x is below the end of the loaded data 0x%llx",
			    a->bss_end, (unsigned long long)(s.dst + s.filesz));
		s.memsz = a->bss_end - a->load_addr;
	}
	c->out->format = LOADER_FMT_AOUT_KLUDGE;
	c->out->entry = a->entry;
	return ld_plan_add(c, "a.out-kludge load range", &s);
}

/* Multiboot 0.6.96 section 3.1: flags, then the a.out kludge or ELF32. */
static enum err ld_mb1(struct loader_ctx *c, uint32_t off)
{
	const uint8_t *h = c->img + off;
	uint32_t flags = le32_get(h + MB1_OFF_FLAGS);
	uint32_t unknown = flags & MB1_REQUIRED_MASK & ~MB1_SUPPORTED_REQUIRED;
	struct mb2_header_info a = {0};

	c->out->flavour = LOADER_MB1;
	c->out->mb1_flags = flags;
	c->out->modules_page_aligned = flags & MB1_FLAG_PAGE_ALIGN;
	if (unknown & MB1_FLAG_VIDEO)
		return ld_fail(c->out, E_NOTSUP,
			       "Multiboot flags 0x%x require video mode info "
			       "(bit 2), which Vireo does not provide; clear that bit",
			       flags);
	if (unknown)
		return ld_fail(c->out, E_NOTSUP,
			       "Multiboot flags 0x%x set required bits 0x%x that Vireo does not "
			       "know",
			       flags, unknown);
	if (!(flags & MB1_FLAG_AOUT_KLUDGE))
		return ld_elf(c, false, NULL);
	if (c->len - off < MB1_AOUT_HEADER_SIZE || off + MB1_AOUT_HEADER_SIZE > MB1_SEARCH_LIMIT)
		return ld_fail(c->out, E_TRUNC,
			       "Multiboot header at 0x%x with flags bit 16 needs "
			       "%u bytes inside the image's first %u",
			       off, MB1_AOUT_HEADER_SIZE, MB1_SEARCH_LIMIT);
	a.header_addr = le32_get(h + MB1_OFF_HEADER_ADDR);
	a.load_addr = le32_get(h + MB1_OFF_LOAD_ADDR);
	a.load_end = le32_get(h + MB1_OFF_LOAD_END);
	a.bss_end = le32_get(h + MB1_OFF_BSS_END);
	a.entry = le32_get(h + MB1_OFF_ENTRY);
	return ld_aout(c, off, &a);
}

static const char *const mb2_htag_names[MB2_HTAG_COUNT] = {
    "end",	   "information request", "address",	       "entry address",	 "console flags",
    "framebuffer", "module alignment",	  "EFI boot services", "EFI i386 entry", "EFI amd64 entry",
    "relocatable",
};

static const uint32_t mb2_htag_min[MB2_HTAG_COUNT] = {
    [MB2_HTAG_ADDRESS] = MB2_ADDRESS_TAG_SIZE,
    [MB2_HTAG_ENTRY] = MB2_ENTRY_TAG_SIZE,
    [MB2_HTAG_CONSOLE] = MB2_CONSOLE_TAG_SIZE,
    [MB2_HTAG_FRAMEBUFFER] = MB2_FRAMEBUFFER_TAG_SIZE,
    [MB2_HTAG_EFI32_ENTRY] = MB2_ENTRY_TAG_SIZE,
    [MB2_HTAG_EFI64_ENTRY] = MB2_ENTRY_TAG_SIZE,
    [MB2_HTAG_RELOCATABLE] = MB2_RELOCATABLE_TAG_SIZE,
};

/* Section 3.1.4: every requested type must be one Vireo provides unless the tag is optional. */
static enum err ld_mb2_request(struct loader_ctx *c, const uint8_t *t, uint32_t size, bool opt)
{
	for (uint32_t o = MB2_TAG_HDR; size - o >= sizeof(uint32_t); o += sizeof(uint32_t)) {
		uint32_t type = le32_get(t + o);
		bool known = type < MB2_REQUEST_BITS;

		if (known)
			c->out->mb2_requests |= 1ull << type;
		if (!opt && !(known && (MB2_PROVIDED_INFO >> type & 1)))
			return ld_fail(c->out, E_NOTSUP,
				       "Multiboot2 information request for tag type %u, which "
				       "Vireo does not provide; mark the request optional",
				       type);
	}
	return E_OK;
}

static enum err ld_mb2_tag(struct loader_ctx *c, const uint8_t *t, uint16_t type, bool opt,
			   uint32_t size, struct mb2_header_info *h)
{
	const char *name = type < MB2_HTAG_COUNT ? mb2_htag_names[type] : "unknown";

	if (type < MB2_HTAG_COUNT && size < mb2_htag_min[type])
		return ld_fail(c->out, E_MALFORMED, "Multiboot2 %s tag is %u bytes; it needs %u",
			       name, size, mb2_htag_min[type]);
	switch (type) {
	case MB2_HTAG_INFO_REQUEST:
		return ld_mb2_request(c, t, size, opt);
	case MB2_HTAG_ADDRESS:
		h->has_address = true;
		h->header_addr = le32_get(t + MB2_ADDR_OFF_HEADER);
		h->load_addr = le32_get(t + MB2_ADDR_OFF_LOAD);
		h->load_end = le32_get(t + MB2_ADDR_OFF_LOAD_END);
		h->bss_end = le32_get(t + MB2_ADDR_OFF_BSS_END);
		return E_OK;
	case MB2_HTAG_ENTRY:
		h->has_entry = true;
		h->entry = le32_get(t + MB2_TAG_HDR);
		return E_OK;
	case MB2_HTAG_CONSOLE:
		if (opt || !(le32_get(t + MB2_TAG_HDR) & MB2_CONSOLE_REQUIRED))
			return E_OK;
		break;
	case MB2_HTAG_MODULE_ALIGN:
		c->out->modules_page_aligned = true;
		return E_OK;
	case MB2_HTAG_RELOCATABLE:
		return E_OK; /* loading at the link address is always allowed */
	default:
		if (opt)
			return E_OK;
		break;
	}
	return ld_fail(c->out, E_NOTSUP,
		       "Multiboot2 header tag %u (%s) is required by the kernel "
		       "but Vireo does not support it; mark it optional",
		       type, name);
}

/* Walk the header tags (section 3.1.3) with every size checked against header_length. */
static enum err ld_mb2_tags(struct loader_ctx *c, uint32_t off, uint32_t hlen,
			    struct mb2_header_info *h)
{
	uint64_t pos = (uint64_t)off + MB2_HEADER_FIXED;
	uint64_t end = (uint64_t)off + hlen;

	for (;;) {
		const uint8_t *t;
		uint16_t type, flags;
		uint32_t size;
		enum err e;

		if (pos > end || end - pos < MB2_TAG_HDR)
			return ld_fail(c->out, E_TRUNC,
				       "Multiboot2 header ends (header_length %u) "
				       "before its end tag",
				       hlen);
		t = c->img + pos;
		type = le16_get(t);
		flags = le16_get(t + 2);
		size = le32_get(t + 4);
		if (size < MB2_TAG_HDR || size > end - pos)
			return ld_fail(c->out, E_MALFORMED,
				       "Multiboot2 header tag %u at offset "
				       "0x%llx has size %u (header_length %u)",
				       type, (unsigned long long)pos, size, hlen);
		if (type == MB2_HTAG_END)
			return E_OK;
		e = ld_mb2_tag(c, t, type, flags & MB2_TAG_OPTIONAL, size, h);
		if (e != E_OK)
			return e;
		pos += ((uint64_t)size + MB2_TAG_ALIGN - 1) & ~(uint64_t)(MB2_TAG_ALIGN - 1);
	}
}

static enum err ld_mb2(struct loader_ctx *c, uint32_t off)
{
	const uint8_t *hdr = c->img + off;
	uint32_t arch = le32_get(hdr + MB2_OFF_ARCH);
	uint32_t hlen = le32_get(hdr + MB2_OFF_LENGTH);
	struct mb2_header_info h = {0};
	enum err e;

	c->out->flavour = LOADER_MB2;
	if (arch != MB2_ARCH_I386)
		return ld_fail(c->out, E_NOTSUP,
			       "Multiboot2 architecture %u; only 0 (i386 "
			       "protected mode) is supported",
			       arch);
	if (hlen < MB2_HEADER_FIXED + MB2_TAG_HDR || hlen > c->len - off ||
	    off + hlen > MB2_SEARCH_LIMIT)
		return ld_fail(c->out, E_MALFORMED,
			       "Multiboot2 header_length %u at offset 0x%x "
			       "does not fit the image (%llu bytes) and its first %u bytes",
			       hlen, off, (unsigned long long)c->len, MB2_SEARCH_LIMIT);
	e = ld_mb2_tags(c, off, hlen, &h);
	if (e != E_OK)
		return e;
	if (!h.has_address)
		return ld_elf(c, true, &h);
	if (!h.has_entry)
		return ld_fail(c->out, E_MALFORMED,
			       "Multiboot2 address tag without an entry address tag");
	if (h.load_addr == MB2_LOAD_FROM_FILE_START) {
		if (h.header_addr < off)
			return ld_fail(c->out, E_MALFORMED,
				       "header_addr 0x%x is below the "
				       "header's file offset 0x%x",
				       h.header_addr, off);
		h.load_addr = h.header_addr - off;
	}
	return ld_aout(c, off, &h);
}

/* The first offset (step @align, below @limit) with a checksummed header; -1 if none. */
static int64_t ld_search(struct loader_ctx *c, uint32_t magic, uint32_t limit, uint32_t align,
			 uint32_t need, int64_t *bad_sum)
{
	uint64_t stop = c->len < limit ? c->len : limit;

	for (uint64_t off = 0; off + need <= stop; off += align) {
		const uint8_t *p = c->img + off;
		uint32_t sum = 0;

		if (le32_get(p) != magic)
			continue;
		for (uint32_t i = 0; i < (magic == MB2_HEADER_MAGIC ? 4u : 3u); i++)
			sum += le32_get(p + i * sizeof(uint32_t));
		if (sum == 0)
			return (int64_t)off;
		if (*bad_sum < 0)
			*bad_sum = (int64_t)off;
	}
	return -1;
}

static enum err ld_find(struct loader_ctx *c)
{
	int64_t bad2 = -1, bad1 = -1;
	int64_t off = ld_search(c, MB2_HEADER_MAGIC, MB2_SEARCH_LIMIT, MB2_HEADER_ALIGN,
				MB2_HEADER_FIXED, &bad2);

	if (off >= 0) {
		c->out->header_offset = (uint32_t)off;
		return ld_mb2(c, (uint32_t)off);
	}
	off = ld_search(c, MB1_HEADER_MAGIC, MB1_SEARCH_LIMIT, MB1_HEADER_ALIGN, MB1_HEADER_SIZE,
			&bad1);
	if (off >= 0) {
		c->out->header_offset = (uint32_t)off;
		return ld_mb1(c, (uint32_t)off);
	}
	if (bad2 >= 0 || bad1 >= 0)
		return ld_fail(c->out, E_CHECKSUM,
			       "Multiboot%s magic at offset 0x%llx but the checksum does not add "
			       "up to 0",
			       bad2 >= 0 ? "2" : "", (unsigned long long)(bad2 >= 0 ? bad2 : bad1));
	return ld_fail(c->out, E_BADSIG,
		       "no Multiboot header: neither 0x%x (4-aligned, first %u bytes) nor 0x%x "
		       "(8-aligned, first %u bytes) in the %llu-byte image",
		       MB1_HEADER_MAGIC, MB1_SEARCH_LIMIT, MB2_HEADER_MAGIC, MB2_SEARCH_LIMIT,
		       (unsigned long long)c->len);
}

/* The entry point must lie inside what is loaded; record the loaded extent. */
static enum err ld_finish(struct loader_result *out)
{
	bool inside = false;

	out->load_start = UINT64_MAX;
	out->load_end = 0;
	for (unsigned i = 0; i < out->segment_count; i++) {
		const struct loader_segment *s = &out->seg[i];

		if (s->dst < out->load_start)
			out->load_start = s->dst;
		if (s->dst + s->memsz > out->load_end)
			out->load_end = s->dst + s->memsz;
		if (out->entry >= s->dst && out->entry - s->dst < s->memsz)
			inside = true;
	}
	if (!inside)
		return ld_fail(out, E_MALFORMED, "entry point 0x%x is outside every loaded segment",
			       out->entry);
	return E_OK;
}

enum err loader_write_boot_gdt(const struct guest_mem_view *mem, uint64_t gpa)
{
	static const uint64_t gdt[LOADER_BOOT_GDT_ENTRIES] = {
	    [VCPU_BOOT_CS / sizeof(uint64_t)] = LOADER_GDT_FLAT_CODE32,
	    [VCPU_BOOT_DS / sizeof(uint64_t)] = LOADER_GDT_FLAT_DATA,
	};

	if (!mem || !mem->base)
		return E_INVAL;
	if (gpa % LOADER_BOOT_GDT_ALIGN)
		return E_ALIGN;
	if (gpa > mem->size || LOADER_BOOT_GDT_SIZE > mem->size - gpa ||
	    gpa + LOADER_BOOT_GDT_SIZE > LOADER_4G)
		return E_RANGE;
	for (unsigned i = 0; i < LOADER_BOOT_GDT_ENTRIES; i++)
		le64_put(mem->base + gpa + i * sizeof(uint64_t), gdt[i]);
	return E_OK;
}

void loader_boot_state(const struct loader_result *r, uint32_t info, uint32_t gdt,
		       struct vcpu_boot_state *bs)
{
	vcpu_boot_state_init(bs, VCPU_MODE_PROTECTED32);
	bs->rip = r->entry;
	bs->gpr[VCPU_RAX] =
	    r->flavour == LOADER_MB1 ? LOADER_MB1_BOOT_MAGIC : LOADER_MB2_BOOT_MAGIC;
	bs->gpr[VCPU_RBX] = info;
	bs->gdt_base = gdt;
	bs->gdt_limit = LOADER_BOOT_GDT_SIZE - 1;
	/* IDTR is undefined at entry: the value INIT leaves. */
	bs->idt_limit = LOADER_MB_TABLE_LIMIT;
}

uint64_t loader_next_free(uint64_t at, uint64_t len, uint64_t align,
			  const struct loader_range *reserved, unsigned nreserved)
{
	bool moved = true;

	/* Each pass moves past at least one range, or ends: nreserved + 1 passes. */
	for (unsigned pass = 0; moved && pass <= nreserved; pass++) {
		moved = false;
		if (at > UINT64_MAX - (align - 1))
			return UINT64_MAX;
		at = (at + align - 1) & ~(align - 1);
		for (unsigned i = 0; i < nreserved; i++) {
			const struct loader_range *r = &reserved[i];

			if (!loader_overlap(at, len ? len : 1, r->base, r->size))
				continue;
			at = loader_range_end(r->base, r->size);
			moved = true;
		}
	}
	return moved ? UINT64_MAX : at;
}

enum err loader_check(const void *image, uint64_t len, const struct guest_mem_view *mem,
		      const struct loader_range *reserved, unsigned nreserved,
		      struct loader_result *out)
{
	struct loader_ctx c = {image, len, mem, reserved, nreserved, out};
	enum err e;

	if (!out)
		return E_INVAL;
	memset(out, 0, sizeof(*out));
	if (!image || !mem || (!mem->base && mem->size) || (nreserved && !reserved))
		return ld_fail(out, E_INVAL,
			       "loader called without an image, guest memory or "
			       "reserved list");
	e = ld_find(&c);
	if (e == E_OK)
		e = ld_finish(out);
	if (e != E_OK)
		out->segment_count = 0;
	return e;
}

enum err loader_load(const void *image, uint64_t len, const struct guest_mem_view *mem,
		     const struct loader_range *reserved, unsigned nreserved,
		     struct loader_result *out)
{
	enum err e = loader_check(image, len, mem, reserved, nreserved, out);
	const uint8_t *img = image;

	if (e != E_OK)
		return e;
	for (unsigned i = 0; i < out->segment_count; i++) {
		const struct loader_segment *s = &out->seg[i];
		uint8_t *dst = mem->base + s->dst;

		memcpy(dst, img + s->file_off, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	return E_OK;
}

const char *loader_flavour_name(enum loader_flavour f)
{
	switch (f) {
	case LOADER_MB1:
		return "Multiboot 1";
	case LOADER_MB2:
		return "Multiboot 2";
	default:
		return "none";
	}
}

const char *loader_format_name(enum loader_format f)
{
	switch (f) {
	case LOADER_FMT_ELF32:
		return "ELF32";
	case LOADER_FMT_ELF64:
		return "ELF64";
	case LOADER_FMT_AOUT_KLUDGE:
		return "a.out kludge";
	default:
		return "none";
	}
}
