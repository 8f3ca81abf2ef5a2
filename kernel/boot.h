/* SPDX-License-Identifier: MIT */
/* What the boot sequence learned: parsed Multiboot2 info and option values. */
#ifndef VIREO_KERNEL_BOOT_H
#define VIREO_KERNEL_BOOT_H

#include <stdbool.h>
#include <stdint.h>
#include "boot/mb2.h"

struct boot_state {
	uint64_t info_pa;
	struct mb2_info mb2;
	int log_level;
	int on_done;
	bool vmxcaps;
	char serial[16];
	char test[128];
	char test_token[64];
	unsigned cmdline_problems;
	uint64_t slice_us;
	int slice_timer;
	bool cpu_table_full;
	uint64_t start_tsc; /* TSC at kmain entry */
	unsigned cpus_listed; /* usable CPUs in the MADT (1 without one) */
	uint64_t ram_top;
};

const struct boot_state *boot_state(void);

#endif
