/* SPDX-License-Identifier: MIT */
/*
 * A programmable fake of arch/x86/cpu.h, vmx/vmx_insn.h and this_cpu() for
 * host unit tests: MSR and CPUID tables, control registers, the interrupt
 * flag, and VMXON/VMXOFF modelled on SDM Vol. 3C 31.3 with forced failures.
 * Anything the real CPU would fault on is counted in fake_cpu.faults.
 */
#ifndef VIREO_TESTS_FAKE_CPU_H
#define VIREO_TESTS_FAKE_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include "smp/percpu.h"
#include "vmx/vmx_insn.h"

struct fake_cpu_state {
	uint64_t cr0, cr2, cr3, cr4;
	unsigned int cr0_writes, cr4_writes;
	bool irqs_enabled;
	uint64_t tsc;

	bool vmx_on;
	uint64_t vmxon_pa;
	unsigned int vmxon_calls, vmxoff_calls;
	unsigned int vmx_insn_irqs_on; /* VMX instructions executed with IF=1 */
	/* Forced outcome of the next VMXON/VMXOFF calls (VMX_INSN_OK: act like hardware). */
	enum vmx_insn_result vmxon_force, vmxoff_force;

	unsigned int faults; /* #GP/#UD the real CPU would raise */
	char last_fault[160];
};

extern struct fake_cpu_state fake_cpu;

/* Empty tables, CR0 = PE|ET|PG, CR4 = PAE, IF=1, this_cpu() = CPU 0's area. */
void fake_cpu_reset(void);
/* Bochs corei7_skylake_x: CPUID.1 and every VMX MSR from EMULATORS.md. */
void fake_cpu_load_bochs_skylake(void);

void fake_cpu_set_msr(uint32_t msr, uint64_t value);
void fake_cpu_remove_msr(uint32_t msr);
/* Make WRMSR to msr succeed but change nothing (as under some hypervisors). */
void fake_cpu_ignore_msr_writes(uint32_t msr);
uint64_t fake_cpu_msr(uint32_t msr);
unsigned int fake_cpu_msr_reads(uint32_t msr);
unsigned int fake_cpu_msr_writes(uint32_t msr);

void fake_cpu_set_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t eax, uint32_t ebx,
			uint32_t ecx, uint32_t edx);
/* Read-modify-write of CPUID.1:ECX, e.g. to drop the VMX bit. */
void fake_cpu_set_cpuid1_ecx(uint32_t set, uint32_t clear);

/* The area this_cpu() returns (reset: fake_cpu_default_percpu(), cpu_id 0). */
void fake_cpu_set_this(struct percpu *p);
struct percpu *fake_cpu_default_percpu(void);

#endif
