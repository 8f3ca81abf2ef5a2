/* SPDX-License-Identifier: MIT */
/*
 * XSAVE areas (SDM Vol. 1 13.4: legacy region, header, extended region;
 * CPUID.(EAX=0DH,ECX=0):ECX is the size for every supported component).
 * Saving and restoring run with XCR0 = every component the guest may use,
 * so one vCPU's YMM state can never leak into another's.
 */
#include "vmx/xstate.h"
#include "arch/x86/cpu.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/pmm.h"

#define CPUID_XSTATE_LEAF 0xd
#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define XCR0_GUEST_MASK (XCR0_X87 | XCR0_SSE | XCR0_AVX)
#define XSAVE_LEGACY_FCW 0x37f
#define XSAVE_MXCSR_OFFSET 24
#define XSAVE_MXCSR_DEFAULT 0x1f80
#define XSAVE_ALIGN 64

static uint64_t allowed;

static void xsetbv(uint32_t index, uint64_t value)
{
	__asm__ volatile("xsetbv" ::"c"(index), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

static uint64_t xgetbv(uint32_t index)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
	return ((uint64_t)hi << 32) | lo;
}

void xstate_cpu_init(void)
{
	uint64_t cr4 = cpu_read_cr4();

	if (!(cr4 & CR4_OSXSAVE))
		cpu_write_cr4(cr4 | CR4_OSXSAVE | CR4_OSFXSR);
}

uint64_t xstate_guest_allowed(void)
{
	struct cpuid_regs r;

	if (!allowed) {
		cpu_cpuid(CPUID_XSTATE_LEAF, 0, &r);
		allowed = (((uint64_t)r.edx << 32) | r.eax) & XCR0_GUEST_MASK;
	}
	return allowed;
}

enum err xstate_alloc(void **area, uint64_t *xcr0)
{
	struct cpuid_regs r;
	uint64_t pa;
	uint16_t *fcw;

	cpu_cpuid(1, 0, &r);
	if (!(r.ecx & CPUID_1_ECX_XSAVE)) {
		pr_err("xstate: this CPU has no XSAVE; vCPUs need it to keep guest FPU state\n");
		return E_NOTSUP;
	}
	cpu_cpuid(CPUID_XSTATE_LEAF, 0, &r);
	if (r.ecx > PAGE_SIZE || pmm_alloc_page(&pa) != E_OK)
		return E_NOMEM;
	*area = phys_to_virt(pa);
	memset(*area, 0, PAGE_SIZE);
	fcw = *area;
	*fcw = XSAVE_LEGACY_FCW;
	*(uint32_t *)((uint8_t *)*area + XSAVE_MXCSR_OFFSET) = XSAVE_MXCSR_DEFAULT;
	*xcr0 = XCR0_X87; /* the architectural reset value */
	return E_OK;
}

void xstate_free(void *area)
{
	pmm_free_pages(virt_to_phys(area), 1);
}

void xstate_set_xcr0(uint64_t xcr0)
{
	xsetbv(0, xcr0);
}

void xstate_enter_guest(void *area, uint64_t guest_xcr0)
{
	uint64_t mask = xstate_guest_allowed();

	xstate_cpu_init();
	xsetbv(0, mask);
	__asm__ volatile("xrstor64 (%0)" ::"r"(area), "a"((uint32_t)mask), "d"((uint32_t)(mask >> 32))
			 : "memory");
	xsetbv(0, guest_xcr0);
}

void xstate_leave_guest(void *area, uint64_t *guest_xcr0)
{
	uint64_t mask = xstate_guest_allowed();

	*guest_xcr0 = xgetbv(0);
	xsetbv(0, mask);
	__asm__ volatile("xsave64 (%0)" ::"r"(area), "a"((uint32_t)mask), "d"((uint32_t)(mask >> 32))
			 : "memory");
}
