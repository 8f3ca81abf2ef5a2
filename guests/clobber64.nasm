; SPDX-License-Identifier: MIT
; Built-in 64-bit guest that fills YMM3 with its own pattern and yields, so
; that a vCPU sharing the core must get its own YMM state back.
bits 64
org 0x10000
%include "guests/common64.inc"

start:
	mov rax, cr4
	or eax, (1 << 18) | (1 << 9)
	mov cr4, rax
	xor ecx, ecx
	mov eax, 0x7
	xor edx, edx
	xsetbv
	vpcmpeqb ymm3, ymm3, ymm3       ; all ones
	mov ebx, 4
.again:
	mov eax, HC_YIELD
	vmcall
	dec ebx
	jnz .again
	PUTS msg
	mov al, 0
	out EXIT_PORT, al
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
