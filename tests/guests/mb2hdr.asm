; Multiboot2 header of mbtest2.elf (Multiboot2 Specification 1.0, 3.1.1-3.1.3):
; i386 architecture, an optional information request for the ACPI old and
; new RSDP tags (types 14 and 15), and the end tag.
MB2_MAGIC	equ 0xE85250D6
MB2_ARCH	equ 0

section .multiboot
align 8
hdr_start:
	dd MB2_MAGIC
	dd MB2_ARCH
	dd hdr_end - hdr_start
	dd (0x100000000 - (MB2_MAGIC + MB2_ARCH + (hdr_end - hdr_start))) & 0xffffffff
	; information request tag: type 1, flags bit 0 = optional
	dw 1, 1
	dd 16
	dd 14, 15
	; end tag
	dw 0, 0
	dd 8
hdr_end:

section .rodata
global mb_header_version
mb_header_version:
	dd 2
