; SPDX-License-Identifier: MIT
; Guest that only sleeps: HLT in a loop. Each HLT blocks the vCPU until its
; wake-up timer, so it must use almost no CPU time.
bits 64
org 0x10000
.loop:
	hlt
	jmp .loop
