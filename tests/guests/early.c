/*
 * mbtest.early_fault: exceptions taken before the kernel loads its own GDT,
 * through the GDT the boot loader left. The Multiboot specs let GDTR be
 * invalid at entry, but GRUB and QEMU's -kernel leave one whose descriptors
 * match CS and DS, and kernels rely on it: the CS and DS descriptors are
 * checked, then #UD and #BP are taken through an IDT whose gates use the
 * boot CS (SDM Vol. 3A 6.12.1), and the handlers must run and return.
 */
#include "mbtest.h"

#define VEC_BP 3
#define VEC_UD 6
#define EARLY_VECTORS 8
#define GATE_INT32 0x8e /* present, DPL 0, 32-bit interrupt gate */
#define SEL_INDEX_MASK 0xfff8u
#define DESC_BYTES 8
/* Segment descriptor, high word (SDM Vol. 3A 3.4.5). */
#define D_TYPE_WRITE (1u << 9)
#define D_TYPE_CODE (1u << 11)
#define D_S (1u << 12)
#define D_P (1u << 15)
#define D_DB (1u << 22)
#define D_G (1u << 23)
#define FLAT_LIMIT 0xfffffu

/* entry.asm: the handlers, what they saw. */
extern void early_ud_isr(void), early_bp_isr(void);
extern volatile uint32_t early_hits, early_cs_seen;

static struct gate early_idt[EARLY_VECTORS];

static uint16_t read_sel(int ds)
{
	uint16_t s;

	if (ds)
		__asm__ volatile("mov %%ds, %0" : "=r"(s));
	else
		__asm__ volatile("mov %%cs, %0" : "=r"(s));
	return s;
}

/* Is selector @sel of GDT @g a flat 32-bit code (@code) or writable data
 * descriptor? Says why not in @why. */
static int flat_desc(const struct dtr *g, uint16_t sel, int code, char *why, size_t n)
{
	uint32_t off = sel & SEL_INDEX_MASK, lo, hi, base, limit;
	const volatile uint32_t *d;

	if (!off || off + DESC_BYTES - 1 > g->limit) {
		snprintf(why, n, "selector %x is null or past the GDT limit %x", sel, g->limit);
		return 0;
	}
	d = phys(g->base + off);
	lo = d[0];
	hi = d[1];
	base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
	limit = (lo & 0xffff) | (hi & 0xf0000u);
	if (!(hi & D_P) || !(hi & D_S) || !(hi & D_TYPE_CODE) != !code ||
	    (!code && !(hi & D_TYPE_WRITE)) || !(hi & D_G) || !(hi & D_DB) || base ||
	    limit != FLAT_LIMIT) {
		snprintf(why, n, "selector %x: descriptor %x %x is not flat 32-bit %s", sel, hi, lo,
			 code ? "code" : "data");
		return 0;
	}
	return 1;
}

static void set_gate(unsigned v, void (*fn)(void), uint16_t cs)
{
	uint32_t a = (uint32_t)(uintptr_t)fn;

	early_idt[v] = (struct gate){(uint16_t)a, cs, 0, GATE_INT32, (uint16_t)(a >> 16)};
}

void case_early_fault(void)
{
	struct dtr g, saved, i = {sizeof(early_idt) - 1, (uint32_t)(uintptr_t)early_idt};
	uint16_t cs = read_sel(0), ds = read_sel(1);
	char why[96];

	__asm__ volatile("sgdt %0" : "=m"(g));
	printf("mbtest: early_fault: boot GDT at %x, limit %x, in %s memory; CS %x, DS %x\n",
	       g.base, g.limit, mmap_kind(g.base, (uint32_t)g.limit + 1), cs, ds);
	if (!flat_desc(&g, cs, 1, why, sizeof(why)) || !flat_desc(&g, ds, 0, why, sizeof(why)))
		printf("mbtest: early_fault: FAILED: %s\n", why);
	set_gate(VEC_UD, early_ud_isr, cs);
	set_gate(VEC_BP, early_bp_isr, cs);
	__asm__ volatile("sidt %0" : "=m"(saved));
	__asm__ volatile("lidt %0" : : "m"(i));
	__asm__ volatile("ud2; int3" ::: "memory");
	__asm__ volatile("lidt %0" : : "m"(saved));
	if (early_hits == 2 && early_cs_seen == cs)
		printf("mbtest: early_fault: #UD and #BP through gates with CS %x: both handlers "
		       "ran and returned\n",
		       cs);
	else
		printf("mbtest: early_fault: FAILED: %u of 2 handlers ran, CS pushed %x\n",
		       early_hits, early_cs_seen);
}
