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

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

#define CPUID_1_ECX_VMX (1u << 5)
#define CPUID_1_ECX_SMX (1u << 6)
#define CPUID_1_ECX_XSAVE (1u << 26)
#define CPUID_1_ECX_X2APIC (1u << 21)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_EDX_APIC (1u << 9)
#define CPUID_80000001_EDX_NX (1u << 20)
#define CPUID_80000001_EDX_PAGE1G (1u << 26)
#define CPUID_80000001_EDX_LM (1u << 29)

#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_PGE (1ull << 7)
#define CR4_OSFXSR (1ull << 9)
#define CR4_VMXE (1ull << 13)
#define CR4_SMXE (1ull << 14)
#define CR4_OSXSAVE (1ull << 18)

#define MSR_IA32_APIC_BASE 0x1b
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_IA32_TSC 0x10
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MISC_ENABLE_FAST_STRINGS (1ull << 0)
#define MSR_IA32_PAT 0x277
#define MSR_IA32_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_TSC_AUX 0xc0000103
#define MSR_IA32_FS_BASE 0xc0000100
#define MSR_IA32_GS_BASE 0xc0000101
#define MSR_IA32_KERNEL_GS_BASE 0xc0000102
#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

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
