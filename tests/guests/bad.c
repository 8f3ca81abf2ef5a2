/* SPDX-License-Identifier: MIT */
/*
 * Deliberate misbehaviour, chosen by a command-line word mbtest.bad=<what>,
 * so a hypervisor's handling of bad guests can be tested with an ordinary
 * kernel: a write outside the VM's memory (or accesses there that must read
 * all ones), IPIs to APIC IDs that do not
 * exist, an endless port loop, a huge REP OUTSB, an APIC-page access by an
 * instruction a device model need not emulate, a flood of console lines, a
 * hardware task switch (a JMP to a TSS selector).
 */
#include "mbtest.h"

#define BAD_ADDR 0x3f000000u /* far beyond the small VMs the tests give */
#define UNBACKED_PATTERN 0x12345678u
#define UNBACKED_BYTE 3
#define ALL_ONES 0xffffffffu
#define SVR_ENABLE 0x1ffu
#define ICR_FIXED(vec) (0x00004000u | (vec))
#define ICR_INIT 0x00004500u
#define ICR_SIPI(vec) (0x00004600u | (vec))
#define ICR_NMI 0x00004400u
#define NO_SUCH_APIC_ID 0x77u
#define OTHER_VM_APIC_ID 1u
#define IDLE_PORT 0x80
#define BAD_STILL_ALIVE 0x33
#define US_PER_S 1000000u
#define FLOOD_COM1_THR 0x3f8
#define FLOOD_BURST 1024      /* bytes per REP OUTSB: one exit each */
#define FLOOD_SECONDS 3	      /* of TSC time */
#define FLOOD_QUIET_SECONDS 3 /* then silence, so the host lets lines through again */
#define GDT_SLOTS 32
#define GDT_ENTRY_SIZE 8
#define TSS32_LIMIT 0x67u    /* the 104-byte 32-bit TSS, SDM Vol. 3A 9.2.1 */
#define TSS32_ACCESS 0x89ull /* present, DPL 0, 32-bit available TSS */
#define DESC_ACCESS_SHIFT 40
#define DESC_BASE_LOW_SHIFT 16
#define DESC_BASE_HIGH_SHIFT 56
#define BASE_LOW_MASK 0xffffffu
#define BASE_HIGH_SHIFT 24

static void icr(uint32_t dest, uint32_t lo)
{
	mmio_write32(APIC_MMIO + APIC_ICR_HI, dest << 24);
	mmio_write32(APIC_MMIO + APIC_ICR_LO, lo);
}

static void bad_mem(void)
{
	printf("mbtest: bad=mem: writing to 0x%x\n", BAD_ADDR);
	*(volatile uint32_t *)phys(BAD_ADDR) = 0xdeadbeef;
	printf("mbtest: bad=mem: the write did not stop this kernel\n");
	machine_exit(BAD_STILL_ALIVE);
}

/* Memory above RAM where no device answers: a PC's bus gives all ones for
 * a read and drops a write. Read, write, read again (a word and a byte);
 * unlike the other words this one returns, and the cases run after it. */
static void bad_unbacked(void)
{
	volatile uint32_t *w = phys(BAD_ADDR);
	volatile uint8_t *b = phys(BAD_ADDR + UNBACKED_BYTE);
	uint32_t first = *w, again, byte;

	*w = UNBACKED_PATTERN;
	again = *w;
	byte = *b;
	printf("mbtest: bad=unbacked: 0x%x read %x, after writing %x read %x, byte %x\n", BAD_ADDR,
	       first, UNBACKED_PATTERN, again, byte);
	if (first != ALL_ONES || again != ALL_ONES || byte != (uint8_t)ALL_ONES)
		printf("mbtest: bad=unbacked: FAILED: not all ones\n");
}

/* On a VM with one vCPU, APIC ID 1 may exist in another VM: INIT and
 * STARTUP to it must stay inside this VM (and find nobody). */
static void bad_ipi(void)
{
	mmio_write32(APIC_MMIO + APIC_SVR, SVR_ENABLE);
	printf("mbtest: bad=ipi: fixed IPI to APIC ID 0x%x, INIT/SIPI/NMI to 0x%x\n",
	       NO_SUCH_APIC_ID, OTHER_VM_APIC_ID);
	icr(NO_SUCH_APIC_ID, ICR_FIXED(0x40));
	icr(OTHER_VM_APIC_ID, ICR_INIT);
	icr(OTHER_VM_APIC_ID, ICR_SIPI(0x08));
	icr(OTHER_VM_APIC_ID, ICR_NMI);
	printf("mbtest: bad=ipi: still running\n");
	machine_exit(0);
}

static void bad_ioloop(void)
{
	printf("mbtest: bad=ioloop: writing port 0x%x forever\n", IDLE_PORT);
	for (;;)
		outb(IDLE_PORT, 0);
}

static void bad_rep(void)
{
	uint32_t count = 0xffffffffu;

	printf("mbtest: bad=rep: REP OUTSB of 4 GiB to port 0x%x\n", IDLE_PORT);
	__asm__ volatile("rep outsb" : "+c"(count) : "d"(IDLE_PORT), "S"(0x100000) : "memory");
	printf("mbtest: bad=rep: finished after all (count %u)\n", count);
	machine_exit(BAD_STILL_ALIVE);
}

static void bad_mmio(void)
{
	uint32_t v = 0;

	printf("mbtest: bad=mmio: XCHG with the APIC SVR\n");
	__asm__ volatile("xchg %0, (%1)" : "+r"(v) : "r"(APIC_MMIO + APIC_SVR) : "memory");
	printf("mbtest: bad=mmio: still running\n");
	machine_exit(BAD_STILL_ALIVE);
}

/* Spin for @s seconds of TSC time. */
static void tsc_spin(uint64_t s)
{
	uint64_t end = rdtsc() + s * tsc_hz;

	while (rdtsc() < end)
		cpu_relax();
}

static uint64_t tsc_to_us(uint64_t ticks)
{
	return udiv64(ticks * US_PER_S, tsc_hz, NULL);
}

/* One REP OUTSB of @n bytes to COM1; returns the TSC ticks it took. */
static uint64_t flood_burst(const char *src, uint32_t n)
{
	uint64_t t0 = rdtsc();

	__asm__ volatile("rep outsb" : "+c"(n), "+S"(src) : "d"(FLOOD_COM1_THR) : "memory");
	return rdtsc() - t0;
}

/* One-character lines (every other byte a newline), a REP OUTSB of
 * FLOOD_BURST bytes to COM1 at a time, for FLOOD_SECONDS; then quiet, a
 * summary line (the fastest burst: what one such exit costs) and exit 0. */
static void bad_flood(void)
{
	static char burst[FLOOD_BURST];
	uint64_t start, end, bursts = 0, best = ~0ull, t;

	for (unsigned i = 0; i < FLOOD_BURST; i++)
		burst[i] = i % 2 ? '\n' : 'f';
	tsc_calibrate();
	printf("mbtest: bad=flood: %u-byte bursts of one-character lines to COM1 for %u s\n",
	       FLOOD_BURST, FLOOD_SECONDS);
	start = rdtsc();
	end = start + FLOOD_SECONDS * tsc_hz;
	while (rdtsc() < end) {
		t = flood_burst(burst, FLOOD_BURST);
		best = t < best ? t : best;
		bursts++;
	}
	t = udiv64(rdtsc() - start, bursts, NULL);
	tsc_spin(FLOOD_QUIET_SECONDS);
	printf("mbtest: bad=flood: wrote %u bytes in %u bursts, %u us per burst (fastest %u us)\n",
	       (uint32_t)bursts * FLOOD_BURST, (uint32_t)bursts, (uint32_t)tsc_to_us(t),
	       (uint32_t)tsc_to_us(best));
	machine_exit(0);
}

struct __attribute__((packed)) gdt_ptr {
	uint16_t limit;
	uint32_t base;
};

/* A 32-bit TSS descriptor for base (SDM Vol. 3A 9.2.2). */
static uint64_t tss_descriptor(uint32_t base)
{
	return TSS32_LIMIT | ((uint64_t)(base & BASE_LOW_MASK) << DESC_BASE_LOW_SHIFT) |
	       (TSS32_ACCESS << DESC_ACCESS_SHIFT) |
	       ((uint64_t)(base >> BASE_HIGH_SHIFT) << DESC_BASE_HIGH_SHIFT);
}

/* A copy of the boot GDT with a TSS descriptor after it, then a JMP to
 * that TSS: a hardware task switch (SDM Vol. 3A 9.3). */
static void bad_taskswitch(void)
{
	static uint64_t gdt[GDT_SLOTS];
	static uint8_t tss[TSS32_LIMIT + 1];
	struct gdt_ptr p;
	struct __attribute__((packed)) {
		uint32_t offset;
		uint16_t sel;
	} target = {0, 0};
	unsigned n;

	__asm__ volatile("sgdt %0" : "=m"(p));
	n = (p.limit + 1u) / GDT_ENTRY_SIZE;
	if (n >= GDT_SLOTS) {
		printf("mbtest: bad=taskswitch: the boot GDT has %u entries, too many\n", n);
		machine_exit(BAD_STILL_ALIVE);
	}
	for (unsigned i = 0; i < n; i++)
		gdt[i] = ((const uint64_t *)(uintptr_t)p.base)[i];
	gdt[n] = tss_descriptor((uint32_t)(uintptr_t)tss);
	p = (struct gdt_ptr){.limit = (uint16_t)((n + 1) * GDT_ENTRY_SIZE - 1),
			     .base = (uint32_t)(uintptr_t)gdt};
	__asm__ volatile("lgdt %0" : : "m"(p));
	target.sel = (uint16_t)(n * GDT_ENTRY_SIZE);
	printf("mbtest: bad=taskswitch: JMP to TSS selector 0x%x\n", target.sel);
	__asm__ volatile("ljmp *%0" : : "m"(target) : "memory");
	printf("mbtest: bad=taskswitch: the task switch did not stop this kernel\n");
	machine_exit(BAD_STILL_ALIVE);
}

static const struct {
	const char *word;
	void (*fn)(void);
} bad_modes[] = {
    {"mbtest.bad=mem", bad_mem},
    {"mbtest.bad=ipi", bad_ipi},
    {"mbtest.bad=ioloop", bad_ioloop},
    {"mbtest.bad=rep", bad_rep},
    {"mbtest.bad=mmio", bad_mmio},
    {"mbtest.bad=vmcall3", bad_vmcall3},
    {"mbtest.bad=acloop", bad_acloop},
    {"mbtest.bad=flood", bad_flood},
    {"mbtest.bad=taskswitch", bad_taskswitch},
    {"mbtest.bad=unbacked", bad_unbacked},
};

void bad_guest(const char *cmdline)
{
	for (unsigned i = 0; i < sizeof(bad_modes) / sizeof(bad_modes[0]); i++) {
		if (has_option(cmdline, bad_modes[i].word))
			bad_modes[i].fn();
	}
}
