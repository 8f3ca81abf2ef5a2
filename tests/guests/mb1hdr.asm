; Multiboot 1 header of mbtest1.elf (Multiboot Specification 0.6.96, 3.1.1):
; flags bit 0 (page-align modules) and bit 1 (memory info); the kernel is an
; ELF, so no a.out kludge (bit 16) and no address fields.
MB1_MAGIC	equ 0x1BADB002
MB1_FLAGS	equ (1 << 0) | (1 << 1)

section .multiboot
align 4
	dd MB1_MAGIC
	dd MB1_FLAGS
	dd -(MB1_MAGIC + MB1_FLAGS)

section .rodata
global mb_header_version
mb_header_version:
	dd 1
