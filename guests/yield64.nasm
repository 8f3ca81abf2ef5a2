; SPDX-License-Identifier: MIT
; Scheduler benchmark guest: times YIELDS yield hypercalls with RDTSC and
; prints the mean ticks from one yield to the next (what happens while
; other vCPUs run in between is included), then exits with status 0.
bits 64
org 0x10000
%include "guests/common64.inc"

YIELDS equ 2000

start:
	sti                             ; interrupts on (Bochs needs IF=1 for
					; external-interrupt exits; docs/scheduler.md)
	rdtsc
	shl rdx, 32
	or rax, rdx
	mov r15, rax
	mov r14d, YIELDS
.loop:
	mov eax, HC_YIELD
	vmcall
	dec r14d
	jnz .loop
	rdtsc
	shl rdx, 32
	or rax, rdx
	sub rax, r15
	xor edx, edx
	mov ecx, YIELDS
	div rcx
	mov rbx, rax
	lea rsi, [rel msg]
	mov dx, COM1
.label:
	lodsb
	test al, al
	jz .num
	out dx, al
	jmp .label
.num:
	lea rdi, [rel digits + 20]
	mov rax, rbx
	mov ecx, 10
.div:
	xor edx, edx
	div rcx
	add dl, '0'
	dec rdi
	mov [rdi], dl
	test rax, rax
	jnz .div
	mov rsi, rdi
	mov dx, COM1
.print:
	lodsb
	test al, al
	jz .done
	out dx, al
	jmp .print
.done:
	mov al, 10
	out dx, al
	mov eax, HC_EXIT
	xor edi, edi
	vmcall
	hlt

msg:    db "yield to yield: ", 0
digits: times 24 db 0
