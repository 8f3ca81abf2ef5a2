/* SPDX-License-Identifier: MIT */
/*
 * A programmable fake of the vendor-neutral vCPU interface (guest/vcpu.h)
 * as vm/ files use it: a backend whose GPRs, code state, RIP, RFLAGS.IF,
 * STARTUP reset and boot state come from fake_vcpu; vcpu_stop(); guest
 * memory reads (guest/guest_mem.h) from a flat buffer at guest address 0;
 * the hypercall handler a platform's ops name; the TSC.
 */
#ifndef VIREO_TESTS_FAKE_VCPU_H
#define VIREO_TESTS_FAKE_VCPU_H

#include <stdbool.h>
#include <stdint.h>
#include "vm/vm.h"

#define FAKE_GUEST_MEM_SIZE 0x10000u
#define FAKE_VCPUS VM_MAX_VCPUS

struct fake_vcpu_state {
	uint64_t tsc;		     /* what cpu_rdtsc() returns */
	struct vcpu_code_state code; /* the "loaded vCPU": CS base, RIP, mode */
	bool guest_if;		     /* its RFLAGS.IF */
	unsigned advance_calls;
	uint64_t gpr[FAKE_VCPUS][VCPU_GPRS]; /* by vCPU id, enum vcpu_gpr order */
	uint8_t mem[FAKE_GUEST_MEM_SIZE];    /* guest-linear = guest-physical 0.. */
	unsigned mem_reads;
	unsigned stop_calls;
	struct vcpu *stopped;
	char stop_msg[512];
	unsigned sipi_calls;
	struct vcpu *sipi_vcpu;
	uint8_t sipi_vector;
	unsigned boot_calls;
	struct vcpu_boot_state boot; /* the last boot state applied */
	unsigned hypercall_calls;
	unsigned tpr_calls; /* set_tpr(): the backend told of a TPR change */
	uint8_t tpr;
};

extern struct fake_vcpu_state fake_vcpu;
extern const struct vcpu_backend fake_vcpu_backend;

/* Everything 0: 32-bit protected mode at CS base 0, RIP 0, IF=0, empty
 * memory; vcpu_be = &fake_vcpu_backend. */
void fake_vcpu_reset(void);

#endif
