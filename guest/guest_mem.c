/* SPDX-License-Identifier: MIT */
/*
 * Guest memory access for exit handlers: guest-linear addresses go through
 * the guest's own page tables (guest/gva.c: no paging, 32-bit, PAE, 4- and
 * 5-level), guest-physical ones through the vCPU's address space (the
 * backend's vcpu_gspace_translate()); a walk or copy that leaves guest
 * memory fails cleanly.
 */
#include "guest/guest_mem.h"
#include "arch/x86/cpu.h"
#include "lib/string.h"
#include "mm/pmm.h"

#define GUEST_PAGE 4096ull

static enum err gpa_to_hva(struct vcpu *v, uint64_t gpa, uint8_t **hva)
{
	uint64_t hpa;
	enum err e = vcpu_gspace_translate(v->gspace, gpa, &hpa);

	if (e == E_OK)
		*hva = phys_to_virt(hpa);
	return e;
}

/* Paging-structure reads for guest/gva.c, through the vCPU's EPT. */
static bool read_gpa(void *ctx, uint64_t gpa, uint64_t *val, unsigned size)
{
	uint8_t *p;

	if (gpa_to_hva(ctx, gpa, &p) != E_OK)
		return false;
	*val = 0;
	memcpy(val, p, size);
	return true;
}

/* Accessed and dirty flags for guest/gva.c: the guest's other vCPUs may be
 * walking or editing the same tables, so the update is atomic. */
static void set_gpa_bits(void *ctx, uint64_t gpa, uint64_t bits, unsigned size)
{
	uint8_t *p;

	if (gpa_to_hva(ctx, gpa, &p) != E_OK)
		return;
	if (size == sizeof(uint32_t))
		__atomic_fetch_or((uint32_t *)p, (uint32_t)bits, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_or((uint64_t *)p, bits, __ATOMIC_SEQ_CST);
}

static struct gva_regs paging_regs(struct vcpu *v)
{
	struct vcpu_paging p;

	vcpu_paging(v, &p);
	return (struct gva_regs){.cr0 = p.cr0, .cr3 = p.cr3, .cr4 = p.cr4, .efer = p.efer};
}

enum err guest_linear_to_phys(struct vcpu *v, uint64_t gla, uint64_t *gpa)
{
	struct gva_regs r = paging_regs(v);

	return gva_translate(&r, gla, read_gpa, v, gpa);
}

static enum err copy(struct vcpu *v, uint64_t addr, void *buf, size_t len, bool linear,
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

enum err guest_mem_read(struct vcpu *v, uint64_t gla, void *buf, size_t len)
{
	return copy(v, gla, buf, len, true, false);
}

enum err guest_mem_write(struct vcpu *v, uint64_t gla, const void *buf, size_t len)
{
	return copy(v, gla, (void *)buf, len, true, true);
}

/* Each page of [gla, gla + len) checked and mapped before any byte moves. */
enum err guest_mem_map(struct vcpu *v, uint64_t gla, size_t len, const struct gva_access *a,
		       struct guest_span *sp, struct guest_fault *f)
{
	struct gva_mem m = {.read = read_gpa, .set_bits = set_gpa_bits, .ctx = v};
	struct gva_regs r = paging_regs(v);
	uint64_t first = GUEST_PAGE - (gla & (GUEST_PAGE - 1)), gpa;
	unsigned i;
	enum err e;

	if (len > GUEST_PAGE)
		return E_RANGE;
	sp->len[0] = len < first ? len : first;
	sp->len[1] = len - sp->len[0];
	for (i = 0; i < 2 && sp->len[i]; i++) {
		f->addr = i ? gla + first : gla;
		e = gva_translate_access(&r, f->addr, a, &m, &gpa, &f->error);
		if (e != E_OK)
			return e;
		if (gpa_to_hva(v, gpa, &sp->hva[i]) != E_OK)
			return E_RANGE;
	}
	return E_OK;
}

void guest_span_copy(const struct guest_span *sp, void *buf, bool to_guest)
{
	uint8_t *b = buf;
	unsigned i;

	for (i = 0; i < 2 && sp->len[i]; b += sp->len[i], i++) {
		if (to_guest)
			memcpy(sp->hva[i], b, sp->len[i]);
		else
			memcpy(b, sp->hva[i], sp->len[i]);
	}
}

enum err guest_phys_read(struct vcpu *v, uint64_t gpa, void *buf, size_t len)
{
	return copy(v, gpa, buf, len, false, false);
}
