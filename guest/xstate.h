/* SPDX-License-Identifier: MIT */
/*
 * Guest extended state (x87/SSE/AVX, PKRU): one XSAVE area per vCPU, sized by
 * CPUID leaf 0xD for the components guests may enable, restored before
 * guest execution and saved after. The host itself uses no vector
 * registers, so the state stays in the registers while the vCPU runs,
 * exits included.
 */
#ifndef VIREO_GUEST_XSTATE_H
#define VIREO_GUEST_XSTATE_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/error.h"

/* The standard-format legacy region and XSAVE header (SDM Vol. 1 13.4.1, 13.4.2). */
#define XSAVE_LEGACY_SIZE 512
#define XSAVE_HEADER_SIZE 64
/* Bound on one vCPU's area, far above any real layout of x87/SSE/AVX. */
#define XSAVE_MAX_PAGES 4u

/* Set CR4.OSXSAVE on this CPU (before its CR4 is copied into HOST_CR4). */
void xstate_cpu_init(void);
/* Bytes an XSAVE64 of the components in mask needs (CPUID leaf 0xD sub-leaves). */
uint64_t xstate_area_size(uint64_t mask);
/* Bytes an XSAVEC of the components in mask needs (compacted format). */
uint64_t xstate_compacted_size(uint64_t mask);
/*
 * A zeroed, page-aligned area of xstate_area_size(xstate_guest_allowed())
 * bytes (contiguous pages) in the reset state, and the reset XCR0. Fails
 * with the reason printed: E_NOTSUP (no XSAVE), E_RANGE (CPUID gives a
 * size above XSAVE_MAX_PAGES), or the allocator's error.
 */
enum err xstate_alloc(void **area, uint64_t *xcr0);
void xstate_free(void *area);
uint64_t xstate_guest_allowed(void); /* XCR0 bits a guest may enable */
/* May a guest's XSETBV set XCR0 to val? (else #GP) */
bool xstate_xcr0_valid(uint64_t val);
/* PKRU is part of every vCPU's saved state (the CPU's XSAVE manages it). */
bool xstate_guest_pkru(void);
void xstate_set_xcr0(uint64_t xcr0);
void xstate_enter_guest(void *area, uint64_t guest_xcr0);
void xstate_leave_guest(void *area, uint64_t *guest_xcr0);

#endif
