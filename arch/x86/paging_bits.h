/* SPDX-License-Identifier: MIT */
/*
 * x86 paging as hardware defines it (SDM Vol. 3A 4.5): the 4 KiB page and
 * the bits of a 64-bit (4-level/5-level and PAE) paging-structure entry.
 * Shared by the host page tables (mm/) and the guest page walker (guest/);
 * definitions only.
 */
#ifndef VIREO_ARCH_X86_PAGING_BITS_H
#define VIREO_ARCH_X86_PAGING_BITS_H

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ull << PAGE_SHIFT)
#define PAGE_OFFSET_MASK (PAGE_SIZE - 1)

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7) /* PDPTE: 1 GiB page, PDE: 2 MiB (4 MiB 32-bit) page */
#define PTE_G (1ull << 8)
#define PTE_NX (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull /* bits 51:12 (MAXPHYADDR 52) */

/* Page-fault error code (SDM Vol. 3A 4.7, Figure 4-12) */
#define PF_ERR_P (1u << 0) /* 0: not present; 1: protection violation */
#define PF_ERR_W (1u << 1)
#define PF_ERR_U (1u << 2)

#endif /* VIREO_ARCH_X86_PAGING_BITS_H */
