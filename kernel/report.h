/* SPDX-License-Identifier: MIT */
/* The end-of-boot machine report (kernel/report.c). */
#ifndef VIREO_KERNEL_REPORT_H
#define VIREO_KERNEL_REPORT_H

void report_machine(void);

#endif
