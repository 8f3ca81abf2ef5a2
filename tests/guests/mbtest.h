/*
 * Shared declarations of the Multiboot test kernels (tests/guests/): port and
 * MSR accessors, the COM1 console, the case reporter and what the cases pass
 * to each other (CPU lists from fw_cfg and the MADT, the calibrated TSC).
 */
#ifndef MBTEST_H
#define MBTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_CPUS 64

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* A pointer to fixed physical memory that gcc cannot see through (-Warray-bounds). */
static inline void *phys(uintptr_t addr)
{
	__asm__("" : "+r"(addr));
	return (void *)addr;
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

/* lib.c */
void uart_init(void);
int uart_getline(char *buf, int cap, uint64_t deadline);
void printf(const char *fmt, ...);
void vprintf_locked(const char *fmt, va_list ap);
uint64_t udiv64(uint64_t n, uint64_t d, uint64_t *rem);
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int snprintf(char *buf, size_t cap, const char *fmt, ...);
int vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);
void report(int ok, const char *name, const char *fmt, ...);
void skip(const char *name, const char *why);
void finish(void) __attribute__((noreturn));
void shutdown_only(void) __attribute__((noreturn));
void machine_exit(uint8_t code) __attribute__((noreturn));
void spin_lock(volatile uint32_t *l);
void spin_unlock(volatile uint32_t *l);
extern volatile uint32_t console_lock;

/* Local APIC registers (offsets in the xAPIC page, SDM Vol. 3A Table 11-1)
 * and IA32_APIC_BASE bits, shared by apic.c, bad.c, bench.c and the fuzzer. */
#define MSR_APIC_BASE 0x1b
#define APIC_MMIO 0xfee00000u
#define APIC_BASE_EXTD (1u << 10)
#define APIC_BASE_EN (1u << 11)
#define APIC_ID 0x20
#define APIC_VER 0x30
#define APIC_TPR 0x80
#define APIC_EOI 0xb0
#define APIC_SVR 0xf0
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_TMR_INIT 0x380
#define APIC_TMR_CUR 0x390
#define APIC_TMR_DIV 0x3e0

/* Protected-mode descriptor-table formats (SDM Vol. 3A 6.11 gates, 3.5.1
 * GDTR/IDTR, 8.2.1 32-bit TSS), shared by apic.c, ring3.c and the fuzzer. */
struct gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

struct dtr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

struct tss32 {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap_base;
} __attribute__((packed));

/* mbinfo.c */
#define MMAP_KEPT 16
struct boot_info {
	int version;	/* 1 or 2: which header this image carries */
	uint32_t magic; /* EAX at entry */
	uintptr_t info; /* EBX at entry */
	const char *loader;
	const char *cmdline;
	int have_mem;
	uint32_t mem_lower, mem_upper; /* KiB */
	int have_mmap;
	uint64_t mmap_avail; /* bytes of type-1 memory */
	const void *rsdp;    /* from an MB2 ACPI tag, or NULL */
	unsigned nmods;
	struct {
		uint32_t start, end;
		const char *string;
	} mods[4];    /* the first four modules */
	unsigned nmmap; /* memory map entries, the first MMAP_KEPT kept */
	struct {
		uint64_t base, len;
		uint32_t type;
	} mmap[MMAP_KEPT];
	char why[96]; /* what is insane, when the check fails */
};
extern struct boot_info boot;
int mbinfo_parse(void);
/* What the memory map says of [addr, addr + len): "available", "reserved"
 * (any other type), "unlisted" or "mixed". */
const char *mmap_kind(uint64_t addr, uint64_t len);
/* early.c: mbtest.early_fault, run before the kernel loads its own GDT. */
void case_early_fault(void);
/* Is word one of the space-separated words of cmdline? */
int has_option(const char *cmdline, const char *word);
/* Misbehave as a word mbtest.bad=<what> on the command line asks (bad.c);
 * returns only when none is given. */
void bad_guest(const char *cmdline);
/* debug.c: #DB from a single step and a write breakpoint. */
#define VEC_DEBUG 1
void debug_isr(uint32_t eip, uint32_t *eflags);
void case_debug(void);
void case_debug_hlt(void);
/* strio.c: REP INS/OUTS that must fault; strio_catch() takes the fault it
 * armed (1) and moves EIP past the instruction under test. */
int strio_catch(uint32_t vector, uint32_t error, uint32_t *eip);
void case_string_io(int limits); /* limits: also the #GP of ES's limit */
/* ring3.c: the mbtest.bad= words that misbehave from CPL 3. */
void bad_vmcall3(void) __attribute__((noreturn));
void bad_acloop(void) __attribute__((noreturn));
/* mbtest.bench: time the emulated accesses, print them, exit 0 (bench.c). */
void bench_guest(void) __attribute__((noreturn));

/* acpi.c */
extern uint32_t madt_ids[MAX_CPUS];
extern int madt_ncpus;
/* From the MADT: the address of the I/O APIC at GSI 0 (0 if none), and ISA
 * interrupt source overrides (GSI + 1; 0 = no override: GSI = IRQ). */
extern uint32_t madt_ioapic;
extern uint32_t madt_isa_gsi[16];
void case_ioapic_uart(void);
int acpi_find_cpus(char *why, size_t n);

/* apic.c */
extern uint64_t tsc_hz;
extern int tsc_calibrated;
void tsc_calibrate(void);
void delay_us(uint32_t us);
void cpu_tables_init(void);
void case_lapic(void);
void case_timer_oneshot(void);
/* The one-shot timer for other cases (debug.c): arm it (0 stops it), and
 * its interrupts since. */
void lapic_oneshot_arm(uint32_t count);
uint32_t lapic_oneshots(void);
void case_timer_periodic(void);
void case_tsc_deadline(void);
void case_x2apic(void);
void case_smp(void);
/* mbtest.smp=xapic: bring the APs up through the xAPIC page even where
 * case 8 switched to x2APIC. */
extern int smp_force_xapic;

/* mbtest.c */
extern uint32_t fwcfg_ncpus;

/* entry.asm */
extern const uint8_t ap_tramp_start[], ap_tramp_end[];
extern volatile uint32_t ap_next_index;
extern uint8_t ap_stacks[];
extern const int mb_header_version;
void load_segments(void);

#define AP_STACK_SIZE 8192
#define AP_TRAMP_ADDR 0x8000

#endif
