/* SPDX-License-Identifier: MIT */
/*
 * Fatal-error path shared by panic(), BUG_ON() and unexpected exceptions:
 * console in panic mode, stack trace with symbol names, every CPU stopped,
 * then the machine exits with VIREO_EXIT_PANIC in test mode or halts.
 */
#include "lib/panic.h"
#include "arch/x86/cpu.h"
#include "lib/ksyms.h"
#include "kernel/power.h"
#include "lib/printk.h"
#include "smp/percpu.h"

#define TRACE_MAX_FRAMES 24

extern const char __kernel_start[], __kernel_end[];

static unsigned (*stop_others)(unsigned *others);
static volatile int panic_cpu = -1;

void panic_set_stop_others(unsigned (*fn)(unsigned *others))
{
	stop_others = fn;
}

static void print_frame(uint64_t addr)
{
	uint64_t off;
	const char *name = ksyms_lookup(addr, &off);

	if (name)
		printk(LOG_EMERG, "  [<%016llx>] %s+0x%llx\n", (unsigned long long)addr, name,
		       (unsigned long long)off);
	else
		printk(LOG_EMERG, "  [<%016llx>] ?\n", (unsigned long long)addr);
}

static int frame_ok(uint64_t rbp)
{
	struct percpu *cpu = this_cpu();

	if (!rbp || (rbp & 7))
		return 0;
	if (rbp >= (uint64_t)__kernel_start && rbp + 16 <= (uint64_t)__kernel_end)
		return 1;
	return cpu && rbp >= cpu->stack_bottom && rbp + 16 <= cpu->stack_top;
}

void panic_stack_trace(uint64_t rip, uint64_t rbp)
{
	printk(LOG_EMERG, "Call trace:\n");
	if (rip)
		print_frame(rip);
	for (int i = 0; i < TRACE_MAX_FRAMES && frame_ok(rbp); i++) {
		uint64_t *frame = (uint64_t *)(uintptr_t)rbp;
		uint64_t ret = frame[1];

		if (!ret)
			break;
		print_frame(ret - 1);
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
}

void panic_halt(void)
{
	unsigned others = 0, stopped = 0;

	cpu_irq_save();
	if (stop_others)
		stopped = stop_others(&others);
	if (stopped == others)
		printk(LOG_EMERG, "vireo: all CPUs stopped (%u others answered the stop NMI).\n",
		       others);
	else
		printk(LOG_EMERG, "vireo: %u of %u other CPUs answered the stop NMI; the rest "
		       "may still run.\n", stopped, others);
	if (power_test_mode()) {
		power_set_shutdown_hook(0); /* the other CPUs are stopped: no cross-calls */
		power_exit(VIREO_EXIT_PANIC);
	}
	printk(LOG_EMERG, "vireo: system halted; it is safe to power off.\n");
	cpu_halt_forever();
}

/* What a call site has instead of a trap frame: the stack, the frame
 * pointer, the flags and the control registers (the GPRs of a C caller hold
 * nothing it still needs; the call trace below shows where it was). */
static void print_state(void)
{
	uint64_t rsp, rflags;

	__asm__ volatile("mov %%rsp, %0; pushfq; pop %1" : "=r"(rsp), "=r"(rflags));
	printk(LOG_EMERG, "RSP: %016llx RBP: %016llx RFLAGS: %016llx\n",
	       (unsigned long long)rsp,
	       (unsigned long long)(uintptr_t)__builtin_frame_address(0),
	       (unsigned long long)rflags);
	printk(LOG_EMERG, "CR0: %016llx CR2: %016llx CR3: %016llx CR4: %016llx\n",
	       (unsigned long long)cpu_read_cr0(), (unsigned long long)cpu_read_cr2(),
	       (unsigned long long)cpu_read_cr3(), (unsigned long long)cpu_read_cr4());
}

void panic(const char *fmt, ...)
{
	va_list ap;
	struct percpu *cpu = this_cpu();
	int me = cpu ? (int)cpu->cpu_id : 0;

	cpu_irq_save();
	if (!__atomic_compare_exchange_n(&panic_cpu, &(int){-1}, me, 0, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST) &&
	    panic_cpu != me)
		cpu_halt_forever();
	printk_enter_panic_mode();
	printk(LOG_EMERG, "\n======== VIREO PANIC on cpu %d ========\n", me);
	va_start(ap, fmt);
	vprintk(LOG_EMERG, fmt, ap);
	va_end(ap);
	printk(LOG_EMERG, "\n");
	print_state();
	panic_stack_trace(0, (uint64_t)(uintptr_t)__builtin_frame_address(0));
	panic_halt();
}
