/* SPDX-License-Identifier: MIT */
/*
 * Builds and loads one CPU's GDT and TSS (SDM Vol. 3A 3.4.5, 8.2.3) and
 * reloads the segment registers. Each CPU owns its struct cpu_tables.
 */
#include "arch/x86/gdt.h"
#include "lib/string.h"

#define SEG_CODE64 0x00af9b000000ffffull /* P, DPL0, code exec/read, accessed, L */
#define SEG_DATA 0x00cf93000000ffffull   /* P, DPL0, data read/write, accessed */
#define TSS_TYPE_AVAILABLE 0x89ull       /* P, 64-bit TSS (available) */

static void gdt_set_tss(uint64_t *slot, const struct tss64 *tss)
{
	uint64_t base = (uint64_t)(uintptr_t)tss;
	uint64_t limit = sizeof(*tss) - 1;

	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (TSS_TYPE_AVAILABLE << 40) |
		  (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

void gdt_load(struct cpu_tables *t)
{
	struct desc_ptr gdtr;

	memset(&t->tss, 0, sizeof(t->tss));
	for (int i = 0; i < IST_COUNT; i++)
		t->tss.ist[i] = (uint64_t)(uintptr_t)(t->ist_stacks[i] + IST_STACK_SIZE);
	t->tss.iomap_base = sizeof(t->tss);
	t->gdt[0] = 0;
	t->gdt[1] = SEG_CODE64;
	t->gdt[2] = SEG_DATA;
	gdt_set_tss(&t->gdt[3], &t->tss);

	gdtr.limit = sizeof(t->gdt) - 1;
	gdtr.base = (uint64_t)(uintptr_t)t->gdt;
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(gdtr), "i"(GDT_KERNEL_CS), "i"(GDT_KERNEL_DS), "r"(GDT_TSS)
			 : "rax", "memory");
}

uint16_t gdt_read_tr(void)
{
	uint16_t tr;

	__asm__ volatile("str %0" : "=r"(tr));
	return tr;
}

void gdt_read_gdtr(struct desc_ptr *p)
{
	__asm__ volatile("sgdt %0" : "=m"(*p));
}
