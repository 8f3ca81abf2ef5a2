/* SPDX-License-Identifier: MIT */
/*
 * ACPI discovery, MADT and FADT parsing: finds and checks the RSDP, walks the
 * XSDT/RSDT recording every table whose header and checksum are sound, turns
 * the MADT into lists of CPUs, I/O APICs, overrides and NMI inputs, and finds
 * the PM timer in the FADT.
 */
#include "arch/x86/acpi.h"
#include "lib/bytes.h"
#include "lib/printk.h"
#include "lib/string.h"

/* ACPI 6.5 5.2.5.1: where BIOS firmware may place the RSDP */
#define BDA_EBDA_SEGMENT_PA 0x40Eu
#define BDA_END 0x500u
#define EBDA_SCAN_LEN 1024u
#define EBDA_LIMIT 0xA0000u
#define BIOS_ROM_START 0xE0000u
#define BIOS_ROM_END 0x100000u
#define RSDP_ALIGN 16u
#define REAL_MODE_SEGMENT_SHIFT 4

/* Duplicate APIC IDs are listed one by one up to this many, then counted. */
#define MADT_DUP_WARN_MAX 8

static uint8_t acpi_sum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *p++);
	return sum;
}

static bool acpi_printable(uint8_t c)
{
	return c > ' ' && c < 0x7F;
}

/* Copies n bytes as a NUL-terminated string, unprintable bytes shown as '?'. */
static void acpi_copy_name(char *dst, const uint8_t *src, size_t n, bool allow_space)
{
	bool ok;
	size_t i;

	for (i = 0; i < n; i++) {
		ok = acpi_printable(src[i]) || (allow_space && src[i] == ' ');
		dst[i] = ok ? (char)src[i] : '?';
	}
	dst[n] = '\0';
}

/* ---- RSDP ---------------------------------------------------------------- */

static enum err rsdp_fail(struct acpi_rsdp_info *out, enum err e, const char *why)
{
	out->why = why;
	return e;
}

enum err acpi_rsdp_validate(const void *rsdp, size_t len, struct acpi_rsdp_info *out)
{
	const uint8_t *p = rsdp;

	memset(out, 0, sizeof(*out));
	if (!p || len < ACPI_RSDP_V1_LEN)
		return rsdp_fail(out, E_TRUNC, "RSDP shorter than the 20-byte ACPI 1.0 structure");
	if (memcmp(p, ACPI_RSDP_SIG, ACPI_RSDP_SIG_LEN) != 0)
		return rsdp_fail(out, E_BADSIG, "RSDP signature is not \"RSD PTR \"");
	if (acpi_sum(p, ACPI_RSDP_V1_LEN) != 0)
		return rsdp_fail(out, E_CHECKSUM, "RSDP checksum over its first 20 bytes is not 0");
	out->revision = p[ACPI_RSDP_OFF_REVISION];
	out->rsdt_pa = le32_get(p + ACPI_RSDP_OFF_RSDT);
	out->length = ACPI_RSDP_V1_LEN;
	acpi_copy_name(out->oem_id, p + ACPI_RSDP_OFF_OEM_ID, ACPI_OEM_ID_LEN, true);
	if (out->revision < ACPI_RSDP_REVISION_V2)
		return E_OK;
	if (len < ACPI_RSDP_V2_LEN)
		return rsdp_fail(out, E_TRUNC, "revision >= 2 RSDP shorter than 36 bytes");
	out->length = le32_get(p + ACPI_RSDP_OFF_LENGTH);
	if (out->length < ACPI_RSDP_V2_LEN)
		return rsdp_fail(out, E_MALFORMED, "revision >= 2 RSDP Length field below 36");
	if (out->length > ACPI_RSDP_MAX_LEN)
		return rsdp_fail(out, E_RANGE, "RSDP Length field above the 4 KiB sanity cap");
	if (out->length > len)
		return rsdp_fail(out, E_TRUNC, "RSDP Length field runs past the readable bytes");
	if (acpi_sum(p, out->length) != 0)
		return rsdp_fail(out, E_CHECKSUM, "RSDP extended checksum (Length bytes) is not 0");
	out->xsdt_pa = le64_get(p + ACPI_RSDP_OFF_XSDT);
	return E_OK;
}

/* Maps as much of a candidate RSDP as its own Length asks for, then checks it. */
static enum err rsdp_probe(acpi_map_fn map, void *ctx, uint64_t pa, struct acpi_rsdp_info *out)
{
	const uint8_t *p = map(ctx, pa, ACPI_RSDP_V2_LEN);
	size_t avail = ACPI_RSDP_V2_LEN;
	const uint8_t *whole;
	uint32_t len;

	if (!p) {
		p = map(ctx, pa, ACPI_RSDP_V1_LEN);
		avail = ACPI_RSDP_V1_LEN;
	}
	if (!p)
		return rsdp_fail(out, E_RANGE, "RSDP candidate not readable");
	if (avail == ACPI_RSDP_V2_LEN && p[ACPI_RSDP_OFF_REVISION] >= ACPI_RSDP_REVISION_V2) {
		len = le32_get(p + ACPI_RSDP_OFF_LENGTH);
		whole = NULL;
		if (len > ACPI_RSDP_V2_LEN && len <= ACPI_RSDP_MAX_LEN)
			whole = map(ctx, pa, len);
		if (whole) {
			p = whole;
			avail = len;
		}
	}
	return acpi_rsdp_validate(p, avail, out);
}

static bool rsdp_scan_range(acpi_map_fn map, void *ctx, uint64_t start, uint64_t end,
			    uint64_t *rsdp_pa, struct acpi_rsdp_info *out)
{
	const uint8_t *sig;
	uint64_t pa;

	for (pa = start; pa + ACPI_RSDP_SIG_LEN <= end; pa += RSDP_ALIGN) {
		sig = map(ctx, pa, ACPI_RSDP_SIG_LEN);
		if (!sig || memcmp(sig, ACPI_RSDP_SIG, ACPI_RSDP_SIG_LEN) != 0)
			continue;
		if (rsdp_probe(map, ctx, pa, out) == E_OK) {
			*rsdp_pa = pa;
			return true;
		}
		pr_debug("acpi: RSDP candidate at 0x%llx rejected: %s\n", (unsigned long long)pa,
			 out->why);
	}
	return false;
}

enum err acpi_rsdp_scan(acpi_map_fn map, void *ctx, uint64_t *rsdp_pa,
			struct acpi_rsdp_info *out)
{
	const uint8_t *seg = map(ctx, BDA_EBDA_SEGMENT_PA, sizeof(uint16_t));
	uint64_t ebda;

	if (seg) {
		ebda = (uint64_t)le16_get(seg) << REAL_MODE_SEGMENT_SHIFT;
		if (ebda >= BDA_END && ebda + EBDA_SCAN_LEN <= EBDA_LIMIT &&
		    rsdp_scan_range(map, ctx, ebda, ebda + EBDA_SCAN_LEN, rsdp_pa, out))
			return E_OK;
	}
	if (rsdp_scan_range(map, ctx, BIOS_ROM_START, BIOS_ROM_END, rsdp_pa, out))
		return E_OK;
	memset(out, 0, sizeof(*out));
	out->why = "no RSDP with a valid checksum in the EBDA or 0xE0000-0xFFFFF";
	return E_NOENT;
}

/* ---- table headers and the root table walk -------------------------------- */

static enum err acpi_header_check(const uint8_t *t, const char **why)
{
	uint32_t len = le32_get(t + ACPI_HDR_OFF_LENGTH);
	int i;

	for (i = 0; i < ACPI_SIG_LEN; i++) {
		if (!acpi_printable(t[i])) {
			*why = "signature has a non-printable byte";
			return E_BADSIG;
		}
	}
	if (len < ACPI_HEADER_LEN) {
		*why = "Length field below the 36-byte header";
		return E_MALFORMED;
	}
	if (len > ACPI_TABLE_MAX_LEN) {
		*why = "Length field above the 1 MiB sanity cap";
		return E_RANGE;
	}
	return E_OK;
}

enum err acpi_table_check(const void *table, size_t avail, const char **why)
{
	const uint8_t *t = table;
	enum err e;

	if (!t || avail < ACPI_HEADER_LEN) {
		*why = "fewer readable bytes than the 36-byte header";
		return E_TRUNC;
	}
	e = acpi_header_check(t, why);
	if (e != E_OK)
		return e;
	if (le32_get(t + ACPI_HDR_OFF_LENGTH) > avail) {
		*why = "Length field runs past the readable bytes";
		return E_TRUNC;
	}
	if (acpi_sum(t, le32_get(t + ACPI_HDR_OFF_LENGTH)) != 0) {
		*why = "checksum over Length bytes is not 0";
		return E_CHECKSUM;
	}
	return E_OK;
}

/*
 * Maps the table at pa: its header first, then all Length bytes once the header
 * is sane. On failure *sig holds what could be read of its signature.
 */
static enum err acpi_map_table(const struct acpi *acpi, uint64_t pa, const uint8_t **table,
			       char sig[ACPI_SIG_LEN + 1], const char **why)
{
	const uint8_t *t = acpi->map(acpi->ctx, pa, ACPI_HEADER_LEN);
	uint32_t len;
	enum err e;

	memcpy(sig, "????", ACPI_SIG_LEN + 1);
	if (!t) {
		*why = "header not readable (outside mapped memory)";
		return E_RANGE;
	}
	acpi_copy_name(sig, t, ACPI_SIG_LEN, false);
	e = acpi_header_check(t, why);
	if (e != E_OK)
		return e;
	len = le32_get(t + ACPI_HDR_OFF_LENGTH);
	t = acpi->map(acpi->ctx, pa, len);
	if (!t) {
		*why = "Length field runs past readable memory";
		return E_TRUNC;
	}
	e = acpi_table_check(t, len, why);
	if (e == E_OK)
		*table = t;
	return e;
}

static void acpi_record(struct acpi *acpi, uint64_t pa, const uint8_t *t, const char *sig)
{
	struct acpi_table_ref *ref;

	if (acpi->count == ACPI_MAX_TABLES) {
		if (acpi->dropped++ == 0)
			pr_warn("acpi: more than %u tables; '%s' at 0x%llx and later ones are "
				"not used\n", ACPI_MAX_TABLES, sig, (unsigned long long)pa);
		return;
	}
	ref = &acpi->tables[acpi->count++];
	memcpy(ref->sig, sig, sizeof(ref->sig));
	ref->revision = t[ACPI_HDR_OFF_REVISION];
	ref->length = le32_get(t + ACPI_HDR_OFF_LENGTH);
	ref->pa = pa;
}

static void acpi_walk_entry(struct acpi *acpi, const uint8_t *root, uint32_t index,
			    size_t entry_len)
{
	const uint8_t *e = root + ACPI_HEADER_LEN + (size_t)index * entry_len;
	uint64_t pa = entry_len == ACPI_XSDT_ENTRY_LEN ? le64_get(e) : le32_get(e);
	char sig[ACPI_SIG_LEN + 1];
	const uint8_t *t = NULL;
	const char *why = NULL;

	if (pa == 0) {
		memcpy(sig, "????", sizeof(sig));
		why = "null address";
	} else if (acpi_map_table(acpi, pa, &t, sig, &why) == E_OK) {
		acpi_record(acpi, pa, t, sig);
		return;
	}
	acpi->ignored++;
	acpi->why = why;
	acpi->where = pa;
	pr_warn("acpi: table '%s' at 0x%llx (root entry %u): %s; ignored\n", sig,
		(unsigned long long)pa, index, why);
}

/* Checks the root table at pa and records every table it lists. */
static enum err acpi_walk_root(struct acpi *acpi, uint64_t pa, bool xsdt)
{
	size_t entry_len = xsdt ? ACPI_XSDT_ENTRY_LEN : ACPI_RSDT_ENTRY_LEN;
	const char *want = xsdt ? "XSDT" : "RSDT";
	char sig[ACPI_SIG_LEN + 1];
	const uint8_t *root = NULL;
	uint32_t n, i, len;
	enum err e;

	acpi->where = pa;
	e = acpi_map_table(acpi, pa, &root, sig, &acpi->why);
	if (e != E_OK)
		return e;
	if (memcmp(sig, want, ACPI_SIG_LEN) != 0) {
		acpi->why = xsdt ? "XSDT address holds another table" :
				   "RSDT address holds another table";
		return E_BADSIG;
	}
	len = le32_get(root + ACPI_HDR_OFF_LENGTH);
	n = (uint32_t)((len - ACPI_HEADER_LEN) / entry_len);
	if ((len - ACPI_HEADER_LEN) % entry_len)
		pr_warn("acpi: %s at 0x%llx: Length %u leaves a partial entry; the trailing bytes "
			"are ignored\n", want, (unsigned long long)pa, len);
	acpi->root_pa = pa;
	acpi->root_is_xsdt = xsdt;
	acpi->why = NULL;
	for (i = 0; i < n; i++)
		acpi_walk_entry(acpi, root, i, entry_len);
	return E_OK;
}

enum err acpi_init(struct acpi *acpi, const struct acpi_rsdp_info *rsdp, acpi_map_fn map,
		   void *ctx)
{
	enum err e = E_NOENT;

	memset(acpi, 0, sizeof(*acpi));
	acpi->map = map;
	acpi->ctx = ctx;
	acpi->why = "RSDP gives neither an XSDT nor an RSDT address";
	if (rsdp->revision >= ACPI_RSDP_REVISION_V2 && rsdp->xsdt_pa) {
		e = acpi_walk_root(acpi, rsdp->xsdt_pa, true);
		if (e == E_OK)
			return E_OK;
		pr_warn("acpi: XSDT at 0x%llx: %s; %s\n", (unsigned long long)rsdp->xsdt_pa,
			acpi->why, rsdp->rsdt_pa ? "falling back to the RSDT" : "no RSDT either");
	}
	if (rsdp->rsdt_pa)
		e = acpi_walk_root(acpi, rsdp->rsdt_pa, false);
	if (e != E_OK)
		pr_warn("acpi: no usable root table (%s at 0x%llx: %s); ACPI tables are not used, "
			"check the firmware's ACPI setting\n", err_name(e),
			(unsigned long long)acpi->where, acpi->why);
	return e;
}

const struct acpi_table_ref *acpi_find(const struct acpi *acpi, const char sig[ACPI_SIG_LEN],
				       unsigned instance)
{
	uint32_t i;

	for (i = 0; i < acpi->count; i++) {
		if (memcmp(acpi->tables[i].sig, sig, ACPI_SIG_LEN) == 0 && instance-- == 0)
			return &acpi->tables[i];
	}
	return NULL;
}

const void *acpi_table_map(const struct acpi *acpi, const struct acpi_table_ref *ref)
{
	return acpi->map(acpi->ctx, ref->pa, ref->length);
}

/* ---- MADT ------------------------------------------------------------------ */

static const char *madt_entry_name(bool x2apic)
{
	return x2apic ? "x2APIC (type 9)" : "local APIC (type 0)";
}

static const struct acpi_cpu *madt_find_cpu(const struct acpi_madt *m, uint32_t apic_id)
{
	uint32_t i;

	for (i = 0; i < m->cpu_count; i++) {
		if (m->cpus[i].apic_id == apic_id)
			return &m->cpus[i];
	}
	return NULL;
}

static void madt_duplicate(struct acpi_madt *m, const struct acpi_cpu *first, bool x2apic,
			   size_t off)
{
	m->cpus_duplicate++;
	if (m->cpus_duplicate <= MADT_DUP_WARN_MAX)
		pr_warn("acpi: MADT %s entry at offset %zu repeats APIC ID %u (first listed by a "
			"%s entry, uid %u); kept once\n", madt_entry_name(x2apic), off,
			first->apic_id, madt_entry_name(first->x2apic_entry), first->acpi_uid);
	if (m->cpus_duplicate == MADT_DUP_WARN_MAX + 1)
		pr_warn("acpi: MADT: further duplicate APIC IDs are counted, not listed\n");
}

/* ACPI 6.5 5.2.12.2: Enabled means usable now; Online Capable means hot-pluggable. */
static void madt_add_cpu(struct acpi_madt *m, uint32_t apic_id, uint32_t uid, uint32_t flags,
			 bool x2apic, size_t off)
{
	bool enabled = flags & ACPI_MADT_CPU_ENABLED;
	bool online = !enabled && (flags & ACPI_MADT_CPU_ONLINE_CAPABLE);
	const struct acpi_cpu *first;
	struct acpi_cpu *c;

	if (!enabled && !online) {
		m->cpus_disabled++;
		return;
	}
	first = madt_find_cpu(m, apic_id);
	if (first) {
		madt_duplicate(m, first, x2apic, off);
		return;
	}
	if (m->cpu_count == ACPI_MAX_CPUS) {
		m->cpus_dropped++;
		return;
	}
	c = &m->cpus[m->cpu_count++];
	c->apic_id = apic_id;
	c->acpi_uid = uid;
	c->enabled = enabled;
	c->online_capable = online;
	c->x2apic_entry = x2apic;
	if (enabled)
		m->cpus_enabled++;
	else
		m->cpus_online_capable++;
}

static void madt_lapic(struct acpi_madt *m, const uint8_t *e, size_t off)
{
	if (e[ACPI_MADT_LAPIC_OFF_ID] == ACPI_XAPIC_ID_NONE) {
		m->cpus_id_none++;
		return;
	}
	madt_add_cpu(m, e[ACPI_MADT_LAPIC_OFF_ID], e[ACPI_MADT_LAPIC_OFF_UID],
		     le32_get(e + ACPI_MADT_LAPIC_OFF_FLAGS), false, off);
}

static void madt_x2apic(struct acpi_madt *m, const uint8_t *e, size_t off)
{
	madt_add_cpu(m, le32_get(e + ACPI_MADT_X2APIC_OFF_ID),
		     le32_get(e + ACPI_MADT_X2APIC_OFF_UID),
		     le32_get(e + ACPI_MADT_X2APIC_OFF_FLAGS), true, off);
}

static void madt_ioapic(struct acpi_madt *m, const uint8_t *e, size_t off)
{
	struct acpi_ioapic *io;

	if (m->ioapic_count == ACPI_MAX_IOAPICS) {
		m->ioapics_dropped++;
		return;
	}
	io = &m->ioapics[m->ioapic_count++];
	io->id = e[ACPI_MADT_IOAPIC_OFF_ID];
	io->address = le32_get(e + ACPI_MADT_IOAPIC_OFF_ADDRESS);
	io->gsi_base = le32_get(e + ACPI_MADT_IOAPIC_OFF_GSI_BASE);
}

static void madt_iso(struct acpi_madt *m, const uint8_t *e, size_t off)
{
	struct acpi_iso *iso;

	if (m->iso_count == ACPI_MAX_ISOS) {
		m->isos_dropped++;
		return;
	}
	iso = &m->isos[m->iso_count++];
	iso->bus = e[ACPI_MADT_ISO_OFF_BUS];
	iso->source = e[ACPI_MADT_ISO_OFF_SOURCE];
	iso->gsi = le32_get(e + ACPI_MADT_ISO_OFF_GSI);
	iso->flags = le16_get(e + ACPI_MADT_ISO_OFF_FLAGS);
}

static void madt_add_nmi(struct acpi_madt *m, uint32_t uid, uint16_t flags, uint8_t lint,
			 bool x2apic)
{
	struct acpi_lapic_nmi *nmi;

	if (m->nmi_count == ACPI_MAX_LAPIC_NMIS) {
		m->nmis_dropped++;
		return;
	}
	nmi = &m->nmis[m->nmi_count++];
	nmi->acpi_uid = uid;
	nmi->flags = flags;
	nmi->lint = lint;
	nmi->x2apic_entry = x2apic;
}

static void madt_lapic_nmi(struct acpi_madt *m, const uint8_t *e, size_t off)
{
	madt_add_nmi(m, e[ACPI_MADT_LAPIC_NMI_OFF_UID], le16_get(e + ACPI_MADT_LAPIC_NMI_OFF_FLAGS),
		     e[ACPI_MADT_LAPIC_NMI_OFF_LINT], false);
}

static void madt_x2apic_nmi(struct acpi_madt *m, const uint8_t *e, size_t off)
{
	madt_add_nmi(m, le32_get(e + ACPI_MADT_X2APIC_NMI_OFF_UID),
		     le16_get(e + ACPI_MADT_X2APIC_NMI_OFF_FLAGS), e[ACPI_MADT_X2APIC_NMI_OFF_LINT],
		     true);
}

static void madt_lapic_override(struct acpi_madt *m, const uint8_t *e, size_t off)
{
	m->lapic_address = le64_get(e + ACPI_MADT_LAPIC_OVERRIDE_OFF_ADDRESS);
	m->lapic_overridden = true;
}

struct madt_kind {
	uint8_t type;
	uint8_t min_len;
	void (*parse)(struct acpi_madt *m, const uint8_t *e, size_t off);
};

static const struct madt_kind madt_kinds[] = {
	{ ACPI_MADT_LAPIC, ACPI_MADT_LAPIC_LEN, madt_lapic },
	{ ACPI_MADT_IOAPIC, ACPI_MADT_IOAPIC_LEN, madt_ioapic },
	{ ACPI_MADT_ISO, ACPI_MADT_ISO_LEN, madt_iso },
	{ ACPI_MADT_LAPIC_NMI, ACPI_MADT_LAPIC_NMI_LEN, madt_lapic_nmi },
	{ ACPI_MADT_LAPIC_OVERRIDE, ACPI_MADT_LAPIC_OVERRIDE_LEN, madt_lapic_override },
	{ ACPI_MADT_X2APIC, ACPI_MADT_X2APIC_LEN, madt_x2apic },
	{ ACPI_MADT_X2APIC_NMI, ACPI_MADT_X2APIC_NMI_LEN, madt_x2apic_nmi },
};

static const struct madt_kind *madt_kind(uint8_t type)
{
	size_t i;

	for (i = 0; i < sizeof(madt_kinds) / sizeof(madt_kinds[0]); i++) {
		if (madt_kinds[i].type == type)
			return &madt_kinds[i];
	}
	return NULL;
}

static enum err madt_fail(struct acpi_madt *m, enum err e, size_t off, const char *why)
{
	m->why = why;
	m->where = off;
	pr_warn("acpi: MADT rejected at byte offset %zu: %s (%s); the firmware's table is "
		"corrupt, try a firmware update\n", off, why, err_name(e));
	return e;
}

static enum err madt_check_header(const uint8_t *p, size_t len, struct acpi_madt *m)
{
	if (!p || len < ACPI_MADT_ENTRIES_OFF)
		return madt_fail(m, E_TRUNC, 0, "fewer readable bytes than the 44-byte header");
	if (memcmp(p, "APIC", ACPI_SIG_LEN) != 0)
		return madt_fail(m, E_BADSIG, 0, "signature is not \"APIC\"");
	if (le32_get(p + ACPI_HDR_OFF_LENGTH) < ACPI_MADT_ENTRIES_OFF)
		return madt_fail(m, E_MALFORMED, ACPI_HDR_OFF_LENGTH, "Length field below 44");
	if (le32_get(p + ACPI_HDR_OFF_LENGTH) > len)
		return madt_fail(m, E_TRUNC, ACPI_HDR_OFF_LENGTH,
				 "Length field runs past the readable bytes");
	return E_OK;
}

static enum err madt_entry(struct acpi_madt *m, const uint8_t *p, size_t off, size_t end)
{
	const struct madt_kind *kind;
	uint8_t elen;

	if (end - off < ACPI_MADT_ENTRY_HEADER_LEN)
		return madt_fail(m, E_TRUNC, off, "entry header (type, length) runs past the end");
	elen = p[off + 1];
	if (elen < ACPI_MADT_ENTRY_HEADER_LEN)
		return madt_fail(m, E_MALFORMED, off, "entry length below 2");
	if (elen > end - off)
		return madt_fail(m, E_TRUNC, off, "entry runs past the end of the table");
	kind = madt_kind(p[off]);
	if (!kind) {
		m->other_count++;
		return E_OK;
	}
	if (elen < kind->min_len)
		return madt_fail(m, E_TRUNC, off, "entry shorter than its type's structure");
	kind->parse(m, p + off, off);
	return E_OK;
}

static void madt_warn_dropped(uint32_t n, const char *what, unsigned cap)
{
	if (n)
		pr_warn("acpi: MADT lists %u %s beyond the %u supported; they are not used "
			"(raise the cap in arch/x86/acpi.h)\n", n, what, cap);
}

enum err acpi_parse_madt(const void *madt, size_t len, struct acpi_madt *out)
{
	const uint8_t *p = madt;
	size_t off, end;
	enum err e;

	memset(out, 0, sizeof(*out));
	e = madt_check_header(p, len, out);
	if (e != E_OK)
		return e;
	end = le32_get(p + ACPI_HDR_OFF_LENGTH);
	out->lapic_address = le32_get(p + ACPI_MADT_OFF_LAPIC_ADDRESS);
	out->flags = le32_get(p + ACPI_MADT_OFF_FLAGS);
	for (off = ACPI_MADT_ENTRIES_OFF; off < end; off += p[off + 1]) {
		e = madt_entry(out, p, off, end);
		if (e != E_OK)
			return e;
	}
	madt_warn_dropped(out->cpus_dropped, "usable CPUs", ACPI_MAX_CPUS);
	madt_warn_dropped(out->ioapics_dropped, "I/O APICs", ACPI_MAX_IOAPICS);
	madt_warn_dropped(out->isos_dropped, "interrupt source overrides", ACPI_MAX_ISOS);
	madt_warn_dropped(out->nmis_dropped, "local APIC NMI entries", ACPI_MAX_LAPIC_NMIS);
	return E_OK;
}

/* ---- report ------------------------------------------------------------------ */

static const char *inti_polarity(uint16_t flags)
{
	switch (flags & ACPI_INTI_POLARITY_MASK) {
	case ACPI_INTI_POLARITY_HIGH:
		return "active high";
	case ACPI_INTI_POLARITY_LOW:
		return "active low";
	case 0:
		return "bus-default polarity";
	default:
		return "reserved polarity";
	}
}

static const char *inti_trigger(uint16_t flags)
{
	switch (flags & ACPI_INTI_TRIGGER_MASK) {
	case ACPI_INTI_TRIGGER_EDGE:
		return "edge";
	case ACPI_INTI_TRIGGER_LEVEL:
		return "level";
	case 0:
		return "bus-default trigger";
	default:
		return "reserved trigger";
	}
}

static void madt_report_cpus(const struct acpi_madt *m)
{
	uint32_t i;
	const struct acpi_cpu *c;

	pr_info("acpi: MADT: %u CPUs (%u enabled, %u online-capable); %u disabled entries, "
		"%u duplicates, %u over the cap of %u\n", m->cpu_count, m->cpus_enabled,
		m->cpus_online_capable, m->cpus_disabled, m->cpus_duplicate, m->cpus_dropped,
		ACPI_MAX_CPUS);
	for (i = 0; i < m->cpu_count; i++) {
		c = &m->cpus[i];
		pr_debug("acpi: CPU APIC ID %u uid %u %s%s\n", c->apic_id, c->acpi_uid,
			 c->enabled ? "enabled" : "online-capable (not present)",
			 c->x2apic_entry ? " (x2APIC entry)" : "");
	}
}

static void madt_report_irqs(const struct acpi_madt *m)
{
	const struct acpi_lapic_nmi *nmi;
	const struct acpi_iso *iso;
	uint32_t i;
	bool all;

	for (i = 0; i < m->ioapic_count; i++)
		pr_info("acpi: I/O APIC id %u at 0x%x, GSI base %u\n", m->ioapics[i].id,
			m->ioapics[i].address, m->ioapics[i].gsi_base);
	for (i = 0; i < m->iso_count; i++) {
		iso = &m->isos[i];
		pr_info("acpi: override bus %u IRQ %u -> GSI %u, %s, %s\n", iso->bus, iso->source,
			iso->gsi, inti_polarity(iso->flags), inti_trigger(iso->flags));
	}
	for (i = 0; i < m->nmi_count; i++) {
		nmi = &m->nmis[i];
		all = nmi->acpi_uid == (nmi->x2apic_entry ? ACPI_NMI_ALL_CPUS_UID32 :
							    ACPI_NMI_ALL_CPUS_UID8);
		if (all)
			pr_info("acpi: NMI on LINT%u of every CPU\n", nmi->lint);
		else
			pr_info("acpi: NMI on LINT%u of CPU uid %u\n", nmi->lint, nmi->acpi_uid);
	}
}

void acpi_madt_report(const struct acpi_madt *m)
{
	pr_info("acpi: MADT: local APIC at 0x%llx%s, %s\n", (unsigned long long)m->lapic_address,
		m->lapic_overridden ? " (64-bit override)" : "",
		m->flags & ACPI_MADT_PCAT_COMPAT ? "dual 8259 PICs present (PCAT_COMPAT)" :
						   "no 8259 PICs");
	madt_report_cpus(m);
	if (m->cpus_id_none)
		pr_info("acpi: MADT: %u local APIC entries with APIC ID 0xFF ignored\n",
			m->cpus_id_none);
	madt_report_irqs(m);
	if (m->other_count)
		pr_info("acpi: MADT: %u entries of other types skipped\n", m->other_count);
}

/* ---- FADT: the PM timer ------------------------------------------------------- */

static enum err fadt_fail(struct acpi_fadt *f, enum err e, const char *why)
{
	f->why = why;
	return e;
}

static void pm_timer_none(struct acpi_pm_timer *t, const char *why)
{
	t->present = false;
	t->why = why;
}

/* X_PM_TMR_BLK, a Generic Address Structure; false when it is all zero. */
static bool fadt_x_pm_timer(const uint8_t *p, struct acpi_pm_timer *t)
{
	const uint8_t *gas = p + ACPI_FADT_OFF_X_PM_TMR_BLK;
	uint64_t addr = le64_get(gas + ACPI_GAS_OFF_ADDRESS);

	if (!addr)
		return false;
	t->from_x_block = true;
	if (gas[ACPI_GAS_OFF_SPACE] != ACPI_GAS_SYSTEM_IO)
		pm_timer_none(t, "X_PM_TMR_BLK is not in system I/O space (memory-mapped PM "
				 "timers are not used)");
	else if (addr > ACPI_IO_PORT_MAX)
		pm_timer_none(t, "X_PM_TMR_BLK is beyond the 64 KiB I/O port space");
	else
		t->port = (uint16_t)addr;
	return true;
}

/* PM_TMR_BLK and PM_TMR_LEN, the ACPI 1.0 fields. */
static void fadt_pm_timer_v1(const uint8_t *p, struct acpi_pm_timer *t)
{
	uint32_t blk = le32_get(p + ACPI_FADT_OFF_PM_TMR_BLK);

	if (!blk)
		pm_timer_none(t, "PM_TMR_BLK is 0: the firmware lists no PM timer");
	else if (p[ACPI_FADT_OFF_PM_TMR_LEN] < ACPI_PM_TMR_LEN)
		pm_timer_none(t, "PM_TMR_LEN is below 4: the firmware lists no PM timer");
	else if (blk > ACPI_IO_PORT_MAX)
		pm_timer_none(t, "PM_TMR_BLK is beyond the 64 KiB I/O port space");
	else
		t->port = (uint16_t)blk;
}

enum err acpi_parse_fadt(const void *fadt, size_t len, struct acpi_fadt *out)
{
	const uint8_t *p = fadt;
	struct acpi_pm_timer *t = &out->pm_timer;
	const char *why = NULL;
	enum err e;

	memset(out, 0, sizeof(*out));
	e = acpi_table_check(p, len, &why);
	if (e != E_OK)
		return fadt_fail(out, e, why);
	if (memcmp(p, "FACP", ACPI_SIG_LEN) != 0)
		return fadt_fail(out, E_BADSIG, "signature is not \"FACP\"");
	out->length = le32_get(p + ACPI_HDR_OFF_LENGTH);
	out->revision = p[ACPI_HDR_OFF_REVISION];
	if (out->length < ACPI_FADT_V1_LEN)
		return fadt_fail(out, E_TRUNC, "Length below the 116 bytes of an ACPI 1.0 FADT");
	out->flags = le32_get(p + ACPI_FADT_OFF_FLAGS);
	t->present = true;
	t->bits = out->flags & ACPI_FADT_TMR_VAL_EXT ? ACPI_PM_TIMER_BITS_32 :
						       ACPI_PM_TIMER_BITS_24;
	if (out->flags & ACPI_FADT_HW_REDUCED)
		pm_timer_none(t, "hardware-reduced ACPI platform: no fixed PM timer");
	else if (out->length < ACPI_FADT_X_PM_TMR_END || !fadt_x_pm_timer(p, t))
		fadt_pm_timer_v1(p, t);
	if (!t->present)
		t->port = 0;
	return E_OK;
}

void acpi_fadt_report(const struct acpi_fadt *f)
{
	const struct acpi_pm_timer *t = &f->pm_timer;

	if (t->present)
		pr_info("acpi: FADT revision %u: PM timer at port 0x%x, %u-bit (%s)\n", f->revision,
			t->port, t->bits, t->from_x_block ? "X_PM_TMR_BLK" : "PM_TMR_BLK");
	else
		pr_info("acpi: FADT revision %u: no PM timer to use (%s)\n", f->revision, t->why);
}

enum err acpi_fadt_find(const struct acpi *acpi, struct acpi_fadt *out)
{
	const struct acpi_table_ref *ref = acpi_find(acpi, "FACP", 0);
	enum err e;

	memset(out, 0, sizeof(*out));
	if (!ref) {
		pr_info("acpi: no FADT, so no ACPI PM timer\n");
		return E_NOENT;
	}
	e = acpi_parse_fadt(acpi_table_map(acpi, ref), ref->length, out);
	if (e != E_OK) {
		pr_warn("acpi: FADT at 0x%llx rejected: %s (%s); its PM timer is not used\n",
			(unsigned long long)ref->pa, out->why, err_name(e));
		return e;
	}
	acpi_fadt_report(out);
	return E_OK;
}
