/* SPDX-License-Identifier: MIT */
/*
 * Local APIC architecture (SDM Vol. 3A chapter 11): register offsets in the
 * xAPIC page and their x2APIC MSR numbers, IA32_APIC_BASE bits, SVR, LVT,
 * ESR and ICR fields. Shared by the host driver (arch/x86/lapic.c) and the
 * virtual local APIC (dev/vlapic.c); definitions only.
 */
#ifndef VIREO_ARCH_X86_APIC_REGS_H
#define VIREO_ARCH_X86_APIC_REGS_H

#define LAPIC_DEFAULT_BASE 0xfee00000ull
#define LAPIC_MMIO_SIZE 0x1000u

/* IA32_APIC_BASE (SDM 3A 11.4.4) */
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_X2APIC (1ull << 10) /* EXTD: x2APIC mode */
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_ADDR_MASK 0xffffff000ull

/* Register offsets in the xAPIC page (SDM 3A 11.4.1, Table 11-1) */
#define APIC_ID 0x020u
#define APIC_VERSION 0x030u
#define APIC_TPR 0x080u
#define APIC_APR 0x090u
#define APIC_PPR 0x0a0u
#define APIC_EOI 0x0b0u
#define APIC_LDR 0x0d0u
#define APIC_DFR 0x0e0u
#define APIC_SVR 0x0f0u
#define APIC_ISR 0x100u
#define APIC_TMR 0x180u
#define APIC_IRR 0x200u
#define APIC_ESR 0x280u
#define APIC_ICR_LO 0x300u
#define APIC_ICR_HI 0x310u
#define APIC_LVT_TIMER 0x320u
#define APIC_LVT_THERMAL 0x330u
#define APIC_LVT_PERF 0x340u
#define APIC_LVT_LINT0 0x350u
#define APIC_LVT_LINT1 0x360u
#define APIC_LVT_ERROR 0x370u
#define APIC_TIMER_INIT 0x380u
#define APIC_TIMER_CUR 0x390u
#define APIC_TIMER_DCR 0x3e0u
#define APIC_SELF_IPI 0x3f0u /* x2APIC only (MSR 0x83f) */

/* x2APIC: each register is an MSR, offset / 16 from 0x800 (SDM 3A 11.12.1) */
#define X2APIC_MSR_FIRST 0x800u
#define X2APIC_MSR_LAST 0x8ffu
#define X2APIC_MSR(reg) (X2APIC_MSR_FIRST + ((reg) >> 4))

#define APIC_ID_XAPIC_SHIFT 24 /* xAPIC ID register: ID in bits 31:24 */

#define APIC_SVR_ENABLE (1u << 8)

/* LVT entries (SDM 3A 11.5.1) */
#define APIC_LVT_MASKED (1u << 16)
#define APIC_LVT_TIMER_MODE_SHIFT 17
#define APIC_LVT_TIMER_MODE_MASK (3u << APIC_LVT_TIMER_MODE_SHIFT)
#define APIC_TIMER_ONESHOT 0u
#define APIC_TIMER_PERIODIC 1u
#define APIC_TIMER_TSC_DEADLINE 2u

/* ESR bits (SDM 3A 11.5.3) */
#define APIC_ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define APIC_ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define APIC_ESR_ILLEGAL_REGISTER (1u << 7)

/* ICR (SDM 3A 11.6.1) */
#define ICR_DM_SHIFT 8
#define ICR_DM_MASK 7u
#define ICR_DEST_LOGICAL (1u << 11)
#define ICR_DELIVERY_PENDING (1u << 12)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_TRIGGER_LEVEL (1u << 15)
#define ICR_SH_SHIFT 18
#define ICR_SH_MASK 3u
#define ICR_DEST_ALL_BUT_SELF (3u << ICR_SH_SHIFT)
#define ICR_XAPIC_DEST_SHIFT 24

/* ICR delivery modes */
#define APIC_DM_FIXED 0
#define APIC_DM_LOWEST 1
#define APIC_DM_SMI 2
#define APIC_DM_NMI 4
#define APIC_DM_INIT 5
#define APIC_DM_STARTUP 6

/* ICR destination shorthands */
#define APIC_SH_NONE 0
#define APIC_SH_SELF 1
#define APIC_SH_ALL_INCL_SELF 2
#define APIC_SH_ALL_EXCL_SELF 3

/* Broadcast destination IDs */
#define APIC_XAPIC_BROADCAST 0xffu
#define APIC_X2APIC_BROADCAST 0xffffffffu

#endif /* VIREO_ARCH_X86_APIC_REGS_H */
