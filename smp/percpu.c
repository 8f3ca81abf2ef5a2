/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU areas: the BSP's is static (it is needed before the allocator);
 * percpu_install() points IA32_GS_BASE at an area and checks the self pointer.
 */
#include <stddef.h>
#include "smp/percpu.h"
#include "arch/x86/cpu.h"
#include "lib/panic.h"

_Static_assert(offsetof(struct percpu, self) == PERCPU_SELF_OFFSET, "percpu.inc");
_Static_assert(offsetof(struct percpu, probe_rip) == PERCPU_PROBE_RIP_OFFSET, "percpu.inc");
_Static_assert(offsetof(struct percpu, probe_rsp) == PERCPU_PROBE_RSP_OFFSET, "percpu.inc");
_Static_assert(offsetof(struct percpu, cpu_id) == PERCPU_CPU_ID_OFFSET, "cpu_local.h");

static struct percpu bsp_area __attribute__((aligned(4096)));

void percpu_install(struct percpu *p)
{
	p->self = p;
	cpu_wrmsr(MSR_IA32_GS_BASE, (uint64_t)(uintptr_t)p);
	BUG_ON(this_cpu() != p || cpu_rdmsr(MSR_IA32_GS_BASE) != (uint64_t)(uintptr_t)p);
}

struct percpu *percpu_bsp_early(uint64_t stack_bottom, uint64_t stack_top)
{
	bsp_area.cpu_id = 0;
	bsp_area.stack_bottom = stack_bottom;
	bsp_area.stack_top = stack_top;
	bsp_area.online = true;
	bsp_area.self = &bsp_area;
	cpu_wrmsr(MSR_IA32_GS_BASE, (uint64_t)(uintptr_t)&bsp_area);
	return &bsp_area;
}
