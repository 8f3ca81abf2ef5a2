; Long-mode exception probes of the conformance kernel (SDM Vol. 3A 10.8.5
; "Initializing IA-32e Mode", 6.14 "Exception and Interrupt Handling in
; 64-bit Mode"). lm_run(cr3, results) is called from protected mode with
; paging off: it enables PAE paging with the 4-level tables at cr3, sets
; EFER.LME, turns paging on, far-jumps to a 64-bit code segment, runs each
; probe under its own 64-bit IDT, and comes back the same way. Each probe
; leaves one record (vector or -1, error code, RIP, RFLAGS, CR2, DR6) in
; results; longmode.c names and reports them.
SEL_KCODE	equ 0x08
SEL_KDATA	equ 0x10
SEL_CODE64	equ 0x18
CR0_PG		equ 0x80000000
CR4_PAE		equ 0x20
MSR_EFER	equ 0xC0000080
EFER_LME	equ 0x100
EFER_RSVD1	equ 0x2
MSR_SYSENTER_CS	equ 0x174
EFLAGS_TF	equ 0x100
NVEC		equ 32
DR6_RESET	equ 0xffff0ff0
VEC_INT		equ 0x40
GATE64_INT	equ 0x8E00	; present, DPL 0, 64-bit interrupt gate
REC_SIZE	equ 48		; struct lm_record: six quadwords
UNMAPPED	equ 0x40000000	; beyond the 1 GiB the tables map
NONCANON	equ 0x8000000000000000

; With EAX = the PML4's address: PAE paging with EFER.LME, so that turning
; paging on activates IA-32e mode (SDM Vol. 3A 10.8.5); a far jump to a
; 64-bit code segment then enters 64-bit mode.
%macro PAGING_ON_LONG 0
	mov cr3, eax
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	wrmsr
	mov eax, cr0
	or eax, CR0_PG
	mov cr0, eax
%endmacro

bits 32
section .text
global lm_run
; void lm_run(uint32_t cr3, struct lm_record *results)
lm_run:
	push ebp
	push ebx
	push esi
	push edi
	mov [saved_esp], esp
	mov eax, [esp + 20]
	mov ecx, [esp + 24]
	mov [results], ecx
	PAGING_ON_LONG
	sgdt [saved_gdtr]
	sidt [saved_idtr]
	lgdt [lm_gdtr]
	jmp SEL_CODE64:lm64

; void lm_park(uint32_t cr3): an AP enters IA-32e mode the same way and
; halts there with interrupts off, for the INIT that ap.c sends next (SDM
; Vol. 3A 9.4: INIT resets the processor whatever its mode).
global lm_park
lm_park:
	cli
	mov eax, [esp + 4]
	PAGING_ON_LONG
	lgdt [lm_gdtr]
	jmp SEL_CODE64:park64
bits 64
park64:
	cli
	hlt
	jmp park64
bits 32

; Back in compatibility mode from the 64-bit part: leave IA-32e mode.
compat:
	mov eax, cr0
	and eax, ~CR0_PG
	mov cr0, eax
	mov ecx, MSR_EFER
	rdmsr
	and eax, ~EFER_LME
	wrmsr
	mov eax, cr4
	and eax, ~CR4_PAE
	mov cr4, eax
	lgdt [saved_gdtr]
	jmp SEL_KCODE:.flat
.flat:
	mov ax, SEL_KDATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	lidt [saved_idtr]
	mov esp, [saved_esp]
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret

bits 64
; Arm a probe: the handler resumes at %1 and the record starts empty.
%macro ARM 1
	lea rax, [rel %1]
	mov [rel lm_resume], rax
	mov qword [rel cur_vec], -1
	mov qword [rel cur_err], 0
	mov qword [rel cur_rip], 0
	mov qword [rel cur_rflags], 0
	mov qword [rel cur_cr2], 0
	mov qword [rel cur_dr6], 0
	mov eax, DR6_RESET
	mov dr6, rax
%endmacro

lm64:
	mov ax, SEL_KDATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	call idt64_build
	lidt [rel idt64_ptr]
	mov r15d, [rel results]		; the next record

	ARM .p1
	ud2
.p1:	call record
	ARM .p2
	xor edx, edx
	mov eax, 1
	xor ecx, ecx
	div ecx
.p2:	call record
	ARM .p3
	int3
.p3:	call record
	ARM .p4
	int VEC_INT
.p4:	call record
	ARM .p5
	mov rax, NONCANON
	mov rax, [rax]
.p5:	call record
	ARM .p6
	mov eax, UNMAPPED
	mov rax, [rax]
.p6:	call record
	ARM .p7
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_RSVD1
	wrmsr
.p7:	call record
	ARM .p8
	mov rax, cr4
	bts rax, 63
	mov cr4, rax
.p8:	call record
	ARM .p9
	syscall				; EFER.SCE is 0: #UD
.p9:	call record
	ARM .p10
	mov ecx, MSR_SYSENTER_CS
	xor eax, eax
	xor edx, edx
	wrmsr
	sysenter			; SYSENTER_CS 0: #GP(0)
.p10:	call record
	ARM .p11
	db 0xCE				; INTO: invalid in 64-bit mode
.p11:	call record
	ARM .p12
	pushfq
	or qword [rsp], EFLAGS_TF
	popfq
	cpuid
.p12:	call record
	ARM .p13
	pushfq
	or qword [rsp], EFLAGS_TF
	popfq
	mov ecx, MSR_EFER
	rdmsr
.p13:	call record

	push SEL_KCODE
	lea rax, [rel compat]
	push rax
	retfq

; Copy the current probe's record to [r15] and advance.
record:
	mov rax, [rel cur_vec]
	mov [r15], rax
	mov rax, [rel cur_err]
	mov [r15 + 8], rax
	mov rax, [rel cur_rip]
	mov [r15 + 16], rax
	mov rax, [rel cur_rflags]
	mov [r15 + 24], rax
	mov rax, [rel cur_cr2]
	mov [r15 + 32], rax
	mov rax, [rel cur_dr6]
	mov [r15 + 40], rax
	add r15, REC_SIZE
	ret

; 64-bit gates for vectors 0-31 and VEC_INT.
idt64_build:
	lea rdi, [rel idt64]
	lea rsi, [rel stubs64]
	xor ecx, ecx
.next:
	mov eax, [rsi + rcx * 8]
	call gate64
	inc ecx
	cmp ecx, NVEC
	jb .next
	mov eax, [rel stub_int]
	mov ecx, VEC_INT
	call gate64
	ret

; Gate ECX of idt64 to handler RAX.
gate64:
	mov rdx, rcx
	shl rdx, 4
	add rdx, rdi
	mov [rdx], ax
	mov word [rdx + 2], SEL_CODE64
	mov word [rdx + 4], GATE64_INT
	shr rax, 16
	mov [rdx + 6], ax
	shr rax, 16
	mov [rdx + 8], eax
	mov dword [rdx + 12], 0
	ret

; Stubs: error code (0 where the CPU pushes none), vector, then common.
%macro STUB64 1
stub64_ %+ %1:
%if %1 = 8 || (%1 >= 10 && %1 <= 14) || %1 = 17 || %1 = 21 || %1 = 29 || %1 = 30
%else
	push 0
%endif
	push %1
	jmp common64
%endmacro
%assign i 0
%rep NVEC
STUB64 i
%assign i i + 1
%endrep
STUB64 VEC_INT

; Frame: vector, error, RIP, CS, RFLAGS, RSP, SS. Record, resume at
; lm_resume with TF cleared.
common64:
	push rax
	mov rax, [rsp + 8]
	mov [rel cur_vec], rax
	mov rax, [rsp + 16]
	mov [rel cur_err], rax
	mov rax, [rsp + 24]
	mov [rel cur_rip], rax
	mov rax, [rsp + 40]
	mov [rel cur_rflags], rax
	and qword [rsp + 40], ~EFLAGS_TF
	mov rax, cr2
	mov [rel cur_cr2], rax
	mov rax, dr6
	mov [rel cur_dr6], rax
	mov rax, [rel lm_resume]
	mov [rsp + 24], rax
	pop rax
	add rsp, 16
	iretq

section .rodata
align 8
stubs64:
%assign i 0
%rep NVEC
	dd stub64_ %+ i, 0
%assign i i + 1
%endrep
stub_int:
	dd stub64_ %+ VEC_INT, 0

section .data
align 8
lm_gdt:
	dq 0
	dq 0x00cf9a000000ffff		; SEL_KCODE: flat 32-bit code
	dq 0x00cf92000000ffff		; SEL_KDATA: flat data
	dq 0x00af9a000000ffff		; SEL_CODE64: 64-bit code (L=1)
lm_gdtr:
	dw 4 * 8 - 1
	dd lm_gdt
idt64_ptr:
	dw 256 * 16 - 1
	dd idt64, 0

section .bss
alignb 16
idt64:
	resb 256 * 16
saved_gdtr:
	resb 8
saved_idtr:
	resb 8
saved_esp:
	resd 1
results:
	resd 1
alignb 8
lm_resume:
	resq 1
cur_vec:
	resq 1
cur_err:
	resq 1
cur_rip:
	resq 1
cur_rflags:
	resq 1
cur_cr2:
	resq 1
cur_dr6:
	resq 1
