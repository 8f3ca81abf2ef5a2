; SPDX-License-Identifier: MIT
; Fault probes for self-tests: each runs one instruction that may fault. The
; resume point and stack go into this CPU's per-CPU area first; the trap
; handler, seeing a probe in progress, resumes there with the vector in EAX.
; Each returns -1 when nothing faulted, else the exception vector.

%include "arch/x86/percpu.inc"

global probe_read8
global probe_write8
global probe_exec
global probe_ud2

%macro PROBE_BEGIN 0
	lea rax, [rel %%resume]
	mov [gs:PERCPU_PROBE_RIP_OFFSET], rax
	mov [gs:PERCPU_PROBE_RSP_OFFSET], rsp
	jmp %%body
%%resume:
	mov qword [gs:PERCPU_PROBE_RIP_OFFSET], 0
	ret
%%body:
%endmacro

%macro PROBE_END 0
	mov qword [gs:PERCPU_PROBE_RIP_OFFSET], 0
	mov eax, -1
	ret
%endmacro

section .text
bits 64

; int probe_read8(const void *addr)
probe_read8:
	PROBE_BEGIN
	movzx ecx, byte [rdi]
	PROBE_END

; int probe_write8(void *addr, uint8_t value)
probe_write8:
	PROBE_BEGIN
	mov [rdi], sil
	PROBE_END

; int probe_exec(const void *addr): calls addr, which should return at once
probe_exec:
	PROBE_BEGIN
	call rdi
	PROBE_END

; int probe_ud2(void)
probe_ud2:
	PROBE_BEGIN
	ud2
	PROBE_END
