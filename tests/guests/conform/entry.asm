; Machine-level part of the conformance kernel (conform.elf): its Multiboot2
; header, the boot entry, the 256 interrupt stubs and the frame they build
; for conform_trap (C), the real-mode AP trampoline, and the stacks.
%include "entry_common.inc"
MB2_MAGIC	equ 0xE85250D6
MB2_ARCH	equ 0
SEL_KCODE	equ 0x08
SEL_KDATA	equ 0x10
BOOT_STACK_SIZE	equ 32768

bits 32
extern conform_main, conform_trap

; Multiboot2 Specification 1.0, 3.1.1-3.1.3: i386, no tags but the end tag.
section .multiboot
align 8
hdr_start:
	dd MB2_MAGIC
	dd MB2_ARCH
	dd hdr_end - hdr_start
	dd (0x100000000 - (MB2_MAGIC + MB2_ARCH + (hdr_end - hdr_start))) & 0xffffffff
	dw 0, 0
	dd 8
hdr_end:

section .text
MB_START conform_main

; The #BP handler of the early-fault fact (trap.c): it runs through a gate
; with the loader's CS, before the kernel has a GDT of its own, so it touches
; nothing but memory through the loader's DS.
global early_bp_isr, early_bp_hits
early_bp_isr:
	lock inc dword [early_bp_hits]
	iret

LOAD_SEGMENTS

ISR_STUBS trap_common

; Frame seen by C (struct trap_frame): pusha registers, vector, error code,
; then EIP CS EFLAGS as the CPU pushed them. C may change EIP and EFLAGS.
trap_common:
	pusha
	mov ax, SEL_KDATA
	mov ds, ax
	mov es, ax
	cld
	push esp
	call conform_trap
	add esp, 4
	popa
	add esp, 8
	iret

section .rodata
ISR_TABLE

; The AP trampoline, copied to AP_TRAMP_ADDR by ap.c and started by a SIPI
; at CS = AP_TRAMP_ADDR >> 4, IP = 0: protected mode with a flat GDT of its
; own, a stack taken by an atomic counter, then conform_ap_main.
AP_TRAMP_ADDR	equ 0x8000
AP_STACK_SIZE	equ 8192
MAX_APS		equ 7
CR0_PE		equ 0x1
extern conform_ap_main
AP_TRAMPOLINE conform_ap_main

section .data
align 4
ap_next_index:
	dd 0
early_bp_hits:
	dd 0

section .bss
align 16
ap_stacks:
	resb (MAX_APS + 1) * AP_STACK_SIZE
boot_stack:
	resb BOOT_STACK_SIZE
global boot_stack_top
boot_stack_top:
