/* SPDX-License-Identifier: MIT */
/*
 * IDT setup (SDM Vol. 3A 7.14.1, 64-bit interrupt gates) and trap_dispatch():
 * a fault probe in progress resumes at its recovery point, registered vectors
 * go to their handler, and any other exception prints the full fault report
 * (vector, error code, RIP, RSP, CR2, CR3, GPRs, call trace) and stops all CPUs.
 */
#include "arch/x86/traps.h"
#include "arch/x86/cpu.h"
#include "arch/x86/cpu_local.h"
#include "arch/x86/gdt.h"
#include "lib/ksyms.h"
#include "lib/panic.h"
#include "lib/printk.h"

#define IDT_GATE_INTERRUPT 0x8e /* P, DPL0, 64-bit interrupt gate */

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));

extern const uint64_t trap_stub_table[IDT_VECTORS];

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));
static trap_handler_fn handlers[IDT_VECTORS];

static const char *const exception_names[X86_EXCEPTIONS] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved (15)", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD exception", "#VE virtualization exception",
	"#CP control protection", "reserved (22)", "reserved (23)", "reserved (24)",
	"reserved (25)", "reserved (26)", "reserved (27)", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security exception", "reserved (31)",
};

const char *trap_name(unsigned vector)
{
	return vector < X86_EXCEPTIONS ? exception_names[vector] : "interrupt";
}

static uint8_t ist_for(unsigned vector)
{
	switch (vector) {
	case X86_TRAP_DF:
		return IST_DF;
	case X86_TRAP_NMI:
		return IST_NMI;
	case X86_TRAP_MC:
		return IST_MC;
	default:
		return 0;
	}
}

void idt_init(void)
{
	for (unsigned v = 0; v < IDT_VECTORS; v++) {
		uint64_t addr = trap_stub_table[v];

		idt[v] = (struct idt_gate){
			.offset_lo = addr & 0xffff,
			.selector = GDT_KERNEL_CS,
			.ist = ist_for(v),
			.type = IDT_GATE_INTERRUPT,
			.offset_mid = (addr >> 16) & 0xffff,
			.offset_hi = addr >> 32,
		};
	}
}

void idt_load(void)
{
	struct desc_ptr idtr = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};

	__asm__ volatile("lidt %0" ::"m"(idtr));
}

void traps_register(unsigned vector, trap_handler_fn fn)
{
	if (vector < IDT_VECTORS)
		handlers[vector] = fn;
}

void traps_dispatch_vector(unsigned vector)
{
	struct trap_frame f = {.vector = vector};

	if (vector < IDT_VECTORS && handlers[vector])
		handlers[vector](&f);
	else
		pr_warn("traps: interrupt vector %u taken on VM exit has no handler (ignored)\n",
			vector);
}

static void print_rip(const char *label, uint64_t addr)
{
	uint64_t off;
	const char *name = ksyms_lookup(addr, &off);

	if (name)
		printk(LOG_EMERG, "%s: %016llx <%s+0x%llx>\n", label, (unsigned long long)addr,
		       name, (unsigned long long)off);
	else
		printk(LOG_EMERG, "%s: %016llx\n", label, (unsigned long long)addr);
}

#define R(x) ((unsigned long long)(x))

static void fault_report(struct trap_frame *f)
{
	struct cpu_local *cpu = cpu_local();

	printk_enter_panic_mode();
	printk(LOG_EMERG, "\n======== VIREO FATAL EXCEPTION on cpu %u ========\n",
	       cpu ? cpu->cpu_id : 0);
	printk(LOG_EMERG, "exception: %s (vector %llu), error code 0x%llx\n",
	       trap_name(f->vector), R(f->vector), R(f->error));
	print_rip("RIP", f->rip);
	printk(LOG_EMERG, "RSP: %016llx RFLAGS: %016llx CS: %04llx SS: %04llx\n", R(f->rsp),
	       R(f->rflags), R(f->cs), R(f->ss));
	printk(LOG_EMERG, "CR0: %016llx CR2: %016llx CR3: %016llx CR4: %016llx\n",
	       R(cpu_read_cr0()), R(cpu_read_cr2()), R(cpu_read_cr3()), R(cpu_read_cr4()));
	printk(LOG_EMERG, "RAX: %016llx RBX: %016llx RCX: %016llx RDX: %016llx\n", R(f->rax),
	       R(f->rbx), R(f->rcx), R(f->rdx));
	printk(LOG_EMERG, "RSI: %016llx RDI: %016llx RBP: %016llx R8:  %016llx\n", R(f->rsi),
	       R(f->rdi), R(f->rbp), R(f->r8));
	printk(LOG_EMERG, "R9:  %016llx R10: %016llx R11: %016llx R12: %016llx\n", R(f->r9),
	       R(f->r10), R(f->r11), R(f->r12));
	printk(LOG_EMERG, "R13: %016llx R14: %016llx R15: %016llx\n", R(f->r13), R(f->r14),
	       R(f->r15));
	panic_stack_trace(f->rip, f->rbp);
}

static int probe_recover(struct trap_frame *f)
{
	struct cpu_local *cpu = cpu_local();

	if (!cpu || !cpu->probe_rip || f->vector >= X86_EXCEPTIONS)
		return 0;
	f->rip = cpu->probe_rip;
	f->rsp = cpu->probe_rsp;
	f->rax = f->vector;
	cpu->probe_rip = 0;
	return 1;
}

void trap_dispatch(struct trap_frame *f)
{
	if (probe_recover(f))
		return;
	if (handlers[f->vector]) {
		handlers[f->vector](f);
		return;
	}
	if (f->vector >= X86_EXCEPTIONS) {
		pr_warn("traps: unexpected interrupt vector %llu on cpu %u (ignored)\n",
			R(f->vector), cpu_local()->cpu_id);
		return;
	}
	fault_report(f);
	panic_halt();
}
