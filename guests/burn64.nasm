; SPDX-License-Identifier: MIT
; CPU-bound guest that never exits by itself: the scheduler's fairness test
; runs several of these and stops them after measuring their shares. It
; first fills r8-r15, YMM3 and LSTAR with values of its own, so a vCPU that
; shares or follows it on a core (migrate64) would see them if a switch
; leaked state between vCPUs.
bits 64
org 0x10000

CR4_OSXSAVE equ 1 << 18
CR4_OSFXSR equ 1 << 9
XCR0_X87_SSE_AVX equ 0x7
MSR_LSTAR equ 0xc0000082
BURN_PATTERN equ 0x5a5a5a5a

	mov rax, cr4
	or eax, CR4_OSXSAVE | CR4_OSFXSR
	mov cr4, rax
	xor ecx, ecx
	mov eax, XCR0_X87_SSE_AVX
	xor edx, edx
	xsetbv
	vpcmpeqb ymm3, ymm3, ymm3       ; all ones
	mov ecx, MSR_LSTAR
	mov eax, BURN_PATTERN
	mov edx, 0xffff8000
	wrmsr
	mov r8, BURN_PATTERN
	mov r9, r8
	mov r10, r8
	mov r11, r8
	mov r12, r8
	mov r13, r8
	mov r14, r8
	mov r15, r8
	sti                             ; like a real guest: interrupts on
.loop:
	imul rax, rax, 7
	inc rbx
	jmp .loop
