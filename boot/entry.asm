; SPDX-License-Identifier: MIT
; 32-bit entry from a Multiboot2 loader: checks the loader magic and long-mode
; support (messages on COM1 and port 0xE9 if either is missing), identity-maps
; the first 4 GiB with 2 MiB pages, enters IA-32e mode (SDM Vol. 3A 10.8.5)
; and calls kmain(magic, info) on the boot stack.

MB2_BOOTLOADER_MAGIC equ 0x36d76289
COM1                 equ 0x3f8
DEBUGCON             equ 0xe9
CR0_PG               equ 1 << 31
CR0_WP               equ 1 << 16
CR4_PAE              equ 1 << 5
MSR_EFER             equ 0xc0000080
EFER_LME             equ 1 << 8
EFER_NXE             equ 1 << 11
PTE_P                equ 1 << 0
PTE_W                equ 1 << 1
PTE_PS               equ 1 << 7
BOOT_STACK_SIZE      equ 16384
CPUID_EXT_MAX        equ 0x80000000
CPUID_EXT_FEATURES   equ 0x80000001
CPUID_LM_BIT         equ 29
CPUID_NX_BIT         equ 20

global _start
global boot_stack_top
global boot_pml4
global boot_gdt64_ptr
global boot_has_nx
extern kmain
extern __bss_start
extern __bss_end

section .boot.text progbits alloc exec nowrite align=16
bits 32
_start:
	cli
	cld
	mov esp, boot_stack_top
	mov ebp, eax                    ; keep magic (ebp) and info (esi) to the end
	mov esi, ebx
	cmp ebp, MB2_BOOTLOADER_MAGIC
	jne .no_multiboot2

	; zero .bss (page tables and stacks live there)
	mov edi, __bss_start
	mov ecx, __bss_end
	sub ecx, edi
	xor eax, eax
	rep stosb

	mov eax, CPUID_EXT_MAX
	cpuid
	cmp eax, CPUID_EXT_FEATURES
	jb .no_long_mode
	mov eax, CPUID_EXT_FEATURES
	cpuid
	bt edx, CPUID_LM_BIT
	jnc .no_long_mode
	bt edx, CPUID_NX_BIT
	setc byte [boot_has_nx]

	call build_page_tables

	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, boot_pml4
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	cmp byte [boot_has_nx], 0
	je .no_nx
	or eax, EFER_NXE
.no_nx:
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_WP
	mov cr0, eax

	lgdt [boot_gdt64_ptr]
	jmp 0x08:long_mode_entry

.no_multiboot2:
	mov ebx, msg_no_mb2
	jmp fatal32
.no_long_mode:
	mov ebx, msg_no_lm
	jmp fatal32

; Identity map 0..4 GiB: PML4[0] -> PDPT, PDPT[0..3] -> four page directories
; of 512 x 2 MiB pages each.
build_page_tables:
	mov eax, boot_pdpt
	or eax, PTE_P | PTE_W
	mov [boot_pml4], eax
	mov edi, boot_pdpt
	mov eax, boot_pd
	or eax, PTE_P | PTE_W
	mov ecx, 4
.pdpt:
	mov [edi], eax
	add eax, 4096
	add edi, 8
	loop .pdpt
	mov edi, boot_pd
	mov eax, PTE_P | PTE_W | PTE_PS
	xor edx, edx                    ; high dword of the physical address
	mov ecx, 2048
.pd:
	mov [edi], eax
	mov [edi + 4], edx
	add eax, 0x200000
	adc edx, 0
	add edi, 8
	loop .pd
	ret

; Print the NUL-terminated string at ebx on COM1 and port 0xE9, then halt.
fatal32:
	mov dx, COM1 + 3
	mov al, 0x80                    ; DLAB on: 115200 baud, divisor 1
	out dx, al
	mov dx, COM1
	mov al, 1
	out dx, al
	mov dx, COM1 + 1
	xor al, al
	out dx, al
	mov dx, COM1 + 3
	mov al, 0x03                    ; 8N1, DLAB off
	out dx, al
.next:
	mov al, [ebx]
	test al, al
	jz .halt
	mov dx, DEBUGCON
	out dx, al
	mov ah, al
	mov dx, COM1 + 5
.wait:
	in al, dx
	test al, 0x20
	jz .wait
	mov al, ah
	mov dx, COM1
	out dx, al
	inc ebx
	jmp .next
.halt:
	cli
	hlt
	jmp .halt

bits 64
long_mode_entry:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor ax, ax
	mov fs, ax
	mov gs, ax
	mov rsp, boot_stack_top
	mov edi, ebp                    ; kmain(magic, info): zero-extend both
	mov esi, esi
	xor ebp, ebp
	call kmain
.hang:
	cli
	hlt
	jmp .hang

section .boot.rodata progbits alloc noexec nowrite align=16
msg_no_mb2:
	db "vireo: FATAL: not started by a Multiboot2 loader (bad magic in EAX);", 13, 10
	db "vireo: boot this kernel with GRUB's 'multiboot2' command.", 13, 10, 0
msg_no_lm:
	db "vireo: FATAL: this CPU does not support 64-bit long mode (CPUID 0x80000001 EDX.LM = 0);", 13, 10
	db "vireo: Vireo needs an x86-64 CPU with VT-x.", 13, 10, 0

	align 16
boot_gdt64:
	dq 0                            ; null
	dq 0x00af9a000000ffff           ; 0x08: 64-bit code, DPL0
	dq 0x00cf92000000ffff           ; 0x10: data, DPL0
boot_gdt64_end:
boot_gdt64_ptr:
	dw boot_gdt64_end - boot_gdt64 - 1
	dq boot_gdt64

section .bss
	alignb 4096
boot_pml4:  resb 4096
boot_pdpt:  resb 4096
boot_pd:    resb 4096 * 4
	alignb 16
boot_stack: resb BOOT_STACK_SIZE
boot_stack_top:
boot_has_nx: resb 1
