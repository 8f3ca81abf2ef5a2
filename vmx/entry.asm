; SPDX-License-Identifier: MIT
; VM entry and exit (SDM Vol. 3C 28.x VM entries, 28.5/28.6 VM exits).
; vmx_enter() saves the host's callee-saved registers, keeps the vCPU at the
; top of the host stack, writes HOST_RSP only when the stack moved, loads the
; guest GPRs and VMLAUNCHes or VMRESUMEs. A VM exit lands on vmx_exit_stub
; (HOST_RIP), which stores the guest GPRs into the vCPU and calls
; vmx_exit_step(): while that says "resume", the stub reloads the GPRs and
; VMRESUMEs without leaving the loop, so an exit handled in place costs no
; host register save or restore. Otherwise vmx_enter returns 0.
; CR2 is not switched here: the host does not fault in normal operation, so
; vmx_vcpu_run() saves and restores it once per run, like the XSAVE state.
; A VMfail returns 1 (VMfailInvalid, CF) or 2 (VMfailValid, ZF).
; Where the CPU needs them (vmx/spec.c), the L1D flush and VERW with a
; writable selector (MD_CLEAR) clear the CPU's buffers before each entry;
; VERW sets ZF, so they run before the flags that choose VMLAUNCH or
; VMRESUME are computed, and only guest registers are loaded after them.

%include "vmx/regs.inc"

VMCS_HOST_RSP equ 0x6c14

global vmx_enter
global vmx_exit_stub
extern vmx_exit_step
extern vmx_spec_entry, vmx_spec_verw_sel

SPEC_ENTRY_L1D_FLUSH equ 1          ; vmx/spec.h
SPEC_ENTRY_VERW      equ 2
MSR_IA32_FLUSH_CMD   equ 0x10b
FLUSH_CMD_L1D        equ 1

; The entry mitigations (vmx/spec.c): one test when the CPU needs none.
; The policy never asks for both (the L1D flush clears what VERW would), so
; the flag is 0, SPEC_ENTRY_L1D_FLUSH or SPEC_ENTRY_VERW. Clobbers flags
; only; after VERW only guest registers load.
%macro ENTRY_MITIGATIONS 0
	cmp byte [rel vmx_spec_entry], 0
	je %%done
	cmp byte [rel vmx_spec_entry], SPEC_ENTRY_VERW
	je %%verw
	push rax
	push rcx
	push rdx
	mov ecx, MSR_IA32_FLUSH_CMD
	mov eax, FLUSH_CMD_L1D
	xor edx, edx
	wrmsr
	pop rdx
	pop rcx
	pop rax
	jmp %%done
%%verw:
	verw [rel vmx_spec_verw_sel]
%%done:
%endmacro

section .text
bits 64

; int vmx_enter(struct vmx_vcpu *v, int launched); the registers are v's
; first member (vmx/vcpu.h).
vmx_enter:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	push rdi                        ; [rsp] = v; HOST_RSP, 16-byte aligned
	cmp rsp, [rdi + REGS_HOST_RSP]
	je .host_rsp_ok
	mov [rdi + REGS_HOST_RSP], rsp
	mov eax, VMCS_HOST_RSP
	vmwrite rax, rsp
.host_rsp_ok:
	ENTRY_MITIGATIONS
	test esi, esi                   ; ZF = 1: VMLAUNCH; the movs keep flags
.load_guest:
	mov rax, [rdi + REGS_RAX]
	mov rcx, [rdi + REGS_RCX]
	mov rdx, [rdi + REGS_RDX]
	mov rbx, [rdi + REGS_RBX]
	mov rbp, [rdi + REGS_RBP]
	mov rsi, [rdi + REGS_RSI]
	mov r8, [rdi + REGS_R8]
	mov r9, [rdi + REGS_R9]
	mov r10, [rdi + REGS_R10]
	mov r11, [rdi + REGS_R11]
	mov r12, [rdi + REGS_R12]
	mov r13, [rdi + REGS_R13]
	mov r14, [rdi + REGS_R14]
	mov r15, [rdi + REGS_R15]
	mov rdi, [rdi + REGS_RDI]
	jnz .resume
	vmlaunch
	jmp .failed
.resume:
	vmresume
.failed:
	mov eax, 1                      ; CF: VMfailInvalid
	jc .out
	mov eax, 2                      ; ZF: VMfailValid
.out:
	pop rdi
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

vmx_exit_stub:
	push rdi                        ; guest RDI; [rsp + 8] = v
	mov rdi, [rsp + 8]
	mov [rdi + REGS_RAX], rax
	mov [rdi + REGS_RCX], rcx
	mov [rdi + REGS_RDX], rdx
	mov [rdi + REGS_RBX], rbx
	mov [rdi + REGS_RBP], rbp
	mov [rdi + REGS_RSI], rsi
	mov [rdi + REGS_R8], r8
	mov [rdi + REGS_R9], r9
	mov [rdi + REGS_R10], r10
	mov [rdi + REGS_R11], r11
	mov [rdi + REGS_R12], r12
	mov [rdi + REGS_R13], r13
	mov [rdi + REGS_R14], r14
	mov [rdi + REGS_R15], r15
	pop rax
	mov [rdi + REGS_RDI], rax
	call vmx_exit_step              ; rsp = HOST_RSP: aligned for the call
	ENTRY_MITIGATIONS
	test eax, eax                   ; ZF = 0: VMRESUME
	mov rdi, [rsp]
	jnz vmx_enter.load_guest
	jmp vmx_enter.out               ; eax = 0: back to vmx_vcpu_run
