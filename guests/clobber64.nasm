; SPDX-License-Identifier: MIT
; Built-in 64-bit guest that fills YMM3 and LSTAR with values of its own and
; yields, so that a vCPU sharing the core must get its own state back; it
; exits through the exit hypercall with status 7.
bits 64
org 0x10000
%include "guests/common64.inc"

CLOBBER_STATUS equ 7

start:
	mov rax, cr4
	or eax, (1 << 18) | (1 << 9)
	mov cr4, rax
	xor ecx, ecx
	mov eax, 0x7
	xor edx, edx
	xsetbv
	vpcmpeqb ymm3, ymm3, ymm3       ; all ones
	mov ecx, 0xc0000082             ; LSTAR: a value of its own
	mov eax, 0xdead0000
	mov edx, 0xffff8000
	wrmsr
	mov ebx, 4
.again:
	mov eax, HC_YIELD
	vmcall
	dec ebx
	jnz .again
	PUTS msg
	mov eax, HC_EXIT                ; exit through the hypercall, status 7
	mov edi, CLOBBER_STATUS
	vmcall
	hlt

puts:
	mov dx, COM1
.next:
	lodsb
	test al, al
	jz .done
	out dx, al
	jmp .next
.done:
	mov al, 10
	out dx, al
	ret

msg: db "clobber64: YMM3 filled with ones, done", 0
