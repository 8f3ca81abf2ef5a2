/* SPDX-License-Identifier: MIT */
/*
 * The "boot" self-test suite: long mode, descriptor tables, console,
 * Multiboot2 information, command line, exception recovery, symbol table.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/traps.h"
#include "arch/x86/uart.h"
#include "kernel/boot.h"
#include "lib/ksyms.h"
#include "kernel/ktest.h"
#include "lib/printk.h"
#include "lib/format.h"
#include "lib/string.h"
#include "smp/percpu.h"

#define EXPECTED_TOKEN "vireo-cmdline-ok"
#define MB2_MMAP_AVAILABLE 1
#define CS_L_BIT (1ull << 53)

KTEST(boot, long_mode)
{
	struct desc_ptr gdtr;
	uint16_t cs;
	uint64_t *gdt;

	KT_ASSERT(t, cpu_rdmsr(MSR_IA32_EFER) & EFER_LMA, "EFER.LMA is clear");
	KT_ASSERT(t, cpu_read_cr0() & CR0_PG, "CR0.PG is clear");
	KT_ASSERT(t, cpu_read_cr4() & CR4_PAE, "CR4.PAE is clear");
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	gdt_read_gdtr(&gdtr);
	gdt = (uint64_t *)(uintptr_t)gdtr.base;
	KT_ASSERT(t, cs == GDT_KERNEL_CS, "CS is 0x%x, expected 0x%x", cs, GDT_KERNEL_CS);
	KT_ASSERT(t, gdt[cs >> 3] & CS_L_BIT, "CS descriptor is not a 64-bit code segment");
}

KTEST(boot, tss_and_ist)
{
	struct desc_ptr gdtr;
	struct tss64 *tss;
	uint64_t *gdt;

	KT_ASSERT(t, gdt_read_tr() == GDT_TSS, "TR is 0x%x, expected 0x%x", gdt_read_tr(),
		  GDT_TSS);
	gdt_read_gdtr(&gdtr);
	gdt = (uint64_t *)(uintptr_t)gdtr.base;
	tss = (struct tss64 *)(uintptr_t)(((gdt[3] >> 16) & 0xffffff) |
					  (((gdt[3] >> 56) & 0xff) << 24) | (gdt[4] << 32));
	for (int i = 0; i < IST_COUNT; i++)
		KT_ASSERT(t, tss->ist[i] && !(tss->ist[i] & 0xf), "IST%d is 0x%llx", i + 1,
			  (unsigned long long)tss->ist[i]);
}

KTEST(boot, percpu_gs)
{
	struct percpu *p = this_cpu();

	KT_ASSERT(t, p && p->self == p, "this_cpu()->self does not point at itself");
	KT_ASSERT(t, (uint64_t)(uintptr_t)p == cpu_rdmsr(MSR_IA32_GS_BASE),
		  "this_cpu() %p differs from IA32_GS_BASE", (void *)p);
	KT_ASSERT(t, p->cpu_id == 0, "boot CPU has logical id %u", p->cpu_id);
}

KTEST(boot, console)
{
	uint64_t before = uart_bytes_sent();

	if (!uart_present() && !printk_debugcon_present()) {
		ktest_fail(t, "no console: neither a 16550 UART nor port 0xE9 answered");
		return;
	}
	printk(LOG_EMERG, "# console check line\n");
	if (uart_present())
		KT_ASSERT(t, uart_bytes_sent() >= before + 21, "UART sent %llu bytes for 21",
			  (unsigned long long)(uart_bytes_sent() - before));
	KT_EXPECT(t, 1, "unreachable");
}

KTEST(boot, multiboot2_info)
{
	const struct boot_state *b = boot_state();
	uint64_t avail = 0;

	KT_ASSERT(t, b->mb2.mmap_count > 0, "no memory map entries");
	for (unsigned i = 0; i < b->mb2.mmap_count; i++) {
		if (b->mb2.mmap[i].type == MB2_MMAP_AVAILABLE)
			avail += b->mb2.mmap[i].length;
	}
	ktest_diag(t, "memory map: %u entries, %llu MiB available", b->mb2.mmap_count,
		   (unsigned long long)(avail >> 20));
	KT_ASSERT(t, avail >= (16ull << 20), "only %llu KiB of available memory",
		  (unsigned long long)(avail >> 10));
	KT_ASSERT(t, b->mb2.loader_name && !strncmp(b->mb2.loader_name, "GRUB", 4),
		  "boot loader name is '%s'", b->mb2.loader_name ? b->mb2.loader_name : "");
	KT_ASSERT(t, b->mb2.rsdp_v1 || b->mb2.rsdp_v2, "no ACPI RSDP tag from the loader");
}

KTEST(boot, cmdline)
{
	const struct boot_state *b = boot_state();

	KT_ASSERT(t, b->mb2.cmdline != NULL, "no command line tag");
	KT_ASSERT(t, !strcmp(b->test_token, EXPECTED_TOKEN),
		  "vireo.test_token is '%s', expected '%s' (run with vireo.test_token=%s)",
		  b->test_token, EXPECTED_TOKEN, EXPECTED_TOKEN);
	KT_ASSERT(t, b->cmdline_problems == 1,
		  "%u command-line problems reported; the harness passes exactly one unknown "
		  "key (vireo.no_such_option)",
		  b->cmdline_problems);
}

KTEST(boot, exception_recovery)
{
	static uint8_t scratch;
	int v;

	v = probe_ud2();
	KT_ASSERT(t, v == X86_TRAP_UD, "ud2 probe returned %d, expected #UD (6)", v);
	v = probe_read8((const void *)0x0000800000000000ull);
	KT_ASSERT(t, v == X86_TRAP_GP, "non-canonical read returned %d, expected #GP (13)", v);
	v = probe_write8(&scratch, 0x5a);
	KT_ASSERT(t, v == -1 && scratch == 0x5a, "plain write probe returned %d", v);
}

KTEST(boot, symbols)
{
	uint64_t off = 0;
	const char *name = ksyms_lookup((uint64_t)(uintptr_t)ktest_run + 3, &off);

	KT_ASSERT(t, ksyms_count_get() > 50, "symbol table has %llu entries",
		  (unsigned long long)ksyms_count_get());
	KT_ASSERT(t, name && !strcmp(name, "ktest_run") && off == 3,
		  "ktest_run+3 resolved to %s+0x%llx", name ? name : "?",
		  (unsigned long long)off);
}

KTEST(boot, format)
{
	char buf[64];

	fmt_snprintf(buf, sizeof(buf), "%s|%5d|%-4x|%08llx|%c", "ab", -42, 0xbeefu, 0x1234ull, 'z');
	KT_ASSERT(t, !strcmp(buf, "ab|  -42|beef|00001234|z"), "formatted '%s'", buf);
}
