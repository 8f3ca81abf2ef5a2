/* SPDX-License-Identifier: MIT */
/* The legacy 8259A PICs: remapped away from the exception vectors and masked. */
#ifndef VIREO_ARCH_X86_PIC_H
#define VIREO_ARCH_X86_PIC_H

#define PIC_VECTOR_BASE 0x20 /* IRQ 0-15 -> vectors 0x20-0x2f, all masked */

void pic_disable(void);

#endif
