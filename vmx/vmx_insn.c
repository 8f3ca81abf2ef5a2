/* SPDX-License-Identifier: MIT */
/*
 * Kernel implementations of the vmx/vmx_insn.h accessors: inline assembly that
 * reads CF and ZF through GCC flag outputs right after the instruction.
 */
#ifndef VIREO_HOST_TEST
#include <stdbool.h>
#include "vmx/vmx_insn.h"

enum vmx_insn_result vmx_insn_vmxon(uint64_t pa)
{
	bool cf, zf;

	__asm__ volatile("vmxon %[pa]" : "=@ccc"(cf), "=@ccz"(zf) : [pa] "m"(pa) : "memory");
	return vmx_insn_result_from_flags(cf, zf);
}

enum vmx_insn_result vmx_insn_vmxoff(void)
{
	bool cf, zf;

	__asm__ volatile("vmxoff" : "=@ccc"(cf), "=@ccz"(zf) : : "memory");
	return vmx_insn_result_from_flags(cf, zf);
}
#endif
