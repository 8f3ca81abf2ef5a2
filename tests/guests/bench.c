/*
 * mbtest.bench: how long the platform's emulated accesses take, measured
 * from inside the guest with the TSC (under Bochs one tick per instruction,
 * so the figures count the hypervisor's instructions per access). Each
 * figure is the mean over BENCH_ROUNDS with an empty loop's cost subtracted.
 */
#include "mbtest.h"

#define BENCH_ROUNDS 2000u
#define MSR_X2APIC_TPR 0x808
#define IDLE_PORT 0x80
#define COM1_LSR 0x3fd
#define FWCFG_SEL 0x510

enum bench_op {
	OP_NONE,
	OP_MMIO_READ,
	OP_MMIO_WRITE,
	OP_MSR_READ,
	OP_MSR_WRITE,
	OP_OUT,
	OP_UART_LSR,
	OP_FWCFG_SEL,
	OP_CPUID
};

static void op(enum bench_op o)
{
	uint32_t a, b, c, d;

	switch (o) {
	case OP_NONE:
		__asm__ volatile("" ::: "memory");
		break;
	case OP_MMIO_READ:
		(void)mmio_read32(APIC_MMIO + APIC_TPR);
		break;
	case OP_MMIO_WRITE:
		mmio_write32(APIC_MMIO + APIC_TPR, 0);
		break;
	case OP_MSR_READ:
		(void)rdmsr(MSR_X2APIC_TPR);
		break;
	case OP_MSR_WRITE:
		wrmsr(MSR_X2APIC_TPR, 0);
		break;
	case OP_OUT:
		outb(IDLE_PORT, 0);
		break;
	case OP_UART_LSR:
		(void)inb(COM1_LSR);
		break;
	case OP_FWCFG_SEL:
		outw(FWCFG_SEL, 0);
		break;
	case OP_CPUID:
		cpuid(1, &a, &b, &c, &d);
		break;
	}
}

static uint64_t ticks(enum bench_op o)
{
	uint64_t t0 = rdtsc();

	for (uint32_t i = 0; i < BENCH_ROUNDS; i++)
		op(o);
	return rdtsc() - t0;
}

static void report_op(const char *what, enum bench_op o, uint64_t base)
{
	uint64_t t = ticks(o), rem;

	printf("mbtest: bench: %s: %u ticks per access\n", what,
	       (uint32_t)udiv64(t > base ? t - base : 0, BENCH_ROUNDS, &rem));
}

void bench_guest(void)
{
	uint64_t base = ticks(OP_NONE);
	uint32_t a, b, c, d;

	report_op("xAPIC TPR read (EPT violation, decode, vLAPIC)", OP_MMIO_READ, base);
	report_op("xAPIC TPR write", OP_MMIO_WRITE, base);
	report_op("OUT to an unclaimed port", OP_OUT, base);
	report_op("IN from the 16550 LSR", OP_UART_LSR, base);
	report_op("OUT to the fw_cfg selector", OP_FWCFG_SEL, base);
	report_op("CPUID leaf 1 (with the platform's topology)", OP_CPUID, base);
	cpuid(1, &a, &b, &c, &d);
	if (c & (1u << 21)) {
		wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EN | APIC_BASE_EXTD);
		report_op("x2APIC TPR read (RDMSR exit, vLAPIC)", OP_MSR_READ, base);
		report_op("x2APIC TPR write (WRMSR exit)", OP_MSR_WRITE, base);
	}
	printf("mbtest: bench: done\n");
	machine_exit(0);
}
