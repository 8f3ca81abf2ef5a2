/* SPDX-License-Identifier: MIT */
/*
 * ACPI table discovery (RSDP, RSDT/XSDT walk, header checks), MADT parsing and
 * the FADT's power-management timer.
 * Pure logic: firmware bytes are read only through a caller-supplied mapper, so
 * the same code runs in the kernel, in host unit tests and under libFuzzer.
 * Nothing read from a firmware table is trusted before it has been checked.
 */
#ifndef VIREO_ARCH_X86_ACPI_H
#define VIREO_ARCH_X86_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/x86/acpi_tables.h"
#include "lib/error.h"

/*
 * Returns a pointer through which the bytes [pa, pa + len) can be read, or
 * NULL when any part of that range is not readable (or pa + len wraps).
 * Kernel: phys_to_virt() bounded by what is mapped; tests: a fake memory image.
 */
typedef const void *(*acpi_map_fn)(void *ctx, uint64_t pa, size_t len);

#define ACPI_TABLE_MAX_LEN (1u << 20) /* sanity cap on any table's Length */
#define ACPI_MAX_TABLES 64
#define ACPI_RSDP_MAX_LEN 4096 /* sanity cap on the RSDP Length field */

/* A type-0 entry with this APIC ID is a placeholder; such CPUs use type 9. */
#define ACPI_XAPIC_ID_NONE 0xFFu
#define ACPI_IO_PORT_MAX 0xFFFFu

#define ACPI_MAX_CPUS 1024
#define ACPI_MAX_IOAPICS 64
#define ACPI_MAX_ISOS 48
#define ACPI_MAX_LAPIC_NMIS 256

struct acpi_rsdp_info {
	uint8_t revision;		/* 0 = ACPI 1.0; >= 2 has the XSDT fields */
	char oem_id[ACPI_OEM_ID_LEN + 1]; /* NUL-terminated, unprintables as '?' */
	uint32_t rsdt_pa;
	uint64_t xsdt_pa;		/* 0 when revision < 2 */
	uint32_t length;		/* bytes covered by the checksums */
	const char *why;		/* on failure: what was wrong */
};

struct acpi_table_ref {
	char sig[ACPI_SIG_LEN + 1];	/* NUL-terminated */
	uint8_t revision;
	uint32_t length;
	uint64_t pa;
};

struct acpi {
	acpi_map_fn map;
	void *ctx;
	uint64_t root_pa;
	bool root_is_xsdt;
	uint32_t count;			/* valid tables recorded in tables[] */
	uint32_t ignored;		/* root entries whose table failed a check */
	uint32_t dropped;		/* valid tables beyond ACPI_MAX_TABLES */
	const char *why;		/* last problem seen, or NULL */
	uint64_t where;			/* physical address that problem concerns */
	struct acpi_table_ref tables[ACPI_MAX_TABLES];
};

struct acpi_cpu {
	uint32_t apic_id;
	uint32_t acpi_uid;
	bool enabled;			/* present and usable now */
	bool online_capable;		/* not present, may be hot-added */
	bool x2apic_entry;		/* listed by a type-9 entry */
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t address;
	uint32_t gsi_base;
};

struct acpi_iso {
	uint8_t bus;			/* 0 = ISA */
	uint8_t source;			/* bus-relative IRQ */
	uint32_t gsi;
	uint16_t flags;			/* ACPI_INTI_* */
};

struct acpi_lapic_nmi {
	uint32_t acpi_uid;		/* ACPI_NMI_ALL_CPUS_UID8/32 = every CPU */
	uint16_t flags;			/* ACPI_INTI_* */
	uint8_t lint;			/* raw LINTn input number (0 or 1 when sane) */
	bool x2apic_entry;		/* from a type-0xA entry */
};

/* About 17 KiB: keep it in static storage, not on a stack. */
struct acpi_madt {
	uint64_t lapic_address;		/* after any type-5 override */
	uint32_t flags;			/* ACPI_MADT_PCAT_COMPAT */
	bool lapic_overridden;
	uint32_t cpu_count;		/* entries in cpus[] */
	uint32_t cpus_enabled;
	uint32_t cpus_online_capable;
	uint32_t cpus_disabled;		/* neither enabled nor online-capable: not listed */
	uint32_t cpus_duplicate;	/* APIC ID already listed: kept once */
	uint32_t cpus_dropped;		/* usable but beyond ACPI_MAX_CPUS */
	uint32_t cpus_id_none;		/* type-0 entries with APIC ID 0xFF: ignored */
	uint32_t ioapic_count;
	uint32_t ioapics_dropped;
	uint32_t iso_count;
	uint32_t isos_dropped;
	uint32_t nmi_count;
	uint32_t nmis_dropped;
	uint32_t other_count;		/* entries of types not recorded here */
	const char *why;		/* on failure: what was wrong */
	size_t where;			/* on failure: byte offset in the table */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	struct acpi_iso isos[ACPI_MAX_ISOS];
	struct acpi_lapic_nmi nmis[ACPI_MAX_LAPIC_NMIS];
};

/* The FADT's PM timer, or why there is none to use. */
struct acpi_pm_timer {
	bool present;
	uint16_t port;			/* I/O port of TMR_VAL */
	uint8_t bits;			/* 24 or 32 (Flags.TMR_VAL_EXT) */
	bool from_x_block;		/* the port came from X_PM_TMR_BLK */
	const char *why;		/* when not present: why not */
};

struct acpi_fadt {
	uint8_t revision;
	uint32_t length;
	uint32_t flags;
	struct acpi_pm_timer pm_timer;
	const char *why;		/* on failure: what was wrong */
};

/*
 * Checks an RSDP copy of which len bytes are readable. On failure out->why
 * says what was wrong; on success out->why is NULL.
 */
enum err acpi_rsdp_validate(const void *rsdp, size_t len, struct acpi_rsdp_info *out);

/*
 * BIOS fallback when the loader gave no RSDP (ACPI 6.5 5.2.5.1): the first KiB
 * of the EBDA, then 0xE0000-0xFFFFF, on 16-byte boundaries. E_NOENT if none.
 */
enum err acpi_rsdp_scan(acpi_map_fn map, void *ctx, uint64_t *rsdp_pa,
			struct acpi_rsdp_info *out);

/*
 * Checks a table of which avail bytes are readable: printable signature,
 * 36 <= Length <= min(avail, ACPI_TABLE_MAX_LEN), checksum. *why on failure.
 */
enum err acpi_table_check(const void *table, size_t avail, const char **why);

/*
 * Walks the XSDT (when revision >= 2 and its address is nonzero, falling back
 * to the RSDT if it is bad) or the RSDT, recording every table that passes
 * acpi_table_check(); bad ones are reported with pr_warn and skipped.
 */
enum err acpi_init(struct acpi *acpi, const struct acpi_rsdp_info *rsdp, acpi_map_fn map,
		   void *ctx);

/* The instance-th (from 0) recorded table with signature sig, or NULL. */
const struct acpi_table_ref *acpi_find(const struct acpi *acpi, const char sig[ACPI_SIG_LEN],
				       unsigned instance);

/* The bytes of a recorded table through the mapper given to acpi_init(). */
const void *acpi_table_map(const struct acpi *acpi, const struct acpi_table_ref *ref);

/*
 * Parses a MADT of which len bytes are readable (its checksum is
 * acpi_table_check()'s job). On failure out->why and out->where (byte offset)
 * say what was wrong, the reason is printed, and the rest of *out is unusable.
 */
enum err acpi_parse_madt(const void *madt, size_t len, struct acpi_madt *out);

/* pr_info summary of a parsed MADT (per-CPU lines at pr_debug). */
void acpi_madt_report(const struct acpi_madt *m);

/*
 * Parses a FADT of which len bytes are readable, with the checks of
 * acpi_table_check() (signature, Length, checksum) and a Length of at least
 * the 116 bytes of ACPI 1.0. Finds the PM timer: X_PM_TMR_BLK when the table
 * is long enough to have it and it is nonzero (it must then be in system
 * I/O space), else PM_TMR_BLK with PM_TMR_LEN 4; none on a hardware-reduced
 * platform. A FADT without a usable PM timer still parses (E_OK, with
 * pm_timer.why set). On failure out->why says what was wrong.
 */
enum err acpi_parse_fadt(const void *fadt, size_t len, struct acpi_fadt *out);

/* One pr_info line: the FADT's revision and its PM timer (or why there is none). */
void acpi_fadt_report(const struct acpi_fadt *f);

/*
 * Finds the FADT ("FACP") among the tables acpi_init() recorded and parses
 * it into *out, then reports it, or why it was refused (pr_warn). E_NOENT
 * when there is none; otherwise what acpi_parse_fadt() returned.
 */
enum err acpi_fadt_find(const struct acpi *acpi, struct acpi_fadt *out);

#endif
