/*
 * The local APIC side of the fuzzer: its own xAPIC/x2APIC access (SDM Vol.
 * 3A 11.4, 11.12), the periodic watchdog tick that ends an operation stuck
 * past its budget, AP start-up by INIT-SIPI-SIPI (SDM Vol. 3A 9.4.4.1), and
 * the classes lapic (xAPIC page), ioapic (82093AA register window), x2apic
 * (MSRs 0x800-0x8ff), ipi (ICR writes of every delivery mode) and irq
 * (STI/CLI/HLT with the tick pending).
 */
#include "fuzz.h"

#define LAPIC_MMIO 0xfee00000u
#define IOAPIC_MMIO 0xfec00000u
#define IOAPIC_WIN 0x10
#define IOAPIC_REGS 0x40
#define X2APIC_MSR 0x800
#define X2APIC_MSR_LAST 0x8ff
#define X2APIC_ICR_MSR 0x830
#define REG_SHIFT 4

#define APIC_PPR 0xa0
#define APIC_ISR 0x100
#define APIC_IRR 0x200
#define APIC_BITMAP_WORDS 8
#define BITS_PER_WORD 32
#define APIC_PAGE_REGS 0x400
#define APIC_REG_ALIGN 0x10
#define SVR_ENABLE 0x100
#define LVT_PERIODIC (1u << 17)
#define DIV_16 0x3
#define WATCHDOG_COUNT 1500 /* about 5 ms at the 4 MHz bus clock / 16 */
#define XAPIC_ID_SHIFT 24
#define X2APIC_DEST_SHIFT 32
#define SIPI_PAGE_SHIFT 12 /* the SIPI vector is the start page number */
#define IRQ_MAX_SPINS 1000

#define ICR_MODE_SHIFT 8
#define ICR_FIXED 0
#define ICR_LOWEST 1
#define ICR_SMI 2
#define ICR_NMI 4
#define ICR_INIT 5
#define ICR_SIPI 6
#define ICR_EXTINT 7
#define ICR_LOGICAL (1u << 11)
#define ICR_ASSERT (1u << 14)
#define ICR_LEVEL (1u << 15)
#define ICR_SHORT_SHIFT 18
#define ICR_SHORT_SELF 1
#define ICR_SHORT_ALL 2
#define ICR_SHORT_OTHERS 3
#define ICR_BUSY (1u << 12)
#define ICR_POLLS 100000
#define VEC_FIRST_OTHERS 0x40
#define VEC_LAST_OTHERS 0xfe
#define VEC_ILLEGAL_LAST 0x0f
#define XAPIC_BROADCAST 0xff
#define REDIR_MODE_MASK (7u << ICR_MODE_SHIFT)
#define TPR_BELOW_WATCHDOG 0x2f
#define ILLEGAL_VECTOR_ODDS 16
#define ONE_IN(n) (!rng_below(c, (n)))

#define INIT_DELAY_US 10000
#define SIPI_DELAY_US 200
#define AP_WAIT_US 5000000
#define US_PER_S 1000000

static int x2apic_on;

uint32_t lapic_read(uint32_t reg)
{
	if (x2apic_on)
		return (uint32_t)rdmsr(X2APIC_MSR + (reg >> REG_SHIFT));
	return mmio_read32(LAPIC_MMIO + reg);
}

void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic_on)
		wrmsr(X2APIC_MSR + (reg >> REG_SHIFT), v);
	else
		mmio_write32(LAPIC_MMIO + reg, v);
}

void lapic_eoi(void)
{
	lapic_write(APIC_EOI, 0);
}

/* Vector 0xff is also the spurious vector, which sets no ISR bit (SDM Vol.
 * 3A 11.9); a real interrupt on it (an I/O APIC entry) does, and needs EOI. */
int lapic_in_service(uint32_t vec)
{
	return !!(lapic_read(APIC_ISR + (vec / BITS_PER_WORD) * APIC_REG_ALIGN) &
		  (1u << (vec % BITS_PER_WORD)));
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(APIC_ID);

	return x2apic_on ? id : id >> XAPIC_ID_SHIFT;
}

/* Enabled, TPR 0, the watchdog tick periodic on VEC_WATCHDOG. */
void lapic_setup(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint64_t want = base | APIC_BASE_EN | (fuzz_x2apic ? APIC_BASE_EXTD : 0);

	if (base != want)
		wrmsr(MSR_APIC_BASE, want);
	x2apic_on = !!fuzz_x2apic;
	lapic_write(APIC_TPR, 0);
	lapic_write(APIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(APIC_TMR_DIV, DIV_16);
	lapic_write(APIC_LVT_TIMER, LVT_PERIODIC | VEC_WATCHDOG);
	lapic_write(APIC_TMR_INIT, WATCHDOG_COUNT);
}

void lapic_send(uint32_t dest, uint32_t lo)
{
	if (x2apic_on) {
		wrmsr(X2APIC_ICR_MSR, ((uint64_t)dest << X2APIC_DEST_SHIFT) | lo);
		return;
	}
	lapic_write(APIC_ICR_HI, dest << XAPIC_ID_SHIFT);
	lapic_write(APIC_ICR_LO, lo);
	for (int i = 0; i < ICR_POLLS && (lapic_read(APIC_ICR_LO) & ICR_BUSY); i++)
		cpu_relax();
}

static void fuzz_delay_us(uint32_t us)
{
	uint64_t end = rdtsc() + udiv64(fuzz_tsc_hz * us, US_PER_S, NULL);

	while (rdtsc() < end)
		cpu_relax();
}

extern volatile uint32_t fuzz_aps_ready; /* APs with tables and LAPIC set up */

/* APIC IDs 1..n-1 (Vireo numbers its vCPUs' APIC IDs from 0). */
void start_aps(uint32_t n)
{
	uint32_t sipi =
	    ICR_ASSERT | (ICR_SIPI << ICR_MODE_SHIFT) | (AP_TRAMP_ADDR >> SIPI_PAGE_SHIFT);
	uint64_t end;

	if (n < 2)
		return;
	memcpy(phys(AP_TRAMP_ADDR), ap_tramp_start, (size_t)(ap_tramp_end - ap_tramp_start));
	for (uint32_t id = 1; id < n; id++) {
		lapic_send(id, ICR_ASSERT | (ICR_INIT << ICR_MODE_SHIFT));
		fuzz_delay_us(INIT_DELAY_US);
		lapic_send(id, sipi);
		fuzz_delay_us(SIPI_DELAY_US);
		lapic_send(id, sipi);
	}
	end = rdtsc() + udiv64(fuzz_tsc_hz * AP_WAIT_US, US_PER_S, NULL);
	while (fuzz_aps_ready < n - 1 && rdtsc() < end)
		cpu_relax();
	if (fuzz_aps_ready < n - 1)
		printf("fuzz: only %u of %u APs started\n", fuzz_aps_ready, n - 1);
}

/* xAPIC physical destination 0xFF is a broadcast (SDM Vol. 3A 11.6.2.1):
 * every CPU, this one too, must take VEC_BCAST once its interrupts are on. */
void send_broadcast_check(void)
{
	if (!fuzz_x2apic)
		lapic_send(XAPIC_BROADCAST, ICR_ASSERT | (ICR_FIXED << ICR_MODE_SHIFT) | VEC_BCAST);
}

/* ---- classes ---- */

static void mmio_access(struct fuzz_cpu *c, uintptr_t addr, int write, uint32_t v)
{
	switch (rng_below(c, 8)) {
	case 0:
		if (write)
			*(volatile uint8_t *)addr = (uint8_t)v;
		else
			(void)*(volatile uint8_t *)addr;
		break;
	case 1:
		if (write)
			*(volatile uint16_t *)addr = (uint16_t)v;
		else
			(void)*(volatile uint16_t *)addr;
		break;
	default:
		if (write)
			mmio_write32(addr, v);
		else
			(void)mmio_read32(addr);
		break;
	}
}

/* Any offset of the xAPIC page, mostly aligned registers; no write reaches
 * the ICR low word (a write there is an IPI: class ipi sends those with
 * care). */
void op_lapic(struct fuzz_cpu *c)
{
	uint32_t off = ONE_IN(8) ? rng_below(c, PAGE_SIZE - 4)
				 : rng_below(c, APIC_PAGE_REGS / APIC_REG_ALIGN) * APIC_REG_ALIGN;
	int write = rng_below(c, 2) &&
		    (off + sizeof(uint32_t) <= APIC_ICR_LO || off >= APIC_ICR_LO + APIC_REG_ALIGN);
	uint32_t v = (uint32_t)rng_next(c);

	FUZZ_TRACE("fuzz: cpu %u lapic %s %x val %x\n", c->index, write ? "wr" : "rd", off, v);
	c->apic_dirty = 1;
	mmio_access(c, LAPIC_MMIO + off, write, v);
}

/* IOREGSEL then IOWIN; a redirection entry written keeps no INIT/SIPI
 * delivery mode (it could reset this VM's own CPUs) and is put back. */
void op_ioapic(struct fuzz_cpu *c)
{
	uint32_t reg = ONE_IN(8) ? (uint32_t)rng_next(c) : rng_below(c, IOAPIC_REGS);
	uint32_t v = (uint32_t)rng_next(c), mode = (v & REDIR_MODE_MASK) >> ICR_MODE_SHIFT, old;

	if (mode == ICR_INIT || mode == ICR_SIPI)
		v &= ~REDIR_MODE_MASK;
	FUZZ_TRACE("fuzz: cpu %u ioapic reg %x val %x\n", c->index, reg, v);
	if (ONE_IN(8)) {
		mmio_access(c, IOAPIC_MMIO + rng_below(c, PAGE_SIZE - 4), rng_below(c, 2), v);
		return;
	}
	mmio_write32(IOAPIC_MMIO, reg);
	old = mmio_read32(IOAPIC_MMIO + IOAPIC_WIN);
	if (rng_below(c, 2)) {
		mmio_write32(IOAPIC_MMIO + IOAPIC_WIN, v);
		(void)mmio_read32(IOAPIC_MMIO + IOAPIC_WIN);
		mmio_write32(IOAPIC_MMIO, reg);
		mmio_write32(IOAPIC_MMIO + IOAPIC_WIN, old);
	}
}

/* x2APIC MSRs (#GP unless in x2APIC mode, SDM Vol. 3A 11.12.1); written
 * registers are put back, the ICR only by class ipi. */
void op_x2apic(struct fuzz_cpu *c)
{
	uint32_t msr = X2APIC_MSR + rng_below(c, X2APIC_MSR_LAST - X2APIC_MSR + 1);
	uint64_t v = rng_below(c, 2) ? rng_next(c) : (uint32_t)rng_next(c);
	uint64_t old;

	FUZZ_TRACE("fuzz: cpu %u x2apic msr %x\n", c->index, msr);
	c->apic_dirty = 1;
	old = rdmsr(msr);
	if (msr == X2APIC_ICR_MSR || rng_below(c, 2))
		return;
	wrmsr(msr, v);
	wrmsr(msr, old);
}

static uint32_t random_vector(struct fuzz_cpu *c, int self_only)
{
	if (self_only && ONE_IN(ILLEGAL_VECTOR_ODDS))
		return rng_below(c, VEC_ILLEGAL_LAST + 1);
	if (self_only)
		return VEC_FIRST_OTHERS + rng_below(c, VEC_LAST_OTHERS - VEC_FIRST_OTHERS + 1);
	return VEC_FIRST_OTHERS + rng_below(c, VEC_LAST_OTHERS - VEC_FIRST_OTHERS + 1);
}

/* A destination no vCPU of this VM has (and not the xAPIC broadcast). */
static uint32_t absent_id(struct fuzz_cpu *c)
{
	return fuzz_ncpus + rng_below(c, XAPIC_BROADCAST - fuzz_ncpus);
}

/* Fixed, lowest-priority and NMI go anywhere (self, all, others, any ID,
 * logical); INIT, SIPI, SMI and ExtINT only to absent APIC IDs, since an
 * INIT would reset a CPU of this fuzzer. */
void op_ipi(struct fuzz_cpu *c)
{
	static const uint32_t modes[] = {ICR_FIXED, ICR_LOWEST, ICR_NMI,   ICR_INIT,
					 ICR_SIPI,  ICR_SMI,	ICR_EXTINT};
	uint32_t mode = modes[rng_below(c, sizeof(modes) / sizeof(modes[0]))];
	uint32_t lo = ICR_ASSERT | (mode << ICR_MODE_SHIFT), dest, shorthand = 0;

	if (mode == ICR_FIXED || mode == ICR_LOWEST || mode == ICR_NMI) {
		shorthand = rng_below(c, 4);
		dest = ONE_IN(2) ? rng_below(c, fuzz_ncpus) : rng_below(c, XAPIC_BROADCAST + 1);
		lo |= ONE_IN(4) ? ICR_LOGICAL : 0;
		lo |= random_vector(c, shorthand == ICR_SHORT_SELF);
	} else {
		dest = absent_id(c);
		lo |= ONE_IN(4) ? ICR_LEVEL : 0;
		lo |= rng_below(c, VEC_SPURIOUS + 1);
	}
	lo |= shorthand << ICR_SHORT_SHIFT;
	FUZZ_TRACE("fuzz: cpu %u ipi dest %x icr %x\n", c->index, dest, lo);
	lapic_send(dest, lo);
	if (ONE_IN(2))
		__asm__ volatile("sti; nop; nop; nop; cli");
}

/* The highest vector set in the 256-bit ISR or IRR at reg, or 0. */
static uint32_t top_vector(uint32_t reg)
{
	for (int i = APIC_BITMAP_WORDS - 1; i >= 0; i--) {
		uint32_t w = lapic_read(reg + (uint32_t)i * APIC_REG_ALIGN);

		if (w)
			return (uint32_t)i * BITS_PER_WORD + BITS_PER_WORD - 1 -
			       (uint32_t)__builtin_clz(w);
	}
	return 0;
}

/* With fuzz.trace=1: what the local APIC holds before a HLT. */
static void trace_apic(struct fuzz_cpu *c, uint32_t kind)
{
	if (fuzz_trace != FUZZ_TRACE_ALL)
		return;
	printf("fuzz: cpu %u irq %u: tpr %x ppr %x lvt %x init %u cur %u isr %x irr %x\n", c->index,
	       kind, lapic_read(APIC_TPR), lapic_read(APIC_PPR), lapic_read(APIC_LVT_TIMER),
	       lapic_read(APIC_TMR_INIT), lapic_read(APIC_TMR_CUR), top_vector(APIC_ISR),
	       top_vector(APIC_IRR));
	fuzz_op_deadline(c);
}

/* Interrupts on for a while: HLT until the tick (TPR kept below it), a
 * spin, or a self-IPI taken at once. */
void op_irq(struct fuzz_cpu *c)
{
	uint32_t spins = rng_below(c, IRQ_MAX_SPINS);
	uint32_t kind = rng_below(c, 4);

	switch (kind) {
	case 0:
		trace_apic(c, kind);
		__asm__ volatile("sti; hlt; cli");
		break;
	case 1:
		c->apic_dirty = 1;
		lapic_write(APIC_TPR, rng_below(c, TPR_BELOW_WATCHDOG + 1));
		trace_apic(c, kind);
		__asm__ volatile("sti; hlt; cli");
		break;
	case 2:
		FUZZ_TRACE("fuzz: cpu %u irq %u\n", c->index, kind);
		__asm__ volatile("sti");
		while (spins--)
			cpu_relax();
		__asm__ volatile("cli");
		break;
	default:
		FUZZ_TRACE("fuzz: cpu %u irq %u\n", c->index, kind);
		lapic_send(0,
			   ICR_ASSERT | (ICR_SHORT_SELF << ICR_SHORT_SHIFT) | random_vector(c, 1));
		__asm__ volatile("sti; nop; cli");
		break;
	}
}
