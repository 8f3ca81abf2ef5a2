/* SPDX-License-Identifier: MIT */
/*
 * A programmable fake of the vCPU accessors vm/vcpu_plat.c calls (GPRs, the
 * current VMCS's code state, RIP and RFLAGS.IF, stop, STARTUP reset), guest
 * memory reads from a flat buffer at guest address 0, and the TSC.
 */
#ifndef VIREO_TESTS_FAKE_VMX_PLAT_H
#define VIREO_TESTS_FAKE_VMX_PLAT_H

#include <stdbool.h>
#include <stdint.h>
#include "vm/vm.h"

#define FAKE_GUEST_MEM_SIZE 0x10000u
#define FAKE_VCPUS VM_MAX_VCPUS

struct fake_vmx_plat_state {
	uint64_t tsc;			      /* what cpu_rdtsc() returns */
	struct vmx_code_state code;	      /* the "current VMCS": CS base, RIP, mode */
	bool guest_if;			      /* RFLAGS.IF of the current VMCS */
	unsigned advance_calls;
	uint64_t gpr[FAKE_VCPUS][16];	      /* by vCPU id, SDM order */
	uint8_t mem[FAKE_GUEST_MEM_SIZE];     /* guest-linear = guest-physical 0.. */
	unsigned mem_reads;
	unsigned stop_calls;
	struct vmx_vcpu *stopped;
	char stop_msg[512];
	unsigned sipi_calls;
	struct vmx_vcpu *sipi_vcpu;
	uint8_t sipi_vector;
	unsigned hypercall_calls;
};

extern struct fake_vmx_plat_state fake_vmx;

/* Everything 0: 32-bit protected mode at CS base 0, RIP 0, IF=0, empty memory. */
void fake_vmx_plat_reset(void);

#endif
