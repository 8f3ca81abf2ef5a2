/* SPDX-License-Identifier: MIT */
/*
 * Guest memory access for exit handlers. The guest page walk follows
 * SDM Vol. 3A 5.5 (4-level paging, 1 GiB / 2 MiB / 4 KiB pages) and 5.3
 * (32-bit paging); a walk that leaves guest memory fails cleanly.
 */
#include "vmx/guest_mem.h"
#include "arch/x86/cpu.h"
#include "lib/string.h"
#include "mm/pmm.h"
#include "vmx/ept.h"
#include "vmx/vmcs.h"

#define PTE_PRESENT 1ull
#define PTE_LARGE (1ull << 7)
#define PTE_ADDR 0x000ffffffffff000ull
#define PT32_ADDR 0xfffff000u
#define GUEST_PAGE 4096ull

static enum err gpa_to_hva(struct vmx_vcpu *v, uint64_t gpa, uint8_t **hva)
{
	uint64_t hpa;
	unsigned perms;
	enum err e = ept_translate(v->ept, gpa, &hpa, &perms);

	if (e == E_OK)
		*hva = phys_to_virt(hpa);
	return e;
}

static enum err read_entry(struct vmx_vcpu *v, uint64_t gpa, uint64_t *entry, size_t size)
{
	uint8_t *p;
	enum err e = gpa_to_hva(v, gpa, &p);

	if (e != E_OK)
		return e;
	*entry = 0;
	memcpy(entry, p, size);
	return (*entry & PTE_PRESENT) ? E_OK : E_NOENT;
}

static enum err walk_long(struct vmx_vcpu *v, uint64_t cr3, uint64_t gla, uint64_t *gpa)
{
	uint64_t table = cr3 & PTE_ADDR, entry = 0;

	for (int level = 3; level >= 0; level--) {
		unsigned shift = 12 + 9 * level;
		enum err e = read_entry(v, table + ((gla >> shift) & 511) * 8, &entry, 8);

		if (e != E_OK)
			return e;
		if (level == 0 || (level < 3 && (entry & PTE_LARGE))) {
			uint64_t size = 1ull << shift;

			*gpa = ((entry & PTE_ADDR) & ~(size - 1)) | (gla & (size - 1));
			return E_OK;
		}
		table = entry & PTE_ADDR;
	}
	return E_NOENT;
}

static enum err walk_32(struct vmx_vcpu *v, uint64_t cr3, uint64_t gla, uint64_t *gpa)
{
	uint64_t pde, pte;
	enum err e = read_entry(v, (cr3 & PT32_ADDR) + ((gla >> 22) & 1023) * 4, &pde, 4);

	if (e != E_OK)
		return e;
	if (pde & PTE_LARGE) {
		*gpa = (pde & 0xffc00000u) | (gla & 0x3fffff);
		return E_OK;
	}
	e = read_entry(v, (pde & PT32_ADDR) + ((gla >> 12) & 1023) * 4, &pte, 4);
	if (e == E_OK)
		*gpa = (pte & PT32_ADDR) | (gla & 0xfff);
	return e;
}

enum err guest_linear_to_phys(struct vmx_vcpu *v, uint64_t gla, uint64_t *gpa)
{
	uint64_t cr0 = vmcs_read_or(VMCS_GUEST_CR0, 0), cr3 = vmcs_read_or(VMCS_GUEST_CR3, 0);
	uint64_t cr4 = vmcs_read_or(VMCS_GUEST_CR4, 0);

	if (!(cr0 & CR0_PG)) {
		*gpa = gla;
		return E_OK;
	}
	if (vmcs_read_or(VMCS_GUEST_IA32_EFER, 0) & EFER_LMA)
		return walk_long(v, cr3, gla, gpa);
	if (cr4 & CR4_PAE)
		return E_NOTSUP; /* PAE paging without long mode: not used by Vireo's guests */
	return walk_32(v, cr3, (uint32_t)gla, gpa);
}

static enum err copy(struct vmx_vcpu *v, uint64_t addr, void *buf, size_t len, bool linear,
		     bool to_guest)
{
	uint8_t *b = buf;

	while (len) {
		uint64_t gpa = addr, chunk = GUEST_PAGE - (addr & (GUEST_PAGE - 1));
		uint8_t *hva;
		enum err e = linear ? guest_linear_to_phys(v, addr, &gpa) : E_OK;

		if (e == E_OK)
			e = gpa_to_hva(v, gpa, &hva);
		if (e != E_OK)
			return e;
		if (chunk > len)
			chunk = len;
		if (to_guest)
			memcpy(hva, b, chunk);
		else
			memcpy(b, hva, chunk);
		addr += chunk;
		b += chunk;
		len -= chunk;
	}
	return E_OK;
}

enum err guest_mem_read(struct vmx_vcpu *v, uint64_t gla, void *buf, size_t len)
{
	return copy(v, gla, buf, len, true, false);
}

enum err guest_mem_write(struct vmx_vcpu *v, uint64_t gla, const void *buf, size_t len)
{
	return copy(v, gla, (void *)buf, len, true, true);
}

enum err guest_phys_read(struct vmx_vcpu *v, uint64_t gpa, void *buf, size_t len)
{
	return copy(v, gpa, buf, len, false, false);
}
