; SPDX-License-Identifier: MIT
; Exit-cost benchmark guest: times ITERATIONS round trips of CPUID (a leaf
; Vireo answers itself, and a passed-through one), VMCALL, an OUT to an
; unclaimed port and INVD (whose handler only advances RIP) with RDTSC, subtracts the same loop without the exiting
; instruction, and prints ticks per round trip on COM1.
bits 64
org 0x10000
%include "guests/common64.inc"

ITERATIONS equ 100000

%macro TIMED 3                          ; label, two loop instructions
	rdtsc
	shl rdx, 32
	or rax, rdx
	mov r15, rax
	mov r14d, ITERATIONS
%%loop:
	%2
	%3
	dec r14d
	jnz %%loop
	rdtsc
	shl rdx, 32
	or rax, rdx
	sub rax, r15
	mov [rel %1], rax
%endmacro


start:
	TIMED t_base, {mov eax, 0x40000001}, nop
	TIMED t_cpuid, {mov eax, 0x40000001}, cpuid
	TIMED t_cpuid0, {xor eax, eax}, cpuid
	TIMED t_vmcall, {mov eax, HC_VCPU_ID}, vmcall
	TIMED t_out, nop, {out 0x80, al}
	TIMED t_invd, nop, invd

	lea rsi, [rel m_cpuid]
	mov rax, [rel t_cpuid]
	call report
	lea rsi, [rel m_cpuid0]
	mov rax, [rel t_cpuid0]
	call report
	lea rsi, [rel m_vmcall]
	mov rax, [rel t_vmcall]
	call report
	lea rsi, [rel m_out]
	mov rax, [rel t_out]
	call report
	lea rsi, [rel m_invd]
	mov rax, [rel t_invd]
	call report
	mov al, 0
	out EXIT_PORT, al
	hlt

; RSI = label, RAX = total ticks: print "label N ticks per exit"
report:
	sub rax, [rel t_base]
	xor edx, edx
	mov ecx, ITERATIONS
	div rcx
	mov rbx, rax
	mov dx, COM1
.label:
	lodsb
	test al, al
	jz .num
	out dx, al
	jmp .label
.num:
	lea rdi, [rel digits + 20]
	mov byte [rdi], 0
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
	jz .tail
	out dx, al
	jmp .print
.tail:
	lea rsi, [rel m_tail]
.t:
	lodsb
	test al, al
	jz .done
	out dx, al
	jmp .t
.done:
	ret

m_cpuid:  db "bench: CPUID (leaf 0x40000001, answered by Vireo) round trip: ", 0
m_cpuid0: db "bench: CPUID (leaf 0, from the policy table) round trip: ", 0
m_vmcall: db "bench: VMCALL (vCPU id) round trip: ", 0
m_out:    db "bench: OUT to an unclaimed port round trip: ", 0
m_invd:   db "bench: INVD (handler only advances RIP: the fixed path) round trip: ", 0
m_tail:   db " ticks", 10, 0
	align 8
t_base:   dq 0
t_cpuid:  dq 0
t_cpuid0: dq 0
t_vmcall: dq 0
t_out:    dq 0
t_invd:   dq 0
digits:   times 24 db 0
