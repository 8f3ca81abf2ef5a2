; Multiboot 1 header with the a.out kludge (Multiboot Specification 0.6.96,
; 3.1.3): flags bit 16 says the address fields below describe the image, so
; the loader needs no ELF headers. mbtest1-aout.bin is this kernel as a flat
; binary (objcopy -O binary): file offset 0 is loaded at load_addr.
MB1_MAGIC	equ 0x1BADB002
MB1_FLAGS	equ (1 << 0) | (1 << 1) | (1 << 16)

extern _start
extern __bss_end
extern __load_end

section .multiboot
align 4
mb1_header:
	dd MB1_MAGIC
	dd MB1_FLAGS
	dd -(MB1_MAGIC + MB1_FLAGS)
	dd mb1_header		; header_addr: where this header lands
	dd 0x100000		; load_addr: the image's first byte (the link base)
	dd __load_end		; load_end_addr: end of .data
	dd __bss_end		; bss_end_addr: the loader zeroes up to here
	dd _start		; entry_addr

section .rodata
global mb_header_version
mb_header_version:
	dd 1
