/* SPDX-License-Identifier: MIT */
/*
 * Guest extended state (x87/SSE/AVX...): one XSAVE area per vCPU, sized by
 * CPUID leaf 0xD, restored before guest execution and saved after. The host
 * itself uses no vector registers, so the state stays in the registers while
 * the vCPU runs, exits included.
 */
#ifndef VIREO_VMX_XSTATE_H
#define VIREO_VMX_XSTATE_H

#include <stdint.h>
#include "lib/error.h"

/* Set CR4.OSXSAVE on this CPU (before its CR4 is copied into HOST_CR4). */
void xstate_cpu_init(void);
enum err xstate_alloc(void **area, uint64_t *xcr0);
void xstate_free(void *area);
uint64_t xstate_guest_allowed(void); /* XCR0 bits a guest may enable */
void xstate_set_xcr0(uint64_t xcr0);
void xstate_enter_guest(void *area, uint64_t guest_xcr0);
void xstate_leave_guest(void *area, uint64_t *guest_xcr0);

#endif
