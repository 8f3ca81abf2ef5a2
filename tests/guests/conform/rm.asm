; Real-mode exception probes of the conformance kernel (SDM Vol. 3A 20.1.4
; "Interrupt and Exception Handling" in real-address mode: vector, IP, CS,
; FLAGS pushed, never an error code). rm_run() is called from protected
; mode with paging off; rmode.c has copied the blob rm_blob_start ..
; rm_blob_end to RM_ADDR. The blob leaves protected mode through a 16-bit
; segment, points every IVT entry at its stubs, runs the probes, and comes
; back to protected mode at rm_back. Each probe leaves a record of four
; words (vector or 0xFFFF, and the three words on the stack at delivery:
; IP, CS, FLAGS when no error code was pushed) at RM_RESULTS.
SEL_KCODE	equ 0x08
SEL_KDATA	equ 0x10
SEL_CODE16	equ 0x18
SEL_DATA16	equ 0x20
RM_ADDR		equ 0x9000
RM_STACK	equ 0x8f00
RM_RESULTS	equ 0x7000
RM_REC_SIZE	equ 8
NVEC		equ 256
NO_VECTOR	equ 0xffff
CR0_PE		equ 0x1
MSR_EFER	equ 0xC0000080
EFER_RSVD1	equ 0x2
CR4_RSVD31	equ 0x80000000
FLAGS_TF	equ 0x100
VEC_INT		equ 0x40

%define RM(x) (RM_ADDR + (x) - rm_blob_start)

bits 32
section .text
global rm_run, rm_blob_start, rm_blob_end
rm_run:
	pushad
	mov [rm_saved_esp], esp
	sidt [rm_saved_idtr]
	jmp SEL_CODE16:RM(rm16)

rm_back:
	mov ax, SEL_KDATA
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov esp, [rm_saved_esp]
	lidt [rm_saved_idtr]
	popad
	ret

bits 16
rm_blob_start:
rm16:
	mov ax, SEL_DATA16
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov eax, cr0
	and eax, ~CR0_PE
	mov cr0, eax
	jmp 0:RM(real)
real:
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov esp, RM_STACK
	lidt [RM(ivt_ptr)]
	call ivt_fill
	mov word [RM(rec_next)], RM_RESULTS

; Arm a probe: the stub resumes at %1 with SP as now.
%macro ARM 1
	mov word [RM(resume)], RM(%1)
	mov [RM(saved_sp)], sp
	mov word [RM(cur)], NO_VECTOR
	mov word [RM(cur) + 2], 0
	mov word [RM(cur) + 4], 0
	mov word [RM(cur) + 6], 0
%endmacro

	ARM .p1
	ud2
.p1:	call record
	ARM .p2
	xor dx, dx
	mov ax, 1
	xor cx, cx
	div cx
.p2:	call record
	ARM .p3
	int3
.p3:	call record
	ARM .p4
	int VEC_INT
.p4:	call record
	ARM .p5
	mov ax, [0xffff]		; a word across DS's limit: #GP
.p5:	call record
	ARM .p6
	mov bp, 0xffff
	mov ax, [bp]			; across SS's limit: #SS
.p6:	call record
	ARM .p7
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_RSVD1
	wrmsr
.p7:	call record
	ARM .p8
	mov eax, cr4
	or eax, CR4_RSVD31
	mov cr4, eax
.p8:	call record
	ARM .p9
	pushf
	mov bp, sp
	or word [bp], FLAGS_TF
	popf
	cpuid
.p9:	call record
	ARM .p10
	mov al, 0x7f
	add al, 1
	into
.p10:	call record

	cli
	mov eax, cr0
	or eax, CR0_PE
	mov cr0, eax
	jmp dword SEL_KCODE:rm_back

; Copy the current record to the next slot.
record:
	mov di, [RM(rec_next)]
	mov si, RM(cur)
	mov cx, RM_REC_SIZE / 2
	cld
	rep movsw
	mov [RM(rec_next)], di
	ret

; Every IVT entry to the default stub, then the vectors probed.
ivt_fill:
	xor bx, bx
.all:
	mov word [bx], RM(stub_other)
	mov word [bx + 2], 0
	add bx, 4
	cmp bx, NVEC * 4
	jb .all
%assign v 0
%rep 32
	mov word [v * 4], RM(stub_ %+ v)
%assign v v + 1
%endrep
	mov word [VEC_INT * 4], RM(stub_int)
	ret

%macro STUB 2
%1:
	mov word [RM(cur)], %2
	jmp rm_common
%endmacro
%assign v 0
%rep 32
STUB stub_ %+ v, v
%assign v v + 1
%endrep
STUB stub_int, VEC_INT
STUB stub_other, 0xfe

; Record the three words at delivery, then resume with the probe's SP and
; TF clear.
rm_common:
	mov bp, sp
	mov ax, [bp]
	mov [RM(cur) + 2], ax
	mov ax, [bp + 2]
	mov [RM(cur) + 4], ax
	mov ax, [bp + 4]
	mov [RM(cur) + 6], ax
	mov sp, [RM(saved_sp)]
	push word 0
	popf
	jmp [RM(resume)]

align 4
ivt_ptr:
	dw NVEC * 4 - 1
	dd 0
resume:
	dw 0
saved_sp:
	dw 0
rec_next:
	dw 0
cur:
	times 4 dw 0
rm_blob_end:

section .bss
rm_saved_esp:
	resd 1
rm_saved_idtr:
	resb 8
