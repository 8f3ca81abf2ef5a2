/* SPDX-License-Identifier: MIT */
/*
 * The boot sequence: per-CPU area and console first, then descriptor tables,
 * the Multiboot2 information, the command line, and finally either the
 * self-tests selected by vireo.test= or normal operation.
 */
#include <stdint.h>
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/pic.h"
#include "arch/x86/spec.h"
#include "arch/x86/traps.h"
#include "arch/x86/uart.h"
#include "boot/mb2.h"
#include "kernel/boot.h"
#include "kernel/cmdline.h"
#include "kernel/fbcon.h"
#include "kernel/ktest.h"
#include "lib/panic.h"
#include "kernel/platform.h"
#include "kernel/report.h"
#include "kernel/serial_opt.h"
#include "kernel/vms.h"
#include "sched/run.h"
#include "kernel/power.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "smp/percpu.h"
#include "smp/smp.h"
#include "vm/vm.h"

#define BOOT_STACK_SIZE 16384
#define IDENTITY_MAP_END 0x100000000ull
#define VM_CONFIG_MAX_TEXTS 8
#define SERIAL_DEFAULT "com1"

extern char boot_stack_top[];

static struct cpu_tables bsp_tables;
static struct boot_state boot;
#define BACKEND_OFF_CPU_NONE UINT64_MAX
static uint64_t backend_off_cpu = BACKEND_OFF_CPU_NONE;
static int cpu_table_choice;
static uint64_t smp_phantom = SMP_PHANTOM_NONE;
#define TEST_HANG_NONE UINT64_MAX
#define TEST_HANG_SLICE_DEFAULT 5
#define TEST_HANG_SLICE_MAX 1000000
static uint64_t test_hang_cpu = TEST_HANG_NONE;
static uint64_t test_hang_slice = TEST_HANG_SLICE_DEFAULT;

static const char *const log_level_names[] = {"emerg", "1",    "2",	"err", "warn",
					      "5",     "info", "debug", NULL};
static const char *const exit_policy_names[] = {"halt", "poweroff", NULL};
static const char *const slice_timer_names[] = {"auto", "lapic", NULL};
static const char *const cpu_table_names[] = {"compact", "full", NULL};

#define VM_TEXT_MAX 1024 /* a Linux VM's value holds a kernel command line */
static char vm_texts[VM_CONFIG_MAX_TEXTS][VM_TEXT_MAX];
static struct cmdline_list vm_list = {&vm_texts[0][0], VM_CONFIG_MAX_TEXTS, 0, 0};

static const struct cmdline_option boot_options[] = {
    {"vireo.vm", CMDLINE_LIST, &vm_list, VM_TEXT_MAX, 0, 0, NULL,
     "a VM to run (repeatable): name:guest=<built-in>,vcpus=N,mem=16M,cpus=0-3"},
    {"vireo.slice_us", CMDLINE_U64, &boot.slice_us, 0, 100, 1000000, NULL,
     "scheduler time slice in microseconds (default 10000)"},
    {"vireo.sched_timer", CMDLINE_ENUM, &boot.slice_timer, 0, 0, 0, slice_timer_names,
     "what ends a time slice: auto (VMX-preemption timer, LAPIC without it) or lapic"},
    {"vireo.log", CMDLINE_ENUM, &boot.log_level, 0, 0, 0, log_level_names,
     "console log level: err, warn, info, debug"},
    {"vireo.serial", CMDLINE_STR, boot.serial, sizeof(boot.serial), 0, 0, NULL,
     "serial console: com1..com4, a 16550 base port like 0x2f8 or 760, or none"},
    {"vireo.test", CMDLINE_STR, boot.test, sizeof(boot.test), 0, 0, NULL,
     "run self-test suites (comma-separated, suite or suite.case, or all) and exit"},
    {"vireo.test_token", CMDLINE_STR, boot.test_token, sizeof(boot.test_token), 0, 0, NULL,
     "a string the boot self-test reads back to prove the command line was parsed"},
    {"vireo.cpu_table", CMDLINE_ENUM, &cpu_table_choice, 0, 0, 0, cpu_table_names,
     "boot CPU table: compact (beyond 16 CPUs) or full"},
    {"vireo.vmx_off_cpu", CMDLINE_U64, &backend_off_cpu, 0, 0, MAX_CPUS - 1, NULL,
     "leave VMX off on this CPU, as firmware with VT-x disabled there would (VMs use the others)"},
    {"vireo.smp_phantom_apic", CMDLINE_U64, &smp_phantom, 0, 0, SMP_PHANTOM_APIC_MAX, NULL,
     "test only: pretend the MADT lists one more enabled CPU, with this APIC ID, that never "
     "answers"},
    {"vireo.test_hang_cpu", CMDLINE_U64, &test_hang_cpu, 0, 1, MAX_CPUS - 1, NULL,
     "test only: this CPU (not 0) hangs, interrupts off, while VMs run (see "
     "vireo.test_hang_slice)"},
    {"vireo.test_hang_slice", CMDLINE_U64, &test_hang_slice, 0, 1, TEST_HANG_SLICE_MAX, NULL,
     "test only: the slice of vireo.test_hang_cpu's CPU on which it hangs (default 5)"},
    {"vireo.vmxcaps", CMDLINE_BOOL, &boot.vmxcaps, 0, 0, 0, NULL,
     "print the full VMX capability report (every control's allowed settings)"},
    {"vireo.on_done", CMDLINE_ENUM, &boot.on_done, 0, 0, 0, exit_policy_names,
     "what to do after boot when nothing is left to run: halt or poweroff"},
};

const struct boot_state *boot_state(void)
{
	return &boot;
}

static void cmdline_report(void *ctx, const char *msg)
{
	(void)ctx;
	boot.cmdline_problems++;
	pr_warn("cmdline: %s\n", msg);
}

#define SERIAL_KEEP_COM1 "keeping the serial console on COM1 (port 0x3f8)"

static const char *serial_fallback(void)
{
	if (uart_init(UART_COM1))
		return SERIAL_KEEP_COM1;
	return "COM1 does not answer either, so the log goes only to the screen and port 0xE9";
}

/*
 * vireo.serial=: runs once the screen console is up, so that a bad value or
 * a port that does not answer is reported where a person can read it.
 */
static void boot_serial_console(void)
{
	uint16_t port = UART_COM1;
	const char *why = "";

	if (serial_opt_parse(boot.serial, &port, &why) != E_OK) {
		boot.cmdline_problems++;
		pr_warn("console: vireo.serial=%s ignored: '%s' %s; accepted: %s; %s\n",
			boot.serial, boot.serial, why, SERIAL_OPT_ACCEPTED,
			uart_present()
			    ? SERIAL_KEEP_COM1
			    : "COM1 did not answer at boot, so there is no serial console");
		return;
	}
	if (port == uart_base())
		return;
	if (port == SERIAL_OPT_NONE) {
		pr_info("console: vireo.serial=none: serial console off from here on\n");
		uart_init(SERIAL_OPT_NONE);
		return;
	}
	pr_info("console: switching the serial console to %s (port 0x%x)\n", boot.serial, port);
	if (uart_init(port)) {
		pr_info("console: serial console on port 0x%x (vireo.serial=%s)\n", port,
			boot.serial);
		return;
	}
	pr_warn("console: vireo.serial=%s: no 16550 UART answers at port 0x%x (its scratch "
		"register does not read back); %s\n",
		boot.serial, port, serial_fallback());
}

static void boot_parse_info(uint32_t magic, uint64_t info_pa)
{
	enum err e;

	if (magic != MB2_BOOTLOADER_MAGIC)
		panic("boot: bad Multiboot2 magic 0x%x (expected 0x%x): boot Vireo with GRUB's "
		      "multiboot2 command",
		      magic, MB2_BOOTLOADER_MAGIC);
	if (info_pa >= IDENTITY_MAP_END)
		panic("boot: Multiboot2 information at 0x%llx is above 4 GiB, outside the boot map",
		      (unsigned long long)info_pa);
	boot.info_pa = info_pa;
	e = mb2_parse((const void *)(uintptr_t)info_pa, IDENTITY_MAP_END - info_pa, &boot.mb2);
	if (e != E_OK)
		panic("boot: the Multiboot2 information at 0x%llx is malformed: %s (%s at offset "
		      "%u); the boot loader passed a broken structure, try another GRUB build",
		      (unsigned long long)info_pa, boot.mb2.why ? boot.mb2.why : "?", err_name(e),
		      boot.mb2.err_offset);
}

static void screen_write(int level, const char *s, int len)
{
	struct fbcon *c = fbcon_console();

	fbcon_set_colour(c, fbcon_level_colour(level), 0);
	fbcon_console_write(s, len);
}

/* Every printk line also goes to the screen when GRUB gave a framebuffer. */
/* boot/entry.asm maps only the low 4 GiB: a framebuffer above that (large
 * PCI BARs on UEFI PCs) waits for the kernel's own page tables. */
#define BOOT_MAP_LIMIT (4ull << 30)

static bool screen_deferred;

static void boot_screen(void)
{
	const struct mb2_framebuffer *fb = &boot.mb2.fb;

	if (!fb->present)
		return;
	if (!screen_deferred && fb->addr + (uint64_t)fb->pitch * fb->height > BOOT_MAP_LIMIT) {
		screen_deferred = true;
		pr_info("console: the framebuffer at 0x%llx is above the boot mapping; the screen "
			"console starts once the kernel's page tables map it\n",
			(unsigned long long)fb->addr);
		return;
	}
	if (fbcon_start(fb) != E_OK) {
		pr_warn("console: the %ux%u framebuffer is not usable for text; serial only\n",
			fb->width, fb->height);
		return;
	}
	printk_set_extra_console(screen_write);
	pr_info("console: framebuffer %ux%u, %u bpp, pitch %u at 0x%llx\n", fb->width, fb->height,
		fb->bpp, fb->pitch, (unsigned long long)fb->addr);
}

static void boot_apply_options(void)
{
	const char *line = boot.mb2.cmdline ? boot.mb2.cmdline : "";

	boot.log_level = LOG_INFO;
	boot.slice_us = SCHED_DEFAULT_SLICE_US;
	memcpy(boot.serial, SERIAL_DEFAULT, sizeof(SERIAL_DEFAULT));
	cmdline_parse(line, boot_options, sizeof(boot_options) / sizeof(boot_options[0]),
		      cmdline_report, NULL);
	printk_set_level(boot.log_level);
	boot.cpu_table_full = cpu_table_choice == 1;
	sched_use_lapic_slices(boot.slice_timer == 1);
}

static void boot_cpu_tables(void)
{
	gdt_load(&bsp_tables);
	pic_disable();
	idt_init();
	idt_load();
}

static void boot_test_hang(void)
{
	if (!smp_cpu_online((unsigned)test_hang_cpu)) {
		pr_warn("vireo.test_hang_cpu=%llu ignored: no such CPU is online\n",
			(unsigned long long)test_hang_cpu);
		return;
	}
	pr_warn("vireo: test option vireo.test_hang_cpu=%llu: cpu %llu will hang on its slice "
		"%llu\n",
		(unsigned long long)test_hang_cpu, (unsigned long long)test_hang_cpu,
		(unsigned long long)test_hang_slice);
	sched_test_hang((unsigned)test_hang_cpu, (unsigned)test_hang_slice, SCHED_HANG_RUNNING);
}

static void run_vms(void)
{
	const char *texts[VM_CONFIG_MAX_TEXTS];

	for (unsigned i = 0; i < vm_list.count; i++)
		texts[i] = vm_texts[i];
	vms_set_modules(boot.mb2.modules, boot.mb2.module_count);
	if (vm_list.count)
		vms_run(texts, vm_list.count, boot.slice_us);
	else if (vm_list.refused)
		pr_err("vms: every vireo.vm= option was refused (see above); no VM runs\n");
	else
		vms_run_demo(boot.slice_us);
	pr_info("vireo: all VMs have finished\n");
}

void kmain(uint32_t magic, uint64_t info_pa)
{
	uint64_t top = (uint64_t)(uintptr_t)boot_stack_top;

	boot.start_tsc = cpu_rdtsc();
	percpu_bsp_early(top - BOOT_STACK_SIZE, top)->tables = &bsp_tables;
	printk_init_consoles(UART_COM1);
	boot_cpu_tables();
	pr_info("\nVireo hypervisor: booting (serial %s, port 0xE9 %s)\n",
		uart_present() ? "COM1" : "absent",
		printk_debugcon_present() ? "present" : "absent");
	boot_parse_info(magic, info_pa);
	pr_info("boot: loaded by %s\n", boot.mb2.loader_name ? boot.mb2.loader_name : "?");
	pr_info("boot: command line: %s\n", boot.mb2.cmdline ? boot.mb2.cmdline : "(none)");
	boot_apply_options();
	boot_screen();
	boot_serial_console();
	mb2_report(&boot.mb2);
	platform_acpi(&boot);
	platform_memory(&boot);
	if (screen_deferred)
		boot_screen(); /* platform_memory() mapped the framebuffer */
	if (smp_phantom != SMP_PHANTOM_NONE)
		smp_set_phantom((uint32_t)smp_phantom);
	platform_cpus(&boot);
	spec_init();
	vm_backend_select();
	if (backend_off_cpu != BACKEND_OFF_CPU_NONE)
		vcpu_backend_leave_off((int)backend_off_cpu);
	vcpu_backend_enable_all(boot.vmxcaps);
	power_set_shutdown_hook(vcpu_backend_shutdown);
	report_machine();

	if (test_hang_cpu != TEST_HANG_NONE)
		boot_test_hang();
	if (boot.test[0]) {
		power_set_test_mode(true);
		ktest_run(boot.test);
	}
	run_vms();
	if (boot.on_done == 1)
		power_exit(VIREO_EXIT_PASS);
	pr_info("vireo: halted (pass vireo.on_done=poweroff to power off instead)\n");
	cpu_halt_forever();
}
