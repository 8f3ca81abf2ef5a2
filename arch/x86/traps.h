/* SPDX-License-Identifier: MIT */
/*
 * The IDT (all 256 vectors, IST stacks for #DF/NMI/#MC), interrupt handler
 * registration and the fatal-exception report.
 */
#ifndef VIREO_ARCH_X86_TRAPS_H
#define VIREO_ARCH_X86_TRAPS_H

#include <stdint.h>

#define X86_TRAP_DE 0
#define X86_TRAP_DB 1
#define X86_TRAP_NMI 2
#define X86_TRAP_BP 3
#define X86_TRAP_UD 6
#define X86_TRAP_DF 8
#define X86_TRAP_SS 12
#define X86_TRAP_GP 13
#define X86_TRAP_PF 14
#define X86_TRAP_AC 17
#define X86_TRAP_MC 18
#define X86_EXCEPTIONS 32
#define IDT_VECTORS 256

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

typedef void (*trap_handler_fn)(struct trap_frame *f);

void idt_init(void); /* build the shared IDT once (BSP) */
void idt_load(void); /* load it on the calling CPU */
void traps_register(unsigned vector, trap_handler_fn fn);
const char *trap_name(unsigned vector);
/* Run the handler registered for an interrupt taken elsewhere (VM exit). */
void traps_dispatch_vector(unsigned vector);

/* Fault probes (arch/x86/probe.asm): -1 if no fault, else the vector. */
int probe_read8(const void *addr);
int probe_write8(void *addr, uint8_t value);
int probe_exec(const void *addr);
int probe_ud2(void);

#endif
