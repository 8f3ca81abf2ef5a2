/* SPDX-License-Identifier: MIT */
/*
 * The backend-independent part of the vCPU interface (guest/vcpu.h): the
 * backend in use, stopping a vCPU with a report, boot-state defaults, and
 * the names reports give registers and exit kinds.
 */
#include <stdarg.h>
#include "guest/vcpu.h"
#include "lib/format.h"
#include "lib/string.h"

const struct vcpu_backend *vcpu_be;

void vcpu_stop(struct vcpu *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(v->stop_reason, sizeof(v->stop_reason), fmt, ap);
	va_end(ap);
	v->stopped = true;
}

void vcpu_boot_state_init(struct vcpu_boot_state *bs, enum vcpu_mode mode)
{
	memset(bs, 0, sizeof(*bs));
	bs->mode = mode;
}

const char *vcpu_gpr_name(unsigned n)
{
	static const char *const names[VCPU_GPRS] = {
	    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	    "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
	};

	return n < VCPU_GPRS ? names[n] : "?";
}

const char *vcpu_exit_kind_name(enum vcpu_exit_kind k)
{
	static const char *const names[VCPU_EXIT_KINDS] = {
	    [VCPU_EXIT_IO] = "io",	   [VCPU_EXIT_MMIO] = "mmio",
	    [VCPU_EXIT_RDMSR] = "rdmsr",   [VCPU_EXIT_WRMSR] = "wrmsr",
	    [VCPU_EXIT_HLT] = "hlt",	   [VCPU_EXIT_CPUID] = "cpuid",
	    [VCPU_EXIT_EXTINT] = "extint", [VCPU_EXIT_TIMER] = "timer",
	    [VCPU_EXIT_IRQWIN] = "irqwin",
	};

	return (unsigned)k < VCPU_EXIT_KINDS ? names[k] : "?";
}
