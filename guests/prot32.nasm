; SPDX-License-Identifier: MIT
; Built-in 32-bit protected-mode guest, paging off (needs unrestricted
; guest): prints over COM1 and exits through port 0xF4 with status 0.
bits 32
org 0x10000
	mov esi, msg
	mov dx, 0x3f8
.next:
	lodsb
	test al, al
	jz .done
	out dx, al
	jmp .next
.done:
	mov al, 10
	out dx, al
	mov al, 0
	out 0xf4, al
	hlt
msg: db "prot32: hello from 32-bit protected mode", 0
