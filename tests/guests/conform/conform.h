/*
 * Shared declarations of the conformance kernel (conform.elf): the fact and
 * check reporters, the exception catcher every probe uses, the recorded
 * CPUID and MSR results the consistency checks read, and the modules.
 * Facts are KEY=VALUE pairs on "conform: facts" lines compared between a bare CPU and
 * a Vireo guest by tests/harness/conform.sh; checks are KTAP cases that must
 * pass on any CPU (docs/test-kernels.md).
 */
#ifndef CONFORM_H
#define CONFORM_H

#include "../mbtest.h"

/* Architectural bits the modules share (SDM Vol. 3A 2.5 control registers,
 * 17.2 EFLAGS). */
#define EFLAGS_TF (1u << 8)
#define EFLAGS_RF (1u << 16)
#define CR0_PE (1u << 0)
#define CR0_TS (1u << 3)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
#define CR4_DE (1u << 3)
#define CR4_PSE (1u << 4)
#define CR4_OSXSAVE (1u << 18)
#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_OSXSAVE (1u << 27)
#define VEC_DB 1
#define VEC_GP 13
#define VEC_NO_FAULT 0xffffffffu

/* What the last caught exception looked like (conform_trap fills it). */
struct fault {
	uint32_t vector; /* VEC_NO_FAULT: the instruction completed */
	uint32_t error, eip, eflags, cr2;
};

/* The catcher: catch_arm() then an asm block made with CATCH_ASM: an
 * exception inside it is recorded in catch_state.f and execution resumes
 * after the block with the registers as they were at the fault. */
/* trap.c: the #BP before the kernel's own GDT (entry.asm's handler). */
#define VEC_BP 3
void early_fault_take(void);
void early_bp_isr(void);
extern volatile uint32_t early_bp_hits;

struct catch_state {
	volatile uint32_t armed, resume;
	volatile struct fault f;
};
extern struct catch_state catch_state;
#define CATCH_ASM(insns)                                                                           \
	"movl $1f, catch_state+4\n\tmovl $1, catch_state\n\t" insns                                \
	"\n1:\n\tmovl $0, catch_state\n\t"
void catch_arm(void);
/* The fault as text: "ok" or "#GP(0)+RF" style (vector name, error code,
 * "+RF" when the pushed EFLAGS had RF set). */
const char *fault_text(const volatile struct fault *f);
const char *vector_name(uint32_t vector); /* "GP" for 13 (SDM Table 6-1) */

/* Single-step and breakpoint bookkeeping: #DB count, first DR6 and EIP. */
struct dbg_state {
	volatile uint32_t active, count, dr6, eip;
};
extern struct dbg_state dbg_state;

/* out.c: packed, paced fact lines ("conform: facts K=V K=V ..."). */
void out_init(void);
void fact_put(const char *key, const char *val);
void fact_flush(void);
void fact_unbuffered(void);
void delay_us(uint32_t us);
/* Prepended to every key while set (the APs' "cpuN."). */
extern const char *fact_prefix;

/* main.c: the reporters. */
void fact(const char *key, const char *fmt, ...);
void check(int ok, const char *name, const char *fmt, ...);
void fact_fault(const char *key, const volatile struct fault *f);

/* Safe accessors: 1 if the access completed, else 0 with *f the fault. */
int rdmsr_safe(uint32_t msr, uint64_t *v, struct fault *f);
int wrmsr_safe(uint32_t msr, uint64_t v, struct fault *f);
int wrcr0_safe(uint32_t v, struct fault *f);
int wrcr4_safe(uint32_t v, struct fault *f);
int xsetbv_safe(uint32_t xcr, uint64_t v, struct fault *f);
uint32_t read_cr0(void);
uint32_t read_cr4(void);
uint64_t xgetbv0(void);
void cpuid_sub(uint32_t leaf, uint32_t sub, uint32_t r[4]);

/* trap.c: descriptor tables. */
void tables_init(void);
void tables_load(void);
void idt_set_present(int vector, int present);

/* The modules, in the order conform_main runs them. */
void cpuid_facts(void);
void msr_facts(void);
void msr_consistency_checks(void);
void behave_tsc(void);
void behave_msrs(void);
void behave_cr(void);
void behave_cr_risky(void);
void behave_xsave(void);
void except_facts(void);
void paging_facts(void);
void step_facts(void);
void ap_facts(void);
void longmode_facts(void);
/* longmode.c, lm.asm: identity-mapped 4-level tables for the first 1 GiB;
 * an AP entering IA-32e mode with them and halting there. */
uint32_t lm_cr3(void);
void lm_park(uint32_t cr3) __attribute__((noreturn));
void rmode_facts(void);
void apic_facts(void);
void double_fault_facts(void);

/* msr.c: the recorded outcome of the table's reads (-1: not in the table). */
int msr_read_ok(uint32_t msr);

#endif
