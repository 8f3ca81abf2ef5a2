; SPDX-License-Identifier: MIT
; CPU-bound guest that never exits by itself: the scheduler's fairness test
; runs several of these and stops them after measuring their shares.
bits 64
org 0x10000
	sti                             ; like a real guest: interrupts on
.loop:
	imul rax, rax, 7
	inc rbx
	jmp .loop
