; SPDX-License-Identifier: MIT
; Built-in guest that triple-faults: an empty IDT, then INT3.
bits 64
org 0x10000
	lidt [rel idtr]
	int3
	hlt
idtr: dw 0
      dq 0
