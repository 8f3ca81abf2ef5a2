/* SPDX-License-Identifier: MIT */
/* Platform bring-up steps called in order by kmain (kernel/platform.c). */
#ifndef VIREO_KERNEL_PLATFORM_H
#define VIREO_KERNEL_PLATFORM_H

#include "kernel/boot.h"

void platform_acpi(struct boot_state *b);
void platform_memory(struct boot_state *b);
void platform_cpus(struct boot_state *b);

#endif
