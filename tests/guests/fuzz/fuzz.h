/*
 * Shared declarations of the fuzzing guest kernel (tests/guests/fuzz/): the
 * operation classes, the per-CPU state (recovery point, PRNG stream,
 * counters, scratch pages), the descriptor selectors and the helpers the
 * classes share. The console, printf and machine exit come from ../lib.c.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include "../mbtest.h"

#define FUZZ_MAX_CPUS 8
#define PAGE_SIZE 4096u
#define NVECTORS 256
#define NEXCEPTIONS 32
#define VEC_FIRST_APIC 16 /* vectors 0-15 are illegal for APIC delivery (SDM Vol. 3A 11.5.2) */
#define FUZZ_NREGS 7

/* GDT layout (SDM Vol. 3A 3.4.5): flat ring-0/ring-3 segments, a TSS per CPU. */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UCODE 0x1b
#define SEL_UDATA 0x23
#define SEL_TSS0 0x28
#define SEL_SHIFT 3
/* Per CPU, a ring-0 code segment that is just its code page (base there,
 * limit 4 KiB - 1): fuzzed CPL 0 code that jumps away gets #GP instead of
 * running the fuzzer's data as code. */
#define SEL_FCODE0 (SEL_TSS0 + (FUZZ_MAX_CPUS << SEL_SHIFT))
#define GDT_ENTRIES (5 + 2 * FUZZ_MAX_CPUS)

/* Vectors with a meaning here (SDM Vol. 3A 6.3.1 for the exceptions). */
#define VEC_DE 0
#define VEC_DB 1
#define VEC_NMI 2
#define VEC_BP 3
#define VEC_UD 6
#define VEC_NM 7
#define VEC_GP 13
#define VEC_PF 14
#define VEC_AC 17
#define VEC_WATCHDOG 0x30
#define VEC_BCAST 0x3f /* the start-up broadcast check; random IPIs use 0x40 up */
#define NO_VECTOR 0xffffffffu
#define VEC_OF 4
#define VEC_SPURIOUS 0xff

/* Control-register bits (SDM Vol. 3A 2.5). */
#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
#define CR4_DE (1u << 3)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_OSXSAVE (1u << 18)
#define EFLAGS_RSVD1 (1u << 1)
#define EFLAGS_TF (1u << 8)
#define EFLAGS_IF (1u << 9)
#define EFLAGS_DF (1u << 10)
#define EFLAGS_IOPL3 (3u << 12)
#define EFLAGS_AC (1u << 18)

enum fuzz_class {
	FC_INSN0,
	FC_INSN3,
	FC_MSR,
	FC_IO,
	FC_STR,
	FC_LAPIC,
	FC_IOAPIC,
	FC_X2APIC,
	FC_CR,
	FC_DR,
	FC_XSETBV,
	FC_VMX,
	FC_IPI,
	FC_IRQ,
	FC_FAULT,
	FC_COUNT
};

/* The recovery point of fuzz_setjmp/fuzz_longjmp (entry.asm). */
struct fuzz_jmp {
	uint32_t ebx, esi, edi, ebp, esp, eip;
};

/* The frame trap_common (entry.asm) hands to fuzz_trap. */
struct trap_frame {
	uint32_t gs, fs, es, ds;
	uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
	uint32_t vector, error, eip, cs, eflags;
};

/*
 * Per-CPU scratch block (pages at scratch_page(cpu, p)); guards are not
 * present. Fuzzed CPL 0 code gets twelve data pages with its stack in the
 * middle, so that stray pushes and pops stay on mapped pages (a fault with
 * an unmapped stack at CPL 0 is a triple fault, SDM Vol. 3A 6.15 #DF).
 */
enum scratch_page {
	SP_GUARD0 = 0,
	SP_KCODE = 1,
	SP_GUARD1 = 2,
	SP_KDATA = 3,
	SP_KSTACK = 9,
	SP_GUARD2 = 15,
	SP_UCODE = 16,
	SP_UDATA = 17,
	SP_USTACK = 18,
	SP_URO = 19,
	SP_GUARD3 = 20,
	SP_TRAPSTACK = 21,
	SP_GUARD4 = 22,
};
#define KDATA_PAGES (SP_GUARD2 - SP_KDATA)
#define SCRATCH_PAGES_PER_CPU 32

struct fuzz_cpu {
	struct fuzz_jmp jmp;
	volatile uint32_t in_op;
	uint64_t op_deadline;
	uint64_t rng;
	uint32_t index;
	uint32_t cur_class;
	uint32_t last_vector; /* NO_VECTOR: the operation returned */
	uint32_t expect;      /* NO_VECTOR, or the vector the operation must end in */
	const char *expect_what;
	uint32_t anomalies;
	uint32_t watchdog_hit;
	volatile uint32_t bcast;
	uint32_t bcast_seen;
	uint32_t apic_dirty;
	uint32_t ops[FC_COUNT];
	uint32_t exc[NEXCEPTIONS];
	uint32_t irqs, nmis, watchdogs;
	uint32_t regs[FUZZ_NREGS];
	volatile uint32_t finished;
};

/* main.c */
extern struct fuzz_cpu fuzz_cpus[FUZZ_MAX_CPUS];
extern uint32_t fuzz_ncpus;
extern uint32_t fuzz_x2apic;
extern uint32_t fuzz_trace; /* fuzz.trace=1: every operation; 2: random code only */
#define FUZZ_TRACE_ALL 1
/* fuzz.safe=1: steer clear of the Vireo defects that stop the VM (listed in
 * docs/fuzz-guest.md): no string I/O in random code, string I/O on mapped
 * pages only, EFER.LMA kept, CR0.PE kept. */
extern uint32_t fuzz_safe;
extern uint32_t fuzz_known_cr0, fuzz_known_cr3, fuzz_known_cr4;
extern uint64_t fuzz_tsc_hz;
extern const char *const fuzz_class_names[FC_COUNT];
uint8_t *scratch_page(uint32_t cpu, enum scratch_page p);
struct fuzz_cpu *this_fuzz_cpu(void);
void fuzz_restore_cpu(void);
void fuzz_reload_tables(void);
/* The operation must end in exception vec (what says why); checked after it. */
void fuzz_expect(struct fuzz_cpu *c, uint32_t vec, const char *what);
/* The operation's time budget starts now (the watchdog ends it after). */
void fuzz_op_deadline(struct fuzz_cpu *c);
#define FUZZ_TRACE(...)                                                                            \
	do {                                                                                       \
		if (fuzz_trace == FUZZ_TRACE_ALL)                                                  \
			printf(__VA_ARGS__);                                                       \
	} while (0)

/* rng.c */
void rng_seed(struct fuzz_cpu *c, uint64_t seed, uint32_t index);
uint64_t rng_next(struct fuzz_cpu *c);
uint32_t rng_below(struct fuzz_cpu *c, uint32_t n);
uint32_t rng_pick(struct fuzz_cpu *c, const uint32_t *ranges, uint32_t nranges);

/* apic.c */
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t v);
void lapic_eoi(void);
int lapic_in_service(uint32_t vec);
uint32_t lapic_id(void);
void lapic_setup(void);
void lapic_send(uint32_t dest, uint32_t lo);
void start_aps(uint32_t n);
void send_broadcast_check(void);
void op_lapic(struct fuzz_cpu *c);
void op_ioapic(struct fuzz_cpu *c);
void op_x2apic(struct fuzz_cpu *c);
void op_ipi(struct fuzz_cpu *c);
void op_irq(struct fuzz_cpu *c);

/* ops.c and ops_cpu.c */
void op_insn(struct fuzz_cpu *c, int user);
void op_msr(struct fuzz_cpu *c);
void op_io(struct fuzz_cpu *c);
void op_str(struct fuzz_cpu *c);
void op_cr(struct fuzz_cpu *c);
void op_dr(struct fuzz_cpu *c);
void op_xsetbv(struct fuzz_cpu *c);
void op_vmx(struct fuzz_cpu *c);
void op_fault(struct fuzz_cpu *c);
int xsave_available(void);
void run_code(struct fuzz_cpu *c, uint32_t off, int user, uint32_t eflags)
    __attribute__((noreturn));
void code_setup(struct fuzz_cpu *c, int user);
void code_enter(struct fuzz_cpu *c, uint32_t off, int user, uint32_t eflags)
    __attribute__((noreturn));
uint32_t insn_prepare(struct fuzz_cpu *c, int user, uint32_t *eflags);
int x2apic_available(void);
void uart_init(void);

/* entry.asm */
int fuzz_setjmp(struct fuzz_jmp *j) __attribute__((returns_twice));
void fuzz_longjmp(struct fuzz_jmp *j, int v) __attribute__((noreturn));
void enter_user(uint32_t eip, uint32_t esp, uint32_t eflags, uint32_t regs)
    __attribute__((noreturn));
void enter_code(uint32_t eip, uint32_t esp, uint32_t eflags, uint32_t regs, uint32_t cs)
    __attribute__((noreturn));
void load_segments(void);
extern const uint32_t isr_table[NVECTORS];
extern const uint8_t ap_tramp_start[], ap_tramp_end[];
extern uint8_t ap_stacks[];

#endif
