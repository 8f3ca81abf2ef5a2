/* SPDX-License-Identifier: MIT */
/*
 * The kernel's own page tables: an identity (direct) map of the low 4 GiB
 * and of all RAM, read-write and no-execute, with large pages; the kernel
 * image remapped per section (text RX, rodata RO+NX, data/bss RW+NX); page 0
 * left unmapped to catch null pointers; MMIO uncached.
 */
#include "mm/paging.h"
#include "arch/x86/cpu.h"
#include "arch/x86/spinlock.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/pmm.h"

#define LOW_MAP_END 0x100000000ull
#define GIB (1ull << 30)
#define ROUND_UP(x, a) (((x) + (a) - 1) & ~((a) - 1))

extern const char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern const char __data_start[], __bss_end[], __ksyms_start[], __ksyms_end[];

static struct pt kernel_pt;
static struct spinlock paging_lock = SPINLOCK_INIT;

static enum err alloc_zeroed_page(void *ctx, uint64_t *pa)
{
	enum err e = pmm_alloc_page(pa);

	(void)ctx;
	if (e == E_OK)
		memset(phys_to_virt(*pa), 0, PAGE_SIZE);
	return e;
}

static void flush_tlb_all(void)
{
	cpu_write_cr3(cpu_read_cr3());
}

static enum err map_kernel_image(void)
{
	static const struct {
		const char *start, *end;
		uint64_t attrs;
	} sections[] = {
		{__text_start, __text_end, PAGE_KERNEL_RX},
		{__rodata_start, __rodata_end, PAGE_KERNEL_RO},
		{__data_start, __bss_end, PAGE_KERNEL_RW},
		{__ksyms_start, __ksyms_end, PAGE_KERNEL_RO},
	};

	for (unsigned i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		uint64_t s = (uint64_t)(uintptr_t)sections[i].start;
		uint64_t e = ROUND_UP((uint64_t)(uintptr_t)sections[i].end, PAGE_SIZE);
		enum err err = pt_map(&kernel_pt, s, s, e - s, sections[i].attrs);

		if (err != E_OK)
			return err;
	}
	return E_OK;
}

enum err paging_init(uint64_t ram_top)
{
	struct cpuid_regs r;
	uint64_t top = ROUND_UP(ram_top > LOW_MAP_END ? ram_top : LOW_MAP_END, GIB);
	enum err e;

	cpu_cpuid(0x80000001, 0, &r);
	kernel_pt.allow_1g = r.edx & CPUID_80000001_EDX_PAGE1G;
	kernel_pt.allow_nx = r.edx & CPUID_80000001_EDX_NX;
	kernel_pt.alloc_table = alloc_zeroed_page;
	e = pt_init(&kernel_pt);
	if (e == E_OK)
		e = pt_map(&kernel_pt, 0, 0, top, PAGE_KERNEL_RW);
	if (e == E_OK)
		e = pt_unmap(&kernel_pt, 0, PAGE_SIZE);
	if (e == E_OK)
		e = map_kernel_image();
	if (e != E_OK) {
		pr_err("paging: building the kernel page tables failed: %s\n", err_text(e));
		return e;
	}
	if (kernel_pt.root_pa >= LOW_MAP_END) {
		pr_err("paging: root table at 0x%llx is above 4 GiB; APs cannot load it\n",
		       (unsigned long long)kernel_pt.root_pa);
		return E_RANGE;
	}
	cpu_write_cr3(kernel_pt.root_pa);
	pr_info("paging: direct map 0-%llu GiB with %s pages, NX %s, %u tables, kernel "
		"text RX, rodata RO, data NX, page 0 unmapped\n",
		(unsigned long long)(top / GIB), kernel_pt.allow_1g ? "1 GiB" : "2 MiB",
		kernel_pt.allow_nx ? "on" : "unsupported", kernel_pt.tables);
	return E_OK;
}

enum err paging_set_attrs(uint64_t va, uint64_t size, uint64_t attrs)
{
	uint64_t flags = spin_lock_irqsave(&paging_lock);
	enum err e = pt_map(&kernel_pt, va, va, size, attrs);

	flush_tlb_all();
	spin_unlock_irqrestore(&paging_lock, flags);
	return e;
}

enum err paging_guard_page(uint64_t va)
{
	uint64_t flags = spin_lock_irqsave(&paging_lock);
	enum err e = pt_unmap(&kernel_pt, va, PAGE_SIZE);

	flush_tlb_all();
	spin_unlock_irqrestore(&paging_lock, flags);
	return e;
}

enum err paging_map_mmio(uint64_t pa, uint64_t size)
{
	uint64_t start = pa & ~(PAGE_SIZE - 1);

	return paging_set_attrs(start, ROUND_UP(pa + size, PAGE_SIZE) - start, PAGE_KERNEL_MMIO);
}

uint64_t paging_kernel_root(void)
{
	return kernel_pt.root_pa;
}

uint64_t paging_lookup(uint64_t va, uint64_t *page_size)
{
	return pt_lookup(&kernel_pt, va, page_size);
}
