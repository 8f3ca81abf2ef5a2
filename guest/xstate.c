/* SPDX-License-Identifier: MIT */
/*
 * XSAVE areas (SDM Vol. 1 13.4: legacy region, header, extended region),
 * sized for the components guests may enable, not for every component the
 * CPU supports. Saving and restoring run with XCR0 = every component the
 * guest may use, so one vCPU's YMM or ZMM state can never leak into another's,
 * nor its PKRU (component 9, managed by XSAVE whenever XCR0[9] is set,
 * whatever CR4.PKE: SDM Vol. 3A 2.6, 2.7; Vol. 1 13.5.7).
 */
#include "guest/xstate.h"
#include "arch/x86/cpu.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/pmm.h"

#define CPUID_XSTATE_LEAF 0xd
#define XCR0_GUEST_MASK (XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512 | XCR0_PKRU)
#define XSTATE_FIRST_EXTENDED 2 /* x87 and SSE live in the legacy region */
#define XSTATE_COMPONENTS 64
#define XSTATE_ALIGN64 (1u << 1) /* CPUID.(0DH,i):ECX[1] */
#define XSTATE_ALIGNMENT 64u
#define XSAVE_LEGACY_FCW 0x37f
#define XSAVE_MXCSR_OFFSET 24
#define XSAVE_MXCSR_DEFAULT 0x1f80

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

/*
 * XSETBV's checks on XCR0 (SDM Vol. 1 13.3, Vol. 2D XSETBV): x87 always
 * set, AVX only with SSE, the three AVX-512 components together and only
 * with AVX, and nothing guests may not enable.
 */
bool xstate_xcr0_valid(uint64_t val)
{
	uint64_t avx512 = val & XCR0_AVX512;

	if (!(val & XCR0_X87) || (val & ~xstate_guest_allowed()))
		return false;
	if ((val & XCR0_AVX) && !(val & XCR0_SSE))
		return false;
	return !avx512 || (avx512 == XCR0_AVX512 && (val & XCR0_AVX));
}

bool xstate_guest_pkru(void)
{
	return xstate_guest_allowed() & XCR0_PKRU;
}

/*
 * Bytes the components in mask need after the legacy region and header
 * (SDM Vol. 1 13.4.3). The standard format of XSAVE64/XRSTOR64 places
 * extended component i at offset CPUID.(EAX=0DH,ECX=i):EBX with size EAX,
 * so the area ends at the end of the highest one. The compacted format of
 * XSAVEC packs them in order, each at the next 64-byte boundary where
 * CPUID.(EAX=0DH,ECX=i):ECX[1] asks for it. CPUID.(EAX=0DH,ECX=0):ECX is no
 * use here: it covers every component the CPU supports (AMX tile data alone
 * is 8 KiB) though only mask is saved.
 */
static uint64_t xstate_size(uint64_t mask, bool compacted)
{
	uint64_t size = XSAVE_LEGACY_SIZE + XSAVE_HEADER_SIZE;
	struct cpuid_regs r;

	for (unsigned i = XSTATE_FIRST_EXTENDED; i < XSTATE_COMPONENTS; i++) {
		if (!(mask & (1ull << i)))
			continue;
		cpu_cpuid(CPUID_XSTATE_LEAF, i, &r);
		if (!compacted) {
			size = (uint64_t)r.ebx + r.eax > size ? (uint64_t)r.ebx + r.eax : size;
			continue;
		}
		if (r.ecx & XSTATE_ALIGN64)
			size = (size + XSTATE_ALIGNMENT - 1) & ~(uint64_t)(XSTATE_ALIGNMENT - 1);
		size += r.eax;
	}
	return size;
}

uint64_t xstate_area_size(uint64_t mask)
{
	return xstate_size(mask, false);
}

uint64_t xstate_compacted_size(uint64_t mask)
{
	return xstate_size(mask, true);
}

static uint64_t area_pages(uint64_t size)
{
	return (size + PAGE_SIZE - 1) / PAGE_SIZE;
}

enum err xstate_alloc(void **area, uint64_t *xcr0)
{
	struct cpuid_regs r;
	uint64_t mask, size, pa;
	uint16_t *fcw;
	enum err e;

	cpu_cpuid(1, 0, &r);
	if (!(r.ecx & CPUID_1_ECX_XSAVE)) {
		pr_err("xstate: this CPU has no XSAVE; vCPUs need it to keep guest FPU state\n");
		return E_NOTSUP;
	}
	mask = xstate_guest_allowed();
	size = xstate_area_size(mask);
	if (area_pages(size) > XSAVE_MAX_PAGES) {
		pr_err("xstate: CPUID leaf 0xD gives a %llu-byte XSAVE area for XCR0 %#llx, more "
		       "than the %u pages a vCPU may use; the CPU (or the emulator) reports a "
		       "wrong layout\n",
		       (unsigned long long)size, (unsigned long long)mask, XSAVE_MAX_PAGES);
		return E_RANGE;
	}
	e = pmm_alloc_pages(area_pages(size), 1, &pa);
	if (e != E_OK) {
		pr_err("xstate: cannot allocate a vCPU's %llu-byte XSAVE area (XCR0 %#llx, %llu "
		       "contiguous pages): %s\n",
		       (unsigned long long)size, (unsigned long long)mask,
		       (unsigned long long)area_pages(size), err_text(e));
		return e;
	}
	*area = phys_to_virt(pa);
	memset(*area, 0, area_pages(size) * PAGE_SIZE);
	fcw = *area;
	*fcw = XSAVE_LEGACY_FCW;
	*(uint32_t *)((uint8_t *)*area + XSAVE_MXCSR_OFFSET) = XSAVE_MXCSR_DEFAULT;
	*xcr0 = XCR0_X87; /* the architectural reset value */
	return E_OK;
}

void xstate_free(void *area)
{
	pmm_free_pages(virt_to_phys(area), area_pages(xstate_area_size(xstate_guest_allowed())));
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
	__asm__ volatile("xrstor64 (%0)" ::"r"(area), "a"((uint32_t)mask),
			 "d"((uint32_t)(mask >> 32))
			 : "memory");
	xsetbv(0, guest_xcr0);
}

void xstate_leave_guest(void *area, uint64_t *guest_xcr0)
{
	uint64_t mask = xstate_guest_allowed();

	*guest_xcr0 = xgetbv(0);
	xsetbv(0, mask);
	__asm__ volatile("xsave64 (%0)" ::"r"(area), "a"((uint32_t)mask),
			 "d"((uint32_t)(mask >> 32))
			 : "memory");
}
