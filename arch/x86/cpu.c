/* SPDX-License-Identifier: MIT */
/* Kernel implementations of the arch/x86/cpu.h accessors (inline assembly). */
#include "arch/x86/cpu.h"

void cpu_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out)
{
	__asm__ volatile("cpuid"
			 : "=a"(out->eax), "=b"(out->ebx), "=c"(out->ecx), "=d"(out->edx)
			 : "a"(leaf), "c"(subleaf));
}

uint64_t cpu_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

void cpu_wrmsr(uint32_t msr, uint64_t value)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
			 : "memory");
}

#define CR_ACCESSORS(n)                                                                            \
	uint64_t cpu_read_cr##n(void)                                                              \
	{                                                                                          \
		uint64_t v;                                                                        \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                  \
		return v;                                                                          \
	}

CR_ACCESSORS(0)
CR_ACCESSORS(2)
CR_ACCESSORS(3)
CR_ACCESSORS(4)

void cpu_write_cr0(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr0" ::"r"(value) : "memory");
}

void cpu_write_cr2(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr2" ::"r"(value) : "memory");
}

void cpu_write_cr3(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr3" ::"r"(value) : "memory");
}

void cpu_write_cr4(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr4" ::"r"(value) : "memory");
}

uint64_t cpu_read_dr6(void)
{
	uint64_t v;

	__asm__ volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

void cpu_write_dr6(uint64_t value)
{
	__asm__ volatile("mov %0, %%dr6" ::"r"(value));
}

/* MOV DR names its register in the instruction: one case each. */
uint64_t cpu_read_dr(unsigned n)
{
	uint64_t v = 0;

	switch (n) {
	case 0:
		__asm__ volatile("mov %%dr0, %0" : "=r"(v));
		break;
	case 1:
		__asm__ volatile("mov %%dr1, %0" : "=r"(v));
		break;
	case 2:
		__asm__ volatile("mov %%dr2, %0" : "=r"(v));
		break;
	case 3:
		__asm__ volatile("mov %%dr3, %0" : "=r"(v));
		break;
	case 7:
		__asm__ volatile("mov %%dr7, %0" : "=r"(v));
		break;
	default:
		break;
	}
	return v;
}

void cpu_write_dr(unsigned n, uint64_t value)
{
	switch (n) {
	case 0:
		__asm__ volatile("mov %0, %%dr0" ::"r"(value));
		break;
	case 1:
		__asm__ volatile("mov %0, %%dr1" ::"r"(value));
		break;
	case 2:
		__asm__ volatile("mov %0, %%dr2" ::"r"(value));
		break;
	case 3:
		__asm__ volatile("mov %0, %%dr3" ::"r"(value));
		break;
	default:
		break;
	}
}

uint64_t cpu_irq_save(void)
{
	uint64_t flags;

	__asm__ volatile("pushfq; pop %0; cli" : "=r"(flags)::"memory");
	return flags;
}

void cpu_irq_restore(uint64_t flags)
{
	if (flags & RFLAGS_IF)
		__asm__ volatile("sti" ::: "memory");
}

bool cpu_irqs_enabled(void)
{
	uint64_t flags;

	__asm__ volatile("pushfq; pop %0" : "=r"(flags));
	return flags & RFLAGS_IF;
}

uint8_t cpu_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

void cpu_outb(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" ::"a"(value), "Nd"(port));
}

uint16_t cpu_inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

void cpu_outw(uint16_t port, uint16_t value)
{
	__asm__ volatile("outw %0, %1" ::"a"(value), "Nd"(port));
}

uint32_t cpu_inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

void cpu_outl(uint16_t port, uint32_t value)
{
	__asm__ volatile("outl %0, %1" ::"a"(value), "Nd"(port));
}

uint64_t cpu_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

void cpu_pause(void)
{
	__asm__ volatile("pause" ::: "memory");
}

void cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}
