; SPDX-License-Identifier: MIT
; Built-in real-mode guest (needs unrestricted guest): prints over COM1 and
; exits through port 0xF4 with status 0.
bits 16
org 0
	mov ax, cs
	mov ds, ax
	mov si, msg
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
msg: db "real16: hello from real mode", 0
