; SPDX-License-Identifier: MIT
; Multiboot2 header (Multiboot2 spec section 3.1): asks GRUB for the memory
; map, both ACPI RSDP tags, modules and, optionally, a linear framebuffer
; (parsed and reported; drawing a console on it is future work).

MB2_HEADER_MAGIC  equ 0xe85250d6
MB2_ARCH_I386     equ 0
MB2_TAG_END       equ 0
MB2_TAG_INFO_REQ  equ 1
MB2_TAG_OPTIONAL  equ 1
MB2_INFO_CMDLINE  equ 1
MB2_INFO_MODULE   equ 3
MB2_INFO_MMAP     equ 6
MB2_INFO_FB       equ 8
MB2_INFO_ACPI_OLD equ 14
MB2_INFO_ACPI_NEW equ 15
MB2_TAG_FB        equ 5

section .multiboot2 progbits alloc noexec nowrite align=8
	align 8
mb2_header:
	dd MB2_HEADER_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	; Information request: these tags must be present (Multiboot2 3.1.4).
	align 8
.info_req:
	dw MB2_TAG_INFO_REQ, 0
	dd .info_req_end - .info_req
	dd MB2_INFO_CMDLINE
	dd MB2_INFO_MMAP
.info_req_end:

	; ACPI tags are optional: a machine without ACPI still boots.
	align 8
.info_opt:
	dw MB2_TAG_INFO_REQ, MB2_TAG_OPTIONAL
	dd .info_opt_end - .info_opt
	dd MB2_INFO_ACPI_OLD
	dd MB2_INFO_ACPI_NEW
	dd MB2_INFO_MODULE
.info_opt_end:

	; Framebuffer: optional, no preferred mode (Multiboot2 3.1.10). Without
	; VBE/GOP GRUB keeps the text mode and passes no framebuffer tag.
	align 8
.fb:
	dw MB2_TAG_FB, MB2_TAG_OPTIONAL
	dd 20
	dd 0, 0, 0

	align 8
	dw MB2_TAG_END, 0
	dd 8
mb2_header_end:
