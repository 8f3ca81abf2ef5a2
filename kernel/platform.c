/* SPDX-License-Identifier: MIT */
/*
 * Platform bring-up after the boot information is parsed: ACPI and the MADT,
 * the frame allocator over the memory map minus everything in use, the
 * kernel's page tables, the local APIC and TSC, and the application
 * processors.
 */
#include "kernel/platform.h"
#include "arch/x86/acpi.h"
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/tsc.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "mm/paging.h"
#include "mm/pmm.h"
#include "mm/pmm_core.h"
#include "smp/smp.h"

#define BOOT_MAP_END 0x100000000ull
#define LOW_MEMORY_END 0x100000ull
#define MAX_RESERVED 128
#define IOAPIC_MMIO_SIZE 0x1000

extern const char __kernel_start[], __kernel_end[];

static struct acpi acpi;
static struct acpi_madt madt;
static bool have_madt;
static struct acpi_fadt fadt;
static struct pmm_region regions[MB2_MMAP_MAX];
static struct mb2_mmap_entry efi_map[MB2_MMAP_MAX];
static struct pmm_range reserved[MAX_RESERVED];
static struct smp_cpu_desc cpu_list[ACPI_MAX_CPUS];

static const void *acpi_identity_map(void *ctx, uint64_t pa, size_t len)
{
	(void)ctx;
	if (!pa || pa >= BOOT_MAP_END || len > BOOT_MAP_END - pa)
		return 0;
	return (const void *)(uintptr_t)pa;
}

static enum err find_rsdp(const struct mb2_info *mb, struct acpi_rsdp_info *info)
{
	uint64_t pa;
	enum err e = E_NOENT;

	if (mb->rsdp_v2)
		e = acpi_rsdp_validate(mb->rsdp_v2, mb->rsdp_v2_len, info);
	if (e != E_OK && mb->rsdp_v1)
		e = acpi_rsdp_validate(mb->rsdp_v1, mb->rsdp_v1_len, info);
	if (e == E_OK)
		return E_OK;
	if (mb->rsdp_v1 || mb->rsdp_v2)
		pr_warn("acpi: the loader's RSDP is invalid (%s); scanning the BIOS areas\n",
			info->why ? info->why : err_text(e));
	e = acpi_rsdp_scan(acpi_identity_map, 0, &pa, info);
	return e;
}

void platform_acpi(struct boot_state *b)
{
	struct acpi_rsdp_info rsdp = {0};
	const struct acpi_table_ref *ref;
	enum err e = find_rsdp(&b->mb2, &rsdp);

	if (e != E_OK) {
		pr_warn("acpi: no valid RSDP (%s); assuming a single CPU\n", err_text(e));
		return;
	}
	pr_info("acpi: RSDP revision %u, OEM '%s', %s at 0x%llx\n", rsdp.revision, rsdp.oem_id,
		rsdp.xsdt_pa ? "XSDT" : "RSDT",
		(unsigned long long)(rsdp.xsdt_pa ? rsdp.xsdt_pa : rsdp.rsdt_pa));
	e = acpi_init(&acpi, &rsdp, acpi_identity_map, 0);
	if (e != E_OK) {
		pr_warn("acpi: the root table is unusable (%s: %s); assuming a single CPU\n",
			err_name(e), acpi.why ? acpi.why : "?");
		return;
	}
	/* The FADT's PM timer calibrates the TSC where the PIT does not count. */
	if (acpi_fadt_find(&acpi, &fadt) == E_OK && fadt.pm_timer.present)
		tsc_use_pm_timer(fadt.pm_timer.port, fadt.pm_timer.bits);
	ref = acpi_find(&acpi, "APIC", 0);
	if (!ref) {
		pr_warn("acpi: no MADT; assuming a single CPU\n");
		return;
	}
	e = acpi_parse_madt(acpi_table_map(&acpi, ref), ref->length, &madt);
	if (e != E_OK) {
		pr_err("acpi: MADT at 0x%llx rejected: %s (offset %zu); assuming a single CPU\n",
		       (unsigned long long)ref->pa, madt.why ? madt.why : err_text(e), madt.where);
		return;
	}
	have_madt = true;
	acpi_madt_report(&madt);
}

static unsigned add_reserved(unsigned n, uint64_t base, uint64_t len, const char *what)
{
	if (n < MAX_RESERVED && len)
		reserved[n++] = (struct pmm_range){base, len, what};
	return n;
}

static unsigned collect_reserved(const struct boot_state *b)
{
	const struct mb2_info *mb = &b->mb2;
	unsigned n = 0;

	n = add_reserved(n, 0, LOW_MEMORY_END, "first MiB (BIOS data, EBDA, AP trampoline)");
	n = add_reserved(n, (uint64_t)(uintptr_t)__kernel_start,
			 (uint64_t)(__kernel_end - __kernel_start), "kernel image");
	n = add_reserved(n, b->info_pa, mb->total_size, "Multiboot2 information");
	for (unsigned i = 0; i < mb->module_count; i++)
		n = add_reserved(n, mb->modules[i].start, mb->modules[i].end - mb->modules[i].start,
				 "GRUB module");
	if (acpi.root_pa)
		n = add_reserved(n, acpi.root_pa, PAGE_SIZE, "ACPI root table");
	for (unsigned i = 0; i < acpi.count; i++)
		n = add_reserved(n, acpi.tables[i].pa, acpi.tables[i].length, "ACPI table");
	return n;
}

void platform_memory(struct boot_state *b)
{
	const struct mb2_info *mb = &b->mb2;
	unsigned nres;
	enum err e;

	const struct mb2_mmap_entry *map = mb->mmap;
	unsigned count = mb->mmap_count;

	/* On UEFI the firmware's own map is the primary source (GRUB's
	 * Multiboot2 map is derived from it). */
	if (mb->efi_mmap.present) {
		count = mb2_efi_mmap_regions(&mb->efi_mmap, efi_map, MB2_MMAP_MAX);
		map = efi_map;
		pr_info("mm: using the EFI memory map (%u descriptors)\n", count);
	}
	b->ram_top = 0;
	for (unsigned i = 0; i < count; i++) {
		regions[i] = (struct pmm_region){map[i].base, map[i].length, map[i].type};
		if (map[i].type == PMM_REGION_AVAILABLE && map[i].base + map[i].length > b->ram_top)
			b->ram_top = map[i].base + map[i].length;
	}
	nres = collect_reserved(b);
	e = pmm_init_global(regions, count, reserved, nres);
	if (e != E_OK)
		panic("mm: cannot build the frame allocator from the memory map: %s", err_text(e));
	pmm_report();
	e = paging_init(b->ram_top);
	if (e != E_OK)
		panic("mm: cannot build the kernel page tables: %s", err_text(e));
	if (mb->fb.present)
		paging_map_mmio(mb->fb.addr, (uint64_t)mb->fb.pitch * mb->fb.height);
}

static unsigned collect_cpus(void)
{
	unsigned n = 0;

	for (unsigned i = 0; have_madt && i < madt.cpu_count; i++) {
		if (madt.cpus[i].enabled)
			cpu_list[n++] = (struct smp_cpu_desc){madt.cpus[i].apic_id,
							      madt.cpus[i].x2apic_entry};
	}
	return n;
}

void platform_cpus(struct boot_state *b)
{
	unsigned n;

	paging_map_mmio(lapic_mmio_base(), LAPIC_MMIO_SIZE);
	for (unsigned i = 0; have_madt && i < madt.ioapic_count; i++)
		paging_map_mmio(madt.ioapics[i].address, IOAPIC_MMIO_SIZE);
	smp_early_bsp();
	tsc_init();
	lapic_timer_calibrate();
	n = collect_cpus();
	b->cpus_listed = n ? n : 1;
	if (have_madt && madt.cpus_online_capable)
		pr_info("smp: %u online-capable (not present) CPUs listed; not started\n",
			madt.cpus_online_capable);
	smp_init(cpu_list, n);
	smp_report(b->cpu_table_full);
}
