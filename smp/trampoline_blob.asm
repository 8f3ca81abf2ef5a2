; SPDX-License-Identifier: MIT
; The assembled AP trampoline (smp/trampoline.nasm), embedded in the kernel.
global smp_trampoline_start
global smp_trampoline_end
section .rodata
smp_trampoline_start:
	incbin "build/k/smp/trampoline.bin"
smp_trampoline_end:
