/* SPDX-License-Identifier: MIT */
/*
 * Host tests for loader/linux.c: synthetic bzImages (a setup header with the
 * boot.rst offsets, a patterned protected-mode part) loaded into a fake
 * guest; the placement, the zero page byte by byte, the boot GDT, the
 * 64-bit entry's page tables, the boot state, every refusal (guest memory
 * left untouched) and the e820 builder's sorting, splitting and merging.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "loader/linux.h"

#define MIB (1ull << 20)
#define GUEST_SIZE (64 * MIB)
#define GUEST_FILL 0xAA
#define AREA 0x10000ull
#define SETUP_SECTS 4
#define PM_OFF ((SETUP_SECTS + 1) * 512)
#define PM_SIZE 0x3000u
#define IMG_LEN (PM_OFF + PM_SIZE)
#define IMG_MAX (IMG_LEN + 0x1000)
#define HDR_LEN_BYTE 0x66 /* header ends at 0x202 + 0x66 = 0x268 */
#define HDR_END 0x268
#define PROTO 0x020F
#define PREF (16 * MIB)
#define ALIGN_2M (2 * MIB)
#define INIT_SIZE (8 * MIB)
#define CMDLINE_SIZE 2048
#define INITRD_MAX 0x7FFFFFFFu
#define INITRD_LEN 0x1800u
#define RSDP 0xE0000ull
#define ACPI_BASE (GUEST_SIZE - 0x10000)
#define ACPI_SIZE 0x10000ull
#define LOADED_HIGH 0x01
#define XLF_KERNEL_64 0x01
#define XLF_ABOVE_4G 0x02
#define E820_LOW_END 0x9F000ull
#define PTE_FLAGS 0x3ull
#define PDE_2M_FLAGS 0x83ull

/* boot.rst / zero-page.rst offsets the tests check independently of linux.c. */
#define OFF_SETUP_SECTS 0x1F1
#define OFF_SYSSIZE 0x1F4
#define OFF_BOOT_FLAG 0x1FE
#define OFF_JUMP 0x200
#define OFF_HEADER 0x202
#define OFF_VERSION 0x206
#define OFF_TYPE_OF_LOADER 0x210
#define OFF_LOADFLAGS 0x211
#define OFF_CODE32_START 0x214
#define OFF_RAMDISK_IMAGE 0x218
#define OFF_RAMDISK_SIZE 0x21C
#define OFF_CMD_LINE_PTR 0x228
#define OFF_INITRD_ADDR_MAX 0x22C
#define OFF_KERNEL_ALIGNMENT 0x230
#define OFF_RELOCATABLE 0x234
#define OFF_XLOADFLAGS 0x236
#define OFF_CMDLINE_SIZE 0x238
#define OFF_PREF_ADDRESS 0x258
#define OFF_INIT_SIZE 0x260
#define ZP_ACPI_RSDP 0x070
#define ZP_EXT_RAMDISK_IMAGE 0x0C0
#define ZP_EXT_RAMDISK_SIZE 0x0C4
#define ZP_EXT_CMD_LINE_PTR 0x0C8
#define ZP_E820_ENTRIES 0x1E8
#define ZP_E820_TABLE 0x2D0
#define E820_ENTRY 20

static uint8_t img[IMG_MAX];
static size_t img_len;
static uint8_t initrd[2 * MIB]; /* INITRD_LEN used, the rest for bad_initrd_above_max */
static char cmdline[LINUX_CMDLINE_AREA_MAX + 16];
static uint8_t *guest;
static struct guest_mem_view mem;
static struct linux_result res;
static struct linux_boot_input in;
static struct loader_range acpi[] = {{ACPI_BASE, ACPI_SIZE}};

static void w16(size_t off, uint16_t v)
{
	memcpy(img + off, &v, sizeof(v));
}

static void w32(size_t off, uint32_t v)
{
	memcpy(img + off, &v, sizeof(v));
}

static void w64(size_t off, uint64_t v)
{
	memcpy(img + off, &v, sizeof(v));
}

static uint64_t g64(uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, guest + gpa, sizeof(v));
	return v;
}

static uint32_t g32(uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, guest + gpa, sizeof(v));
	return v;
}

/* A 64-bit relocatable bzImage, protocol 2.15, with the usual header values. */
static void std_image(void)
{
	memset(img, 0, sizeof(img));
	for (size_t i = 0; i < PM_OFF; i++)
		img[i] = (uint8_t)(i * 3 + 1); /* real-mode code and unused fields */
	img[OFF_SETUP_SECTS] = SETUP_SECTS;
	w32(OFF_SYSSIZE, PM_SIZE / 16);
	w16(OFF_BOOT_FLAG, 0xAA55);
	img[OFF_JUMP] = 0xEB;
	img[OFF_JUMP + 1] = HDR_LEN_BYTE;
	memcpy(img + OFF_HEADER, "HdrS", 4);
	w16(OFF_VERSION, PROTO);
	img[OFF_TYPE_OF_LOADER] = 0;
	img[OFF_LOADFLAGS] = LOADED_HIGH;
	w32(OFF_CODE32_START, 0x100000);
	w32(OFF_RAMDISK_IMAGE, 0);
	w32(OFF_RAMDISK_SIZE, 0);
	w32(OFF_CMD_LINE_PTR, 0);
	w32(OFF_INITRD_ADDR_MAX, INITRD_MAX);
	w32(OFF_KERNEL_ALIGNMENT, ALIGN_2M);
	img[OFF_RELOCATABLE] = 1;
	w16(OFF_XLOADFLAGS, XLF_KERNEL_64 | XLF_ABOVE_4G);
	w32(OFF_CMDLINE_SIZE, CMDLINE_SIZE);
	w64(OFF_PREF_ADDRESS, PREF);
	w32(OFF_INIT_SIZE, INIT_SIZE);
	for (size_t i = 0; i < PM_SIZE; i++)
		img[PM_OFF + i] = (uint8_t)(i * 7 + 5);
	img_len = IMG_LEN;
}

static void std_input(void)
{
	static const char line[] = "console=ttyS0 quiet";

	for (size_t i = 0; i < INITRD_LEN; i++)
		initrd[i] = (uint8_t)(i * 11 + 2);
	memset(cmdline, 0, sizeof(cmdline));
	memcpy(cmdline, line, sizeof(line) - 1);
	in = (struct linux_boot_input){
	    .image = img,
	    .image_len = img_len,
	    .cmdline = cmdline,
	    .cmdline_len = sizeof(line) - 1,
	    .initrd = initrd,
	    .initrd_len = INITRD_LEN,
	    .acpi_rsdp = RSDP,
	    .reserved = acpi,
	    .nreserved = 1,
	    .area = AREA,
	    .entry = LINUX_ENTRY_64,
	};
}

static int guest_setup(void **state)
{
	guest = malloc(GUEST_SIZE);
	mem = (struct guest_mem_view){guest, GUEST_SIZE};
	return guest ? 0 : -1;
}

static int guest_teardown(void **state)
{
	free(guest);
	return 0;
}

static int reset(void **state)
{
	memset(guest, GUEST_FILL, GUEST_SIZE);
	mem.size = GUEST_SIZE;
	std_image();
	std_input();
	return 0;
}

static void assert_guest_untouched(void)
{
	for (uint64_t i = 0; i < GUEST_SIZE; i++)
		if (guest[i] != GUEST_FILL)
			fail_msg("guest byte 0x%llx changed to 0x%x", (unsigned long long)i,
				 guest[i]);
}

static void load_ok(void)
{
	enum err e = linux_load(&in, &mem, &res);

	if (e != E_OK)
		fail_msg("%s: %s", err_name(e), res.why ? res.why : "(no reason)");
	assert_null(res.why);
}

static void test_parse_header(void **state)
{
	assert_int_equal(linux_parse(img, img_len, &res), E_OK);
	assert_int_equal(res.hdr.version, PROTO);
	assert_int_equal(res.hdr.setup_sects, SETUP_SECTS);
	assert_int_equal(res.hdr.pm_offset, PM_OFF);
	assert_int_equal(res.hdr.pm_size, PM_SIZE);
	assert_int_equal(res.hdr.syssize, PM_SIZE / 16);
	assert_int_equal(res.hdr.header_end, HDR_END);
	assert_int_equal(res.hdr.loadflags, LOADED_HIGH);
	assert_int_equal(res.hdr.xloadflags, XLF_KERNEL_64 | XLF_ABOVE_4G);
	assert_int_equal(res.hdr.kernel_alignment, ALIGN_2M);
	assert_true(res.hdr.relocatable);
	assert_int_equal(res.hdr.pref_address, PREF);
	assert_int_equal(res.hdr.init_size, INIT_SIZE);
	assert_int_equal(res.hdr.cmdline_size, CMDLINE_SIZE);
	assert_int_equal(res.hdr.initrd_addr_max, INITRD_MAX);
}

/* setup_sects 0 means 4 (boot.rst): the kernel proper is still at 0xA00. */
static void test_setup_sects_zero(void **state)
{
	img[OFF_SETUP_SECTS] = 0;
	load_ok();
	assert_int_equal(res.hdr.setup_sects, 4);
	assert_int_equal(res.hdr.pm_offset, 5 * 512);
	assert_memory_equal(guest + PREF, img + 5 * 512, PM_SIZE);
	assert_int_equal(guest[AREA + OFF_SETUP_SECTS], 0); /* copied as the image has it */
}

static void test_good_placement(void **state)
{
	load_ok();
	assert_int_equal(res.entry, LINUX_ENTRY_64);
	assert_int_equal(res.kernel_addr, PREF);
	assert_int_equal(res.kernel_span, INIT_SIZE);
	assert_memory_equal(guest + PREF, img + PM_OFF, PM_SIZE);
	assert_int_equal(guest[PREF + PM_SIZE], GUEST_FILL); /* nothing past the image */
	/* As high as possible, page-aligned, below the ACPI range at the top. */
	assert_int_equal(res.initrd_addr, (ACPI_BASE - INITRD_LEN) & ~0xFFFull);
	assert_memory_equal(guest + res.initrd_addr, initrd, INITRD_LEN);
	assert_int_equal(res.zero_page, AREA);
	assert_int_equal(res.gdt_addr, AREA + 0x1000);
	assert_int_equal(res.pml4_addr, AREA + 0x2000);
	assert_int_equal(res.cmdline_addr, AREA + 0x8000);
	assert_memory_equal(guest + res.cmdline_addr, "console=ttyS0 quiet", 20);
	assert_int_equal(res.e820_count, 4);
	/* Memory outside what was written stays as it was. */
	assert_int_equal(guest[AREA - 1], GUEST_FILL);
	assert_int_equal(guest[AREA + LINUX_AREA_SIZE], GUEST_FILL);
	assert_int_equal(guest[ACPI_BASE], GUEST_FILL);
}

/* The zero page: zeroes, the setup header copy, then the loader's own fields. */
static void test_zero_page_bytes(void **state)
{
	uint8_t want[4096];
	uint64_t ird;

	load_ok();
	ird = res.initrd_addr;
	memset(want, 0, sizeof(want));
	memcpy(want + OFF_SETUP_SECTS, img + OFF_SETUP_SECTS, HDR_END - OFF_SETUP_SECTS);
	want[OFF_TYPE_OF_LOADER] = 0xFF;
	memcpy(want + OFF_CODE32_START, &(uint32_t){PREF}, 4);
	memcpy(want + OFF_RAMDISK_IMAGE, &(uint32_t){(uint32_t)ird}, 4);
	memcpy(want + OFF_RAMDISK_SIZE, &(uint32_t){INITRD_LEN}, 4);
	memcpy(want + OFF_CMD_LINE_PTR, &(uint32_t){AREA + 0x8000}, 4);
	memcpy(want + ZP_ACPI_RSDP, &(uint64_t){RSDP}, 8);
	want[ZP_E820_ENTRIES] = 4;
	{
		const struct linux_e820_entry e820[] = {
		    {0, E820_LOW_END, 1},
		    {E820_LOW_END, MIB - E820_LOW_END, 2},
		    {MIB, ACPI_BASE - MIB, 1},
		    {ACPI_BASE, ACPI_SIZE, 2},
		};

		for (unsigned i = 0; i < 4; i++) {
			uint8_t *p = want + ZP_E820_TABLE + i * E820_ENTRY;

			memcpy(p, &e820[i].addr, 8);
			memcpy(p + 8, &e820[i].size, 8);
			memcpy(p + 16, &e820[i].type, 4);
		}
	}
	for (unsigned i = 0; i < sizeof(want); i++)
		if (guest[AREA + i] != want[i])
			fail_msg("zero page byte 0x%x is 0x%02x, want 0x%02x", i, guest[AREA + i],
				 want[i]);
}

/* Addresses above 4 GiB would go to the ext_ fields: all zero below it. */
static void test_zero_page_ext_fields(void **state)
{
	load_ok();
	assert_int_equal(g32(AREA + ZP_EXT_RAMDISK_IMAGE), 0);
	assert_int_equal(g32(AREA + ZP_EXT_RAMDISK_SIZE), 0);
	assert_int_equal(g32(AREA + ZP_EXT_CMD_LINE_PTR), 0);
}

static void test_no_initrd_no_cmdline(void **state)
{
	in.initrd = NULL;
	in.initrd_len = 0;
	in.cmdline = NULL;
	in.cmdline_len = 0;
	in.acpi_rsdp = 0;
	load_ok();
	assert_int_equal(res.initrd_addr, 0);
	assert_int_equal(g32(AREA + OFF_RAMDISK_IMAGE), 0);
	assert_int_equal(g32(AREA + OFF_RAMDISK_SIZE), 0);
	assert_int_equal(guest[res.cmdline_addr], 0);
	assert_int_equal(g32(AREA + OFF_CMD_LINE_PTR), AREA + 0x8000);
	assert_int_equal(g64(AREA + ZP_ACPI_RSDP), 0);
}

/* A NUL inside the buffer ends the command line; exactly cmdline_size fits. */
static void test_cmdline_limits(void **state)
{
	memset(cmdline, 'x', CMDLINE_SIZE);
	in.cmdline_len = CMDLINE_SIZE;
	load_ok();
	assert_int_equal(guest[res.cmdline_addr + CMDLINE_SIZE - 1], 'x');
	assert_int_equal(guest[res.cmdline_addr + CMDLINE_SIZE], 0);
	cmdline[3] = 0;
	in.cmdline_len = CMDLINE_SIZE + 10;
	memset(guest, GUEST_FILL, GUEST_SIZE);
	load_ok();
	assert_memory_equal(guest + res.cmdline_addr, "xxx", 4);
	assert_int_equal(guest[res.cmdline_addr + 4], GUEST_FILL);
}

static void test_gdt(void **state)
{
	load_ok();
	assert_int_equal(g64(res.gdt_addr), 0);
	assert_int_equal(g64(res.gdt_addr + VCPU_BOOT_CS), 0x00af9b000000ffffull);
	assert_int_equal(g64(res.gdt_addr + LINUX_BOOT_CS), 0x00af9b000000ffffull);
	assert_int_equal(g64(res.gdt_addr + LINUX_BOOT_DS), 0x00cf93000000ffffull);
	assert_int_equal(guest[res.gdt_addr + LINUX_GDT_SIZE], GUEST_FILL);
}

/* The 64-bit entry: the first 4 GiB identity-mapped with 2 MiB pages. */
static void test_page_tables(void **state)
{
	uint64_t pdpt = AREA + 0x3000, pd = AREA + 0x4000;

	load_ok();
	assert_int_equal(g64(res.pml4_addr), pdpt | PTE_FLAGS);
	for (unsigned i = 1; i < 512; i++)
		assert_int_equal(g64(res.pml4_addr + i * 8), 0);
	for (unsigned d = 0; d < 4; d++)
		assert_int_equal(g64(pdpt + d * 8), (pd + d * 0x1000) | PTE_FLAGS);
	assert_int_equal(g64(pdpt + 4 * 8), 0);
	assert_int_equal(g64(pd), PDE_2M_FLAGS);
	assert_int_equal(g64(pd + 8), (2 * MIB) | PDE_2M_FLAGS);
	assert_int_equal(g64(pd + 0x1000), (1ull << 30) | PDE_2M_FLAGS);
	assert_int_equal(g64(pd + 0x3ff8), ((4ull << 30) - 2 * MIB) | PDE_2M_FLAGS);
	/* The PDE mapping the kernel maps it to itself. */
	assert_int_equal(g64(pd + (PREF >> 21) * 8), PREF | PDE_2M_FLAGS);
}

static void test_boot_state_64(void **state)
{
	struct vcpu_boot_state bs;

	load_ok();
	memset(&bs, 0x5A, sizeof(bs));
	linux_boot_state(&res, &bs);
	assert_int_equal(bs.mode, VCPU_MODE_LONG);
	assert_int_equal(bs.rip, PREF + 0x200);
	assert_int_equal(bs.gpr[VCPU_RSI], AREA);
	assert_int_equal(bs.gpr[VCPU_RSP], AREA + 0x2000);
	for (unsigned r = 0; r < VCPU_GPRS; r++)
		if (r != VCPU_RSI && r != VCPU_RSP)
			assert_int_equal(bs.gpr[r], 0);
	assert_int_equal(bs.cr3, AREA + 0x2000);
	assert_int_equal(bs.gdt_base, AREA + 0x1000);
	assert_int_equal(bs.gdt_limit, 31);
	assert_int_equal(bs.cr0, 0);
	assert_int_equal(bs.cr4, 0);
	assert_int_equal(bs.efer, 0);
	assert_int_equal(bs.idt_limit, 0);
	assert_int_equal(bs.code_sel, 0x10);
	assert_int_equal(bs.data_sel, 0x18);
	assert_int_equal(bs.cache, VCPU_CACHE_ON);
}

/* The 32-bit entry: code32_start, paging off, no page tables written. */
static void test_boot_state_32(void **state)
{
	struct vcpu_boot_state bs;

	in.entry = LINUX_ENTRY_32;
	load_ok();
	linux_boot_state(&res, &bs);
	assert_int_equal(bs.mode, VCPU_MODE_PROTECTED32);
	assert_int_equal(bs.rip, PREF);
	assert_int_equal(g32(AREA + OFF_CODE32_START), PREF);
	assert_int_equal(bs.gpr[VCPU_RSI], AREA);
	assert_int_equal(bs.gpr[VCPU_RBP], 0);
	assert_int_equal(bs.gpr[VCPU_RDI], 0);
	assert_int_equal(bs.gpr[VCPU_RBX], 0);
	assert_int_equal(bs.cr3, 0);
	assert_int_equal(bs.code_sel, 0x10);
	assert_int_equal(bs.data_sel, 0x18);
	assert_int_equal(res.pml4_addr, 0);
	assert_int_equal(guest[AREA + 0x2000], GUEST_FILL);
	assert_int_equal(g64(res.gdt_addr + LINUX_BOOT_CS), 0x00cf9b000000ffffull);
	assert_int_equal(g64(res.gdt_addr + VCPU_BOOT_CS), 0x00cf9b000000ffffull);
}

/* A 32-bit kernel (no XLF_KERNEL_64) boots through the 32-bit entry. */
static void test_32bit_kernel(void **state)
{
	w16(OFF_XLOADFLAGS, 0);
	in.entry = LINUX_ENTRY_32;
	load_ok();
}

/* pref_address does not fit: a relocatable kernel goes to the next 2 MiB boundary from 16 MiB. */
static void test_relocate(void **state)
{
	static const struct loader_range r[] = {{ACPI_BASE, ACPI_SIZE}, {PREF + 0x1000, 0x1000}};
	static const struct loader_range low[] = {{ACPI_BASE, ACPI_SIZE}, {2 * MIB, 0x1000}};

	in.reserved = r;
	in.nreserved = 2;
	load_ok();
	assert_int_equal(res.kernel_addr, PREF + ALIGN_2M);
	assert_int_equal(res.kernel_span, INIT_SIZE);
	assert_memory_equal(guest + PREF + ALIGN_2M, img + PM_OFF, PM_SIZE);
	/* pref_address 1 MiB, blocked at 2 MiB: relocated to 16 MiB, not just past 2 MiB. */
	w64(OFF_PREF_ADDRESS, MIB);
	in.reserved = low;
	memset(guest, GUEST_FILL, GUEST_SIZE);
	load_ok();
	assert_int_equal(res.kernel_addr, PREF);
}

/* A relocatable kernel at an unaligned pref_address runs from the next
 * boundary: init_size counts from there (boot.rst, init_size). */
static void test_unaligned_pref(void **state)
{
	w64(OFF_PREF_ADDRESS, PREF + 0x1000);
	load_ok();
	assert_int_equal(res.kernel_addr, PREF + 0x1000);
	assert_int_equal(res.kernel_span, ALIGN_2M - 0x1000 + INIT_SIZE);
	/* Not relocatable: it runs where it is loaded. */
	img[OFF_RELOCATABLE] = 0;
	load_ok();
	assert_int_equal(res.kernel_span, INIT_SIZE);
}

/* The initrd stays below initrd_addr_max and clear of the kernel. */
static void test_initrd_below_max(void **state)
{
	w32(OFF_INITRD_ADDR_MAX, PREF + INIT_SIZE + 0x1FFF);
	load_ok();
	/* 0x2000 bytes between the kernel's init_size area and the limit: enough. */
	assert_int_equal(res.initrd_addr, PREF + INIT_SIZE);
	assert_true(res.initrd_addr + INITRD_LEN - 1 <= PREF + INIT_SIZE + 0x1FFF);
	w32(OFF_INITRD_ADDR_MAX, PREF + INIT_SIZE + 0xFFF);
	load_ok();
	/* Now 0x1000 bytes: too few, so the initrd goes below the kernel. */
	assert_int_equal(res.initrd_addr, PREF - 0x2000);
}

struct bad_case {
	const char *name;
	void (*mutate)(void);
	enum err err;
	const char *why;
};

static void bad_boot_flag(void)
{
	w16(OFF_BOOT_FLAG, 0xAA56);
}
static void bad_hdrs(void)
{
	memcpy(img + OFF_HEADER, "HdrZ", 4);
}
static void bad_old_protocol(void)
{
	w16(OFF_VERSION, 0x020B);
}
static void bad_tiny_image(void)
{
	in.image_len = 0x263;
}
static void bad_header_short(void)
{
	img[OFF_JUMP + 1] = 0x61; /* ends at 0x263, before init_size's end */
}
static void bad_truncated_setup(void)
{
	in.image_len = PM_OFF;
}
static void bad_truncated_kernel(void)
{
	in.image_len = IMG_LEN - 16;
}
static void bad_zimage(void)
{
	img[OFF_LOADFLAGS] = 0;
}
static void bad_alignment(void)
{
	w32(OFF_KERNEL_ALIGNMENT, 0x300000);
}
static void bad_init_size_zero(void)
{
	w32(OFF_INIT_SIZE, 0);
}
static void bad_kernel_too_big(void)
{
	w32(OFF_INIT_SIZE, (uint32_t)(GUEST_SIZE - PREF));
}
static void bad_not_relocatable(void)
{
	img[OFF_RELOCATABLE] = 0;
	w64(OFF_PREF_ADDRESS, GUEST_SIZE - MIB);
}
static void bad_pref_high_relocatable(void)
{
	w64(OFF_PREF_ADDRESS, GUEST_SIZE - MIB); /* it would run there, wherever loaded */
}
static void bad_pref_low_not_relocatable(void)
{
	img[OFF_RELOCATABLE] = 0;
	w64(OFF_PREF_ADDRESS, 0x90000);
}
static void bad_cmdline_too_long(void)
{
	w32(OFF_CMDLINE_SIZE, 8);
	in.cmdline_len = 9;
	memcpy(cmdline, "123456789", 9);
}
static void bad_cmdline_area(void)
{
	w32(OFF_CMDLINE_SIZE, 0x100000);
	memset(cmdline, 'y', LINUX_CMDLINE_AREA_MAX);
	in.cmdline_len = LINUX_CMDLINE_AREA_MAX;
}
static void bad_initrd_too_big(void)
{
	in.initrd_len = GUEST_SIZE; /* never read: refused first */
}
static void bad_initrd_above_max(void)
{
	w32(OFF_INITRD_ADDR_MAX, 0x1FFFFF); /* only 1-2 MiB below it */
	in.initrd_len = MIB + 0x1000;
}
static void bad_no_64bit_entry(void)
{
	w16(OFF_XLOADFLAGS, XLF_ABOVE_4G);
}
static void bad_area_zero(void)
{
	in.area = 0;
}
static void bad_area_unaligned(void)
{
	in.area = AREA + 8;
}
static void bad_area_high(void)
{
	in.area = 0x90000;
}
static void bad_area_reserved(void)
{
	static const struct loader_range r[] = {{AREA + 0x8000, 1}};

	in.reserved = r;
}
static void bad_e820_full(void)
{
	static struct loader_range r[65];

	for (unsigned i = 0; i < 65; i++)
		r[i] = (struct loader_range){32 * MIB + i * 0x10000, 0x1000};
	in.reserved = r;
	in.nreserved = 65;
}
static void bad_null_cmdline(void)
{
	in.cmdline = NULL;
}
static void bad_no_memory(void)
{
	mem.base = NULL;
}
static void bad_entry(void)
{
	in.entry = (enum linux_entry)7;
}
static void bad_64bit_entry_outside(void)
{
	w32(OFF_SYSSIZE, 0x10);
	in.image_len = PM_OFF + 0x200;
}

#define BAD(fn, e, w)                                                                              \
	{                                                                                          \
#fn, fn, e, w                                                                      \
	}
static const struct bad_case bad_cases[] = {
    BAD(bad_boot_flag, E_BADSIG, "0xAA55 at 0x1FE (found 0xaa56)"),
    BAD(bad_hdrs, E_BADSIG, "no \"HdrS\" at 0x202"),
    BAD(bad_old_protocol, E_NOTSUP, "boot protocol 2.11 is older than 2.12"),
    BAD(bad_tiny_image, E_TRUNC, "611-byte image is too short"),
    BAD(bad_header_short, E_MALFORMED, "ends at 0x263"),
    BAD(bad_truncated_setup, E_TRUNC, "ends within its 0xa00-byte setup part"),
    BAD(bad_truncated_kernel, E_TRUNC, "should be 0x3000 bytes (syssize 0x300)"),
    BAD(bad_zimage, E_NOTSUP, "lack LOADED_HIGH"),
    BAD(bad_alignment, E_MALFORMED, "kernel_alignment 0x300000"),
    BAD(bad_init_size_zero, E_MALFORMED, "init_size is 0"),
    BAD(bad_kernel_too_big, E_RANGE, "give the VM more memory"),
    BAD(bad_not_relocatable, E_RANGE, "not relocatable"),
    BAD(bad_pref_high_relocatable, E_RANGE, "at pref_address 0x3f00000"),
    BAD(bad_pref_low_not_relocatable, E_RANGE, "pref_address 0x90000"),
    BAD(bad_cmdline_too_long, E_RANGE, "9 bytes; this kernel takes at most 8"),
    BAD(bad_cmdline_area, E_RANGE, "the loader holds at most 32767"),
    BAD(bad_initrd_too_big, E_RANGE, "initrd (67108864 bytes) does not fit"),
    BAD(bad_initrd_above_max, E_RANGE, "initrd_addr_max 0x1fffff"),
    BAD(bad_no_64bit_entry, E_NOTSUP, "no 64-bit entry"),
    BAD(bad_area_zero, E_RANGE, "boot area at 0x0"),
    BAD(bad_area_unaligned, E_RANGE, "boot area at 0x10008"),
    BAD(bad_area_high, E_RANGE, "boot area at 0x90000"),
    BAD(bad_area_reserved, E_BUSY, "overlaps reserved guest memory 0x18000+0x1"),
    BAD(bad_e820_full, E_RANGE, "needs 133 e820 entries"),
    BAD(bad_null_cmdline, E_INVAL, "without guest memory, command line"),
    BAD(bad_no_memory, E_INVAL, "without guest memory"),
    BAD(bad_entry, E_INVAL, "unknown Linux entry 7"),
    BAD(bad_64bit_entry_outside, E_TRUNC, "its 64-bit entry is at 0x200"),
};

static void test_refusal(void **state)
{
	const struct bad_case *c = *state;
	enum err e;

	c->mutate();
	e = linux_load(&in, &mem, &res);
	mem.base = guest;
	if (e != c->err || !res.why || !strstr(res.why, c->why))
		fail_msg("got %s \"%s\", want %s containing \"%s\"", err_name(e),
			 res.why ? res.why : "(none)", err_name(c->err), c->why);
	/* Shorter than the buffer's last byte: the sentence was not cut off. */
	assert_true(strlen(res.why) < LOADER_WHY_MAX - 1);
	assert_guest_untouched();
}

static void test_bad_arguments(void **state)
{
	assert_int_equal(linux_parse(img, img_len, NULL), E_INVAL);
	assert_int_equal(linux_check(&in, &mem, NULL), E_INVAL);
	assert_int_equal(linux_check(NULL, &mem, &res), E_INVAL);
	assert_non_null(res.why);
	assert_int_equal(linux_parse(NULL, img_len, &res), E_INVAL);
	assert_non_null(res.why);
	assert_int_equal(linux_check(&in, NULL, &res), E_INVAL);
	in.nreserved = LINUX_E820_MAX_RESERVED + 1;
	assert_int_equal(linux_check(&in, &mem, &res), E_INVAL);
	assert_guest_untouched();
}

/* linux_check() plans without writing. */
static void test_check_writes_nothing(void **state)
{
	assert_int_equal(linux_check(&in, &mem, &res), E_OK);
	assert_int_equal(res.kernel_addr, PREF);
	assert_int_not_equal(res.initrd_addr, 0);
	assert_guest_untouched();
}

/* ---- the e820 builder ---- */

static struct linux_e820_entry map[LINUX_E820_MAX + 1];

static void expect_map(const struct linux_e820_entry *want, unsigned n, unsigned got)
{
	assert_int_equal(got, n);
	for (unsigned i = 0; i < n; i++)
		if (map[i].addr != want[i].addr || map[i].size != want[i].size ||
		    map[i].type != want[i].type)
			fail_msg("entry %u is 0x%llx+0x%llx type %u, want 0x%llx+0x%llx type %u", i,
				 (unsigned long long)map[i].addr, (unsigned long long)map[i].size,
				 map[i].type, (unsigned long long)want[i].addr,
				 (unsigned long long)want[i].size, want[i].type);
}

static unsigned build(uint64_t ram, const struct loader_range *r, unsigned n, enum err want)
{
	unsigned count = 0;

	memset(map, 0xEE, sizeof(map));
	assert_int_equal(linux_e820_build(ram, r, n, map, LINUX_E820_MAX, &count), want);
	return count;
}

static void test_e820_plain(void **state)
{
	const struct linux_e820_entry want[] = {
	    {0, E820_LOW_END, 1}, {E820_LOW_END, MIB - E820_LOW_END, 2}, {MIB, 63 * MIB, 1}};

	expect_map(want, 3, build(GUEST_SIZE, NULL, 0, E_OK));
}

static void test_e820_small_ram(void **state)
{
	const struct linux_e820_entry below[] = {{0, 0x80000, 1},
						 {E820_LOW_END, MIB - E820_LOW_END, 2}};
	const struct linux_e820_entry one_mib[] = {{0, E820_LOW_END, 1},
						   {E820_LOW_END, MIB - E820_LOW_END, 2}};
	const struct linux_e820_entry none[] = {{E820_LOW_END, MIB - E820_LOW_END, 2}};

	expect_map(below, 2, build(0x80000, NULL, 0, E_OK));
	expect_map(one_mib, 2, build(MIB, NULL, 0, E_OK));
	expect_map(none, 1, build(0, NULL, 0, E_OK));
}

/* Overlapping, adjacent, unsorted and zero-sized ranges; one joining the legacy hole. */
static void test_e820_overlap_adjacent(void **state)
{
	const struct loader_range r[] = {
	    {4 * MIB, 0x1000},		{2 * MIB, MIB}, {2 * MIB + MIB / 2, MIB},
	    {4 * MIB + 0x1000, 0x1000}, {8 * MIB, 0},	{0x90000, 0x20000},
	    {4 * MIB + 0x800, 0x100},
	};
	const struct linux_e820_entry want[] = {
	    {0, 0x90000, 1},
	    {0x90000, MIB - 0x90000, 2},
	    {MIB, MIB, 1},
	    {2 * MIB, MIB + MIB / 2, 2},
	    {3 * MIB + MIB / 2, MIB / 2, 1},
	    {4 * MIB, 0x2000, 2},
	    {4 * MIB + 0x2000, 60 * MIB - 0x2000, 1},
	};

	expect_map(want, 7, build(GUEST_SIZE, r, 7, E_OK));
}

/* A range inside the legacy hole (a boot GDT page) adds nothing; one in low RAM splits it. */
static void test_e820_low_ranges(void **state)
{
	const struct loader_range r[] = {{0xDF000, 0x1000}, {0x8000, 0x1000}, {0xE0000, 0x20000}};
	const struct linux_e820_entry want[] = {
	    {0, 0x8000, 1},
	    {0x8000, 0x1000, 2},
	    {0x9000, E820_LOW_END - 0x9000, 1},
	    {E820_LOW_END, MIB - E820_LOW_END, 2},
	    {MIB, 63 * MIB, 1},
	};

	expect_map(want, 5, build(GUEST_SIZE, r, 3, E_OK));
}

/* Ranges across and beyond the end of RAM; RAM between a range and 1 MiB. */
static void test_e820_beyond_ram(void **state)
{
	const struct loader_range r[] = {
	    {0xFEE00000, 0x1000}, {GUEST_SIZE - 0x1000, 0x2000}, {0xFEC00000, 0x1000}};
	const struct linux_e820_entry want[] = {
	    {0, E820_LOW_END, 1},
	    {E820_LOW_END, MIB - E820_LOW_END, 2},
	    {MIB, GUEST_SIZE - MIB - 0x1000, 1},
	    {GUEST_SIZE - 0x1000, 0x2000, 2},
	    {0xFEC00000, 0x1000, 2},
	    {0xFEE00000, 0x1000, 2},
	};

	expect_map(want, 6, build(GUEST_SIZE, r, 3, E_OK));
}

/* A range reaching the top of the address space saturates instead of wrapping. */
static void test_e820_everything_reserved(void **state)
{
	const struct loader_range r[] = {{0, UINT64_MAX}, {0x1000, UINT64_MAX}};
	const struct linux_e820_entry want[] = {{0, UINT64_MAX, 2}};

	expect_map(want, 1, build(GUEST_SIZE, r, 2, E_OK));
}

/* 62 holes in RAM and one at its end make exactly 128 entries; one more is refused. */
static void test_e820_limit(void **state)
{
	static struct loader_range r[64];
	unsigned count;

	for (unsigned i = 0; i < 62; i++)
		r[i] = (struct loader_range){2 * MIB + i * 0x10000, 0x1000};
	r[62] = (struct loader_range){GUEST_SIZE - 0x1000, 0x1000};
	count = build(GUEST_SIZE, r, 63, E_OK);
	assert_int_equal(count, LINUX_E820_MAX);
	assert_int_equal(map[127].addr, GUEST_SIZE - 0x1000);
	assert_int_equal(map[127].type, 2);
	assert_int_equal(map[126].type, 1);
	r[63] = (struct loader_range){3 * MIB + 0x8000, 0x1000};
	count = build(GUEST_SIZE, r, 64, E_RANGE);
	assert_int_equal(count, 130);
	assert_int_equal(map[LINUX_E820_MAX].type, 0xEEEEEEEEu); /* nothing past max */
	assert_int_equal(linux_e820_build(GUEST_SIZE, r, 64, NULL, 200, &count), E_OK);
	assert_int_equal(count, 130);
}

static void test_e820_bad_args(void **state)
{
	static const struct loader_range r[LINUX_E820_MAX_RESERVED + 1];
	unsigned count;

	assert_int_equal(linux_e820_build(GUEST_SIZE, NULL, 0, map, 4, NULL), E_INVAL);
	assert_int_equal(linux_e820_build(GUEST_SIZE, NULL, 1, map, 4, &count), E_INVAL);
	assert_int_equal(
	    linux_e820_build(GUEST_SIZE, r, LINUX_E820_MAX_RESERVED + 1, map, 4, &count), E_INVAL);
	/* Zero-sized ranges only: the plain map. */
	assert_int_equal(linux_e820_build(GUEST_SIZE, r, LINUX_E820_MAX_RESERVED, map, 4, &count),
			 E_OK);
	assert_int_equal(count, 3);
}

#define T(fn) cmocka_unit_test_setup(fn, reset)

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    T(test_parse_header),
	    T(test_setup_sects_zero),
	    T(test_good_placement),
	    T(test_zero_page_bytes),
	    T(test_zero_page_ext_fields),
	    T(test_no_initrd_no_cmdline),
	    T(test_cmdline_limits),
	    T(test_gdt),
	    T(test_page_tables),
	    T(test_boot_state_64),
	    T(test_boot_state_32),
	    T(test_32bit_kernel),
	    T(test_relocate),
	    T(test_unaligned_pref),
	    T(test_initrd_below_max),
	    T(test_bad_arguments),
	    T(test_check_writes_nothing),
	    T(test_e820_plain),
	    T(test_e820_small_ram),
	    T(test_e820_overlap_adjacent),
	    T(test_e820_low_ranges),
	    T(test_e820_beyond_ram),
	    T(test_e820_everything_reserved),
	    T(test_e820_limit),
	    T(test_e820_bad_args),
	};
	enum { NFIXED = sizeof(tests) / sizeof(tests[0]) };
	enum { NBAD = sizeof(bad_cases) / sizeof(bad_cases[0]) };
	static struct CMUnitTest all[NFIXED + NBAD];

	memcpy(all, tests, sizeof(tests));
	for (unsigned i = 0; i < NBAD; i++)
		all[NFIXED + i] = (struct CMUnitTest){bad_cases[i].name, test_refusal, reset, NULL,
						      (void *)&bad_cases[i]};
	return _cmocka_run_group_tests("linux_loader", all, NFIXED + NBAD, guest_setup,
				       guest_teardown);
}
