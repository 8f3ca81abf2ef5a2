; SPDX-License-Identifier: MIT
; Built-in 64-bit guest that fills YMM3, LSTAR, DR0-DR3, DR6 and (with
; protection keys) PKRU with values of its own and yields, so that a vCPU
; sharing the core must get its own state back. It first checks that it
; sees nothing of the vCPU that ran before (DR0-DR3 zero, DR6 and PKRU at
; reset) and afterwards that its own values stayed; it exits through the
; exit hypercall with status 7, or 8 when one of those checks failed.
bits 64
org 0x10000
%include "guests/common64.inc"

CLOBBER_STATUS equ 7
LEAK_STATUS    equ 8
DR0_VALUE      equ 0xc0000
DR6_RESET      equ 0xffff0ff0
DR6_B2         equ 1 << 2
DR6_BP_MASK    equ 0xf
CPUID_7_PKU    equ 1 << 3
CR4_PKE_BIT    equ 22
PKRU_VALUE     equ 0x0ffffff0       ; keys 2-13 disabled: not selftest64's

start:
	mov rax, cr4
	or eax, (1 << 18) | (1 << 9)
	mov cr4, rax
	xor ecx, ecx
	mov eax, 0x7
	xor edx, edx
	xsetbv
	call dr_fresh
	jnz leak
	call dr_fill
	call pkru_fill
	jnz leak
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
	call dr_kept
	jnz leak
	call pkru_kept
	jnz leak
	PUTS msg
	mov eax, HC_EXIT                ; exit through the hypercall, status 7
	mov edi, CLOBBER_STATUS
	vmcall
	hlt

leak:
	PUTS msg_leak
	mov eax, HC_EXIT
	mov edi, LEAK_STATUS
	vmcall
	hlt

; ZF set when DR0-DR3 are 0 and DR6 has no breakpoint bit (B0-B3).
dr_fresh:
	mov rax, dr0
	mov rbx, dr1
	or rax, rbx
	mov rbx, dr2
	or rax, rbx
	mov rbx, dr3
	or rax, rbx
	jnz .done
	mov rax, dr6
	test eax, DR6_BP_MASK
.done:
	ret

; DRn = DR0_VALUE + n, DR6 with B2.
dr_fill:
	mov eax, DR0_VALUE
	mov dr0, rax
	inc eax
	mov dr1, rax
	inc eax
	mov dr2, rax
	inc eax
	mov dr3, rax
	mov eax, DR6_RESET | DR6_B2
	mov dr6, rax
	ret

; ZF set when dr_fill's values are still there.
dr_kept:
	mov rax, dr0
	cmp rax, DR0_VALUE
	jne .done
	mov rax, dr1
	cmp rax, DR0_VALUE + 1
	jne .done
	mov rax, dr2
	cmp rax, DR0_VALUE + 2
	jne .done
	mov rax, dr3
	cmp rax, DR0_VALUE + 3
	jne .done
	mov rax, dr6
	and eax, DR6_BP_MASK
	cmp eax, DR6_B2
.done:
	ret

; With protection keys: CR4.PKE on, PKRU must read 0 (its reset value),
; then PKRU = PKRU_VALUE. ZF set when it held or there are no keys.
pkru_fill:
	mov eax, 7
	xor ecx, ecx
	cpuid
	test ecx, CPUID_7_PKU
	jz .done
	mov byte [rel have_pku], 1
	mov rax, cr4
	bts rax, CR4_PKE_BIT
	mov cr4, rax
	xor ecx, ecx
	rdpkru
	test eax, eax
	jnz .done
	mov eax, PKRU_VALUE
	xor ecx, ecx
	xor edx, edx
	wrpkru
	xor eax, eax                    ; ZF
.done:
	ret

; ZF set when PKRU still holds PKRU_VALUE (or there are no keys).
pkru_kept:
	cmp byte [rel have_pku], 0
	je .done
	xor ecx, ecx
	rdpkru
	cmp eax, PKRU_VALUE
.done:
	ret

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
msg_leak: db "clobber64: state of another vCPU seen, or own state lost", 0
have_pku: db 0
