; Machine-level entry points of the fuzzing guest kernel: its Multiboot 1
; header, the boot entry, the 256 interrupt stubs with a frame that keeps
; the interrupted data segments, the recovery point (fuzz_setjmp and
; fuzz_longjmp), the IRET into fuzzed code at CPL 0 and CPL 3, and the
; real-mode AP trampoline that apic.c copies to AP_TRAMP_ADDR.
%include "entry_common.inc"
MB1_MAGIC	equ 0x1BADB002
MB1_FLAGS	equ (1 << 0) | (1 << 1)	; page-align modules, memory info
AP_TRAMP_ADDR	equ 0x8000
AP_STACK_SIZE	equ 16384
MAX_APS		equ 8
SEL_KCODE	equ 0x08
SEL_KDATA	equ 0x10
SEL_UCODE	equ 0x1b
SEL_UDATA	equ 0x23
EFLAGS_RSVD1	equ 0x2
CR0_PE		equ 0x1
BOOT_STACK_SIZE	equ 16384

bits 32
extern fuzz_main, fuzz_ap_main, fuzz_trap

section .multiboot
align 4
	dd MB1_MAGIC
	dd MB1_FLAGS
	dd -(MB1_MAGIC + MB1_FLAGS)

section .text
MB_START fuzz_main

LOAD_SEGMENTS

ISR_STUBS trap_common

; Frame seen by C (struct trap_frame): GS FS ES DS, pusha registers, vector,
; error code, then EIP CS EFLAGS. Fuzzed code may have left any data
; selector loaded, so DS and ES are made flat before C runs.
trap_common:
	pusha
	push ds
	push es
	push fs
	push gs
	mov ax, SEL_KDATA
	mov ds, ax
	mov es, ax
	cld
	push esp
	call fuzz_trap
	add esp, 4
	pop gs
	pop fs
	pop es
	pop ds
	popa
	add esp, 8
	iret

; int fuzz_setjmp(struct fuzz_jmp *j): 0 now, v when fuzz_longjmp(j, v) lands.
global fuzz_setjmp, fuzz_longjmp
fuzz_setjmp:
	mov eax, [esp + 4]
	mov [eax], ebx
	mov [eax + 4], esi
	mov [eax + 8], edi
	mov [eax + 12], ebp
	lea ecx, [esp + 4]
	mov [eax + 16], ecx
	mov ecx, [esp]
	mov [eax + 20], ecx
	xor eax, eax
	ret

; Back to the recovery point with flat segments and EFLAGS cleared (IF, TF,
; AC, DF, IOPL, NT all 0).
fuzz_longjmp:
	mov edx, [esp + 4]
	mov eax, [esp + 8]
	mov cx, SEL_KDATA
	mov ss, cx
	mov ds, cx
	mov es, cx
	mov fs, cx
	mov gs, cx
	mov ebx, [edx]
	mov esi, [edx + 4]
	mov edi, [edx + 8]
	mov ebp, [edx + 12]
	mov esp, [edx + 16]
	push EFLAGS_RSVD1
	popf
	jmp [edx + 20]

; Load EAX, EBX, ECX, EDX, ESI, EDI, EBP from the array at EBP.
%macro LOAD_REGS 0
	mov eax, [ebp]
	mov ebx, [ebp + 4]
	mov ecx, [ebp + 8]
	mov edx, [ebp + 12]
	mov esi, [ebp + 16]
	mov edi, [ebp + 20]
	mov ebp, [ebp + 24]
%endmacro

; enter_user(eip, esp, eflags, regs): IRET to CPL 3 (SDM Vol. 3A 6.12.1).
global enter_user
enter_user:
	mov eax, [esp + 4]
	mov ecx, [esp + 8]
	mov edx, [esp + 12]
	mov ebp, [esp + 16]
	push SEL_UDATA
	push ecx
	push edx
	push SEL_UCODE
	push eax
	mov ax, SEL_UDATA
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	LOAD_REGS
	iret

; enter_code(eip, esp, eflags, regs, cs): IRET to CPL 0 code on another
; stack, in code segment cs.
global enter_code
enter_code:
	mov eax, [esp + 4]
	mov ecx, [esp + 8]
	mov edx, [esp + 12]
	mov ebp, [esp + 16]
	mov ebx, [esp + 20]
	mov esp, ecx
	push edx
	push ebx
	push eax
	LOAD_REGS
	iret

section .rodata
ISR_TABLE

; The AP trampoline: started by a SIPI at CS = AP_TRAMP_ADDR >> 4, IP = 0.
; It takes a stack by an atomic counter, so APs may race through it.
AP_TRAMPOLINE fuzz_ap_main

section .data
align 4
ap_next_index:
	dd 0

section .bss
align 16
global ap_stacks
ap_stacks:
	resb (MAX_APS + 1) * AP_STACK_SIZE
boot_stack:
	resb BOOT_STACK_SIZE
boot_stack_top:
