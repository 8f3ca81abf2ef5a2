/* SPDX-License-Identifier: MIT */
/*
 * The 8254 programmable interval timer as the PC wires it: input clock, I/O
 * ports, the mode/command byte and port 0x61 (gate and output of channel 2).
 * Shared by TSC calibration (arch/x86/tsc.c) and the guest PIT model;
 * definitions only.
 */
#ifndef VIREO_ARCH_X86_PIT_H
#define VIREO_ARCH_X86_PIT_H

#define PIT_HZ 1193182u /* 1.193182 MHz input clock */

#define PIT_PORT_CH0 0x40
#define PIT_PORT_CH2 0x42
#define PIT_PORT_CMD 0x43
#define PIT_PORT_B 0x61 /* NMI status and control: channel 2 gate and output */
#define PIT_CH2 2

/* Mode/command byte: channel 7:6, access 5:4, mode 3:1 */
#define PIT_CMD_CHANNEL_SHIFT 6
#define PIT_CMD_ACCESS_SHIFT 4
#define PIT_CMD_MODE_SHIFT 1
#define PIT_ACCESS_LATCH 0
#define PIT_ACCESS_LOHI 3
#define PIT_MODE_ONESHOT 0 /* mode 0: interrupt on terminal count */

/* Port 0x61 */
#define PORT_B_GATE2 0x01u
#define PORT_B_SPEAKER 0x02u
#define PORT_B_REFRESH 0x10u /* toggles with DRAM refresh */
#define PORT_B_OUT2 0x20u

#endif /* VIREO_ARCH_X86_PIT_H */
