/* SPDX-License-Identifier: MIT */
/* Running the VMs named on the command line (kernel/vms.c). */
#ifndef VIREO_KERNEL_VMS_H
#define VIREO_KERNEL_VMS_H

#include <stdint.h>
#include "boot/mb2.h"

/* The GRUB modules guest kernels (vireo.vm=...,image=NAME) are found in:
 * NAME is the module string's first word, or that word's last path part. */
void vms_set_modules(const struct mb2_module *mods, unsigned n);

/* Parse, build and run the VM descriptions; returns how many ran. */
unsigned vms_run(const char *const *texts, unsigned n, uint64_t slice_us);
/* Two demo VMs with more vCPUs than there are CPUs. */
unsigned vms_run_demo(uint64_t slice_us);

#endif
