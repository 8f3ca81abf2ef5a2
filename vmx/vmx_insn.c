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

enum vmx_insn_result vmx_insn_vmclear(uint64_t pa)
{
	bool cf, zf;

	__asm__ volatile("vmclear %[pa]" : "=@ccc"(cf), "=@ccz"(zf) : [pa] "m"(pa) : "memory");
	return vmx_insn_result_from_flags(cf, zf);
}

enum vmx_insn_result vmx_insn_vmptrld(uint64_t pa)
{
	bool cf, zf;

	__asm__ volatile("vmptrld %[pa]" : "=@ccc"(cf), "=@ccz"(zf) : [pa] "m"(pa) : "memory");
	return vmx_insn_result_from_flags(cf, zf);
}

enum vmx_insn_result vmx_insn_vmptrst(uint64_t *pa)
{
	bool cf, zf;

	__asm__ volatile("vmptrst %[pa]" : "=@ccc"(cf), "=@ccz"(zf), [pa] "=m"(*pa) : : "memory");
	return vmx_insn_result_from_flags(cf, zf);
}

enum vmx_insn_result vmx_insn_vmread(uint64_t field, uint64_t *value)
{
	enum vmx_insn_result r;
	uint64_t v;
	bool cf, zf;

	/* AT&T order: source (the encoding, a register), then the destination. */
	__asm__ volatile("vmread %[field], %[v]"
			 : "=@ccc"(cf), "=@ccz"(zf), [v] "=rm"(v)
			 : [field] "r"(field)
			 : "memory");
	r = vmx_insn_result_from_flags(cf, zf);
	if (r == VMX_INSN_OK)
		*value = v;
	return r;
}

enum vmx_insn_result vmx_insn_vmwrite(uint64_t field, uint64_t value)
{
	bool cf, zf;

	__asm__ volatile("vmwrite %[value], %[field]"
			 : "=@ccc"(cf), "=@ccz"(zf)
			 : [field] "r"(field), [value] "rm"(value)
			 : "memory");
	return vmx_insn_result_from_flags(cf, zf);
}

enum vmx_insn_result vmx_insn_invept(uint64_t type, const struct vmx_invept_desc *desc)
{
	bool cf, zf;

	__asm__ volatile("invept %[desc], %[type]"
			 : "=@ccc"(cf), "=@ccz"(zf)
			 : [type] "r"(type), [desc] "m"(*desc)
			 : "memory");
	return vmx_insn_result_from_flags(cf, zf);
}

enum vmx_insn_result vmx_insn_invvpid(uint64_t type, const struct vmx_invvpid_desc *desc)
{
	bool cf, zf;

	__asm__ volatile("invvpid %[desc], %[type]"
			 : "=@ccc"(cf), "=@ccz"(zf)
			 : [type] "r"(type), [desc] "m"(*desc)
			 : "memory");
	return vmx_insn_result_from_flags(cf, zf);
}
#endif
