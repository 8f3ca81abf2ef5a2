; SPDX-License-Identifier: MIT
; The built-in guest images (guests/*.nasm assembled flat by the Makefile),
; listed in guest_images[] as {name, data, size} triples, NULL-terminated.

%macro IMAGE 1
section .rodata
%1_name: db %str(%1), 0
	align 16
%1_start:
	incbin %strcat("build/guests/", %str(%1), ".bin")
%1_end:
%endmacro

IMAGE selftest64
IMAGE clobber64
IMAGE badmem64
IMAGE triple64
IMAGE real16
IMAGE prot32
IMAGE bench64
IMAGE spin64
IMAGE burn64
IMAGE halt64
IMAGE migrate64
IMAGE yield64
IMAGE endvm64

global guest_images
section .rodata
	align 8
guest_images:
%macro ENTRY 1
	dq %1_name, %1_start, %1_end - %1_start
%endmacro
	ENTRY selftest64
	ENTRY clobber64
	ENTRY badmem64
	ENTRY triple64
	ENTRY real16
	ENTRY prot32
	ENTRY bench64
	ENTRY spin64
	ENTRY burn64
	ENTRY halt64
	ENTRY migrate64
	ENTRY yield64
	ENTRY endvm64
	dq 0, 0, 0
