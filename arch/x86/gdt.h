/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU descriptor tables: a 64-bit GDT with kernel code/data and a TSS
 * whose IST stacks carry #DF, NMI and #MC (SDM Vol. 3A 8.7, 7.14.5).
 */
#ifndef VIREO_ARCH_X86_GDT_H
#define VIREO_ARCH_X86_GDT_H

#include <stdint.h>

#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
#define GDT_TSS 0x18
#define GDT_ENTRIES 5

#define IST_DF 1
#define IST_NMI 2
#define IST_MC 3
#define IST_COUNT 3
#define IST_STACK_SIZE 8192

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct cpu_tables {
	uint64_t gdt[GDT_ENTRIES];
	struct tss64 tss;
	uint8_t ist_stacks[IST_COUNT][IST_STACK_SIZE] __attribute__((aligned(16)));
};

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

void gdt_load(struct cpu_tables *t);
uint16_t gdt_read_tr(void);
void gdt_read_gdtr(struct desc_ptr *p);

#endif
