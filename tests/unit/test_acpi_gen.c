/* SPDX-License-Identifier: MIT */
/*
 * Host tests for loader/acpi_gen.c: tables are built into a fake guest memory
 * buffer and read back with the kernel's own parser (arch/x86/acpi.c), so the
 * generator and the parser must agree on every length, checksum and entry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lib/bytes.h"
#include "arch/x86/acpi.h"
#include "loader/acpi_gen.h"
#include "dev/acpi_pm.h"
#include "dev/vrtc.h"
#include "tests/unit/fake_printk.h"

#define GUEST_SIZE (2u << 20)
#define TABLE_GPA 0xE0000u
#define TABLE_LIMIT 0x10000u

struct guest {
	uint8_t *mem;
	uint64_t size;
};

static const void *guest_map(void *ctx, uint64_t pa, size_t len)
{
	struct guest *g = ctx;

	if (pa > g->size || len > g->size - pa)
		return NULL;
	return g->mem + pa;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static struct acpi acpi;
static struct acpi_madt madt;

static int setup(void **state)
{
	struct guest *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	g->size = GUEST_SIZE;
	g->mem = calloc(1, GUEST_SIZE);
	assert_non_null(g->mem);
	fake_printk_clear();
	*state = g;
	return 0;
}

static int teardown(void **state)
{
	struct guest *g = *state;

	free(g->mem);
	free(g);
	return 0;
}

/* Builds for ncpus and parses everything back; returns the RSDP's address. */
static uint64_t build_and_parse(struct guest *g, unsigned ncpus)
{
	struct acpi_rsdp_info info;
	const struct acpi_table_ref *ref;
	uint64_t rsdp = 0, used = 0;

	assert_int_equal(acpi_gen_build(g->mem, g->size, TABLE_GPA, TABLE_LIMIT, ncpus, &rsdp,
					&used), E_OK);
	assert_int_equal(rsdp, TABLE_GPA);
	assert_int_equal(used, acpi_gen_size(TABLE_GPA, ncpus));
	assert_int_equal(acpi_rsdp_validate(g->mem + rsdp, 36, &info), E_OK);
	assert_int_equal(info.revision, 2);
	assert_string_equal(info.oem_id, "VIREO ");
	assert_int_equal(info.length, 36);
	assert_in_range(info.xsdt_pa, TABLE_GPA, TABLE_GPA + used - 1);
	assert_int_equal(acpi_init(&acpi, &info, guest_map, g), E_OK);
	assert_true(acpi.root_is_xsdt);
	assert_int_equal(acpi.count, 2);
	assert_int_equal(acpi.ignored, 0);
	ref = acpi_find(&acpi, "APIC", 0);
	assert_non_null(ref);
	assert_true(ref->pa + ref->length <= TABLE_GPA + used);
	assert_int_equal(acpi_parse_madt(acpi_table_map(&acpi, ref), ref->length, &madt), E_OK);
	return rsdp;
}

static void assert_cpus(unsigned ncpus)
{
	unsigned i;

	assert_int_equal(madt.cpu_count, ncpus);
	assert_int_equal(madt.cpus_enabled, ncpus);
	assert_int_equal(madt.cpus_disabled + madt.cpus_duplicate + madt.cpus_dropped, 0);
	assert_int_equal(madt.cpus_id_none + madt.other_count, 0);
	assert_int_equal(madt.ioapic_count, 1);
	assert_int_equal(madt.ioapics[0].address, 0xFEC00000u);
	assert_int_equal(madt.ioapics[0].gsi_base, 0);
	assert_int_equal(madt.ioapics[0].id, ncpus & 0xF);
	assert_int_equal(madt.iso_count, 2);
	assert_int_equal(madt.isos[0].bus, 0);
	assert_int_equal(madt.isos[0].source, 0);
	assert_int_equal(madt.isos[0].gsi, 2);
	assert_int_equal(madt.isos[0].flags, 0);
	/* the SCI: ISA IRQ 9 = GSI 9, level-triggered (11b), active-high (01b) */
	assert_int_equal(madt.isos[1].bus, 0);
	assert_int_equal(madt.isos[1].source, 9);
	assert_int_equal(madt.isos[1].gsi, 9);
	assert_int_equal(madt.isos[1].flags, 0x0D);
	/* LINT1 is NMI on every CPU, edge active-high; x2APIC form too past 254 */
	assert_int_equal(madt.nmi_count, ncpus > 255 ? 2 : 1);
	assert_int_equal(madt.nmis[0].acpi_uid, 0xFF);
	assert_int_equal(madt.nmis[0].lint, 1);
	assert_int_equal(madt.nmis[0].flags, 0x05);
	assert_false(madt.nmis[0].x2apic_entry);
	if (ncpus > 255) {
		assert_int_equal(madt.nmis[1].acpi_uid, 0xFFFFFFFFu);
		assert_int_equal(madt.nmis[1].lint, 1);
		assert_true(madt.nmis[1].x2apic_entry);
	}
	assert_int_equal(madt.lapic_address, 0xFEE00000u);
	assert_int_equal(madt.flags, ACPI_MADT_PCAT_COMPAT);
	for (i = 0; i < ncpus; i++) {
		assert_int_equal(madt.cpus[i].apic_id, i);
		assert_int_equal(madt.cpus[i].acpi_uid, i);
		assert_true(madt.cpus[i].enabled);
		assert_int_equal(madt.cpus[i].x2apic_entry, i >= 255);
	}
}

static void test_one_cpu(void **state)
{
	build_and_parse(*state, 1);
	assert_cpus(1);
}

static void test_four_cpus(void **state)
{
	build_and_parse(*state, 4);
	assert_cpus(4);
}

static void test_300_cpus_use_x2apic(void **state)
{
	build_and_parse(*state, 300);
	assert_cpus(300);
}

static void test_254_and_255_boundary(void **state)
{
	build_and_parse(*state, 255);
	assert_cpus(255);
	assert_false(madt.cpus[254].x2apic_entry);
	build_and_parse(*state, 256);
	assert_cpus(256);
	assert_true(madt.cpus[255].x2apic_entry);
}

/* The RSDT fallback lists the same tables for ACPI 1.0-only guests. */
static void test_rsdt_matches_xsdt(void **state)
{
	struct guest *g = *state;
	struct acpi_rsdp_info info;
	const uint8_t *x, *r;

	build_and_parse(g, 4);
	assert_int_equal(acpi_rsdp_validate(g->mem + TABLE_GPA, 36, &info), E_OK);
	assert_int_not_equal(info.rsdt_pa, 0);
	x = g->mem + info.xsdt_pa;
	r = g->mem + info.rsdt_pa;
	assert_memory_equal(r, "RSDT", 4);
	assert_int_equal(sum(r, le32_get(r + 4)), 0);
	assert_int_equal(le32_get(r + 4), 44);
	assert_int_equal(le32_get(r + 36), le64_get(x + 36));
	assert_int_equal(le32_get(r + 40), le64_get(x + 44));
	info.revision = 0;
	assert_int_equal(acpi_init(&acpi, &info, guest_map, g), E_OK);
	assert_false(acpi.root_is_xsdt);
	assert_non_null(acpi_find(&acpi, "APIC", 0));
	assert_non_null(acpi_find(&acpi, "FACP", 0));
}

/*
 * The DSDT's body, written out by hand from the AML grammar (ACPI 6.5 20.2):
 * Name (\_S5, Package () {7, 7, 0, 0}), 7 being ACPI_PM_SLP_TYP_S5.
 */
static const uint8_t s5_aml[] = {
    0x08,		    /* NameOp */
    0x5C, '_', 'S', '5', '_', /* \_S5_ */
    0x12, 0x08, 0x04,	    /* PackageOp, PkgLength 8, NumElements 4 */
    0x0A, ACPI_PM_SLP_TYP_S5, /* BytePrefix 7 */
    0x0A, ACPI_PM_SLP_TYP_S5, /* BytePrefix 7 */
    0x00, 0x00,		    /* ZeroOp, ZeroOp */
};

static void test_fadt_facs_dsdt(void **state)
{
	struct guest *g = *state;
	const struct acpi_table_ref *ref;
	const uint8_t *f, *facs, *dsdt;
	const char *why = NULL;

	build_and_parse(g, 2);
	ref = acpi_find(&acpi, "FACP", 0);
	assert_non_null(ref);
	assert_int_equal(ref->length, 276);
	assert_int_equal(ref->revision, 6);
	f = acpi_table_map(&acpi, ref);
	assert_int_equal(acpi_table_check(f, ref->length, &why), E_OK);
	assert_int_equal(f[131], 5);				/* minor revision */
	assert_memory_equal(f + 10, "VIREO ", 6);
	assert_int_equal(le32_get(f + 36), 0);			/* FIRMWARE_CTRL */
	assert_int_equal(le32_get(f + 112) & (1u << 20), 0);	/* HW_REDUCED_ACPI */
	assert_int_equal(f[109] & 0x3, 0);			/* no legacy devices, no 8042 */
	/* RESET_REG: System I/O, 8 bits at offset 0, byte access, port 0xCF9; value 6 */
	assert_int_equal(le32_get(f + 112) & (1u << 10), 1u << 10); /* RESET_REG_SUP */
	assert_int_equal(f[116], 1);
	assert_int_equal(f[117], 8);
	assert_int_equal(f[118], 0);
	assert_int_equal(f[119], 1);
	assert_int_equal(le64_get(f + 120), 0xCF9);
	assert_int_equal(f[128], 0x06);
	assert_int_equal(f[108], CMOS_CENTURY);
	assert_int_equal(le32_get(f + 56), PM1_EVT_PORT);
	assert_int_equal(le32_get(f + 64), PM1_CNT_PORT);
	assert_int_equal(le32_get(f + 76), PM_TMR_PORT);
	assert_int_equal(f[148], 1);				/* X_PM1a_EVT_BLK: I/O */
	assert_int_equal(le64_get(f + 152), PM1_EVT_PORT);
	assert_int_equal(le64_get(f + 212), PM_TMR_PORT);
	facs = g->mem + le64_get(f + 132);
	assert_int_equal(le64_get(f + 132) % 64, 0);
	assert_memory_equal(facs, "FACS", 4);
	assert_int_equal(le32_get(facs + 4), 64);
	dsdt = g->mem + le64_get(f + 140);
	assert_int_equal(le32_get(f + 40), le64_get(f + 140));
	assert_memory_equal(dsdt, "DSDT", 4);
	assert_int_equal(le32_get(dsdt + 4), 36 + sizeof(s5_aml));
	assert_int_equal(acpi_table_check(dsdt, le32_get(dsdt + 4), &why), E_OK);
	assert_memory_equal(dsdt + 36, s5_aml, sizeof(s5_aml));
}

static void test_checksums_change_with_content(void **state)
{
	struct guest *g = *state;
	const struct acpi_table_ref *ref;
	const char *why = NULL;
	uint8_t *m;

	build_and_parse(g, 4);
	ref = acpi_find(&acpi, "APIC", 0);
	m = g->mem + ref->pa;
	m[ref->length - 1] ^= 1;
	assert_int_equal(acpi_table_check(m, ref->length, &why), E_CHECKSUM);
}

static void test_limit_too_small(void **state)
{
	struct guest *g = *state;
	uint64_t need = acpi_gen_size(TABLE_GPA, 4), rsdp = 7, used = 7;

	assert_int_equal(acpi_gen_build(g->mem, g->size, TABLE_GPA, need - 1, 4, &rsdp, &used),
			 E_NOMEM);
	assert_int_equal(rsdp, 7);
	assert_int_equal(used, 7);
	assert_int_equal(g->mem[TABLE_GPA], 0);
	assert_true(fake_printk_contains("enlarge the ACPI area"));
	assert_int_equal(acpi_gen_build(g->mem, g->size, TABLE_GPA, need, 4, &rsdp, &used), E_OK);
	assert_int_equal(used, need);
	assert_int_equal(acpi_gen_build(g->mem, g->size, TABLE_GPA, 0x100, 300, &rsdp, &used),
			 E_NOMEM);
}

static void test_outside_guest_memory(void **state)
{
	struct guest *g = *state;
	uint64_t rsdp, used;

	assert_int_equal(acpi_gen_build(g->mem, g->size, GUEST_SIZE, 0x1000, 1, &rsdp, &used),
			 E_RANGE);
	assert_int_equal(acpi_gen_build(g->mem, g->size, GUEST_SIZE - 0x100, 0x1000, 1, &rsdp,
					&used), E_RANGE);
	assert_int_equal(acpi_gen_build(g->mem, g->size, UINT64_MAX - 15, 0x1000, 1, &rsdp,
					&used), E_RANGE);
	assert_true(fake_printk_contains("outside the guest"));
	/* Fits exactly at the very end of memory. */
	used = acpi_gen_size(GUEST_SIZE - 0x1000, 1);
	assert_int_equal(acpi_gen_build(g->mem, g->size, GUEST_SIZE - 0x1000, 0x1000, 1, &rsdp,
					&used), E_OK);
}

static void test_bad_arguments(void **state)
{
	struct guest *g = *state;
	uint64_t rsdp, used;

	assert_int_equal(acpi_gen_build(g->mem, g->size, TABLE_GPA, TABLE_LIMIT, 0, &rsdp, &used),
			 E_INVAL);
	assert_int_equal(acpi_gen_build(g->mem, g->size, TABLE_GPA, 0x100000,
					ACPI_GEN_MAX_CPUS + 1, &rsdp, &used), E_INVAL);
	assert_int_equal(acpi_gen_build(NULL, g->size, TABLE_GPA, TABLE_LIMIT, 1, &rsdp, &used),
			 E_INVAL);
	assert_int_equal(acpi_gen_build(g->mem, g->size, TABLE_GPA + 4, TABLE_LIMIT, 1, &rsdp,
					&used), E_ALIGN);
}

static void test_max_cpus(void **state)
{
	struct guest *g = *state;
	uint64_t rsdp, used;

	assert_int_equal(acpi_gen_build(g->mem, g->size, TABLE_GPA, 0x100000, ACPI_GEN_MAX_CPUS,
					&rsdp, &used), E_OK);
	assert_int_equal(acpi_gen_build(g->mem, g->size, TABLE_GPA, TABLE_LIMIT, 4, &rsdp, &used),
			 E_OK);
	build_and_parse(g, ACPI_GEN_MAX_CPUS);
	assert_cpus(ACPI_GEN_MAX_CPUS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_cpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_four_cpus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_300_cpus_use_x2apic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_254_and_255_boundary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rsdt_matches_xsdt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fadt_facs_dsdt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checksums_change_with_content, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_limit_too_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outside_guest_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_cpus, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
