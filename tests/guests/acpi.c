/*
 * Finds the CPUs the firmware describes: the RSDP (MB2 tag or BIOS scan,
 * ACPI 6.5 section 5.2.5.1), the RSDT/XSDT, and the MADT's enabled Processor
 * Local APIC (type 0) and Processor Local x2APIC (type 9) entries (5.2.12).
 */
#include "mbtest.h"

uint32_t madt_ids[MAX_CPUS];
int madt_ncpus;
uint32_t madt_ioapic;
uint32_t madt_isa_gsi[16];

static uint64_t rd64(const void *p)
{
	return *(const uint64_t *)p;
}

static uint32_t rd32(const void *p)
{
	return *(const uint32_t *)p;
}

static int checksum_ok(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum == 0;
}

static const uint8_t *scan_rsdp(uintptr_t start, uintptr_t len)
{
	uintptr_t p;

	for (p = start; p + 20 <= start + len; p += 16)
		if (!memcmp((const void *)p, "RSD PTR ", 8) && checksum_ok((const void *)p, 20))
			return (const uint8_t *)p;
	return NULL;
}

static const uint8_t *find_rsdp(const char **where)
{
	uintptr_t ebda = (uintptr_t)(*(const uint16_t *)phys(0x40e)) << 4;
	const uint8_t *r;

	if (boot.rsdp && !memcmp(boot.rsdp, "RSD PTR ", 8)) {
		*where = "multiboot2 tag";
		return boot.rsdp;
	}
	if (ebda >= 0x80000 && ebda < 0xa0000) {
		r = scan_rsdp(ebda, 1024);
		if (r) {
			*where = "EBDA";
			return r;
		}
	}
	*where = "BIOS area";
	return scan_rsdp(0xe0000, 0x20000);
}

static void add_cpu(uint32_t id)
{
	int i;

	for (i = 0; i < madt_ncpus; i++)
		if (madt_ids[i] == id)
			return;
	if (madt_ncpus < MAX_CPUS)
		madt_ids[madt_ncpus++] = id;
}

/* Returns 1 and fills madt_ids when a valid MADT was found. */
int acpi_find_cpus(char *why, size_t n)
{
	const char *where;
	const uint8_t *rsdp = find_rsdp(&where), *madt = NULL, *root;
	uint32_t len, i, entsz;
	uintptr_t e, end;

	if (!rsdp) {
		snprintf(why, n, "no RSDP with a valid checksum");
		return 0;
	}
	if (rsdp[15] >= 2 && rd64(rsdp + 24) && rd64(rsdp + 24) < 0x100000000ull) {
		if (!checksum_ok(rsdp, rd32(rsdp + 20))) {
			snprintf(why, n, "RSDP extended checksum is wrong");
			return 0;
		}
		root = (const uint8_t *)(uintptr_t)rd64(rsdp + 24);
		entsz = 8;
	} else {
		root = (const uint8_t *)(uintptr_t)rd32(rsdp + 16);
		entsz = 4;
	}
	printf("mbtest: RSDP at %x (%s), revision %u, %s at %x\n", (uint32_t)(uintptr_t)rsdp, where,
	       rsdp[15], entsz == 8 ? "XSDT" : "RSDT", (uint32_t)(uintptr_t)root);
	if (memcmp(root, entsz == 8 ? "XSDT" : "RSDT", 4)) {
		snprintf(why, n, "root table signature is not %s", entsz == 8 ? "XSDT" : "RSDT");
		return 0;
	}
	len = rd32(root + 4);
	if (len < 36 || len > 0x10000 || !checksum_ok(root, len)) {
		snprintf(why, n, "root table length %u or checksum is wrong", len);
		return 0;
	}
	for (i = 36; i + entsz <= len; i += entsz) {
		uint64_t a = entsz == 8 ? rd64(root + i) : rd32(root + i);

		if (a && a < 0x100000000ull && !memcmp((const void *)(uintptr_t)a, "APIC", 4)) {
			madt = (const uint8_t *)(uintptr_t)a;
			break;
		}
	}
	if (!madt) {
		snprintf(why, n, "no APIC (MADT) table in the root table");
		return 0;
	}
	len = rd32(madt + 4);
	if (len < 44 || len > 0x10000 || !checksum_ok(madt, len)) {
		snprintf(why, n, "MADT length %u or checksum is wrong", len);
		return 0;
	}
	end = (uintptr_t)madt + len;
	for (e = (uintptr_t)madt + 44; e + 2 <= end; e += ((const uint8_t *)e)[1]) {
		const uint8_t *p = (const uint8_t *)e;

		if (p[1] < 2 || e + p[1] > end) {
			snprintf(why, n, "MADT entry type %u at %x has length %u", p[0], e, p[1]);
			return 0;
		}
		if (p[0] == 0 && p[1] >= 8 && (rd32(p + 4) & 1))
			add_cpu(p[3]);
		else if (p[0] == 9 && p[1] >= 16 && (rd32(p + 8) & 1))
			add_cpu(rd32(p + 4));
		else if (p[0] == 1 && p[1] >= 12 && !madt_ioapic && rd32(p + 8) == 0)
			madt_ioapic = rd32(p + 4); /* the I/O APIC with GSI base 0 */
		else if (p[0] == 2 && p[1] >= 10 && p[2] == 0 && p[3] < 16)
			madt_isa_gsi[p[3]] = rd32(p + 4) + 1; /* ISA IRQ override, +1: set */
	}
	return 1;
}
