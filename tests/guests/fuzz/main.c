/*
 * The fuzzing guest kernel's core: the boot (Multiboot 1 information and
 * command line), its own GDT, IDT, per-CPU TSS and page tables, the TSC
 * calibration, the trap handler that turns every exception raised inside an
 * operation into a return to the fuzz loop, the loop itself on every CPU,
 * and the final per-class report on CPU 0.
 */
#include "fuzz.h"

#define MB1_MAGIC_EAX 0x2badb002u
#define MB1_FLAG_MEM (1u << 0)
#define MB1_FLAG_CMDLINE (1u << 2)
#define MB1_OFF_MEM_UPPER 8
#define MB1_OFF_CMDLINE 16
#define KIB 1024u
#define MIB (1024u * 1024u)
#define LOW_MEM_END MIB

#define PDE_ENTRIES 1024
#define PDE_SHIFT 22
#define BIG_PAGE (4u * MIB)
#define PTE_P (1u << 0)
#define PTE_RW (1u << 1)
#define PTE_US (1u << 2)
#define PTE_PWT (1u << 3)
#define PTE_PCD (1u << 4)
#define PTE_PS (1u << 7)
#define PAGE_SHIFT 12
#define APIC_REGION 0xfec00000u /* the I/O APIC page starts it */
#define LAPIC_PAGE 0xfee00000u
#define MIN_GUEST_MEM (16u * MIB)

#define DESC_FLAT_KCODE 0x00cf9a000000ffffull
#define DESC_FLAT_KDATA 0x00cf92000000ffffull
#define DESC_FLAT_UCODE 0x00cffa000000ffffull
#define DESC_FLAT_UDATA 0x00cff2000000ffffull
#define DESC_TSS32_AVAIL 0x89ull
#define DESC_CODE32_TYPE 0x9aull /* present, DPL 0, code, execute/read */
#define DESC_FLAG_DB 0x4ull	 /* 32-bit default operand size, G = 0 */
#define DESC_FLAGS_SHIFT 52
#define DESC_TYPE_SHIFT 40
#define DESC_LIMIT_HI_SHIFT 48
#define DESC_BASE_HI_SHIFT 56
#define DESC_BASE_LO_MASK 0xffffffull
#define DESC_BASE_LO_SHIFT 16
#define GATE_INTR32 0x8e
#define GATE_OFF_MASK 0xffffu
#define GATE_OFF_SHIFT 16
#define DECIMAL 10
#define HEX 16

#define PIT_TICKS 11932u /* 10 ms of the 1.193182 MHz PIT */
#define PIT_HZ 1193182ull
#define PIT_POLLS 2000000u
#define PORT_PIT_CH2 0x42
#define PORT_PIT_CMD 0x43
#define PORT_SYS_CTRL 0x61
#define PIT_CH2_MODE0 0xb0
#define SYS_CTRL_GATE2 0x01
#define SYS_CTRL_SPKR 0x02
#define SYS_CTRL_OUT2 0x20
#define TSC_FALLBACK_HZ 1000000000ull
#define MIN_TSC_HZ 1000000ull

#define FW_CFG_SEL 0x510
#define FW_CFG_DATA 0x511
#define FW_CFG_NB_CPUS 0x05

#define DEFAULT_SECONDS 20
#define OP_BUDGET_MS 50
#define PROGRESS_SECONDS 5
#define AP_WAIT_SECONDS 3
#define FUZZ_EXIT_FATAL 0x7e
#define MS_PER_S 1000
#define RESTORE_TRIES 3
#define MAX_ANOMALY_REPORTS 8
#define BCAST_WAIT_MS 20
#define COUNTS_PER_LINE 8
#define COUNT_LINE 160

const char *const fuzz_class_names[FC_COUNT] = {
    [FC_INSN0] = "insn0", [FC_INSN3] = "insn3", [FC_MSR] = "msr",	[FC_IO] = "io",
    [FC_STR] = "str",	  [FC_LAPIC] = "lapic", [FC_IOAPIC] = "ioapic", [FC_X2APIC] = "x2apic",
    [FC_CR] = "cr",	  [FC_DR] = "dr",	[FC_XSETBV] = "xsetbv", [FC_VMX] = "vmx",
    [FC_IPI] = "ipi",	  [FC_IRQ] = "irq",	[FC_FAULT] = "fault",
};

static const char *const exc_names[NEXCEPTIONS] = {
    "DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "CSO", "TS",
    "NP", "SS", "GP",  "PF", "15", "MF", "AC", "MC", "XM", "VE",  "CP",
};

struct fuzz_cpu fuzz_cpus[FUZZ_MAX_CPUS];
uint32_t fuzz_ncpus = 1;
uint32_t fuzz_x2apic, fuzz_trace, fuzz_safe;
uint32_t fuzz_known_cr0, fuzz_known_cr3, fuzz_known_cr4;
uint64_t fuzz_tsc_hz = TSC_FALLBACK_HZ;

static uint64_t gdt[GDT_ENTRIES];
static struct gate idt[NVECTORS];
static struct tss32 tss[FUZZ_MAX_CPUS];
static uint32_t page_dir[PDE_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint32_t scratch_pt[PDE_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint32_t apic_pt[PDE_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint32_t scratch_base;
static uint32_t enabled[FC_COUNT], nenabled;
static uint64_t run_end, run_seed;
static uint32_t run_seconds = DEFAULT_SECONDS;
static volatile uint32_t stop_all, run_go;
volatile uint32_t fuzz_aps_up, fuzz_aps_ready;

void fuzz_ap_main(void);
void fuzz_main(uint32_t magic, uint32_t mbi);
static void take_pending(struct fuzz_cpu *c);
void fuzz_trap(struct trap_frame *f);

uint8_t *scratch_page(uint32_t cpu, enum scratch_page p)
{
	return phys(scratch_base + (cpu * SCRATCH_PAGES_PER_CPU + p) * PAGE_SIZE);
}

struct fuzz_cpu *this_fuzz_cpu(void)
{
	uint16_t tr;

	__asm__ volatile("str %0" : "=r"(tr));
	if (tr < SEL_TSS0)
		return &fuzz_cpus[0];
	return &fuzz_cpus[((tr - SEL_TSS0) >> SEL_SHIFT) % FUZZ_MAX_CPUS];
}

/* ---- command line ---- */

static const char *opt_value(const char *cmdline, const char *key)
{
	size_t n = strlen(key);
	const char *p = cmdline;

	while (p && *p) {
		while (*p == ' ')
			p++;
		if (!memcmp(p, key, n) && p[n] == '=')
			return p + n + 1;
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

static uint64_t parse_num(const char *p)
{
	uint64_t v = 0;
	unsigned base = DECIMAL;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = HEX;
		p += 2;
	}
	for (;; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == HEX && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + DECIMAL);
		else
			break;
		v = v * base + d;
	}
	return v;
}

/* Is class k named in the comma-separated list at p (ended by a space)? */
static int named(const char *p, uint32_t k)
{
	size_t n = strlen(fuzz_class_names[k]);

	while (p && *p && *p != ' ') {
		if (*p == '-')
			p++;
		if (!memcmp(p, fuzz_class_names[k], n) && (p[n] == ',' || p[n] == ' ' || !p[n]))
			return 1;
		while (*p && *p != ',' && *p != ' ')
			p++;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* fuzz.ops=a,b,c: the classes named; fuzz.ops=-a,-b: every class but
 * those (Vireo keeps a VM's settings short); absent or "all": every class. */
static void parse_ops(const char *p)
{
	int all = !p || *p == '-' || !memcmp(p, "all", 3);

	for (uint32_t k = 0; k < FC_COUNT; k++)
		if (all ? !named(p, k) : named(p, k))
			enabled[nenabled++] = k;
}

static void parse_cmdline(const char *cmdline)
{
	const char *v;

	if ((v = opt_value(cmdline, "fuzz.seconds")))
		run_seconds = (uint32_t)parse_num(v);
	run_seed = 1;
	if ((v = opt_value(cmdline, "fuzz.seed")))
		run_seed = parse_num(v);
	if ((v = opt_value(cmdline, "fuzz.x2apic")))
		fuzz_x2apic = (uint32_t)parse_num(v);
	if ((v = opt_value(cmdline, "fuzz.safe")))
		fuzz_safe = (uint32_t)parse_num(v);
	if ((v = opt_value(cmdline, "fuzz.trace")))
		fuzz_trace = (uint32_t)parse_num(v);
	parse_ops(opt_value(cmdline, "fuzz.ops"));
}

/* ---- tables and paging ---- */

static uint64_t tss_descriptor(uint32_t base, uint32_t limit)
{
	return (limit & 0xffffull) | ((uint64_t)(base & DESC_BASE_LO_MASK) << DESC_BASE_LO_SHIFT) |
	       (DESC_TSS32_AVAIL << DESC_TYPE_SHIFT) |
	       ((uint64_t)((limit >> 16) & 0xf) << DESC_LIMIT_HI_SHIFT) |
	       ((uint64_t)(base >> 24) << DESC_BASE_HI_SHIFT);
}

/* A present DPL-0 32-bit execute/read code segment, byte granular. */
static uint64_t code_descriptor(uint32_t base, uint32_t limit)
{
	return (limit & 0xffffull) | ((uint64_t)(base & DESC_BASE_LO_MASK) << DESC_BASE_LO_SHIFT) |
	       (DESC_CODE32_TYPE << DESC_TYPE_SHIFT) |
	       ((uint64_t)((limit >> 16) & 0xf) << DESC_LIMIT_HI_SHIFT) |
	       (DESC_FLAG_DB << DESC_FLAGS_SHIFT) | ((uint64_t)(base >> 24) << DESC_BASE_HI_SHIFT);
}

static void build_tables(void)
{
	gdt[SEL_KCODE >> SEL_SHIFT] = DESC_FLAT_KCODE;
	gdt[SEL_KDATA >> SEL_SHIFT] = DESC_FLAT_KDATA;
	gdt[SEL_UCODE >> SEL_SHIFT] = DESC_FLAT_UCODE;
	gdt[SEL_UDATA >> SEL_SHIFT] = DESC_FLAT_UDATA;
	for (uint32_t i = 0; i < FUZZ_MAX_CPUS; i++) {
		tss[i].ss0 = SEL_KDATA;
		tss[i].esp0 = (uint32_t)(uintptr_t)scratch_page(i, SP_TRAPSTACK) + PAGE_SIZE;
		tss[i].iomap_base = sizeof(tss[i]); /* no I/O permission bitmap */
		gdt[(SEL_TSS0 >> SEL_SHIFT) + i] =
		    tss_descriptor((uint32_t)(uintptr_t)&tss[i], sizeof(tss[i]) - 1);
		gdt[(SEL_FCODE0 >> SEL_SHIFT) + i] =
		    code_descriptor((uint32_t)(uintptr_t)scratch_page(i, SP_KCODE), PAGE_SIZE - 1);
	}
	for (uint32_t v = 0; v < NVECTORS; v++) {
		idt[v].off_lo = isr_table[v] & GATE_OFF_MASK;
		idt[v].off_hi = isr_table[v] >> GATE_OFF_SHIFT;
		idt[v].sel = SEL_KCODE;
		idt[v].type = GATE_INTR32;
	}
}

static uint32_t scratch_pte(uint32_t p)
{
	if (p == SP_KCODE || p == SP_TRAPSTACK || (p >= SP_KDATA && p < SP_KDATA + KDATA_PAGES))
		return PTE_P | PTE_RW;
	if (p == SP_UCODE || p == SP_UDATA || p == SP_USTACK)
		return PTE_P | PTE_RW | PTE_US;
	if (p == SP_URO)
		return PTE_P | PTE_US;
	return 0;
}

/* 4 MiB pages for the kernel's memory (CR4.PSE, SDM Vol. 3A 4.3), one page
 * table for the per-CPU scratch pages in the top 4 MiB, one for the I/O APIC
 * and local APIC pages (uncached). */
static void build_paging(uint32_t mem_top)
{
	uint32_t spde = mem_top / BIG_PAGE - 1, i;

	scratch_base = spde * BIG_PAGE;
	for (i = 0; i < spde; i++)
		page_dir[i] = i * BIG_PAGE | PTE_P | PTE_RW | PTE_PS;
	for (i = 0; i < FUZZ_MAX_CPUS * SCRATCH_PAGES_PER_CPU; i++) {
		uint32_t pte = scratch_pte(i % SCRATCH_PAGES_PER_CPU);

		if (pte)
			scratch_pt[i] = (scratch_base + i * PAGE_SIZE) | pte;
	}
	page_dir[spde] = (uint32_t)(uintptr_t)scratch_pt | PTE_P | PTE_RW | PTE_US;
	apic_pt[0] = APIC_REGION | PTE_P | PTE_RW | PTE_PCD | PTE_PWT;
	apic_pt[(LAPIC_PAGE - APIC_REGION) >> PAGE_SHIFT] =
	    LAPIC_PAGE | PTE_P | PTE_RW | PTE_PCD | PTE_PWT;
	page_dir[APIC_REGION >> PDE_SHIFT] = (uint32_t)(uintptr_t)apic_pt | PTE_P | PTE_RW;
}

void fuzz_reload_tables(void)
{
	struct dtr g = {sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt};
	struct dtr i = {sizeof(idt) - 1, (uint32_t)(uintptr_t)idt};

	__asm__ volatile("lgdt %0" : : "m"(g));
	load_segments();
	__asm__ volatile("lidt %0" : : "m"(i));
}

/* Tables, TSS and paging on the calling CPU. */
static void cpu_init(uint32_t index)
{
	uint32_t cr;

	fuzz_reload_tables();
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS0 + (index << SEL_SHIFT)));
	__asm__ volatile("mov %0, %%cr3" : : "r"((uint32_t)(uintptr_t)page_dir));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr | CR4_PSE));
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr));
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr | CR0_PG | CR0_WP | CR0_NE));
	if (!index) {
		__asm__ volatile("mov %%cr0, %0" : "=r"(fuzz_known_cr0));
		__asm__ volatile("mov %%cr3, %0" : "=r"(fuzz_known_cr3));
		__asm__ volatile("mov %%cr4, %0" : "=r"(fuzz_known_cr4));
	}
	fuzz_cpus[index].index = index;
	lapic_setup();
}

/* Back to the known-good state after an operation (run under its guard). */
void fuzz_restore_cpu(void)
{
	struct fuzz_cpu *c = this_fuzz_cpu();
	uint32_t cr;

	fuzz_reload_tables();
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr));
	if (cr != fuzz_known_cr4)
		__asm__ volatile("mov %0, %%cr4" : : "r"(fuzz_known_cr4));
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr));
	if (cr != fuzz_known_cr3)
		__asm__ volatile("mov %0, %%cr3" : : "r"(fuzz_known_cr3));
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr));
	if (cr != fuzz_known_cr0)
		__asm__ volatile("mov %0, %%cr0" : : "r"(fuzz_known_cr0));
	if (c->cur_class == FC_DR || c->cur_class == FC_FAULT || c->cur_class == FC_INSN0 ||
	    c->cur_class == FC_CR)
		__asm__ volatile("mov %0, %%dr7" : : "r"(0));
	if (c->apic_dirty) {
		c->apic_dirty = 0;
		lapic_setup();
	}
}

/* ---- time and CPUs ---- */

static void fuzz_tsc_calibrate(void)
{
	uint8_t p61 = inb(PORT_SYS_CTRL);
	uint64_t t0, t1, hz = 0;
	uint32_t i;

	outb(PORT_SYS_CTRL, (p61 & ~SYS_CTRL_SPKR) | SYS_CTRL_GATE2);
	outb(PORT_PIT_CMD, PIT_CH2_MODE0);
	outb(PORT_PIT_CH2, PIT_TICKS & 0xff);
	outb(PORT_PIT_CH2, PIT_TICKS >> 8);
	t0 = rdtsc();
	for (i = 0; i < PIT_POLLS && !(inb(PORT_SYS_CTRL) & SYS_CTRL_OUT2); i++)
		;
	t1 = rdtsc();
	outb(PORT_SYS_CTRL, p61);
	if (i < PIT_POLLS && t1 > t0)
		hz = udiv64((t1 - t0) * PIT_HZ, PIT_TICKS, NULL);
	if (hz >= MIN_TSC_HZ)
		fuzz_tsc_hz = hz;
	else
		printf("fuzz: PIT channel 2 gave no count: assuming a 1 GHz TSC\n");
}

static uint32_t fuzz_fwcfg_ncpus(void)
{
	uint32_t n;

	outw(FW_CFG_SEL, FW_CFG_NB_CPUS);
	n = inb(FW_CFG_DATA);
	n |= (uint32_t)inb(FW_CFG_DATA) << 8;
	if (!n || n > FUZZ_MAX_CPUS) {
		printf("fuzz: fw_cfg says %u CPUs; fuzzing on %u\n", n, n ? FUZZ_MAX_CPUS : 1);
		n = n ? FUZZ_MAX_CPUS : 1;
	}
	return n;
}

/* ---- traps ---- */

static void __attribute__((noreturn)) fatal_trap(struct fuzz_cpu *c, struct trap_frame *f)
{
	console_lock = 0; /* the faulting code may have held it */
	printf("fuzz: cpu %u: exception %u at eip %x cs %x error %x outside an operation "
	       "(class %s)\n",
	       c->index, f->vector, f->eip, f->cs, f->error, fuzz_class_names[c->cur_class]);
	machine_exit(FUZZ_EXIT_FATAL);
}

/*
 * Every exception inside an operation ends it; interrupts are counted and
 * end it only once its time budget is spent (the watchdog tick). A vector
 * of 16-31 is an interrupt, not the exception of that number, when its ISR
 * bit is set: the random LVT, I/O APIC and IPI values may route one there
 * (legal, SDM Vol. 3A 11.5.2); seed 7, 1800 s once saw "vmx vmptrl should
 * raise vector 6, got vector 18" that way.
 */
void fuzz_trap(struct trap_frame *f)
{
	struct fuzz_cpu *c = this_fuzz_cpu();
	uint32_t vec = f->vector;

	if (vec == VEC_NMI) {
		c->nmis++;
		return;
	}
	if (vec < NEXCEPTIONS && (vec < VEC_FIRST_APIC || !lapic_in_service(vec))) {
		if (!c->in_op)
			fatal_trap(c, f);
		c->exc[vec]++;
		c->last_vector = vec;
		fuzz_longjmp(&c->jmp, 1);
	}
	if (vec == VEC_SPURIOUS) {
		if (lapic_in_service(vec))
			lapic_eoi();
		return;
	}
	if (vec == VEC_BCAST)
		c->bcast++;
	c->irqs++;
	lapic_eoi();
	if (c->in_op && rdtsc() > c->op_deadline) {
		c->watchdogs++;
		c->watchdog_hit = 1;
		fuzz_longjmp(&c->jmp, 1);
	}
}

/* ---- the loop ---- */

static void dispatch(struct fuzz_cpu *c, uint32_t cls)
{
	switch (cls) {
	case FC_INSN0:
	case FC_INSN3:
		op_insn(c, cls == FC_INSN3);
		break;
	case FC_MSR:
		op_msr(c);
		break;
	case FC_IO:
		op_io(c);
		break;
	case FC_STR:
		op_str(c);
		break;
	case FC_LAPIC:
		op_lapic(c);
		break;
	case FC_IOAPIC:
		op_ioapic(c);
		break;
	case FC_X2APIC:
		op_x2apic(c);
		break;
	case FC_CR:
		op_cr(c);
		break;
	case FC_DR:
		op_dr(c);
		break;
	case FC_XSETBV:
		op_xsetbv(c);
		break;
	case FC_VMX:
		op_vmx(c);
		break;
	case FC_IPI:
		op_ipi(c);
		break;
	case FC_IRQ:
		op_irq(c);
		break;
	default:
		op_fault(c);
		break;
	}
}

void fuzz_op_deadline(struct fuzz_cpu *c)
{
	c->op_deadline = rdtsc() + udiv64(fuzz_tsc_hz * OP_BUDGET_MS, MS_PER_S, NULL);
}

void fuzz_expect(struct fuzz_cpu *c, uint32_t vec, const char *what)
{
	c->expect = vec;
	c->expect_what = what;
}

/* An operation that should have raised a given exception and did not (or
 * raised another): what a real CPU would do differs from what happened. */
static void check_expectation(struct fuzz_cpu *c)
{
	if (c->expect == NO_VECTOR || c->watchdog_hit || c->expect == c->last_vector)
		return;
	c->anomalies++;
	if (c->anomalies <= MAX_ANOMALY_REPORTS)
		printf("fuzz: cpu %u: anomaly: %s %s should raise vector %u, got %s%u\n", c->index,
		       fuzz_class_names[c->cur_class], c->expect_what, c->expect,
		       c->last_vector == NO_VECTOR ? "no exception " : "vector ",
		       c->last_vector == NO_VECTOR ? 0 : c->last_vector);
}

static void run_one(struct fuzz_cpu *c, uint32_t cls)
{
	volatile uint32_t tries = 0;

	c->cur_class = cls;
	c->ops[cls]++;
	c->last_vector = NO_VECTOR;
	c->expect = NO_VECTOR;
	c->watchdog_hit = 0;
	fuzz_op_deadline(c);
	if (!fuzz_setjmp(&c->jmp)) {
		c->in_op = 1;
		dispatch(c, cls);
	}
	check_expectation(c);
	/* the restore may fault too (e.g. DR7.GD left set): try again */
	fuzz_op_deadline(c);
	fuzz_setjmp(&c->jmp);
	if (tries++ < RESTORE_TRIES)
		fuzz_restore_cpu();
	c->in_op = 0;
}

static uint32_t total_ops(void)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < fuzz_ncpus; i++)
		for (uint32_t k = 0; k < FC_COUNT; k++)
			n += fuzz_cpus[i].ops[k];
	return n;
}

static void fuzz_loop(struct fuzz_cpu *c)
{
	uint64_t next_progress = rdtsc() + fuzz_tsc_hz * PROGRESS_SECONDS;

	while (!stop_all && rdtsc() < run_end) {
		run_one(c, enabled[rng_below(c, nenabled)]);
		if (!c->index && rdtsc() >= next_progress) {
			next_progress += fuzz_tsc_hz * PROGRESS_SECONDS;
			printf("fuzz: %u ops so far\n", total_ops());
		}
	}
	c->finished = 1;
}

void fuzz_ap_main(void)
{
	uint32_t index = __atomic_add_fetch(&fuzz_aps_up, 1, __ATOMIC_SEQ_CST);
	struct fuzz_cpu *c = &fuzz_cpus[index % FUZZ_MAX_CPUS];

	cpu_init(index);
	rng_seed(c, run_seed, index);
	__atomic_add_fetch(&fuzz_aps_ready, 1, __ATOMIC_SEQ_CST);
	while (!run_go)
		cpu_relax();
	take_pending(c);
	fuzz_loop(c);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* ---- start and report ---- */

static void print_header(void)
{
	char list[160];
	size_t n = 0;

	list[0] = 0;
	for (uint32_t i = 0; i < nenabled && n + 12 < sizeof(list); i++)
		n += snprintf(list + n, sizeof(list) - n, "%s%s", i ? "," : "",
			      fuzz_class_names[enabled[i]]);
	printf("fuzz: seed %u, %u CPUs, %u s, ops %s%s%s\n", (uint32_t)run_seed, fuzz_ncpus,
	       run_seconds, list, fuzz_safe ? ", safe" : "", fuzz_x2apic ? ", x2apic" : "");
}

/* A class that cannot work here is named and dropped. */
static void drop_class(uint32_t cls, const char *why)
{
	for (uint32_t i = 0; i < nenabled; i++) {
		if (enabled[i] != cls)
			continue;
		printf("fuzz: class %s not available: %s\n", fuzz_class_names[cls], why);
		enabled[i] = enabled[--nenabled];
		return;
	}
}

static void check_classes(void)
{
	if (!xsave_available())
		drop_class(FC_XSETBV, "CPUID.1:ECX.XSAVE[bit 26] is 0");
	if (fuzz_ncpus < 2)
		printf("fuzz: one CPU: IPIs go to itself and to absent APIC IDs only\n");
	if (!nenabled) {
		printf("fuzz: no operation class enabled\n");
		machine_exit(FUZZ_EXIT_FATAL);
	}
}

/* Vireo cuts long console lines: counts go out a few to a line. */
static void print_class_counts(void)
{
	for (uint32_t k = 0; k < FC_COUNT; k += COUNTS_PER_LINE) {
		char line[COUNT_LINE];
		size_t n = 0;

		line[0] = 0;
		for (uint32_t j = k; j < FC_COUNT && j < k + COUNTS_PER_LINE; j++) {
			uint32_t sum = 0;

			for (uint32_t i = 0; i < fuzz_ncpus; i++)
				sum += fuzz_cpus[i].ops[j];
			n += snprintf(line + n, sizeof(line) - n, " %s=%u", fuzz_class_names[j],
				      sum);
		}
		printf("fuzz: ops%s\n", line);
	}
}

static void print_exception_counts(void)
{
	char line[COUNT_LINE];
	size_t n = 0;
	uint32_t shown = 0;

	line[0] = 0;
	for (uint32_t k = 0; k < NEXCEPTIONS; k++) {
		uint32_t sum = 0;

		for (uint32_t i = 0; i < fuzz_ncpus; i++)
			sum += fuzz_cpus[i].exc[k];
		if (!sum)
			continue;
		if (k < sizeof(exc_names) / sizeof(exc_names[0]) && exc_names[k])
			n += snprintf(line + n, sizeof(line) - n, " %s=%u", exc_names[k], sum);
		else
			n += snprintf(line + n, sizeof(line) - n, " v%u=%u", k, sum);
		if (++shown % COUNTS_PER_LINE == 0) {
			printf("fuzz: exceptions%s\n", line);
			n = 0;
			line[0] = 0;
		}
	}
	if (n || !shown)
		printf("fuzz: exceptions%s\n", n ? line : " none");
}

static void print_counts(void)
{
	uint32_t i, irqs = 0, nmis = 0, wd = 0, anomalies = 0;

	print_class_counts();
	print_exception_counts();
	for (i = 0; i < fuzz_ncpus; i++) {
		irqs += fuzz_cpus[i].irqs;
		nmis += fuzz_cpus[i].nmis;
		wd += fuzz_cpus[i].watchdogs;
		anomalies += fuzz_cpus[i].anomalies;
	}
	printf("fuzz: interrupts %u, NMIs %u, watchdog ends %u, anomalies %u, total ops %u\n", irqs,
	       nmis, wd, anomalies, total_ops());
}

/* Interrupts on for a moment before fuzzing, to take the broadcast check's
 * IPI; what arrived is kept apart from any later INT 0x3f. */
static void take_pending(struct fuzz_cpu *c)
{
	uint64_t end = rdtsc() + udiv64(fuzz_tsc_hz * BCAST_WAIT_MS, MS_PER_S, NULL);

	__asm__ volatile("sti");
	while (rdtsc() < end)
		cpu_relax();
	__asm__ volatile("cli");
	c->bcast_seen = c->bcast;
}

static void report_broadcast(void)
{
	char list[64];
	size_t n = 0;
	uint32_t got = 0;

	if (fuzz_x2apic)
		return;
	list[0] = 0;
	for (uint32_t i = 0; i < fuzz_ncpus && n + 8 < sizeof(list); i++) {
		if (!fuzz_cpus[i].bcast_seen)
			continue;
		got++;
		n += snprintf(list + n, sizeof(list) - n, " %u", i);
	}
	if (got != fuzz_ncpus)
		fuzz_cpus[0].anomalies++;
	printf("fuzz: check: fixed IPI to xAPIC ID 0xff (broadcast) reached %u of %u CPUs "
	       "(CPUs:%s)%s\n",
	       got, fuzz_ncpus, n ? list : " none", got == fuzz_ncpus ? "" : ": anomaly");
}

static void finish_run(void)
{
	uint64_t wait_end = rdtsc() + fuzz_tsc_hz * AP_WAIT_SECONDS;
	uint32_t i, missing = 0;

	stop_all = 1;
	for (i = 1; i < fuzz_ncpus; i++) {
		while (!fuzz_cpus[i].finished && rdtsc() < wait_end)
			cpu_relax();
		if (!fuzz_cpus[i].finished)
			missing++;
	}
	if (missing)
		printf("fuzz: %u of %u APs did not finish (reset or stuck)\n", missing,
		       fuzz_ncpus - 1);
	report_broadcast();
	print_counts();
	printf("fuzz: done\n");
	machine_exit(0);
}

void fuzz_main(uint32_t magic, uint32_t mbi)
{
	const uint32_t *info = phys(mbi);
	uint32_t mem_top = MIN_GUEST_MEM;

	uart_init();
	if (magic == MB1_MAGIC_EAX && (info[0] & MB1_FLAG_MEM))
		mem_top = LOW_MEM_END + info[MB1_OFF_MEM_UPPER / 4] * KIB;
	parse_cmdline(magic == MB1_MAGIC_EAX && (info[0] & MB1_FLAG_CMDLINE)
			  ? (const char *)phys(info[MB1_OFF_CMDLINE / 4])
			  : "");
	if (mem_top < MIN_GUEST_MEM) {
		printf("fuzz: needs %u MiB of memory, has %u\n", MIN_GUEST_MEM / MIB,
		       mem_top / MIB);
		machine_exit(FUZZ_EXIT_FATAL);
	}
	build_paging(mem_top);
	build_tables();
	fuzz_tsc_calibrate();
	fuzz_ncpus = fuzz_fwcfg_ncpus();
	cpu_init(0);
	rng_seed(&fuzz_cpus[0], run_seed, 0);
	check_classes();
	print_header();
	start_aps(fuzz_ncpus);
	send_broadcast_check();
	run_end = rdtsc() + fuzz_tsc_hz * run_seconds;
	run_go = 1;
	take_pending(&fuzz_cpus[0]);
	fuzz_loop(&fuzz_cpus[0]);
	finish_run();
}
