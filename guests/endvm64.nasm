; SPDX-License-Identifier: MIT
; Guest for the dying-VM test: vCPU 0 works a little, then ends the whole VM
; through the exit port; every other vCPU spins with interrupts on and never
; exits by itself, so only the scheduler's kick (a reschedule IPI) ends it
; before its slice does.
bits 64
org 0x10000
%include "guests/common64.inc"

WORK_LOOPS equ 400000

start:
	sti                             ; IF=1: Bochs takes the kick's exit only then
	mov eax, HC_VCPU_ID
	vmcall
	test eax, eax
	jnz .spin
	mov ecx, WORK_LOOPS
.work:
	dec ecx
	jnz .work
	xor eax, eax
	out EXIT_PORT, al
	hlt
.spin:
	jmp .spin
