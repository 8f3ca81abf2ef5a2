; SPDX-License-Identifier: MIT
; Interrupt and exception entry stubs for all 256 vectors. Each stub pushes a
; uniform frame (error code or 0, vector, then all GPRs; see struct
; trap_frame in arch/x86/traps.h) and calls trap_dispatch(frame).
; Vectors with a CPU-pushed error code: SDM Vol. 3A 7.15 (Table 7-1).

extern trap_dispatch
global trap_stub_table

%macro TRAP_STUB 1
trap_stub_%1:
%if %1 = 8 || %1 = 10 || %1 = 11 || %1 = 12 || %1 = 13 || %1 = 14 || %1 = 17 || %1 = 21 || %1 = 29 || %1 = 30
%else
	push 0
%endif
	push %1
	jmp trap_common
%endmacro

section .text
bits 64
align 16
%assign v 0
%rep 256
	TRAP_STUB v
%assign v v + 1
%endrep

trap_common:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	cld
	mov rdi, rsp
	call trap_dispatch
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16
	iretq

section .rodata
align 8
trap_stub_table:
%assign v 0
%rep 256
	dq trap_stub_ %+ v
%assign v v + 1
%endrep
