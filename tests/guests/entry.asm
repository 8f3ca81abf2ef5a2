; Machine-level entry points of the Multiboot test kernels: the boot entry
; (clears .bss, sets the stack, hands EAX/EBX to C), the 256 interrupt stubs
; and their common frame, the segment reload, and the real-mode AP trampoline
; that tests/guests/apic.c copies to 0x8000.
%include "entry_common.inc"
AP_TRAMP_ADDR	equ 0x8000
AP_STACK_SIZE	equ 8192
MAX_CPUS	equ 64

bits 32
extern kmain, ap_main, isr_dispatch

section .text
MB_START kmain

; Reload CS with the flat code selector and the data segments with 0x10
; after lgdt.
global load_segments
load_segments:
	jmp 0x08:.cs
.cs:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	ret

ISR_STUBS isr_common

; mbtest.early_fault (early.c): #UD and #BP handlers that run through the
; boot loader's GDT. #UD skips the 2-byte UD2; both count themselves and
; keep the CS the CPU pushed.
global early_ud_isr, early_bp_isr
early_ud_isr:
	add dword [esp], 2
early_bp_isr:
	push eax
	mov eax, [esp + 8]		; EAX, then EIP, CS
	mov [early_cs_seen], eax
	lock inc dword [early_hits]
	pop eax
	iret

; Frame seen by C: pusha registers, vector, error code, then EIP CS EFLAGS.
isr_common:
	pusha
	cld
	push esp
	call isr_dispatch
	add esp, 4
	popa
	add esp, 8
	iret

section .rodata
ISR_TABLE

; The AP trampoline: started by SIPI vector 0x08 at CS=0x0800 IP=0, it is
; position-dependent only through AP_TRAMP_ADDR. It takes a stack by an
; atomic counter, so APs may race through it.
section .text
bits 16
global ap_tramp_start, ap_tramp_end
ap_tramp_start:
	cli
	cld
	mov ax, cs
	mov ds, ax
	o32 lgdt [tr_gdtr - ap_tramp_start]
	mov eax, cr0
	or eax, 1			; CR0.PE
	mov cr0, eax
	jmp dword 0x08:(AP_TRAMP_ADDR + tr_pm - ap_tramp_start)
bits 32
tr_pm:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov eax, 1
	lock xadd [ap_next_index], eax
	cmp eax, MAX_CPUS
	jae .park
	inc eax
	imul eax, eax, AP_STACK_SIZE
	add eax, ap_stacks
	mov esp, eax
	mov eax, ap_main
	call eax
.park:
	cli
	hlt
	jmp .park
align 8
tr_gdt:
	dq 0
	dq 0x00cf9a000000ffff		; 0x08: flat 32-bit code
	dq 0x00cf92000000ffff		; 0x10: flat data
tr_gdtr:
	dw 3 * 8 - 1
	dd AP_TRAMP_ADDR + tr_gdt - ap_tramp_start
ap_tramp_end:

section .data
global ap_next_index, early_hits, early_cs_seen
align 4
ap_next_index:
	dd 0
early_hits:
	dd 0
early_cs_seen:
	dd 0

section .bss
align 16
global ap_stacks
ap_stacks:
	resb MAX_CPUS * AP_STACK_SIZE
boot_stack:
	resb 16384
boot_stack_top:
