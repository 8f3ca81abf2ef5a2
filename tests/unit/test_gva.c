/* SPDX-License-Identifier: MIT */
/*
 * Host tests for guest/gva.c: page tables built by hand in a fake 512 KiB guest
 * memory for every paging mode, large pages, not-present and unbacked
 * entries, canonical checks, fetching bytes across a page border, and the
 * rights, fault error codes and accessed/dirty flags of a checked access.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "guest/gva.h"

#define MEM_SIZE (512u << 10)
#define PG 0x1000u
#define P 0x1u
#define RW 0x2u
#define PS 0x80u
#define XD (1ull << 63)
#define US 0x4u
#define A 0x20u
#define D 0x40u

static uint8_t mem[MEM_SIZE];
static unsigned reads;

static bool rd(void *ctx, uint64_t gpa, uint64_t *val, unsigned size)
{
	assert_true(size == 1 || size == 4 || size == 8);
	reads++;
	if (gpa >= MEM_SIZE || MEM_SIZE - gpa < size)
		return false;
	*val = 0;
	memcpy(val, mem + gpa, size);
	return true;
}

static void put32(uint64_t gpa, uint32_t v)
{
	memcpy(mem + gpa, &v, sizeof(v));
}

static void put64(uint64_t gpa, uint64_t v)
{
	memcpy(mem + gpa, &v, sizeof(v));
}

static int setup(void **state)
{
	memset(mem, 0, sizeof(mem));
	reads = 0;
	return 0;
}

static enum err xlate(const struct gva_regs *r, uint64_t gla, uint64_t *gpa)
{
	*gpa = 0xBAD;
	return gva_translate(r, gla, rd, NULL, gpa);
}

static void test_paging_off(void **state)
{
	struct gva_regs r = {.cr0 = CR0_PE, .cr3 = 0x1000};
	uint64_t gpa;

	assert_int_equal(xlate(&r, 0xFEE000B0, &gpa), E_OK);
	assert_int_equal(gpa, 0xFEE000B0);
	assert_int_equal(reads, 0);
}

/* 32-bit paging: 0x12345678 -> PDE 0x48, PTE 0x345, offset 0x678 */
static void test_32bit_4k(void **state)
{
	struct gva_regs r = {.cr0 = CR0_PG | CR0_PE, .cr3 = 0x1000};
	uint64_t gpa;

	put32(0x1000 + 0x48 * 4, 0x2000 | P | RW);
	put32(0x2000 + 0x345 * 4, 0xABCDE000 | P);
	assert_int_equal(xlate(&r, 0x12345678, &gpa), E_OK);
	assert_int_equal(gpa, 0xABCDE678);
	/* upper 32 bits of the linear address are not part of a 32-bit walk */
	assert_int_equal(xlate(&r, 0xF00000012345678ull, &gpa), E_OK);
	assert_int_equal(gpa, 0xABCDE678);
	/* the neighbouring PTE and PDE are not present */
	assert_int_equal(xlate(&r, 0x12346678, &gpa), E_NOENT);
	assert_int_equal(xlate(&r, 0x12745678, &gpa), E_NOENT);
}

static void test_32bit_4m(void **state)
{
	struct gva_regs r = {.cr0 = CR0_PG, .cr3 = 0x1000, .cr4 = CR4_PSE};
	uint64_t gpa;

	put32(0x1000 + 0x300 * 4, 0x80000000 | PS | P); /* 0xC0000000 -> 0x80000000 */
	assert_int_equal(xlate(&r, 0xC0123456, &gpa), E_OK);
	assert_int_equal(gpa, 0x80123456);
	/* without CR4.PSE the PS bit is ignored: the PDE names a page table at 2 GiB */
	r.cr4 = 0;
	assert_int_equal(xlate(&r, 0xC0123456, &gpa), E_RANGE);
}

/* PAE: CR3 only needs 32-byte alignment; 0x80201234 -> PDPTE 2, PDE 1, PTE 1 */
static void test_pae(void **state)
{
	struct gva_regs r = {.cr0 = CR0_PG, .cr3 = 0x1020, .cr4 = CR4_PAE};
	uint64_t gpa;

	put64(0x1020 + 2 * 8, 0x3000 | P);
	put64(0x3000 + 1 * 8, 0x4000 | P | RW);
	put64(0x4000 + 1 * 8, XD | 0x123456000ull | P); /* frame above 4 GiB, XD set */
	assert_int_equal(xlate(&r, 0x80201234, &gpa), E_OK);
	assert_int_equal(gpa, 0x123456234ull);
	/* 2 MiB page at PDE 3 */
	put64(0x3000 + 3 * 8, 0x40000000ull | PS | P);
	assert_int_equal(xlate(&r, 0x80654321, &gpa), E_OK);
	assert_int_equal(gpa, 0x40054321ull);
	/* PDPTE 0 is not present */
	assert_int_equal(xlate(&r, 0x00201234, &gpa), E_NOENT);
}

/* 4-level: build PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000 */
static void build_4level(uint64_t gla, uint64_t frame)
{
	put64(0x1000 + ((gla >> 39) & 0x1FF) * 8, 0x2000 | P);
	put64(0x2000 + ((gla >> 30) & 0x1FF) * 8, 0x3000 | P);
	put64(0x3000 + ((gla >> 21) & 0x1FF) * 8, 0x4000 | P);
	put64(0x4000 + ((gla >> 12) & 0x1FF) * 8, frame | P);
}

static const struct gva_regs long_mode = {
    .cr0 = CR0_PG | CR0_PE, .cr3 = 0x1000, .cr4 = CR4_PAE, .efer = EFER_LMA};

static void test_4level_4k(void **state)
{
	uint64_t gpa, gla = 0xFFFF8000DEADB123ull;

	build_4level(gla, XD | 0x7654321000ull);
	assert_int_equal(xlate(&long_mode, gla, &gpa), E_OK);
	assert_int_equal(gpa, 0x7654321123ull);
	assert_int_equal(reads, 4);
	/* non-canonical: bit 47 set but 63:48 clear */
	assert_int_equal(xlate(&long_mode, 0x00008000DEADB123ull, &gpa), E_INVAL);
	/* next 4 KiB page has no PTE */
	assert_int_equal(xlate(&long_mode, gla + PG, &gpa), E_NOENT);
}

static void test_4level_large(void **state)
{
	uint64_t gpa;

	put64(0x1000, 0x2000 | P);
	put64(0x2000 + 1 * 8, 0x180000000ull | PS | P); /* 1 GiB page at 1 GiB */
	put64(0x2000 + 2 * 8, 0x3000 | P);
	put64(0x3000 + 5 * 8, 0x12200000ull | PS | P); /* 2 MiB page */
	assert_int_equal(xlate(&long_mode, 0x4ABCDEF1, &gpa), E_OK);
	assert_int_equal(gpa, 0x18ABCDEF1ull);
	assert_int_equal(xlate(&long_mode, 0x80A12345, &gpa), E_OK);
	assert_int_equal(gpa, 0x12212345ull);
	/* PML4 0 present but PDPTE 3 not */
	assert_int_equal(xlate(&long_mode, 0xC0000000, &gpa), E_NOENT);
	/* a PDPT pointing outside guest memory */
	put64(0x1000 + 8, 0x40000000ull | P);
	assert_int_equal(xlate(&long_mode, 1ull << 39, &gpa), E_RANGE);
}

static void test_5level(void **state)
{
	struct gva_regs r = long_mode;
	uint64_t gpa, gla = 0x00FF000000401ABCull; /* canonical only with LA57 */

	r.cr4 |= CR4_LA57;
	assert_int_equal(xlate(&long_mode, gla, &gpa), E_INVAL);
	put64(0x1000 + 0xFF * 8, 0x5000 | P); /* PML5 */
	put64(0x5000 + 0, 0x2000 | P);	      /* PML4 */
	put64(0x2000 + 0, 0x3000 | P);	      /* PDPT */
	put64(0x3000 + 2 * 8, 0x4000 | P);    /* PD */
	put64(0x4000 + 1 * 8, 0x9000 | P);    /* PT */
	assert_int_equal(xlate(&r, gla, &gpa), E_OK);
	assert_int_equal(gpa, 0x9ABC);
	assert_int_equal(reads, 5);
	assert_int_equal(xlate(&r, 0x0100000000000000ull, &gpa), E_INVAL);
}

static void test_bad_mode(void **state)
{
	struct gva_regs r = long_mode;
	uint64_t gpa;

	r.cr4 = 0;
	assert_int_equal(xlate(&r, 0x1000, &gpa), E_INVAL);
}

static void set_bits(void *ctx, uint64_t gpa, uint64_t bits, unsigned size)
{
	uint64_t v = 0;

	assert_true(size == 4 || size == 8);
	memcpy(&v, mem + gpa, size);
	v |= bits;
	memcpy(mem + gpa, &v, size);
}

static const struct gva_mem gmem = {.read = rd, .set_bits = set_bits};

static enum err access(const struct gva_regs *r, uint64_t gla, bool write, bool user, bool ac,
		       uint32_t *pf)
{
	struct gva_access a = {.write = write, .user = user, .ac = ac};
	uint64_t gpa;

	*pf = 0xBAD;
	return gva_translate_access(r, gla, &a, &gmem, &gpa, pf);
}

static uint64_t get64(uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, mem + gpa, sizeof(v));
	return v;
}

/* 4-level, one 4 KiB page at 0x5000 with the given PTE rights, upper levels user+writable */
static void build_rights(uint64_t pte_bits)
{
	put64(0x1000, 0x2000 | P | RW | US);
	put64(0x2000, 0x3000 | P | RW | US);
	put64(0x3000, 0x4000 | P | RW | US);
	put64(0x4000 + 5 * 8, 0x9000 | P | pte_bits);
}

/* SDM 3A 4.6.1 and 4.7: which data accesses fault, and the error code they get. */
static void test_access_rights(void **state)
{
	struct gva_regs r = long_mode;
	uint32_t pf;

	build_rights(0); /* supervisor, read-only */
	assert_int_equal(access(&r, 0x5000, false, false, false, &pf), E_OK);
	assert_int_equal(access(&r, 0x5000, true, false, false, &pf), E_OK); /* WP = 0 */
	r.cr0 |= CR0_WP;
	assert_int_equal(access(&r, 0x5000, true, false, false, &pf), E_NOENT);
	assert_int_equal(pf, 0x3); /* P | W */
	assert_int_equal(access(&r, 0x5000, false, true, false, &pf), E_NOENT);
	assert_int_equal(pf, 0x5); /* P | U */
	build_rights(US);	   /* user, read-only */
	assert_int_equal(access(&r, 0x5000, false, true, false, &pf), E_OK);
	assert_int_equal(access(&r, 0x5000, true, true, false, &pf), E_NOENT);
	assert_int_equal(pf, 0x7); /* P | W | U */
	build_rights(US | RW);	   /* user, writable: any access passes ... */
	assert_int_equal(access(&r, 0x5000, true, true, false, &pf), E_OK);
	put64(0x3000, 0x4000 | P | US); /* ... until an upper level is read-only */
	assert_int_equal(access(&r, 0x5000, true, true, false, &pf), E_NOENT);
	assert_int_equal(pf, 0x7);
	/* not present: P clear, W and U say what the access was */
	assert_int_equal(access(&r, 0x6000, true, true, false, &pf), E_NOENT);
	assert_int_equal(pf, 0x6);
	assert_int_equal(access(&r, 0x6000, false, false, false, &pf), E_NOENT);
	assert_int_equal(pf, 0x0);
}

static void test_access_smap(void **state)
{
	struct gva_regs r = long_mode;
	uint32_t pf;

	build_rights(US | RW);
	r.cr4 |= CR4_SMAP;
	assert_int_equal(access(&r, 0x5000, false, false, false, &pf), E_NOENT);
	assert_int_equal(pf, 0x1);
	assert_int_equal(access(&r, 0x5000, true, false, true, &pf), E_OK); /* RFLAGS.AC */
	assert_int_equal(access(&r, 0x5000, true, true, false, &pf), E_OK); /* user access */
}

/* SDM 3A 4.8: A in every entry used, D only in the last and only for a write. */
static void test_access_accessed_dirty(void **state)
{
	uint32_t pf;

	build_rights(US | RW);
	assert_int_equal(access(&long_mode, 0x5000, false, false, false, &pf), E_OK);
	assert_int_equal(get64(0x1000) & (A | D), A);
	assert_int_equal(get64(0x3000) & (A | D), A);
	assert_int_equal(get64(0x4000 + 5 * 8) & (A | D), A);
	assert_int_equal(access(&long_mode, 0x5000, true, false, false, &pf), E_OK);
	assert_int_equal(get64(0x4000 + 5 * 8) & (A | D), A | D);
	assert_int_equal(get64(0x3000) & D, 0);
	/* a faulting access sets nothing */
	put64(0x4000 + 6 * 8, 0xA000 | P);
	assert_int_equal(access(&long_mode, 0x6000, false, true, false, &pf), E_NOENT);
	assert_int_equal(get64(0x4000 + 6 * 8) & A, 0);
}

/* 32-bit paging: rights and flags in 4-byte entries; a 4 MiB page's D in its PDE. */
static void test_access_32bit(void **state)
{
	struct gva_regs r = {.cr0 = CR0_PG | CR0_PE | CR0_WP, .cr3 = 0x1000, .cr4 = CR4_PSE};
	uint32_t pf, pde;

	put32(0x1000 + 0x300 * 4, 0x80000000 | PS | P | US); /* read-only user 4 MiB */
	assert_int_equal(access(&r, 0xC0000010, true, false, false, &pf), E_NOENT);
	assert_int_equal(pf, 0x3);
	put32(0x1000 + 0x300 * 4, 0x80000000 | PS | P | US | RW);
	assert_int_equal(access(&r, 0xC0000010, true, true, false, &pf), E_OK);
	memcpy(&pde, mem + 0x1000 + 0x300 * 4, sizeof(pde));
	assert_int_equal(pde & (A | D), A | D);
}

static void test_fetch_across_pages(void **state)
{
	static const uint8_t insn[] = {0x48, 0xC7, 0x80, 0x00, 0x01, 0x00, 0x00};
	uint64_t gla = 0x7FFC; /* 4 bytes in one page, 3 in the next */
	uint8_t buf[sizeof(insn)] = {0};
	unsigned got;

	/* linear pages 7 and 8 map to physical 0x20000 and 0x10000 */
	build_4level(0x7000, 0x20000);
	put64(0x4000 + 8 * 8, 0x10000 | P);
	memcpy(mem + 0x20FFC, insn, 4);
	memcpy(mem + 0x10000, insn + 4, 3);
	assert_int_equal(gva_fetch(&long_mode, gla, rd, NULL, buf, sizeof(buf), &got), E_OK);
	assert_int_equal(got, sizeof(insn));
	assert_memory_equal(buf, insn, sizeof(insn));
	/* unmap the second page: only the first four bytes arrive */
	put64(0x4000 + 8 * 8, 0);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(gva_fetch(&long_mode, gla, rd, NULL, buf, sizeof(buf), &got), E_NOENT);
	assert_int_equal(got, 4);
	assert_memory_equal(buf, insn, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_paging_off, setup),
	    cmocka_unit_test_setup(test_32bit_4k, setup),
	    cmocka_unit_test_setup(test_32bit_4m, setup),
	    cmocka_unit_test_setup(test_pae, setup),
	    cmocka_unit_test_setup(test_4level_4k, setup),
	    cmocka_unit_test_setup(test_4level_large, setup),
	    cmocka_unit_test_setup(test_5level, setup),
	    cmocka_unit_test_setup(test_bad_mode, setup),
	    cmocka_unit_test_setup(test_fetch_across_pages, setup),
	    cmocka_unit_test_setup(test_access_rights, setup),
	    cmocka_unit_test_setup(test_access_smap, setup),
	    cmocka_unit_test_setup(test_access_accessed_dirty, setup),
	    cmocka_unit_test_setup(test_access_32bit, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
