/* SPDX-License-Identifier: MIT */
/*
 * Thin accessors for the host CPU: CPUID, MSRs, control registers, port I/O
 * and interrupt state. The kernel implements them in arch/x86/cpu.c; host unit
 * tests link a fake CPU instead, so logic built on them runs on the build host.
 */
#ifndef VIREO_ARCH_X86_CPU_H
#define VIREO_ARCH_X86_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/x86_regs.h"

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

#define CPUID_1_ECX_MONITOR (1u << 3)
#define CPUID_1_ECX_VMX (1u << 5)
#define CPUID_1_ECX_SMX (1u << 6)
#define CPUID_1_ECX_PDCM (1u << 15)
#define CPUID_1_ECX_XSAVE (1u << 26)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_ECX_OSXSAVE (1u << 27)
#define CPUID_1_ECX_X2APIC (1u << 21)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_EDX_APIC (1u << 9)
#define CPUID_1_EDX_HTT (1u << 28)
#define CPUID_6_EAX_ARAT (1u << 2)
#define CPUID_LEAF_EXT_FEATURES 7
#define CPUID_7_ECX_PKU (1u << 3)
#define CPUID_7_ECX_OSPKE (1u << 4)
#define CPUID_LEAF_PMU 0xa
#define CPUID_80000001_EDX_NX (1u << 20)
#define CPUID_80000001_EDX_PAGE1G (1u << 26)
#define CPUID_80000001_EDX_LM (1u << 29)

void cpu_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out);
uint64_t cpu_rdmsr(uint32_t msr);
void cpu_wrmsr(uint32_t msr, uint64_t value);
uint64_t cpu_read_cr0(void);
void cpu_write_cr0(uint64_t value);
uint64_t cpu_read_cr2(void);
void cpu_write_cr2(uint64_t value);
uint64_t cpu_read_cr3(void);
void cpu_write_cr3(uint64_t value);
uint64_t cpu_read_cr4(void);
void cpu_write_cr4(uint64_t value);
uint64_t cpu_read_dr6(void);
void cpu_write_dr6(uint64_t value);
/* DR0-DR3 by number (0..DR_BREAKPOINTS-1), and DR7 for reading; any other
 * n reads 0 and writes nothing. */
uint64_t cpu_read_dr(unsigned n);
void cpu_write_dr(unsigned n, uint64_t value);

/* Interrupt flag: irq_save() disables and returns the previous RFLAGS. */
uint64_t cpu_irq_save(void);
void cpu_irq_restore(uint64_t flags);
bool cpu_irqs_enabled(void);

uint8_t cpu_inb(uint16_t port);
void cpu_outb(uint16_t port, uint8_t value);
uint16_t cpu_inw(uint16_t port);
void cpu_outw(uint16_t port, uint16_t value);
uint32_t cpu_inl(uint16_t port);
void cpu_outl(uint16_t port, uint32_t value);

uint64_t cpu_rdtsc(void);
void cpu_pause(void);
__attribute__((noreturn)) void cpu_halt_forever(void);

#endif
