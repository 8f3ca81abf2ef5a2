; SPDX-License-Identifier: MIT
; AP start-up trampoline, assembled flat at TRAMPOLINE_BASE and copied there
; by smp/smp.c. A STARTUP IPI with vector TRAMPOLINE_BASE >> 12 starts the AP
; in real mode at TRAMPOLINE_BASE (SDM Vol. 3A 9.4.4); it enters protected
; mode, then IA-32e mode with the kernel's CR3 (SDM Vol. 3A 10.8.5), takes a
; ticket from a kernel counter, switches to the stack for that ticket and calls the kernel entry
; with the ticket in RDI.

%include "smp/trampoline.inc"

CR0_PE    equ 1 << 0
CR0_WP    equ 1 << 16
CR0_PG    equ 1 << 31
CR4_PAE   equ 1 << 5
MSR_EFER  equ 0xc0000080
EFER_LME  equ 1 << 8
EFER_NXE  equ 1 << 11

	org TRAMPOLINE_BASE
bits 16
tr_start:
	cli
	cld
	xor ax, ax
	mov ds, ax
	lgdt [tr_gdt_ptr]
	mov eax, cr0
	or eax, CR0_PE
	mov cr0, eax
	jmp dword 0x08:tr_pm32

bits 32
tr_pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, [tr_cr3]
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	cmp dword [tr_nx], 0
	je .no_nx
	or eax, EFER_NXE
.no_nx:
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_WP
	mov cr0, eax
	jmp 0x18:tr_lm64

bits 64
tr_lm64:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov rbx, [tr_ticket_ptr]        ; the counter lives in the kernel: this
	mov eax, 1                      ; page is read-only while APs run here
	lock xadd [rbx], eax            ; eax = this AP's ticket
	mov rbx, [tr_stacks]
	mov rsp, [rbx + rax * 8]
	xor ebp, ebp
	mov edi, eax
	mov rax, [tr_entry]
	call rax
.hang:
	cli
	hlt
	jmp .hang

	align 16
tr_gdt:
	dq 0
	; Accessed bits are preset: the page is read-only once paging is on,
	; and a CPU setting them would fault (Bochs does; SDM Vol. 3A 3.4.5.1).
	dq 0x00cf9b000000ffff           ; 0x08: 32-bit code
	dq 0x00cf93000000ffff           ; 0x10: data
	dq 0x00af9b000000ffff           ; 0x18: 64-bit code
tr_gdt_end:
tr_gdt_ptr:
	dw tr_gdt_end - tr_gdt - 1
	dd tr_gdt

	times TRAMPOLINE_DATA_OFFSET - ($ - $$) db 0
; Parameters filled in by smp/smp.c (struct smp_trampoline_data).
tr_cr3:        dd 0
tr_nx:         dd 0
tr_ticket_ptr: dq 0
tr_entry:      dq 0
tr_stacks:     dq 0
