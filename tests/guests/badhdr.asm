; badhdr.elf: a Multiboot 1 header whose checksum is off by one, so every
; conforming loader must refuse the image. If anything runs it anyway, it
; says so on COM1 and exits through isa-debug-exit with 0x5a.
MB1_MAGIC	equ 0x1BADB002
MB1_FLAGS	equ (1 << 0) | (1 << 1)
COM1		equ 0x3f8

bits 32
section .multiboot
align 4
	dd MB1_MAGIC
	dd MB1_FLAGS
	dd -(MB1_MAGIC + MB1_FLAGS) + 1		; wrong on purpose

section .text
global _start
_start:
	cli
	mov esi, msg
.next:
	lodsb
	test al, al
	jz .done
	mov ah, al
	mov dx, COM1 + 5
	mov ecx, 100000
.wait:
	in al, dx
	test al, 0x20
	jnz .send
	loop .wait
.send:
	mov al, ah
	mov dx, COM1
	out dx, al
	jmp .next
.done:
	mov al, 0x5a
	out 0xf4, al
	mov esi, shutdown
	mov dx, 0x8900
.shut:
	lodsb
	test al, al
	jz .hang
	out dx, al
	jmp .shut
.hang:
	hlt
	jmp .hang

section .rodata
msg:		db "badhdr: I should never run", 13, 10, 0
shutdown:	db "Shutdown", 0
