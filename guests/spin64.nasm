; SPDX-License-Identifier: MIT
; Demo guest for several vCPUs: each vCPU does CPU-bound work in STEPS
; steps, prints its progress on COM1 after each, then ends itself with the
; exit hypercall; the VM stops when its last vCPU has ended.
bits 64
org 0x10000
%include "guests/common64.inc"

STEPS      equ 4
STEP_WORK  equ 150000

start:
	sti                             ; interrupts on (Bochs needs IF=1 for
					; external-interrupt exits; docs/scheduler.md)
	mov eax, HC_VCPU_ID
	vmcall
	mov r12, rax                    ; vCPU id
	xor r13d, r13d                  ; steps done
.step:
	mov ecx, STEP_WORK
.work:
	imul rax, rax, 3
	add rax, rcx
	dec ecx
	jnz .work
	inc r13d
	call progress
	cmp r13d, STEPS
	jb .step
	mov eax, HC_EXIT
	xor edi, edi
	vmcall
	hlt

; "vcpu N: step S of 4" on COM1 (N, S single digits are enough here)
progress:
	lea rsi, [rel msg]
	mov dx, COM1
.p1:
	lodsb
	test al, al
	jz .id
	out dx, al
	jmp .p1
.id:
	mov eax, r12d
	add al, '0'
	out dx, al
	lea rsi, [rel msg2]
.p2:
	lodsb
	test al, al
	jz .n
	out dx, al
	jmp .p2
.n:
	mov eax, r13d
	add al, '0'
	out dx, al
	lea rsi, [rel msg3]
.p3:
	lodsb
	test al, al
	jz .done
	out dx, al
	jmp .p3
.done:
	ret

msg:  db "vcpu ", 0
msg2: db ": step ", 0
msg3: db " of 4 done", 10, 0
