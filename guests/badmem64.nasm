; SPDX-License-Identifier: MIT
; Built-in guest that reads past the end of its memory: Vireo must stop this
; VM with an EPT-violation report.
bits 64
org 0x10000
	mov dx, 0x3f8
	mov al, '!'
	out dx, al
	mov rax, [0x3ff00000]           ; far beyond any built-in guest's memory
	mov al, 0
	out 0xf4, al
	hlt
