/* SPDX-License-Identifier: MIT */
/*
 * Misbehaviour from user mode (CPL 3), for the mbtest.bad= words that need
 * it: its own GDT (ring-0 and ring-3 flat segments, a conforming ring-3 code
 * segment, a TSS for the ring-0 stack), IDT gates for #UD and #AC, and the
 * IRET into ring 3. What the CPU does is in SDM Vol. 3A 6.12 (exception
 * delivery, conforming code segments: no privilege change, no stack switch)
 * and 6.15 (#AC, #UD).
 */
#include "mbtest.h"

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UCODE 0x1b /* index 3, RPL 3 */
#define SEL_UDATA 0x23 /* index 4, RPL 3 */
#define SEL_TSS 0x28
#define SEL_UCONF 0x33 /* index 6, RPL 3: conforming code, DPL 3 */
#define GDT_ENTRIES 7

#define DESC_FLAT_KCODE 0x00cf9a000000ffffull
#define DESC_FLAT_KDATA 0x00cf92000000ffffull
#define DESC_FLAT_UCODE 0x00cffa000000ffffull
#define DESC_FLAT_UDATA 0x00cff2000000ffffull
#define DESC_FLAT_UCONF 0x00cffe000000ffffull
#define DESC_TSS32_AVAIL 0x89ull /* present, DPL 0, 32-bit available TSS */
#define GATE_INTR32 0x8e	 /* present, DPL 0, 32-bit interrupt gate */

#define VEC_UD 6
#define VEC_AC 17
#define CR0_AM (1u << 18)
#define EFLAGS_AC (1u << 18)
#define EFLAGS_RSVD1 0x2u
#define USER_STACK_SIZE 4096
#define KERNEL_STACK_SIZE 4096

#define HC_EXIT 3 /* docs/hypercalls.md: EAX = 3, EDI = status */
#define BAD_SERVED_STATUS 0x55
#define STR_(x) #x
#define STR(x) STR_(x)

extern const uint32_t isr_table[256];
void ring3_ud_entry(void);
void ring3_ac_entry(void);
void ring3_vmcall(void);
void ring3_acloop(void);
void ring3_ud_report(uint32_t eip, uint32_t cs);

static uint64_t r3_gdt[GDT_ENTRIES];
static struct gate r3_idt[256];
static struct tss32 r3_tss;
static uint8_t user_stack[USER_STACK_SIZE] __attribute__((aligned(16)));
static uint8_t kernel_stack[KERNEL_STACK_SIZE] __attribute__((aligned(16)));
uint32_t ring3_misaligned_sp;

/* The #UD gate runs on the TSS's ring-0 stack with the ring-3 data
 * selectors still loaded; the #AC gate enters the conforming ring-3 code
 * segment, so its delivery pushes onto the faulting ring-3 stack. */
__asm__(
    ".text\n"
    "ring3_ud_entry:\n"
    "	mov $" STR(
	SEL_KDATA) ", %ax\n"
		   "	mov %ax, %ds\n"
		   "	mov %ax, %es\n"
		   "	pushl 4(%esp)\n" /* CS */
		   "	pushl 4(%esp)\n" /* EIP (now one slot further) */
		   "	call ring3_ud_report\n"
		   "1:	hlt\n"
		   "	jmp 1b\n"
		   "ring3_ac_entry:\n"
		   "	jmp ring3_ac_entry\n"
		   "ring3_vmcall:\n"
		   "	mov $" STR(
		       HC_EXIT) ", %eax\n"
				"	mov $" STR(
				    BAD_SERVED_STATUS) ", %edi\n"
						       "	vmcall\n"
						       "	jmp ring3_vmcall\n"
						       "ring3_acloop:\n"
						       "	pushf\n"
						       "	orl $" STR(
							   EFLAGS_AC) ", (%esp)\n"
								      "	popf\n"
								      "	mov ring3_misaligned_sp, "
								      "%esp\n"
								      "	mov (%esp), %eax\n" /* a
											       misaligned
											       load
											       at
											       CPL
											       3:
											       #AC
											     */
								      "	jmp ring3_acloop\n");

static uint64_t tss_descriptor(uint32_t base, uint32_t limit)
{
	return (limit & 0xffffull) | ((uint64_t)(base & 0xffffff) << 16) |
	       (DESC_TSS32_AVAIL << 40) | ((uint64_t)((limit >> 16) & 0xf) << 48) |
	       ((uint64_t)(base >> 24) << 56);
}

static void set_gate(unsigned vec, uint32_t off, uint16_t sel)
{
	r3_idt[vec].off_lo = off & 0xffff;
	r3_idt[vec].off_hi = off >> 16;
	r3_idt[vec].sel = sel;
	r3_idt[vec].type = GATE_INTR32;
}

static void ring3_tables(void)
{
	struct dtr g = {sizeof(r3_gdt) - 1, (uint32_t)(uintptr_t)r3_gdt};
	struct dtr i = {sizeof(r3_idt) - 1, (uint32_t)(uintptr_t)r3_idt};

	r3_gdt[SEL_KCODE >> 3] = DESC_FLAT_KCODE;
	r3_gdt[SEL_KDATA >> 3] = DESC_FLAT_KDATA;
	r3_gdt[SEL_UCODE >> 3] = DESC_FLAT_UCODE;
	r3_gdt[SEL_UDATA >> 3] = DESC_FLAT_UDATA;
	r3_gdt[SEL_UCONF >> 3] = DESC_FLAT_UCONF;
	r3_tss.ss0 = SEL_KDATA;
	r3_tss.esp0 = (uint32_t)(uintptr_t)(kernel_stack + KERNEL_STACK_SIZE);
	r3_tss.iomap_base = sizeof(r3_tss); /* no I/O permission bitmap */
	r3_gdt[SEL_TSS >> 3] = tss_descriptor((uint32_t)(uintptr_t)&r3_tss, sizeof(r3_tss) - 1);
	for (unsigned v = 0; v < 256; v++)
		set_gate(v, isr_table[v], SEL_KCODE);
	set_gate(VEC_UD, (uint32_t)(uintptr_t)ring3_ud_entry, SEL_KCODE);
	set_gate(VEC_AC, (uint32_t)(uintptr_t)ring3_ac_entry, SEL_UCONF);
	__asm__ volatile("lgdt %0" : : "m"(g));
	__asm__ volatile("lidt %0" : : "m"(i));
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS));
}

/* IRET to fn at CPL 3 on the user stack, interrupts off; never returns. */
static void __attribute__((noreturn)) enter_ring3(void (*fn)(void))
{
	uint32_t sp = (uint32_t)(uintptr_t)(user_stack + USER_STACK_SIZE);

	__asm__ volatile("mov %w0, %%ds\n\t"
			 "mov %w0, %%es\n\t"
			 "push %0\n\t" /* SS */
			 "push %1\n\t" /* ESP */
			 "push %2\n\t" /* EFLAGS */
			 "push %3\n\t" /* CS */
			 "push %4\n\t" /* EIP */
			 "iret"
			 :
			 : "r"((uint32_t)SEL_UDATA), "r"(sp), "r"(EFLAGS_RSVD1),
			   "r"((uint32_t)SEL_UCODE), "r"((uint32_t)(uintptr_t)fn)
			 : "memory");
	__builtin_unreachable();
}

void ring3_ud_report(uint32_t eip, uint32_t cs)
{
	console_lock = 0;
	printf("mbtest: bad=vmcall3: VMCALL at CPL %u raised #UD at eip %x, as on a CPU without "
	       "a hypervisor\n",
	       cs & 3, eip);
	machine_exit(0);
}

/* VMCALL from user mode: a CPU outside VMX operation raises #UD (SDM Vol.
 * 3C 30.3, VMCALL); a hypervisor must not serve it for a guest process. */
void bad_vmcall3(void)
{
	printf("mbtest: bad=vmcall3: VMCALL (exit, status 0x%x) from CPL 3\n", BAD_SERVED_STATUS);
	ring3_tables();
	enter_ring3(ring3_vmcall);
}

/* #AC whose delivery raises #AC (CVE-2015-5307): the gate's conforming
 * ring-3 code segment keeps CPL 3, and the pushes go to a misaligned stack
 * with CR0.AM and EFLAGS.AC set. A CPU loops in delivery for ever. */
void bad_acloop(void)
{
	uint32_t cr0;

	printf("mbtest: bad=acloop: #AC delivered onto a misaligned ring-3 stack\n");
	ring3_tables();
	ring3_misaligned_sp = (uint32_t)(uintptr_t)(user_stack + USER_STACK_SIZE / 2) + 1;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | CR0_AM));
	enter_ring3(ring3_acloop);
}
