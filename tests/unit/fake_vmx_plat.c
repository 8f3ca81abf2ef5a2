/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for the vmx/ accessors a platform VM's vCPU glue uses
 * (vmx/vcpu.h, vmx/guest_mem.h), the hypercall handler its ops table names,
 * and the clocks (cpu_rdtsc(), tsc_to_us(), rtc_read()): state lives in
 * fake_vmx (fake_vmx_plat.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "arch/x86/cpu.h"
#include "arch/x86/rtc.h"
#include "arch/x86/tsc.h"
#include "vm/hypercall.h"
#include "vmx/guest_mem.h"
#include "tests/unit/fake_vmx_plat.h"

struct fake_vmx_plat_state fake_vmx;

void fake_vmx_plat_reset(void)
{
	memset(&fake_vmx, 0, sizeof(fake_vmx));
	fake_vmx.code.bits = 32;
	fake_vmx.code.protected_mode = true;
}

uint64_t cpu_rdtsc(void)
{
	return fake_vmx.tsc;
}

uint64_t vmx_vcpu_get_gpr(struct vmx_vcpu *v, unsigned n)
{
	return fake_vmx.gpr[v->id][n & 15];
}

void vmx_vcpu_set_gpr(struct vmx_vcpu *v, unsigned n, uint64_t val)
{
	fake_vmx.gpr[v->id][n & 15] = val;
}

void vmx_vcpu_code_state(struct vmx_code_state *cs)
{
	*cs = fake_vmx.code;
}

void vmx_vcpu_advance_rip(unsigned n)
{
	fake_vmx.code.rip += n;
	fake_vmx.advance_calls++;
}

uint64_t vmx_vcpu_rip(void)
{
	return fake_vmx.code.rip;
}

bool vmx_vcpu_guest_if(void)
{
	return fake_vmx.guest_if;
}

void vmx_vcpu_stop(struct vmx_vcpu *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fake_vmx.stop_msg, sizeof(fake_vmx.stop_msg), fmt, ap);
	va_end(ap);
	fake_vmx.stop_calls++;
	fake_vmx.stopped = v;
	v->stopped = true;
}

void vmx_vcpu_reset_sipi(struct vmx_vcpu *v, uint8_t vector)
{
	fake_vmx.sipi_calls++;
	fake_vmx.sipi_vcpu = v;
	fake_vmx.sipi_vector = vector;
}

/* Identity "paging": a read must lie wholly inside the buffer. */
enum err guest_mem_read(struct vmx_vcpu *v, uint64_t gla, void *buf, size_t len)
{
	fake_vmx.mem_reads++;
	if (gla >= FAKE_GUEST_MEM_SIZE || len > FAKE_GUEST_MEM_SIZE - gla)
		return E_RANGE;
	memcpy(buf, fake_vmx.mem + gla, len);
	return E_OK;
}

/* One TSC tick per microsecond. */
uint64_t tsc_to_us(uint64_t ticks)
{
	return ticks;
}

bool rtc_read(struct rtc_time *t)
{
	return false;
}

enum vcpu_action vm_hypercall(struct vmx_vcpu *v)
{
	fake_vmx.hypercall_calls++;
	return VCPU_STOP;
}
