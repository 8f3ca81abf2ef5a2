/* SPDX-License-Identifier: MIT */
/*
 * Virtual local APIC, one per vCPU (SDM 3A chapter 11): xAPIC MMIO and x2APIC
 * MSR register files, IA32_APIC_BASE, IRR/ISR/TMR, TPR/PPR priority, the
 * timer in one-shot, periodic and TSC-deadline modes, and IPI decoding. Pure
 * logic: the caller passes the TSC as `now` and delivers the IPIs it returns.
 */
#ifndef VIREO_DEV_VLAPIC_H
#define VIREO_DEV_VLAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/apic_regs.h"
#include "arch/x86/x86_regs.h"

/*
 * Version register: version 0x14 (integrated APIC), max LVT entry 5, i.e.
 * six LVTs (timer, thermal, perf, LINT0, LINT1, error; no CMCI), and no
 * EOI-broadcast suppression (bit 24 clear), SDM 3A 11.4.8.
 */
#define VLAPIC_VERSION 0x00050014u

#define VLAPIC_VECTOR_BANKS 8 /* 256 vectors in 32-bit registers */

enum vlapic_lvt {
	VLAPIC_LVT_TIMER,
	VLAPIC_LVT_THERMAL,
	VLAPIC_LVT_PERF,
	VLAPIC_LVT_LINT0,
	VLAPIC_LVT_LINT1,
	VLAPIC_LVT_ERROR,
	VLAPIC_LVT_COUNT
};

/* ICR delivery modes and destination shorthands (SDM 3A 11.6.1) */
enum vlapic_delivery {
	VLAPIC_DM_FIXED = APIC_DM_FIXED,
	VLAPIC_DM_LOWEST = APIC_DM_LOWEST,
	VLAPIC_DM_SMI = APIC_DM_SMI,
	VLAPIC_DM_NMI = APIC_DM_NMI,
	VLAPIC_DM_INIT = APIC_DM_INIT,
	VLAPIC_DM_SIPI = APIC_DM_STARTUP,
};

enum vlapic_shorthand {
	VLAPIC_SH_NONE = APIC_SH_NONE,
	VLAPIC_SH_SELF = APIC_SH_SELF,
	VLAPIC_SH_ALL_INCL_SELF = APIC_SH_ALL_INCL_SELF,
	VLAPIC_SH_ALL_EXCL_SELF = APIC_SH_ALL_EXCL_SELF,
};

/* An IPI the guest asked for by writing the ICR or the x2APIC SELF IPI MSR. */
struct vlapic_icr {
	bool valid;
	uint8_t vector;
	uint8_t delivery_mode; /* enum vlapic_delivery */
	bool level_assert;
	bool trigger_level;
	uint8_t shorthand; /* enum vlapic_shorthand */
	bool dest_logical;
	uint32_t dest; /* 8-bit xAPIC (ICR bits 63:56) or 32-bit x2APIC */
};

/* Public so the VM can embed it; only vlapic.c touches the fields. */
struct vlapic {
	uint32_t id;
	uint64_t base; /* IA32_APIC_BASE */
	uint32_t tpr;
	uint32_t ldr;
	uint32_t dfr;
	uint32_t svr;
	uint32_t esr;	      /* value the guest reads */
	uint32_t esr_pending; /* errors since the last ESR write */
	uint32_t isr[VLAPIC_VECTOR_BANKS];
	uint32_t tmr[VLAPIC_VECTOR_BANKS];
	uint32_t irr[VLAPIC_VECTOR_BANKS];
	uint32_t lvt[VLAPIC_LVT_COUNT];
	uint32_t icr_lo;
	uint32_t icr_hi; /* xAPIC: dest in 31:24; x2APIC: the 32-bit dest */
	uint32_t timer_initial;
	uint32_t timer_dcr;
	uint32_t timer_divisor; /* latched when the count was armed */
	uint64_t timer_next;	/* absolute TSC of the next expiry, 0 = none */
	uint64_t tsc_deadline;	/* IA32_TSC_DEADLINE as the guest wrote it */
};

void vlapic_init(struct vlapic *l, uint32_t apic_id, bool bsp);
void vlapic_reset_init(struct vlapic *l);

/*
 * xAPIC MMIO at `offset` in the APIC page. Only aligned 4-byte accesses to a
 * register's first dword mean anything; other accesses read 0 and writes are
 * dropped, as is every access while the APIC is disabled or in x2APIC mode.
 */
void vlapic_mmio_read(struct vlapic *l, uint32_t offset, unsigned size, uint32_t *val,
		      uint64_t now);
void vlapic_mmio_write(struct vlapic *l, uint32_t offset, unsigned size, uint32_t val, uint64_t now,
		       struct vlapic_icr *ipi_out);

/* x2APIC MSRs 0x800-0x8FF; false means the access must raise #GP(0). */
bool vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t *val, uint64_t now);
bool vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now,
		      struct vlapic_icr *ipi_out);

/*
 * IA32_APIC_BASE. vlapic_set_base() returns false (#GP) for reserved bits,
 * the invalid EN=0/EXTD=1 combination, x2APIC -> xAPIC and disabled ->
 * x2APIC (SDM 3A 11.12.5), and for any base other than 0xFEE00000: Vireo
 * keeps the APIC page fixed. The BSP bit is read-only here.
 */
uint64_t vlapic_base(const struct vlapic *l);
bool vlapic_set_base(struct vlapic *l, uint64_t val);
bool vlapic_x2apic_mode(const struct vlapic *l);
bool vlapic_enabled(const struct vlapic *l);
bool vlapic_sw_enabled(const struct vlapic *l);

/* IA32_TSC_DEADLINE: reads 0 and ignores writes outside TSC-deadline mode. */
uint64_t vlapic_tsc_deadline(const struct vlapic *l);
void vlapic_set_tsc_deadline(struct vlapic *l, uint64_t val, uint64_t now);

/* Interrupt state */
bool vlapic_accept(struct vlapic *l, uint8_t vector);
int vlapic_pending(const struct vlapic *l);
/* Is any IRR bit set? (A cheap check without the PPR arithmetic.) */
bool vlapic_irr_any(const struct vlapic *l);
void vlapic_ack(struct vlapic *l, uint8_t vector);
uint32_t vlapic_ppr(const struct vlapic *l);
/* CR8 is TPR[7:4] (SDM Vol. 3A 11.8.6.1): reading gives them, writing sets
 * them and clears TPR[3:0]. */
uint8_t vlapic_cr8(const struct vlapic *l);
/* The whole TPR (bits 7:0), for a backend's copy of it (the TPR shadow). */
uint8_t vlapic_tpr(const struct vlapic *l);
void vlapic_set_cr8(struct vlapic *l, uint8_t cr8);
#define VLAPIC_CR8_SHIFT 4
#define VLAPIC_CR8_MASK 0xfu

/* Timer */
void vlapic_timer_update(struct vlapic *l, uint64_t now);
uint64_t vlapic_timer_next(const struct vlapic *l);

bool vlapic_match_dest(const struct vlapic *target, const struct vlapic_icr *icr,
		       uint32_t source_id);

#endif
