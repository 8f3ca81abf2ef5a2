/* SPDX-License-Identifier: MIT */
/* Power-off and exit-status reporting (kernel/power.h). */
#include "kernel/power.h"
#include "arch/x86/cpu.h"
#include "lib/printk.h"

#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900

static bool test_mode;
static void (*shutdown_hook)(void);

void power_set_test_mode(bool on)
{
	test_mode = on;
}

bool power_test_mode(void)
{
	return test_mode;
}

void power_set_shutdown_hook(void (*fn)(void))
{
	shutdown_hook = fn;
}

void power_exit(int status)
{
	static const char bochs_shutdown[] = "Shutdown";
	void (*hook)(void) = shutdown_hook;

	shutdown_hook = 0;
	if (hook)
		hook();
	printk(LOG_EMERG, "vireo: exit status %d\n", status);
	cpu_outb(QEMU_DEBUG_EXIT_PORT, (uint8_t)status);
	for (const char *p = bochs_shutdown; *p; p++)
		cpu_outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
	printk(LOG_EMERG, "vireo: no emulator exit port answered; halting.\n");
	cpu_halt_forever();
}
