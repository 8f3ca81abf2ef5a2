/* SPDX-License-Identifier: MIT */
/*
 * Host tests for arch/x86/acpi.c: RSDP checks and scan, the XSDT/RSDT walk
 * over a fake physical memory image, MADT parsing of built and real
 * (captured QEMU and Bochs) tables, including malformed ones, and the FADT's
 * PM timer from real QEMU pc and q35 FADTs and altered copies of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lib/bytes.h"
#include "arch/x86/acpi.h"
#include "tests/unit/fake_printk.h"
#include "tests/unit/data/acpi/qemu72_pc_smp4.h"
#include "tests/unit/data/acpi/qemu72_q35_fadt.h"

#define ACPI_DATA_DIR "tests/unit/data/acpi"

/* ---- fake physical memory: regions of exactly-sized heap buffers ---------- */

#define FAKE_MAX_REGIONS 160

struct fake_region {
	uint64_t pa;
	uint8_t *bytes;
	size_t len;
};

struct fake_mem {
	struct fake_region r[FAKE_MAX_REGIONS];
	unsigned n;
};

static const void *fake_map(void *ctx, uint64_t pa, size_t len)
{
	struct fake_mem *fm = ctx;
	unsigned i;

	for (i = 0; i < fm->n; i++) {
		struct fake_region *r = &fm->r[i];

		if (pa >= r->pa && len <= r->len && pa - r->pa <= r->len - len)
			return r->bytes + (pa - r->pa);
	}
	return NULL;
}

static uint8_t *fake_add(struct fake_mem *fm, uint64_t pa, size_t len)
{
	uint8_t *b = calloc(1, len);

	assert_non_null(b);
	assert_true(fm->n < FAKE_MAX_REGIONS);
	fm->r[fm->n].pa = pa;
	fm->r[fm->n].bytes = b;
	fm->r[fm->n].len = len;
	fm->n++;
	return b;
}

static void fake_free(struct fake_mem *fm)
{
	while (fm->n)
		free(fm->r[--fm->n].bytes);
}

/* ---- table builders ---------------------------------------------------------- */

static void fix_checksum(uint8_t *p, size_t len, size_t at)
{
	uint8_t sum = 0;
	size_t i;

	p[at] = 0;
	for (i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	p[at] = (uint8_t)-sum;
}

#define SDT_CHECKSUM_OFF 9

static void sdt_fix(uint8_t *t)
{
	fix_checksum(t, t[4] | t[5] << 8 | t[6] << 16 | (size_t)t[7] << 24, SDT_CHECKSUM_OFF);
}

static void sdt_header(uint8_t *t, const char *sig, uint32_t len)
{
	memcpy(t, sig, ACPI_SIG_LEN);
	le32_put(t + 4, len);
	t[8] = 1;
	memcpy(t + 10, "VIREO TESTTBL ", 14);
	le32_put(t + 24, 1);
	memcpy(t + 28, "VTST", 4);
	le32_put(t + 32, 1);
}

/* A table of len bytes (len readable too) with a correct checksum. */
static uint8_t *put_table(struct fake_mem *fm, uint64_t pa, const char *sig, uint32_t len)
{
	uint8_t *t = fake_add(fm, pa, len);

	sdt_header(t, sig, len);
	sdt_fix(t);
	return t;
}

static uint8_t *put_root(struct fake_mem *fm, uint64_t pa, bool xsdt, const uint64_t *pas,
			 unsigned n)
{
	size_t entry = xsdt ? 8 : 4;
	uint32_t len = (uint32_t)(ACPI_HEADER_LEN + n * entry);
	uint8_t *t = fake_add(fm, pa, len);
	unsigned i;

	sdt_header(t, xsdt ? "XSDT" : "RSDT", len);
	for (i = 0; i < n; i++) {
		if (xsdt)
			le64_put(t + ACPI_HEADER_LEN + i * 8, pas[i]);
		else
			le32_put(t + ACPI_HEADER_LEN + i * 4, (uint32_t)pas[i]);
	}
	sdt_fix(t);
	return t;
}

#define RSDP_BUF 64

/* An RSDP in buf (RSDP_BUF bytes) with both checksums right for length. */
static void make_rsdp(uint8_t *buf, uint8_t rev, uint32_t rsdt, uint64_t xsdt, uint32_t length)
{
	memset(buf, 0, RSDP_BUF);
	memcpy(buf, "RSD PTR ", 8);
	memcpy(buf + 9, "VIREO ", 6);
	buf[15] = rev;
	le32_put(buf + 16, rsdt);
	le32_put(buf + 20, length);
	le64_put(buf + 24, xsdt);
	fix_checksum(buf, ACPI_RSDP_V1_LEN, 8);
	if (length <= RSDP_BUF)
		fix_checksum(buf, length, 32);
}

struct madt_builder {
	uint8_t *buf;
	size_t len;
	size_t cap;
};

static void mb_raw(struct madt_builder *b, const uint8_t *bytes, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->buf = realloc(b->buf, b->cap);
		assert_non_null(b->buf);
	}
	memcpy(b->buf + b->len, bytes, n);
	b->len += n;
}

static void mb_init(struct madt_builder *b, uint32_t lapic, uint32_t flags)
{
	uint8_t h[ACPI_MADT_ENTRIES_OFF] = { 0 };

	memset(b, 0, sizeof(*b));
	sdt_header(h, "APIC", 0);
	le32_put(h + 36, lapic);
	le32_put(h + 40, flags);
	mb_raw(b, h, sizeof(h));
}

static void mb_lapic(struct madt_builder *b, uint8_t uid, uint8_t id, uint32_t flags)
{
	uint8_t e[8] = { ACPI_MADT_LAPIC, 8, uid, id };

	le32_put(e + 4, flags);
	mb_raw(b, e, sizeof(e));
}

static void mb_x2apic(struct madt_builder *b, uint32_t id, uint32_t flags, uint32_t uid)
{
	uint8_t e[16] = { ACPI_MADT_X2APIC, 16 };

	le32_put(e + 4, id);
	le32_put(e + 8, flags);
	le32_put(e + 12, uid);
	mb_raw(b, e, sizeof(e));
}

static void mb_ioapic(struct madt_builder *b, uint8_t id, uint32_t addr, uint32_t gsi)
{
	uint8_t e[12] = { ACPI_MADT_IOAPIC, 12, id };

	le32_put(e + 4, addr);
	le32_put(e + 8, gsi);
	mb_raw(b, e, sizeof(e));
}

static void mb_x2apic_nmi(struct madt_builder *b, uint32_t uid, uint16_t flags, uint8_t lint)
{
	uint8_t e[12] = { ACPI_MADT_X2APIC_NMI, 12 };

	le16_put(e + 2, flags);
	le32_put(e + 4, uid);
	e[8] = lint;
	mb_raw(b, e, sizeof(e));
}

static void mb_override(struct madt_builder *b, uint64_t addr)
{
	uint8_t e[12] = { ACPI_MADT_LAPIC_OVERRIDE, 12 };

	le64_put(e + 4, addr);
	mb_raw(b, e, sizeof(e));
}

/* Sets Length and the checksum; returns the table size. */
static size_t mb_finish(struct madt_builder *b)
{
	le32_put(b->buf + 4, (uint32_t)b->len);
	sdt_fix(b->buf);
	return b->len;
}

static struct acpi_madt madt;
static struct acpi acpi;

static enum err mb_parse(struct madt_builder *b)
{
	enum err e;
	const char *why = NULL;

	mb_finish(b);
	assert_int_equal(acpi_table_check(b->buf, b->len, &why), E_OK);
	fake_printk_clear();
	e = acpi_parse_madt(b->buf, b->len, &madt);
	free(b->buf);
	b->buf = NULL;
	return e;
}

static int log_count(const char *needle)
{
	const char *p = fake_printk_log();
	int n = 0;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

/* ---- RSDP ------------------------------------------------------------------ */

static void test_rsdp_real_qemu(void **state)
{
	struct acpi_rsdp_info info;

	assert_int_equal(acpi_rsdp_validate(qemu72_pc_smp4_rsdp, sizeof(qemu72_pc_smp4_rsdp),
					    &info), E_OK);
	assert_int_equal(info.revision, 0);
	assert_int_equal(info.rsdt_pa, QEMU72_PC_SMP4_RSDT_PA);
	assert_true(info.xsdt_pa == 0);
	assert_int_equal(info.length, ACPI_RSDP_V1_LEN);
	assert_string_equal(info.oem_id, "BOCHS ");
	assert_null(info.why);
}

static void test_rsdp_v2(void **state)
{
	uint8_t buf[RSDP_BUF];
	struct acpi_rsdp_info info;

	make_rsdp(buf, 2, 0x1000, 0x123456789000ull, ACPI_RSDP_V2_LEN);
	assert_int_equal(acpi_rsdp_validate(buf, ACPI_RSDP_V2_LEN, &info), E_OK);
	assert_int_equal(info.revision, 2);
	assert_int_equal(info.rsdt_pa, 0x1000);
	assert_true(info.xsdt_pa == 0x123456789000ull);
	assert_int_equal(info.length, ACPI_RSDP_V2_LEN);
	assert_string_equal(info.oem_id, "VIREO ");
}

static void test_rsdp_bad_checksum(void **state)
{
	uint8_t buf[RSDP_BUF];
	struct acpi_rsdp_info info;

	make_rsdp(buf, 2, 0x1000, 0x2000, ACPI_RSDP_V2_LEN);
	buf[10] ^= 0x20;
	assert_int_equal(acpi_rsdp_validate(buf, ACPI_RSDP_V2_LEN, &info), E_CHECKSUM);
	assert_non_null(strstr(info.why, "first 20 bytes"));
}

static void test_rsdp_bad_extended_checksum(void **state)
{
	uint8_t buf[RSDP_BUF];
	struct acpi_rsdp_info info;

	make_rsdp(buf, 2, 0x1000, 0x2000, ACPI_RSDP_V2_LEN);
	buf[25] ^= 0x01; /* XSDT address: outside the 20-byte v1 checksum */
	assert_int_equal(acpi_rsdp_validate(buf, ACPI_RSDP_V2_LEN, &info), E_CHECKSUM);
	assert_non_null(strstr(info.why, "extended"));
	/* A revision-0 reader of the same bytes only checks the first 20. */
	buf[15] = 0;
	fix_checksum(buf, ACPI_RSDP_V1_LEN, 8);
	assert_int_equal(acpi_rsdp_validate(buf, ACPI_RSDP_V2_LEN, &info), E_OK);
	assert_true(info.xsdt_pa == 0);
}

static void test_rsdp_malformed(void **state)
{
	uint8_t buf[RSDP_BUF];
	struct acpi_rsdp_info info;

	make_rsdp(buf, 2, 0x1000, 0x2000, ACPI_RSDP_V2_LEN);
	assert_int_equal(acpi_rsdp_validate(buf, 19, &info), E_TRUNC);
	assert_int_equal(acpi_rsdp_validate(NULL, 36, &info), E_TRUNC);
	assert_int_equal(acpi_rsdp_validate(buf, ACPI_RSDP_V1_LEN, &info), E_TRUNC);
	buf[3] = 'X';
	assert_int_equal(acpi_rsdp_validate(buf, ACPI_RSDP_V2_LEN, &info), E_BADSIG);
	make_rsdp(buf, 2, 0x1000, 0x2000, ACPI_RSDP_V1_LEN);
	assert_int_equal(acpi_rsdp_validate(buf, ACPI_RSDP_V2_LEN, &info), E_MALFORMED);
	make_rsdp(buf, 2, 0x1000, 0x2000, 5000);
	assert_int_equal(acpi_rsdp_validate(buf, ACPI_RSDP_V2_LEN, &info), E_RANGE);
	make_rsdp(buf, 2, 0x1000, 0x2000, 40);
	assert_int_equal(acpi_rsdp_validate(buf, ACPI_RSDP_V2_LEN, &info), E_TRUNC);
	assert_int_equal(acpi_rsdp_validate(buf, 40, &info), E_OK);
	assert_int_equal(info.length, 40);
}

#define BDA_PA 0x400u
#define BDA_LEN 0x100u
#define EBDA_PA 0x9FC00u
#define EBDA_LEN 0x400u
#define BIOS_PA 0xE0000u
#define BIOS_LEN 0x20000u

static void put_bda(struct fake_mem *fm, uint64_t ebda_pa)
{
	le16_put(fake_add(fm, BDA_PA, BDA_LEN) + 0x0E, (uint16_t)(ebda_pa >> 4));
}

static void test_scan_ebda_first(void **state)
{
	struct fake_mem fm = { 0 };
	struct acpi_rsdp_info info;
	uint64_t pa = 0;
	uint8_t buf[RSDP_BUF];

	put_bda(&fm, EBDA_PA);
	make_rsdp(buf, 2, 0x1000, 0x2000, ACPI_RSDP_V2_LEN);
	memcpy(fake_add(&fm, EBDA_PA, EBDA_LEN) + 0x40, buf, ACPI_RSDP_V2_LEN);
	make_rsdp(buf, 0, 0x3000, 0, ACPI_RSDP_V2_LEN);
	memcpy(fake_add(&fm, BIOS_PA, BIOS_LEN) + 0x10000, buf, ACPI_RSDP_V1_LEN);
	assert_int_equal(acpi_rsdp_scan(fake_map, &fm, &pa, &info), E_OK);
	assert_true(pa == EBDA_PA + 0x40);
	assert_int_equal(info.revision, 2);
	assert_true(info.xsdt_pa == 0x2000);
	fake_free(&fm);
}

static void test_scan_bios_area(void **state)
{
	struct fake_mem fm = { 0 };
	struct acpi_rsdp_info info;
	uint64_t pa = 0;
	uint8_t buf[RSDP_BUF];
	uint8_t *bios;

	put_bda(&fm, 0); /* EBDA segment 0: nothing to scan there */
	bios = fake_add(&fm, BIOS_PA, BIOS_LEN);
	make_rsdp(buf, 0, 0x1111, 0, ACPI_RSDP_V2_LEN);
	buf[12] ^= 1; /* stale copy with a bad checksum: skipped */
	memcpy(bios + 0x1000, buf, ACPI_RSDP_V1_LEN);
	make_rsdp(buf, 0, 0x2222, 0, ACPI_RSDP_V2_LEN);
	memcpy(bios + 0x2008, buf, ACPI_RSDP_V1_LEN); /* not on a 16-byte boundary */
	make_rsdp(buf, 2, 0x3333, 0x4444, ACPI_RSDP_V2_LEN);
	memcpy(bios + (BIOS_LEN - 0x30), buf, ACPI_RSDP_V2_LEN);
	assert_int_equal(acpi_rsdp_scan(fake_map, &fm, &pa, &info), E_OK);
	assert_true(pa == BIOS_PA + BIOS_LEN - 0x30);
	assert_int_equal(info.rsdt_pa, 0x3333);
	assert_true(info.xsdt_pa == 0x4444);
	fake_free(&fm);
}

static void test_scan_none(void **state)
{
	struct fake_mem fm = { 0 };
	struct acpi_rsdp_info info;
	uint64_t pa = 0x5555;

	put_bda(&fm, EBDA_PA); /* EBDA itself not readable */
	fake_add(&fm, BIOS_PA, BIOS_LEN);
	assert_int_equal(acpi_rsdp_scan(fake_map, &fm, &pa, &info), E_NOENT);
	assert_true(pa == 0x5555);
	assert_non_null(info.why);
	fake_free(&fm);
}

/* ---- root table walk ----------------------------------------------------------- */

#define PA_XSDT 0x100000u
#define PA_RSDT 0x101000u
#define PA_FACP 0x102000u
#define PA_APIC 0x103000u
#define PA_HPET 0x104000u
#define PA_SSDT0 0x105000u
#define PA_SSDT1 0x106000u
#define PA_UNMAPPED 0xDEAD0000u

static struct acpi_rsdp_info rsdp_info(uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	uint8_t buf[RSDP_BUF];
	struct acpi_rsdp_info info;

	make_rsdp(buf, rev, rsdt, xsdt, ACPI_RSDP_V2_LEN);
	assert_int_equal(acpi_rsdp_validate(buf, ACPI_RSDP_V2_LEN, &info), E_OK);
	return info;
}

static void put_basic_tables(struct fake_mem *fm)
{
	put_table(fm, PA_FACP, "FACP", 116);
	put_table(fm, PA_APIC, "APIC", 60);
	put_table(fm, PA_HPET, "HPET", 56);
}

static void test_init_xsdt(void **state)
{
	struct fake_mem fm = { 0 };
	uint64_t x[] = { PA_FACP, PA_APIC, PA_SSDT0, PA_HPET, PA_SSDT1 };
	uint64_t r[] = { PA_FACP };
	struct acpi_rsdp_info info = rsdp_info(2, PA_RSDT, PA_XSDT);
	const struct acpi_table_ref *ref;

	put_basic_tables(&fm);
	put_table(&fm, PA_SSDT0, "SSDT", 40);
	put_table(&fm, PA_SSDT1, "SSDT", 44);
	put_root(&fm, PA_XSDT, true, x, 5);
	put_root(&fm, PA_RSDT, false, r, 1);
	assert_int_equal(acpi_init(&acpi, &info, fake_map, &fm), E_OK);
	assert_true(acpi.root_is_xsdt);
	assert_true(acpi.root_pa == PA_XSDT);
	assert_int_equal(acpi.count, 5);
	assert_int_equal(acpi.ignored, 0);
	ref = acpi_find(&acpi, "SSDT", 1);
	assert_non_null(ref);
	assert_true(ref->pa == PA_SSDT1);
	assert_int_equal(ref->length, 44);
	assert_string_equal(ref->sig, "SSDT");
	assert_null(acpi_find(&acpi, "SSDT", 2));
	assert_null(acpi_find(&acpi, "DSDT", 0));
	ref = acpi_find(&acpi, "HPET", 0);
	assert_non_null(ref);
	assert_ptr_equal(acpi_table_map(&acpi, ref), fake_map(&fm, PA_HPET, 56));
	fake_free(&fm);
}

static void test_init_rsdt(void **state)
{
	struct fake_mem fm = { 0 };
	uint64_t r[] = { PA_FACP, PA_APIC, PA_HPET };
	struct acpi_rsdp_info info = rsdp_info(2, PA_RSDT, 0);

	put_basic_tables(&fm);
	put_root(&fm, PA_RSDT, false, r, 3);
	assert_int_equal(acpi_init(&acpi, &info, fake_map, &fm), E_OK);
	assert_false(acpi.root_is_xsdt);
	assert_int_equal(acpi.count, 3);
	/* Revision 0: the XSDT field does not exist, the RSDT is used. */
	info = rsdp_info(0, PA_RSDT, PA_XSDT);
	assert_int_equal(acpi_init(&acpi, &info, fake_map, &fm), E_OK);
	assert_false(acpi.root_is_xsdt);
	assert_int_equal(acpi.count, 3);
	fake_free(&fm);
}

/* Lists FACP, APIC, HPET (and extra when nonzero) in an XSDT and walks it. */
static void init_with_damage(struct fake_mem *fm, uint64_t extra)
{
	uint64_t x[] = { PA_FACP, PA_APIC, PA_HPET, extra };
	struct acpi_rsdp_info info = rsdp_info(2, 0, PA_XSDT);

	put_root(fm, PA_XSDT, true, x, extra ? 4 : 3);
	fake_printk_clear();
	assert_int_equal(acpi_init(&acpi, &info, fake_map, fm), E_OK);
}

static void test_init_bad_table_checksum(void **state)
{
	struct fake_mem fm = { 0 };
	uint8_t *t;

	put_table(&fm, PA_FACP, "FACP", 116);
	t = put_table(&fm, PA_APIC, "APIC", 60);
	t[50] ^= 0xFF;
	put_table(&fm, PA_HPET, "HPET", 56);
	init_with_damage(&fm, 0);
	assert_int_equal(acpi.count, 2);
	assert_int_equal(acpi.ignored, 1);
	assert_null(acpi_find(&acpi, "APIC", 0));
	assert_non_null(acpi_find(&acpi, "FACP", 0));
	assert_non_null(acpi_find(&acpi, "HPET", 0));
	assert_true(fake_printk_contains("'APIC' at 0x103000"));
	assert_true(fake_printk_contains("checksum"));
	assert_true(fake_printk_contains("ignored"));
	fake_free(&fm);
}

static void test_init_length_past_mapped_end(void **state)
{
	struct fake_mem fm = { 0 };
	uint8_t *t;

	put_table(&fm, PA_FACP, "FACP", 116);
	put_table(&fm, PA_APIC, "APIC", 60);
	t = put_table(&fm, PA_HPET, "HPET", 56);
	le32_put(t + 4, 4096); /* only 56 bytes are readable */
	init_with_damage(&fm, 0);
	assert_int_equal(acpi.count, 2);
	assert_null(acpi_find(&acpi, "HPET", 0));
	assert_true(fake_printk_contains("'HPET' at 0x104000"));
	assert_true(fake_printk_contains("past readable memory"));
	fake_free(&fm);
}

static void test_init_length_out_of_bounds(void **state)
{
	struct fake_mem fm = { 0 };
	uint8_t *t;

	put_table(&fm, PA_FACP, "FACP", 116);
	t = put_table(&fm, PA_APIC, "APIC", 60);
	le32_put(t + 4, 20);
	t = put_table(&fm, PA_HPET, "HPET", 56);
	le32_put(t + 4, 2u << 20);
	init_with_damage(&fm, 0);
	assert_int_equal(acpi.count, 1);
	assert_int_equal(acpi.ignored, 2);
	assert_true(fake_printk_contains("below the 36-byte header"));
	assert_true(fake_printk_contains("1 MiB sanity cap"));
	fake_free(&fm);
}

static void test_init_bad_entries(void **state)
{
	struct fake_mem fm = { 0 };
	uint8_t *t;

	put_table(&fm, PA_FACP, "FACP", 116);
	put_table(&fm, PA_APIC, "APIC", 60);
	t = put_table(&fm, PA_HPET, "HPET", 56);
	t[0] = 0x01; /* non-printable signature */
	sdt_fix(t);
	init_with_damage(&fm, PA_UNMAPPED);
	assert_int_equal(acpi.count, 2);
	assert_int_equal(acpi.ignored, 2);
	assert_true(fake_printk_contains("'?PET' at 0x104000"));
	assert_true(fake_printk_contains("'?\?\?\?' at 0xdead0000 (root entry 3): header not "
					 "readable"));
	assert_true(acpi.where == PA_UNMAPPED);
	fake_free(&fm);
}

static void test_init_xsdt_bad_falls_back(void **state)
{
	struct fake_mem fm = { 0 };
	uint64_t x[] = { PA_FACP, PA_APIC, PA_HPET };
	uint64_t r[] = { PA_FACP, PA_HPET };
	struct acpi_rsdp_info info = rsdp_info(2, PA_RSDT, PA_XSDT);
	uint8_t *t;

	put_basic_tables(&fm);
	t = put_root(&fm, PA_XSDT, true, x, 3);
	t[40] ^= 1;
	put_root(&fm, PA_RSDT, false, r, 2);
	fake_printk_clear();
	assert_int_equal(acpi_init(&acpi, &info, fake_map, &fm), E_OK);
	assert_false(acpi.root_is_xsdt);
	assert_int_equal(acpi.count, 2);
	assert_true(fake_printk_contains("falling back to the RSDT"));
	fake_free(&fm);
}

static void test_init_root_unusable(void **state)
{
	struct fake_mem fm = { 0 };
	struct acpi_rsdp_info info = rsdp_info(0, PA_UNMAPPED, 0);

	put_basic_tables(&fm);
	fake_printk_clear();
	assert_int_equal(acpi_init(&acpi, &info, fake_map, &fm), E_RANGE);
	assert_true(acpi.where == PA_UNMAPPED);
	assert_non_null(strstr(acpi.why, "not readable"));
	assert_true(fake_printk_contains("no usable root table"));
	info = rsdp_info(0, PA_FACP, 0);
	assert_int_equal(acpi_init(&acpi, &info, fake_map, &fm), E_BADSIG);
	assert_int_equal(acpi.count, 0);
	info = rsdp_info(2, 0, 0);
	assert_int_equal(acpi_init(&acpi, &info, fake_map, &fm), E_NOENT);
	fake_free(&fm);
}

static void test_init_too_many_tables(void **state)
{
	struct fake_mem fm = { 0 };
	uint64_t x[ACPI_MAX_TABLES + 6];
	struct acpi_rsdp_info info = rsdp_info(2, 0, PA_XSDT);
	unsigned i;

	for (i = 0; i < ACPI_MAX_TABLES + 6; i++) {
		x[i] = PA_FACP + i * 0x100;
		put_table(&fm, x[i], "SSDT", 36);
	}
	put_root(&fm, PA_XSDT, true, x, ACPI_MAX_TABLES + 6);
	fake_printk_clear();
	assert_int_equal(acpi_init(&acpi, &info, fake_map, &fm), E_OK);
	assert_int_equal(acpi.count, ACPI_MAX_TABLES);
	assert_int_equal(acpi.dropped, 6);
	assert_non_null(acpi_find(&acpi, "SSDT", ACPI_MAX_TABLES - 1));
	assert_true(fake_printk_contains("more than 64 tables"));
	fake_free(&fm);
}

static void test_table_check(void **state)
{
	uint8_t t[64];
	const char *why = NULL;

	sdt_header(t, "TEST", 64);
	sdt_fix(t);
	assert_int_equal(acpi_table_check(t, 64, &why), E_OK);
	assert_int_equal(acpi_table_check(t, 35, &why), E_TRUNC);
	assert_int_equal(acpi_table_check(t, 63, &why), E_TRUNC);
	t[40] = 1;
	assert_int_equal(acpi_table_check(t, 64, &why), E_CHECKSUM);
}

/* The real QEMU tables at their real addresses: scan, walk, parse. */
/* The captured QEMU pc memory: BDA, EBDA, the RSDP in the BIOS area, the tables. */
static void put_real_qemu_memory(struct fake_mem *fm)
{
	put_bda(fm, EBDA_PA);
	fake_add(fm, EBDA_PA, EBDA_LEN);
	memcpy(fake_add(fm, BIOS_PA, BIOS_LEN) + (QEMU72_PC_SMP4_RSDP_PA - BIOS_PA),
	       qemu72_pc_smp4_rsdp, sizeof(qemu72_pc_smp4_rsdp));
	memcpy(fake_add(fm, QEMU72_PC_SMP4_TABLES_PA, sizeof(qemu72_pc_smp4_tables)),
	       qemu72_pc_smp4_tables, sizeof(qemu72_pc_smp4_tables));
}

static void test_real_qemu_chain(void **state)
{
	struct fake_mem fm = { 0 };
	struct acpi_rsdp_info info;
	const struct acpi_table_ref *ref;
	uint64_t pa = 0;

	put_real_qemu_memory(&fm);
	assert_int_equal(acpi_rsdp_scan(fake_map, &fm, &pa, &info), E_OK);
	assert_true(pa == QEMU72_PC_SMP4_RSDP_PA);
	assert_int_equal(acpi_init(&acpi, &info, fake_map, &fm), E_OK);
	assert_true(acpi.root_pa == QEMU72_PC_SMP4_RSDT_PA);
	assert_int_equal(acpi.count, 4);
	assert_string_equal(acpi.tables[0].sig, "FACP");
	assert_string_equal(acpi.tables[3].sig, "WAET");
	ref = acpi_find(&acpi, "APIC", 0);
	assert_non_null(ref);
	assert_int_equal(ref->length, sizeof(qemu72_pc_smp4_madt));
	assert_memory_equal(acpi_table_map(&acpi, ref), qemu72_pc_smp4_madt, ref->length);
	assert_int_equal(acpi_parse_madt(acpi_table_map(&acpi, ref), ref->length, &madt), E_OK);
	assert_int_equal(madt.cpu_count, 4);
	fake_free(&fm);
}

/* ---- MADT: real tables ---------------------------------------------------------- */

static void test_madt_qemu_pc_smp4(void **state)
{
	static const uint8_t irqs[] = { 0, 5, 9, 10, 11 };
	unsigned i;

	assert_int_equal(acpi_parse_madt(qemu72_pc_smp4_madt, sizeof(qemu72_pc_smp4_madt), &madt),
			 E_OK);
	assert_true(madt.lapic_address == 0xFEE00000u);
	assert_false(madt.lapic_overridden);
	assert_int_equal(madt.flags & ACPI_MADT_PCAT_COMPAT, ACPI_MADT_PCAT_COMPAT);
	assert_int_equal(madt.cpu_count, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(madt.cpus[i].apic_id, i);
		assert_int_equal(madt.cpus[i].acpi_uid, i);
		assert_true(madt.cpus[i].enabled);
		assert_false(madt.cpus[i].online_capable);
		assert_false(madt.cpus[i].x2apic_entry);
	}
	assert_int_equal(madt.ioapic_count, 1);
	assert_int_equal(madt.ioapics[0].id, 0);
	assert_int_equal(madt.ioapics[0].address, 0xFEC00000u);
	assert_int_equal(madt.ioapics[0].gsi_base, 0);
	assert_int_equal(madt.iso_count, 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(madt.isos[i].bus, 0);
		assert_int_equal(madt.isos[i].source, irqs[i]);
		assert_int_equal(madt.isos[i].gsi, i == 0 ? 2 : irqs[i]);
		assert_int_equal(madt.isos[i].flags, i == 0 ? 0 : 0x000d);
	}
	assert_int_equal(madt.nmi_count, 1);
	assert_int_equal(madt.nmis[0].acpi_uid, ACPI_NMI_ALL_CPUS_UID8);
	assert_int_equal(madt.nmis[0].lint, 1);
	assert_int_equal(madt.other_count, 0);
	assert_null(madt.why);
}

struct madt_fixture {
	const char *name; /* file in ACPI_DATA_DIR when bytes is NULL */
	const uint8_t *bytes;
	size_t len;
	uint32_t cpus, disabled, ioapics, isos, nmis;
};

/* Every *.bin in ACPI_DATA_DIR must be listed here with what it holds. */
static const struct madt_fixture madt_fixtures[] = {
	{ "qemu72_pc_smp4.h", qemu72_pc_smp4_madt, sizeof(qemu72_pc_smp4_madt), 4, 0, 1, 5, 1 },
	{ "madt-qemu72-q35-smp8.bin", NULL, 0, 8, 0, 1, 5, 1 },
	{ "madt-qemu72-pc-smp64.bin", NULL, 0, 64, 0, 1, 5, 1 },
	{ "madt-qemu72-pc-smp2-maxcpus4.bin", NULL, 0, 2, 2, 1, 5, 1 },
	{ "madt-bochs27-smp4.bin", NULL, 0, 4, 0, 1, 1, 0 },
};

#define FIXTURE_COUNT (sizeof(madt_fixtures) / sizeof(madt_fixtures[0]))

static uint8_t *read_fixture(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	long n;
	uint8_t *buf;

	snprintf(path, sizeof(path), "%s/%s", ACPI_DATA_DIR, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void check_fixture(const struct madt_fixture *fx, const uint8_t *bytes, size_t len)
{
	const char *why = NULL;
	unsigned i;

	print_message("  MADT fixture %s (%zu bytes)\n", fx->name, len);
	assert_int_equal(acpi_table_check(bytes, len, &why), E_OK);
	assert_int_equal(acpi_parse_madt(bytes, len, &madt), E_OK);
	assert_true(madt.lapic_address == 0xFEE00000u);
	assert_int_equal(madt.cpu_count, fx->cpus);
	assert_int_equal(madt.cpus_enabled, fx->cpus);
	assert_int_equal(madt.cpus_disabled, fx->disabled);
	assert_int_equal(madt.cpus_duplicate, 0);
	assert_int_equal(madt.ioapic_count, fx->ioapics);
	assert_int_equal(madt.iso_count, fx->isos);
	assert_int_equal(madt.nmi_count, fx->nmis);
	for (i = 0; i < madt.cpu_count; i++)
		assert_int_equal(madt.cpus[i].apic_id, i);
	acpi_madt_report(&madt);
}

static void test_madt_fixtures(void **state)
{
	size_t i, len;
	uint8_t *buf;

	for (i = 0; i < FIXTURE_COUNT; i++) {
		if (madt_fixtures[i].bytes) {
			check_fixture(&madt_fixtures[i], madt_fixtures[i].bytes,
				      madt_fixtures[i].len);
			continue;
		}
		buf = read_fixture(madt_fixtures[i].name, &len);
		check_fixture(&madt_fixtures[i], buf, len);
		free(buf);
	}
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void test_madt_fixture_files_listed(void **state)
{
	DIR *d = opendir(ACPI_DATA_DIR);
	struct dirent *de;
	unsigned files = 0, listed = 0;
	size_t i;
	bool found;

	if (!d)
		fail_msg("cannot open %s (run from the repository root)", ACPI_DATA_DIR);
	while ((de = readdir(d)) != NULL) {
		if (!ends_with(de->d_name, ".bin"))
			continue;
		files++;
		found = false;
		for (i = 0; i < FIXTURE_COUNT; i++)
			found |= strcmp(madt_fixtures[i].name, de->d_name) == 0;
		if (!found)
			fail_msg("%s/%s is not listed in madt_fixtures[]", ACPI_DATA_DIR,
				 de->d_name);
	}
	closedir(d);
	for (i = 0; i < FIXTURE_COUNT; i++)
		listed += madt_fixtures[i].bytes == NULL;
	assert_int_equal(files, listed);
}

/* ---- MADT: built and malformed tables ------------------------------------------- */

static void test_madt_entry_len_zero(void **state)
{
	struct madt_builder b;
	static const uint8_t bad[] = { ACPI_MADT_LAPIC, 0, 0, 0, 1, 0, 0, 0 };

	mb_init(&b, 0xFEE00000u, 0);
	mb_lapic(&b, 0, 0, ACPI_MADT_CPU_ENABLED);
	mb_raw(&b, bad, sizeof(bad));
	assert_int_equal(mb_parse(&b), E_MALFORMED);
	assert_int_equal(madt.where, 52);
	assert_non_null(strstr(madt.why, "below 2"));
	assert_true(fake_printk_contains("offset 52"));
}

static void test_madt_entry_past_end(void **state)
{
	struct madt_builder b;
	static const uint8_t cut[] = { ACPI_MADT_IOAPIC, 12, 0, 0, 0, 0 };

	mb_init(&b, 0xFEE00000u, 0);
	mb_lapic(&b, 0, 0, ACPI_MADT_CPU_ENABLED);
	mb_raw(&b, cut, sizeof(cut));
	assert_int_equal(mb_parse(&b), E_TRUNC);
	assert_int_equal(madt.where, 52);
	assert_non_null(strstr(madt.why, "past the end"));
}

static void test_madt_truncated_lapic(void **state)
{
	struct madt_builder b;
	static const uint8_t shortie[] = { ACPI_MADT_LAPIC, 6, 1, 1, 1, 0 };

	mb_init(&b, 0xFEE00000u, 0);
	mb_lapic(&b, 0, 0, ACPI_MADT_CPU_ENABLED);
	mb_raw(&b, shortie, sizeof(shortie));
	mb_lapic(&b, 2, 2, ACPI_MADT_CPU_ENABLED);
	assert_int_equal(mb_parse(&b), E_TRUNC);
	assert_int_equal(madt.where, 52);
	assert_non_null(strstr(madt.why, "shorter than its type"));
}

static void test_madt_trailing_byte(void **state)
{
	struct madt_builder b;
	static const uint8_t one = ACPI_MADT_LAPIC;

	mb_init(&b, 0xFEE00000u, 0);
	mb_lapic(&b, 0, 0, ACPI_MADT_CPU_ENABLED);
	mb_raw(&b, &one, 1);
	assert_int_equal(mb_parse(&b), E_TRUNC);
	assert_int_equal(madt.where, 52);
	assert_non_null(strstr(madt.why, "entry header"));
}

static void test_madt_header_errors(void **state)
{
	uint8_t t[sizeof(qemu72_pc_smp4_madt)];

	memcpy(t, qemu72_pc_smp4_madt, sizeof(t));
	assert_int_equal(acpi_parse_madt(t, 43, &madt), E_TRUNC);
	assert_int_equal(acpi_parse_madt(NULL, 0, &madt), E_TRUNC);
	assert_int_equal(acpi_parse_madt(t, sizeof(t) - 1, &madt), E_TRUNC);
	assert_int_equal(madt.where, 4);
	le32_put(t + 4, 40);
	assert_int_equal(acpi_parse_madt(t, sizeof(t), &madt), E_MALFORMED);
	t[3] = 'X';
	assert_int_equal(acpi_parse_madt(t, sizeof(t), &madt), E_BADSIG);
	/* The parser stops at Length even when more bytes are readable. */
	memcpy(t, qemu72_pc_smp4_madt, sizeof(t));
	le32_put(t + 4, ACPI_MADT_ENTRIES_OFF + 16);
	assert_int_equal(acpi_parse_madt(t, sizeof(t), &madt), E_OK);
	assert_int_equal(madt.cpu_count, 2);
	assert_int_equal(madt.ioapic_count, 0);
}

static void test_madt_duplicates(void **state)
{
	struct madt_builder b;

	mb_init(&b, 0xFEE00000u, ACPI_MADT_PCAT_COMPAT);
	mb_lapic(&b, 0, 0, ACPI_MADT_CPU_ENABLED);
	mb_lapic(&b, 1, 1, ACPI_MADT_CPU_ENABLED);
	mb_x2apic(&b, 1, ACPI_MADT_CPU_ENABLED, 7);
	mb_lapic(&b, 2, 2, ACPI_MADT_CPU_ENABLED);
	mb_lapic(&b, 3, 2, ACPI_MADT_CPU_ENABLED);
	mb_x2apic(&b, 300, ACPI_MADT_CPU_ENABLED, 300);
	assert_int_equal(mb_parse(&b), E_OK);
	assert_int_equal(madt.cpu_count, 4);
	assert_int_equal(madt.cpus_duplicate, 2);
	assert_int_equal(madt.cpus[1].apic_id, 1);
	assert_int_equal(madt.cpus[1].acpi_uid, 1);
	assert_false(madt.cpus[1].x2apic_entry);
	assert_int_equal(madt.cpus[2].acpi_uid, 2);
	assert_int_equal(madt.cpus[3].apic_id, 300);
	assert_true(fake_printk_contains("x2APIC (type 9) entry at offset 60 repeats APIC ID 1"));
	assert_true(fake_printk_contains("repeats APIC ID 2"));
	assert_true(fake_printk_contains("kept once"));
}

static void test_madt_duplicate_warnings_bounded(void **state)
{
	struct madt_builder b;
	unsigned i;

	mb_init(&b, 0xFEE00000u, 0);
	for (i = 0; i < 20; i++)
		mb_lapic(&b, (uint8_t)i, 5, ACPI_MADT_CPU_ENABLED);
	assert_int_equal(mb_parse(&b), E_OK);
	assert_int_equal(madt.cpu_count, 1);
	assert_int_equal(madt.cpus_duplicate, 19);
	assert_int_equal(log_count("repeats APIC ID 5"), 8);
	assert_int_equal(log_count("further duplicate APIC IDs"), 1);
}

static void test_madt_too_many_cpus(void **state)
{
	struct madt_builder b;
	uint32_t i;

	mb_init(&b, 0xFEE00000u, 0);
	for (i = 0; i < ACPI_MAX_CPUS + 76; i++)
		mb_x2apic(&b, i, ACPI_MADT_CPU_ENABLED, i);
	assert_int_equal(mb_parse(&b), E_OK);
	assert_int_equal(madt.cpu_count, ACPI_MAX_CPUS);
	assert_int_equal(madt.cpus_enabled, ACPI_MAX_CPUS);
	assert_int_equal(madt.cpus_dropped, 76);
	assert_int_equal(madt.cpus[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS - 1);
	assert_true(fake_printk_contains("76 usable CPUs beyond the 1024 supported"));
}

static void test_madt_300_sparse_x2apic(void **state)
{
	struct madt_builder b;
	uint32_t i, id;

	mb_init(&b, 0xFEE00000u, 0);
	for (i = 0; i < 4; i++)
		mb_lapic(&b, (uint8_t)i, (uint8_t)i, ACPI_MADT_CPU_ENABLED);
	mb_lapic(&b, 0xFE, ACPI_XAPIC_ID_NONE, ACPI_MADT_CPU_ENABLED);
	for (i = 4; i < 300; i++)
		mb_x2apic(&b, 0x100 + i * 37, ACPI_MADT_CPU_ENABLED, 1000 + i);
	mb_x2apic(&b, 0xFFFF0000u, ACPI_MADT_CPU_ONLINE_CAPABLE, 5000);
	assert_int_equal(mb_parse(&b), E_OK);
	assert_int_equal(madt.cpu_count, 301);
	assert_int_equal(madt.cpus_enabled, 300);
	assert_int_equal(madt.cpus_online_capable, 1);
	assert_int_equal(madt.cpus_id_none, 1);
	assert_int_equal(madt.cpus_duplicate, 0);
	for (i = 4; i < 300; i++) {
		id = 0x100 + i * 37;
		assert_int_equal(madt.cpus[i].apic_id, id);
		assert_int_equal(madt.cpus[i].acpi_uid, 1000 + i);
		assert_true(madt.cpus[i].x2apic_entry);
		assert_true(madt.cpus[i].enabled);
	}
	assert_int_equal(madt.cpus[300].apic_id, 0xFFFF0000u);
	assert_false(madt.cpus[300].enabled);
	assert_true(madt.cpus[300].online_capable);
}

static void test_madt_cpu_flags(void **state)
{
	struct madt_builder b;

	mb_init(&b, 0xFEE00000u, 0);
	mb_lapic(&b, 0, 0, 0);
	mb_lapic(&b, 1, 1, ACPI_MADT_CPU_ONLINE_CAPABLE);
	mb_lapic(&b, 2, 2, ACPI_MADT_CPU_ENABLED | ACPI_MADT_CPU_ONLINE_CAPABLE);
	mb_x2apic(&b, 3, 0, 3);
	assert_int_equal(mb_parse(&b), E_OK);
	assert_int_equal(madt.cpus_disabled, 2);
	assert_int_equal(madt.cpu_count, 2);
	assert_int_equal(madt.cpus[0].apic_id, 1);
	assert_false(madt.cpus[0].enabled);
	assert_true(madt.cpus[0].online_capable);
	assert_int_equal(madt.cpus[1].apic_id, 2);
	assert_true(madt.cpus[1].enabled);
	assert_false(madt.cpus[1].online_capable);
}

static void test_madt_override_nmi_other(void **state)
{
	struct madt_builder b;
	static const uint8_t nmi_src[] = { 3, 8, 0, 0, 2, 0, 0, 0 };
	static const uint8_t future[] = { 0x7F, 2 };
	static const uint8_t long_ioapic[16] = { ACPI_MADT_IOAPIC, 16, 9, 0, 0, 0, 0xC0, 0xFE };

	mb_init(&b, 0xFEE00000u, 0);
	mb_override(&b, 0x1FEE00000ull);
	mb_x2apic_nmi(&b, ACPI_NMI_ALL_CPUS_UID32, 0x5, 1);
	mb_x2apic_nmi(&b, 42, 0, 0);
	mb_raw(&b, nmi_src, sizeof(nmi_src));
	mb_raw(&b, future, sizeof(future));
	mb_raw(&b, long_ioapic, sizeof(long_ioapic));
	assert_int_equal(mb_parse(&b), E_OK);
	assert_true(madt.lapic_address == 0x1FEE00000ull);
	assert_true(madt.lapic_overridden);
	assert_int_equal(madt.nmi_count, 2);
	assert_int_equal(madt.nmis[0].acpi_uid, ACPI_NMI_ALL_CPUS_UID32);
	assert_int_equal(madt.nmis[0].flags, 0x5);
	assert_int_equal(madt.nmis[0].lint, 1);
	assert_true(madt.nmis[0].x2apic_entry);
	assert_int_equal(madt.nmis[1].acpi_uid, 42);
	assert_int_equal(madt.other_count, 2);
	assert_int_equal(madt.ioapic_count, 1);
	assert_int_equal(madt.ioapics[0].id, 9);
	assert_int_equal(madt.ioapics[0].address, 0xFEC00000u);
	fake_printk_clear();
	acpi_madt_report(&madt);
	assert_true(fake_printk_contains("local APIC at 0x1fee00000 (64-bit override)"));
	assert_true(fake_printk_contains("NMI on LINT1 of every CPU"));
	assert_true(fake_printk_contains("NMI on LINT0 of CPU uid 42"));
	assert_true(fake_printk_contains("2 entries of other types skipped"));
}

static void test_madt_ioapic_cap(void **state)
{
	struct madt_builder b;
	unsigned i;

	mb_init(&b, 0xFEE00000u, 0);
	for (i = 0; i < ACPI_MAX_IOAPICS + 6; i++)
		mb_ioapic(&b, (uint8_t)i, 0xFEC00000u + i * 0x1000, i * 24);
	assert_int_equal(mb_parse(&b), E_OK);
	assert_int_equal(madt.ioapic_count, ACPI_MAX_IOAPICS);
	assert_int_equal(madt.ioapics_dropped, 6);
	assert_int_equal(madt.ioapics[63].gsi_base, 63 * 24);
	assert_true(fake_printk_contains("6 I/O APICs beyond the 64 supported"));
}

static void test_madt_report(void **state)
{
	assert_int_equal(acpi_parse_madt(qemu72_pc_smp4_madt, sizeof(qemu72_pc_smp4_madt), &madt),
			 E_OK);
	fake_printk_clear();
	acpi_madt_report(&madt);
	assert_true(fake_printk_contains("local APIC at 0xfee00000, dual 8259 PICs present"));
	assert_true(fake_printk_contains("4 CPUs (4 enabled, 0 online-capable)"));
	assert_true(fake_printk_contains("I/O APIC id 0 at 0xfec00000, GSI base 0"));
	assert_true(fake_printk_contains("bus 0 IRQ 0 -> GSI 2, bus-default polarity"));
	assert_true(fake_printk_contains("bus 0 IRQ 9 -> GSI 9, active high, level"));
	assert_true(fake_printk_contains("NMI on LINT1 of every CPU"));
	assert_true(fake_printk_contains("CPU APIC ID 3 uid 3 enabled"));
}

/* ---- FADT: the PM timer ------------------------------------------------------------ */

#define FADT_PM_TMR_BLK 76
#define FADT_PM_TMR_LEN 91
#define FADT_FLAGS 112
#define FADT_X_PM_TMR_BLK 208
#define QEMU_PM_TMR_PORT 0x608

static struct acpi_fadt fadt;

/* The ACPI 1.0 FADT at the start of the captured QEMU pc tables. */
static const uint8_t *pc_fadt(size_t *len)
{
	*len = le32_get(qemu72_pc_smp4_tables + 4);
	return qemu72_pc_smp4_tables;
}

/* A writable copy of the q35 FADT; the caller edits it and calls sdt_fix(). */
static uint8_t q35_copy[sizeof(qemu72_q35_fadt)];

static uint8_t *q35_fadt(void)
{
	memcpy(q35_copy, qemu72_q35_fadt, sizeof(q35_copy));
	return q35_copy;
}

static void test_fadt_real_qemu_pc(void **state)
{
	size_t len;
	const uint8_t *t = pc_fadt(&len);

	assert_int_equal(len, ACPI_FADT_V1_LEN);
	assert_int_equal(acpi_parse_fadt(t, len, &fadt), E_OK);
	assert_null(fadt.why);
	assert_int_equal(fadt.revision, 1);
	assert_int_equal(fadt.length, 116);
	assert_int_equal(fadt.flags, 0x80a5);
	assert_true(fadt.pm_timer.present);
	assert_int_equal(fadt.pm_timer.port, QEMU_PM_TMR_PORT);
	assert_int_equal(fadt.pm_timer.bits, 24);
	assert_false(fadt.pm_timer.from_x_block);
	fake_printk_clear();
	acpi_fadt_report(&fadt);
	assert_true(fake_printk_contains(
		"FADT revision 1: PM timer at port 0x608, 24-bit (PM_TMR_BLK)"));
}

static void test_fadt_real_qemu_q35(void **state)
{
	assert_int_equal(acpi_parse_fadt(qemu72_q35_fadt, sizeof(qemu72_q35_fadt), &fadt), E_OK);
	assert_int_equal(fadt.revision, 3);
	assert_int_equal(fadt.length, sizeof(qemu72_q35_fadt));
	assert_true(fadt.pm_timer.present);
	assert_int_equal(fadt.pm_timer.port, QEMU_PM_TMR_PORT);
	/* X_PM_TMR_BLK's bit width says 32; the timer's width is Flags.TMR_VAL_EXT's. */
	assert_int_equal(fadt.pm_timer.bits, 24);
	assert_true(fadt.pm_timer.from_x_block);
	fake_printk_clear();
	acpi_fadt_report(&fadt);
	assert_true(fake_printk_contains(
		"revision 3: PM timer at port 0x608, 24-bit (X_PM_TMR_BLK)"));
}

static void test_fadt_timer_variants(void **state)
{
	uint8_t *t = q35_fadt();

	/* TMR_VAL_EXT: 32 bits. */
	le32_put(t + FADT_FLAGS, le32_get(t + FADT_FLAGS) | ACPI_FADT_TMR_VAL_EXT);
	sdt_fix(t);
	assert_int_equal(acpi_parse_fadt(t, sizeof(q35_copy), &fadt), E_OK);
	assert_int_equal(fadt.pm_timer.bits, 32);

	/* X_PM_TMR_BLK wins over PM_TMR_BLK when it is set ... */
	t = q35_fadt();
	le64_put(t + FADT_X_PM_TMR_BLK + 4, 0xb008);
	sdt_fix(t);
	assert_int_equal(acpi_parse_fadt(t, sizeof(q35_copy), &fadt), E_OK);
	assert_int_equal(fadt.pm_timer.port, 0xb008);

	/* ... and PM_TMR_BLK counts when it is all zero. */
	t = q35_fadt();
	memset(t + FADT_X_PM_TMR_BLK, 0, 12);
	le32_put(t + FADT_PM_TMR_BLK, 0x408);
	sdt_fix(t);
	assert_int_equal(acpi_parse_fadt(t, sizeof(q35_copy), &fadt), E_OK);
	assert_true(fadt.pm_timer.present);
	assert_false(fadt.pm_timer.from_x_block);
	assert_int_equal(fadt.pm_timer.port, 0x408);

	/* A table too short for the X fields uses PM_TMR_BLK. */
	t = q35_fadt();
	le32_put(t + 4, ACPI_FADT_X_PM_TMR_END - 1);
	le64_put(t + FADT_X_PM_TMR_BLK + 4, 0xb008);
	sdt_fix(t);
	assert_int_equal(acpi_parse_fadt(t, ACPI_FADT_X_PM_TMR_END - 1, &fadt), E_OK);
	assert_int_equal(fadt.pm_timer.port, QEMU_PM_TMR_PORT);
	assert_false(fadt.pm_timer.from_x_block);
}

/* Tables that parse but offer no PM timer to use, each with its reason. */
static void test_fadt_no_timer(void **state)
{
	static const struct {
		unsigned off;
		uint32_t value;
		unsigned width;
		const char *why;
	} cases[] = {
		{FADT_FLAGS, 0x84a5u | ACPI_FADT_HW_REDUCED, 4, "hardware-reduced"},
		{FADT_X_PM_TMR_BLK, ACPI_GAS_SYSTEM_MEMORY, 1, "not in system I/O space"},
		{FADT_X_PM_TMR_BLK + 4 + 2, 1, 1, "X_PM_TMR_BLK is beyond the 64 KiB"},
	};
	uint8_t *t;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = q35_fadt();
		if (cases[i].width == 4)
			le32_put(t + cases[i].off, cases[i].value);
		else
			t[cases[i].off] = (uint8_t)cases[i].value;
		sdt_fix(t);
		assert_int_equal(acpi_parse_fadt(t, sizeof(q35_copy), &fadt), E_OK);
		assert_false(fadt.pm_timer.present);
		assert_int_equal(fadt.pm_timer.port, 0);
		assert_non_null(strstr(fadt.pm_timer.why, cases[i].why));
		fake_printk_clear();
		acpi_fadt_report(&fadt);
		assert_true(fake_printk_contains("no PM timer to use"));
	}

	/* ACPI 1.0 table: PM_TMR_BLK 0, PM_TMR_LEN short, a port above 0xffff. */
	memcpy(q35_copy, qemu72_pc_smp4_tables, ACPI_FADT_V1_LEN);
	le32_put(q35_copy + FADT_PM_TMR_BLK, 0);
	sdt_fix(q35_copy);
	assert_int_equal(acpi_parse_fadt(q35_copy, ACPI_FADT_V1_LEN, &fadt), E_OK);
	assert_false(fadt.pm_timer.present);
	assert_non_null(strstr(fadt.pm_timer.why, "PM_TMR_BLK is 0"));

	memcpy(q35_copy, qemu72_pc_smp4_tables, ACPI_FADT_V1_LEN);
	q35_copy[FADT_PM_TMR_LEN] = 0;
	sdt_fix(q35_copy);
	assert_int_equal(acpi_parse_fadt(q35_copy, ACPI_FADT_V1_LEN, &fadt), E_OK);
	assert_non_null(strstr(fadt.pm_timer.why, "PM_TMR_LEN is below 4"));

	memcpy(q35_copy, qemu72_pc_smp4_tables, ACPI_FADT_V1_LEN);
	le32_put(q35_copy + FADT_PM_TMR_BLK, 0x10008);
	sdt_fix(q35_copy);
	assert_int_equal(acpi_parse_fadt(q35_copy, ACPI_FADT_V1_LEN, &fadt), E_OK);
	assert_non_null(strstr(fadt.pm_timer.why, "beyond the 64 KiB"));
}

/* Length, checksum and signature are checked as for every table. */
static void test_fadt_rejected(void **state)
{
	uint8_t *t = q35_fadt();

	t[100] ^= 1;
	assert_int_equal(acpi_parse_fadt(t, sizeof(q35_copy), &fadt), E_CHECKSUM);
	assert_non_null(strstr(fadt.why, "checksum"));
	assert_false(fadt.pm_timer.present);

	t = q35_fadt();
	assert_int_equal(acpi_parse_fadt(t, sizeof(q35_copy) - 1, &fadt), E_TRUNC);
	assert_non_null(strstr(fadt.why, "runs past the readable bytes"));
	assert_int_equal(acpi_parse_fadt(t, ACPI_HEADER_LEN - 1, &fadt), E_TRUNC);
	assert_int_equal(acpi_parse_fadt(NULL, sizeof(q35_copy), &fadt), E_TRUNC);

	memcpy(t, "FACS", ACPI_SIG_LEN);
	sdt_fix(t);
	assert_int_equal(acpi_parse_fadt(t, sizeof(q35_copy), &fadt), E_BADSIG);

	/* Shorter than ACPI 1.0's 116 bytes: Flags would be past the end. */
	t = q35_fadt();
	le32_put(t + 4, ACPI_FADT_V1_LEN - 1);
	sdt_fix(t);
	assert_int_equal(acpi_parse_fadt(t, sizeof(q35_copy), &fadt), E_TRUNC);
	assert_non_null(strstr(fadt.why, "116 bytes"));

	t = q35_fadt();
	le32_put(t + 4, ACPI_TABLE_MAX_LEN + 1);
	assert_int_equal(acpi_parse_fadt(t, sizeof(q35_copy), &fadt), E_RANGE);
}

/* Through the root table walk: the real pc chain, a table without a timer, none. */
static void test_fadt_find(void **state)
{
	struct fake_mem fm = { 0 };
	struct acpi_rsdp_info info;
	uint64_t pa = 0;
	uint64_t r[] = { PA_APIC, PA_HPET };
	uint64_t r2[] = { PA_FACP };

	put_real_qemu_memory(&fm);
	assert_int_equal(acpi_rsdp_scan(fake_map, &fm, &pa, &info), E_OK);
	assert_int_equal(acpi_init(&acpi, &info, fake_map, &fm), E_OK);
	fake_printk_clear();
	assert_int_equal(acpi_fadt_find(&acpi, &fadt), E_OK);
	assert_int_equal(fadt.pm_timer.port, QEMU_PM_TMR_PORT);
	assert_true(fake_printk_contains("PM timer at port 0x608, 24-bit"));
	fake_free(&fm);

	put_basic_tables(&fm);
	put_root(&fm, PA_RSDT, false, r, 2);
	info = rsdp_info(0, PA_RSDT, 0);
	assert_int_equal(acpi_init(&acpi, &info, fake_map, &fm), E_OK);
	fake_printk_clear();
	assert_int_equal(acpi_fadt_find(&acpi, &fadt), E_NOENT);
	assert_true(fake_printk_contains("no FADT"));
	assert_false(fadt.pm_timer.present);
	fake_free(&fm);

	/* A zeroed 116-byte FACP: sound, but it lists no timer. */
	put_basic_tables(&fm);
	put_root(&fm, PA_RSDT, false, r2, 1);
	assert_int_equal(acpi_init(&acpi, &info, fake_map, &fm), E_OK);
	fake_printk_clear();
	assert_int_equal(acpi_fadt_find(&acpi, &fadt), E_OK);
	assert_false(fadt.pm_timer.present);
	assert_true(fake_printk_contains("no PM timer to use (PM_TMR_BLK is 0"));
	fake_free(&fm);

	/* A sound table too short for a FADT is refused, saying why. */
	put_table(&fm, PA_FACP, "FACP", 60);
	put_root(&fm, PA_RSDT, false, r2, 1);
	assert_int_equal(acpi_init(&acpi, &info, fake_map, &fm), E_OK);
	fake_printk_clear();
	assert_int_equal(acpi_fadt_find(&acpi, &fadt), E_TRUNC);
	assert_true(fake_printk_contains("FADT at 0x102000 rejected"));
	fake_free(&fm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsdp_real_qemu),
		cmocka_unit_test(test_rsdp_v2),
		cmocka_unit_test(test_rsdp_bad_checksum),
		cmocka_unit_test(test_rsdp_bad_extended_checksum),
		cmocka_unit_test(test_rsdp_malformed),
		cmocka_unit_test(test_scan_ebda_first),
		cmocka_unit_test(test_scan_bios_area),
		cmocka_unit_test(test_scan_none),
		cmocka_unit_test(test_init_xsdt),
		cmocka_unit_test(test_init_rsdt),
		cmocka_unit_test(test_init_bad_table_checksum),
		cmocka_unit_test(test_init_length_past_mapped_end),
		cmocka_unit_test(test_init_length_out_of_bounds),
		cmocka_unit_test(test_init_bad_entries),
		cmocka_unit_test(test_init_xsdt_bad_falls_back),
		cmocka_unit_test(test_init_root_unusable),
		cmocka_unit_test(test_init_too_many_tables),
		cmocka_unit_test(test_table_check),
		cmocka_unit_test(test_real_qemu_chain),
		cmocka_unit_test(test_madt_qemu_pc_smp4),
		cmocka_unit_test(test_madt_fixtures),
		cmocka_unit_test(test_madt_fixture_files_listed),
		cmocka_unit_test(test_madt_entry_len_zero),
		cmocka_unit_test(test_madt_entry_past_end),
		cmocka_unit_test(test_madt_truncated_lapic),
		cmocka_unit_test(test_madt_trailing_byte),
		cmocka_unit_test(test_madt_header_errors),
		cmocka_unit_test(test_madt_duplicates),
		cmocka_unit_test(test_madt_duplicate_warnings_bounded),
		cmocka_unit_test(test_madt_too_many_cpus),
		cmocka_unit_test(test_madt_300_sparse_x2apic),
		cmocka_unit_test(test_madt_cpu_flags),
		cmocka_unit_test(test_madt_override_nmi_other),
		cmocka_unit_test(test_madt_ioapic_cap),
		cmocka_unit_test(test_madt_report),
		cmocka_unit_test(test_fadt_real_qemu_pc),
		cmocka_unit_test(test_fadt_real_qemu_q35),
		cmocka_unit_test(test_fadt_timer_variants),
		cmocka_unit_test(test_fadt_no_timer),
		cmocka_unit_test(test_fadt_rejected),
		cmocka_unit_test(test_fadt_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
