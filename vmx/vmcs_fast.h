/* SPDX-License-Identifier: MIT */
/*
 * Inline VMREAD/VMWRITE for the VM-exit fast path (SDM Vol. 3C 31.3). They
 * check CF/ZF like the vmcs_read()/vmcs_write() wrappers, but branch to the
 * out-of-line reporter only when the instruction failed, so a successful
 * access costs one instruction and a not-taken branch. They are used only
 * for fields every VMX CPU has, with a current VMCS: a failure is a
 * hypervisor defect, reported by name, and the host stops (no guest can
 * cause it), so the callers keep no state alive for a way back.
 */
#ifndef VIREO_VMX_VMCS_FAST_H
#define VIREO_VMX_VMCS_FAST_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/error.h"

/* Re-does the access through the checked wrapper to report it, then panics. */
__attribute__((noreturn, cold)) void vmcs_fast_failed(uint32_t field, bool write, uint64_t val);

#ifdef VIREO_HOST_TEST
uint64_t vmcs_rd(uint32_t field);
void vmcs_wr(uint32_t field, uint64_t val);
#else
static inline uint64_t vmcs_rd(uint32_t field)
{
	uint64_t v;
	bool bad;

	__asm__ volatile("vmread %[f], %[v]" : "=@ccbe"(bad), [v] "=r"(v) : [f] "r"((uint64_t)field)
			 : "memory");
	if (__builtin_expect(bad, 0))
		vmcs_fast_failed(field, false, 0);
	return v;
}

static inline void vmcs_wr(uint32_t field, uint64_t val)
{
	bool bad;

	__asm__ volatile("vmwrite %[v], %[f]" : "=@ccbe"(bad) : [f] "r"((uint64_t)field), [v] "rm"(val)
			 : "memory");
	if (__builtin_expect(bad, 0))
		vmcs_fast_failed(field, true, val);
}
#endif

#endif
