/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for the vCPU interface a VM's vCPU glue uses (guest/vcpu.h,
 * guest/guest_mem.h), the hypercall handler its ops table names, and the
 * clocks (cpu_rdtsc(), tsc_to_us(), rtc_read()): state lives in fake_vcpu
 * (fake_vcpu.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "arch/x86/cpu.h"
#include "guest/guest_mem.h"
#include "arch/x86/rtc.h"
#include "arch/x86/tsc.h"
#include "vm/hypercall.h"
#include "tests/unit/fake_vcpu.h"

struct fake_vcpu_state fake_vcpu;
const struct vcpu_backend *vcpu_be;

uint64_t cpu_rdtsc(void)
{
	return fake_vcpu.tsc;
}

static uint64_t get_gpr(struct vcpu *v, enum vcpu_gpr n)
{
	return fake_vcpu.gpr[v->id][n & (VCPU_GPRS - 1)];
}

static void set_gpr(struct vcpu *v, enum vcpu_gpr n, uint64_t val)
{
	fake_vcpu.gpr[v->id][n & (VCPU_GPRS - 1)] = val;
}

static void code_state(struct vcpu *v, struct vcpu_code_state *cs)
{
	*cs = fake_vcpu.code;
}

static void advance_rip(struct vcpu *v, unsigned n)
{
	fake_vcpu.code.rip += n;
	fake_vcpu.advance_calls++;
}

static uint64_t rip(struct vcpu *v)
{
	return fake_vcpu.code.rip;
}

static bool interrupts_enabled(struct vcpu *v)
{
	return fake_vcpu.guest_if;
}

static void startup_ipi(struct vcpu *v, uint8_t vector)
{
	fake_vcpu.sipi_calls++;
	fake_vcpu.sipi_vcpu = v;
	fake_vcpu.sipi_vector = vector;
}

static void apply_boot_state(struct vcpu *v, const struct vcpu_boot_state *bs)
{
	fake_vcpu.boot_calls++;
	fake_vcpu.boot = *bs;
	for (unsigned i = 0; i < VCPU_GPRS; i++)
		fake_vcpu.gpr[v->id][i] = bs->gpr[i];
	fake_vcpu.code.rip = bs->rip;
}

static void queue_interrupt(struct vcpu *v, uint8_t vector)
{
	v->pending_irq = vector;
}

static void set_tpr(struct vcpu *v, uint8_t tpr)
{
	fake_vcpu.tpr_calls++;
	fake_vcpu.tpr = tpr;
}

const struct vcpu_backend fake_vcpu_backend = {
    .name = "fake",
    .get_gpr = get_gpr,
    .set_gpr = set_gpr,
    .code_state = code_state,
    .rip = rip,
    .interrupts_enabled = interrupts_enabled,
    .advance_rip = advance_rip,
    .queue_interrupt = queue_interrupt,
    .set_tpr = set_tpr,
    .startup_ipi = startup_ipi,
    .apply_boot_state = apply_boot_state,
};

void fake_vcpu_reset(void)
{
	memset(&fake_vcpu, 0, sizeof(fake_vcpu));
	fake_vcpu.code.bits = 32;
	fake_vcpu.code.protected_mode = true;
	vcpu_be = &fake_vcpu_backend;
}

void vcpu_stop(struct vcpu *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fake_vcpu.stop_msg, sizeof(fake_vcpu.stop_msg), fmt, ap);
	va_end(ap);
	fake_vcpu.stop_calls++;
	fake_vcpu.stopped = v;
	v->stopped = true;
}

/* Identity "paging": a read must lie wholly inside the buffer. */
enum err guest_mem_read(struct vcpu *v, uint64_t gla, void *buf, size_t len)
{
	fake_vcpu.mem_reads++;
	if (gla >= FAKE_GUEST_MEM_SIZE || len > FAKE_GUEST_MEM_SIZE - gla)
		return E_RANGE;
	memcpy(buf, fake_vcpu.mem + gla, len);
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

enum vcpu_action vm_hypercall(struct vcpu *v)
{
	fake_vcpu.hypercall_calls++;
	return VCPU_STOP;
}
