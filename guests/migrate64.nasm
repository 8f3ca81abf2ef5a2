; SPDX-License-Identifier: MIT
; Guest whose state must survive being moved between CPUs: in every round
; it loads GPRs, YMM3, LSTAR and DR0-DR3 with values derived from the round number,
; computes for a while (the scheduler moves it meanwhile) and checks them.
; It stops when the host sets the byte at STOP_FLAG: exit status 0, or the
; number of the check that failed.
bits 64
org 0x10000
%include "guests/common64.inc"

STOP_FLAG equ 0x9000
SPIN      equ 20000

start:
	sti                             ; interrupts on (Bochs needs IF=1 for
					; external-interrupt exits; docs/scheduler.md)
	mov rax, cr4
	or eax, (1 << 18) | (1 << 9)
	mov cr4, rax
	xor ecx, ecx
	mov eax, 0x7
	xor edx, edx
	xsetbv
	xor r15d, r15d                  ; round
.round:
	cmp byte [STOP_FLAG], 0
	jne .pass
	inc r15
	; fill state from the round number
	mov r8, r15
	lea r9, [r15 + 0x1111]
	lea r10, [r15 + 0x2222]
	lea r11, [r15 + 0x3333]
	lea r12, [r15 + 0x4444]
	mov [rel ymm_in], r15
	mov [rel ymm_in + 8], r9
	mov [rel ymm_in + 16], r10
	mov [rel ymm_in + 24], r11
	vmovdqu ymm3, [rel ymm_in]
	mov ecx, 0xc0000082
	mov eax, r15d
	mov edx, 0xffff8000
	wrmsr
	mov dr0, r8
	mov dr1, r9
	mov dr2, r10
	mov dr3, r11
	mov ecx, SPIN
.spin:
	imul rax, rax, 3
	dec ecx
	jnz .spin
	; check
	cmp r8, r15
	jne .f1
	lea rax, [r15 + 0x1111]
	cmp r9, rax
	jne .f1
	lea rax, [r15 + 0x2222]
	cmp r10, rax
	jne .f1
	lea rax, [r15 + 0x3333]
	cmp r11, rax
	jne .f1
	lea rax, [r15 + 0x4444]
	cmp r12, rax
	jne .f1
	vmovdqu [rel ymm_out], ymm3
	lea rsi, [rel ymm_in]
	lea rdi, [rel ymm_out]
	mov ecx, 32
	repe cmpsb
	jne .f2
	mov ecx, 0xc0000082
	rdmsr
	cmp eax, r15d
	jne .f3
	mov rax, dr0
	cmp rax, r8
	jne .f4
	mov rax, dr1
	cmp rax, r9
	jne .f4
	mov rax, dr2
	cmp rax, r10
	jne .f4
	mov rax, dr3
	cmp rax, r11
	jne .f4
	jmp .round
.pass:
	mov al, 0
	out EXIT_PORT, al
	hlt
.f1:
	mov al, 1
	out EXIT_PORT, al
	hlt
.f2:
	mov al, 2
	out EXIT_PORT, al
	hlt
.f3:
	mov al, 3
	out EXIT_PORT, al
	hlt
.f4:
	mov al, 4
	out EXIT_PORT, al
	hlt

	align 32
ymm_in:  times 32 db 0
ymm_out: times 32 db 0
