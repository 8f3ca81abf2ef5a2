; SPDX-License-Identifier: MIT
; Built-in 64-bit guest: exercises the exits Vireo handles and reports over
; the virtual COM1; exits through port 0xF4 with 0 when every check passed,
; else with the number of the first failed check.
bits 64
org 0x10000
%include "guests/common64.inc"

; Checks 17 and 18 read an unclaimed port into fixed guest-physical buffers
; (zeroed guest memory, below the stack) that tests/ktest/vcpu_tests.c
; inspects after the run.
UNCLAIMED_PORT equ 0x80
INSB_BUF       equ 0x200000
INSB_COUNT     equ 16
INSW_BUF       equ 0x201000
INSW_COUNT     equ 1100             ; more than one exit's worth (vmx/exit.c)
CACHE_MARKER   equ 0x1c0ffee5

; Checks 22-24 and 26: debug registers and PKRU given values of this vCPU's
; own before check 10's yields, while clobber64 runs with its own values.
DR1_VALUE      equ 0x11110000
DR2_VALUE      equ 0x22220000
DR3_VALUE      equ 0x33330000
DR6_RESET      equ 0xffff0ff0
DR6_B0         equ 1 << 0
DR6_B1         equ 1 << 1
DR6_BP_MASK    equ 0xf              ; B0-B3
DR6_BD         equ 1 << 13
DR7_RESET      equ 0x400
DR7_GD         equ 1 << 13
DR7_BP0_WRITE  equ DR7_RESET | 1 | (1 << 16) | (3 << 18) ; L0, write, 4 bytes
DR7_HIGH_BIT   equ 1 << 32          ; bits 63:32 are reserved: #GP
CR4_DE_BIT     equ 3
CR4_PKE_BIT    equ 22
CPUID_7_PKU    equ 1 << 3
CPUID_7_OSPKE  equ 1 << 4
PKRU_VALUE     equ 0x55555550       ; keys 1-15 access-disabled, key 0 open
MSR_SPEC_CTRL  equ 0x48
UNEXPECTED_FAULT_STATUS equ 99
RFLAGS_RF_BIT  equ 16
CPUID_HV_BASE  equ 0x40000000
CPUID_HV_TIMING equ 0x40000010
CPUID_LEAF_TSC equ 0x15
CPUID_LEAF_FREQ equ 0x16
KHZ_PER_MHZ    equ 1000
HZ_PER_KHZ     equ 1000
MSR_SYSENTER_CS equ 0x174
MSR_SYSENTER_EIP equ 0x176
SYSENTER_CS_VALUE equ 0x10
SYSENTER_EIP_LOW equ 0x89abcdef
SYSENTER_EIP_HIGH equ 0xffff8000     ; canonical kernel address
NONCANONICAL_HIGH equ 0x00008000     ; bit 47 set, 63:48 clear
MSR_PRED_CMD   equ 0x49
MSR_ARCH_CAPS  equ 0x10a
MSR_FLUSH_CMD  equ 0x10b
CPUID_7_IBRS_IBPB equ 1 << 26       ; CPUID.7:EDX
CPUID_7_L1D_FLUSH equ 1 << 28
CPUID_7_ARCH_CAPS equ 1 << 29
CPUID_7_SSBD   equ 1 << 31
SPEC_CTRL_SSBD equ 1 << 2
SPEC_CTRL_HIGH_RSVD equ 1 << 30     ; bit 62 of IA32_SPEC_CTRL, in EDX
VEC_DB         equ 1
%define MOV_RAX_DR4 db 0x0f, 0x21, 0xe0 ; NASM has no name for DR4

start:
	call idt_setup
	PUTS msg_hello

	; 1: CPUID.1 hides VMX (ECX bit 5) and sets the hypervisor bit (31)
	mov eax, 1
	cpuid
	bt ecx, 5
	setc al
	bt ecx, 31
	setnc ah
	test ax, ax
	CHECK_OR_FAIL 1

	; 2: the hypervisor leaf names Vireo
	mov eax, 0x40000000
	cpuid
	cmp ebx, 'Vire'
	jne .f2
	cmp ecx, 'oVir'
	jne .f2
	cmp edx, 'tual'
.f2:
	CHECK_OR_FAIL 2

	; 3: console-write hypercall returns the length written
	mov eax, HC_CONSOLE
	lea rdi, [rel msg_hc]
	mov esi, msg_hc_len
	vmcall
	cmp rax, msg_hc_len
	CHECK_OR_FAIL 3

	; 4: vCPU id hypercall
	mov eax, HC_VCPU_ID
	vmcall
	test rax, rax
	CHECK_OR_FAIL 4

	; 5: an unknown hypercall returns -1 and the guest goes on
	mov eax, 0x99
	vmcall
	cmp rax, -1
	CHECK_OR_FAIL 5

	; 6: guest-owned MSRs read back what was written
	mov ecx, 0xc0000082             ; LSTAR
	mov eax, 0x89abcdef
	mov edx, 0xffff8000
	wrmsr
	xor eax, eax
	xor edx, edx
	rdmsr
	cmp eax, 0x89abcdef
	jne .f6
	cmp edx, 0xffff8000
	jne .f6
	mov ecx, 0xc0000102             ; KERNEL_GS_BASE
	mov eax, 0x1234000
	xor edx, edx
	wrmsr
	rdmsr
	cmp eax, 0x1234000
.f6:
	CHECK_OR_FAIL 6

	; 7: writing a host-owned MSR (IA32_FEATURE_CONTROL) raises #GP
	mov byte [rel fault_vec], 0
	lea rax, [rel .after7]
	mov [rel recover], rax
	mov ecx, 0x3a
	xor eax, eax
	xor edx, edx
	wrmsr
.after7:
	cmp byte [rel fault_vec], VEC_GP
	CHECK_OR_FAIL 7

	; 8: VMXON in the guest raises #UD
	mov byte [rel fault_vec], 0
	lea rax, [rel .after8]
	mov [rel recover], rax
	vmxon [rel vmxon_region]
.after8:
	cmp byte [rel fault_vec], VEC_UD
	CHECK_OR_FAIL 8

	; 9: an invalid XCR0 (AVX without SSE) raises #GP
	mov rax, cr4
	or eax, (1 << 18) | (1 << 9)    ; OSXSAVE, OSFXSR
	mov cr4, rax
	mov byte [rel fault_vec], 0
	lea rax, [rel .after9]
	mov [rel recover], rax
	xor ecx, ecx
	mov eax, 0x5
	xor edx, edx
	xsetbv
.after9:
	cmp byte [rel fault_vec], VEC_GP
	CHECK_OR_FAIL 9

	; set up for checks 22, 23 and 26: DR0 is a write breakpoint on
	; bp_target (armed in DR7), DR1-DR3 and DR6 hold values of this
	; vCPU's own and, where the CPU has protection keys, so does PKRU
	lea rax, [rel bp_target]
	mov dr0, rax
	mov eax, DR1_VALUE
	mov dr1, rax
	mov eax, DR2_VALUE
	mov dr2, rax
	mov eax, DR3_VALUE
	mov dr3, rax
	mov eax, DR6_RESET | DR6_B1
	mov dr6, rax
	mov eax, DR7_BP0_WRITE
	mov dr7, rax
	call pkru_setup

	; 10: YMM state survives exits and other vCPUs running on this core
	;     (the test runs clobber64 between the yields below)
	xor ecx, ecx
	mov eax, 0x7                    ; x87 | SSE | AVX
	xor edx, edx
	xsetbv
	vmovdqu ymm3, [rel pattern]
	mov r12d, 200                   ; CPUID clobbers EAX-EDX
.exits:
	xor eax, eax
	cpuid
	dec r12d
	jnz .exits
	mov eax, HC_YIELD
	vmcall
	mov eax, HC_YIELD
	vmcall
	vmovdqu [rel result], ymm3
	lea rsi, [rel pattern]
	lea rdi, [rel result]
	mov ecx, 32
	repe cmpsb
	CHECK_OR_FAIL 10

	; 12: LSTAR (written in check 6) survived the other vCPU's run
	mov ecx, 0xc0000082
	rdmsr
	cmp eax, 0x89abcdef
	CHECK_OR_FAIL 12

	; 22: DR0-DR3 and DR6 kept this vCPU's values while clobber64 ran on
	;     this core with values of its own
	mov rax, dr0
	lea rbx, [rel bp_target]
	cmp rax, rbx
	jne .f22
	mov rax, dr1
	cmp rax, DR1_VALUE
	jne .f22
	mov rax, dr2
	cmp rax, DR2_VALUE
	jne .f22
	mov rax, dr3
	cmp rax, DR3_VALUE
	jne .f22
	mov rax, dr6
	and eax, DR6_BP_MASK
	cmp eax, DR6_B1
.f22:
	CHECK_OR_FAIL 22

	; 23: the write breakpoint armed before the yields fires here, in this
	;     guest's #DB handler, with DR6.B0 (and not in the host meanwhile)
	mov byte [rel db_seen], 0
	mov eax, DR6_RESET
	mov dr6, rax
	mov dword [rel bp_target], 1
	mov eax, DR7_RESET
	mov dr7, rax
	cmp byte [rel db_seen], 1
	jne .f23
	mov eax, [rel db_dr6]
	and eax, DR6_BP_MASK
	cmp eax, DR6_B0
.f23:
	CHECK_OR_FAIL 23

	; 24: MOV DR gets the CPU's own checks: with DR7.GD a MOV DR raises
	;     #DB (DR6.BD) and clears GD, then runs; with CR4.DE clear DR4 is
	;     DR6, with it set DR4 raises #UD; DR7 bits 63:32 raise #GP
	mov byte [rel db_seen], 0
	mov eax, DR6_RESET
	mov dr6, rax
	mov eax, DR7_RESET | DR7_GD
	mov dr7, rax
	mov rax, dr1
	cmp byte [rel db_seen], 1
	jne .f24
	mov eax, [rel db_dr6]
	and eax, DR6_BD
	cmp eax, DR6_BD
	jne .f24
	mov rax, dr7
	test eax, DR7_GD
	jnz .f24
	call dr_alias_checks
.f24:
	CHECK_OR_FAIL 24

	; 11: an unclaimed port reads all-ones
	in al, 0x80
	cmp al, 0xff
	CHECK_OR_FAIL 11

	; 13: an interrupt raised while IF=0 waits for the guest's STI
	;     (interrupt-window exiting), then runs the guest's handler
	cli
	mov byte [rel irq_seen], 0
	mov eax, HC_RAISE_IRQ
	mov edi, VEC_TEST_IRQ
	vmcall
	test rax, rax
	jnz .f13
	cmp byte [rel irq_seen], 0
	jne .f13
	sti
	nop
	nop
	cmp byte [rel irq_seen], 1
.f13:
	CHECK_OR_FAIL 13

	; 14: CR4.VMXE is hidden: the guest reads its shadow
	mov rax, cr4
	bt rax, 13
	setc al
	test al, al
	CHECK_OR_FAIL 14

	; 15: setting CR4.VMXE raises #GP
	mov byte [rel fault_vec], 0
	lea rax, [rel .after15]
	mov [rel recover], rax
	mov rax, cr4
	bts rax, 13
	mov cr4, rax
.after15:
	cmp byte [rel fault_vec], VEC_GP
	CHECK_OR_FAIL 15

	; 16: INVD (it always exits, SDM 3C 26.1.2) and WBINVD (it exits with
	;     "WBINVD exiting") are skipped: each returns to the next
	;     instruction and a store made before them is still there
	mov dword [rel cache_marker], CACHE_MARKER
	invd
	cmp dword [rel cache_marker], CACHE_MARKER
	jne .f16
	mov dword [rel cache_marker], ~CACHE_MARKER
	wbinvd
	cmp dword [rel cache_marker], ~CACHE_MARKER
.f16:
	CHECK_OR_FAIL 16

	; 17: REP INSB from an unclaimed port fills the buffer with all-ones,
	;     leaves RDI just past it, RCX zero and the byte after it alone
	cld
	mov edi, INSB_BUF
	mov ecx, INSB_COUNT
	mov dx, UNCLAIMED_PORT
	rep insb
	test rcx, rcx
	jnz .f17
	cmp rdi, INSB_BUF + INSB_COUNT
	jne .f17
	cmp byte [rdi], 0
	jne .f17
	mov edi, INSB_BUF
	mov ecx, INSB_COUNT
	mov al, 0xff
	repe scasb
.f17:
	CHECK_OR_FAIL 17

	; 18: REP INSW of more words than Vireo moves in one exit: the
	;     instruction is resumed where it stopped and completes the same way
	mov edi, INSW_BUF
	mov ecx, INSW_COUNT
	mov dx, UNCLAIMED_PORT
	rep insw
	test rcx, rcx
	jnz .f18
	cmp rdi, INSW_BUF + 2 * INSW_COUNT
	jne .f18
	cmp word [rdi], 0
	jne .f18
	mov edi, INSW_BUF
	mov ecx, INSW_COUNT
	mov ax, 0xffff
	repe scasw
.f18:
	CHECK_OR_FAIL 18

	; 19: CR8 (the task priority) reads back what was written, raised and
	; lowered; it is left at 15, the highest, which must not reach the
	; host's APIC. Under the TPR shadow the CPUID exit lets Vireo see 15,
	; so the lowering to 3 exits (TPR below threshold).
	mov eax, 15
	mov cr8, rax
	xor eax, eax
	cpuid
	mov eax, 3
	mov cr8, rax
	xor ebx, ebx
	mov rbx, cr8
	cmp rbx, 3
	jne .f19
	mov eax, 15
	mov cr8, rax
	xor ebx, ebx
	mov rbx, cr8
	cmp rbx, 15
.f19:
	CHECK_OR_FAIL 19

	; 20: CR8 bits 63:4 are reserved: #GP, and CR8 keeps its value
	mov byte [rel fault_vec], 0
	lea rax, [rel .after20]
	mov [rel recover], rax
	mov eax, 0x10
	mov cr8, rax
.after20:
	cmp byte [rel fault_vec], VEC_GP
	jne .f20
	mov rbx, cr8
	cmp rbx, 15
.f20:
	CHECK_OR_FAIL 20

	; 21: MONITOR/MWAIT are hidden (CPUID.1:ECX[3] clear) and MONITOR
	; raises #UD, as on a CPU without them
	mov eax, 1
	cpuid
	bt ecx, 3
	jc .f21
	mov byte [rel fault_vec], 0
	lea rax, [rel .after21]
	mov [rel recover], rax
	lea rax, [rel result]
	xor ecx, ecx
	xor edx, edx
	monitor
.after21:
	cmp byte [rel fault_vec], VEC_UD
.f21:
	CHECK_OR_FAIL 21

	; 25: no performance counters: CPUID.0AH reports version 0 and RDPMC
	;     raises #GP instead of reading the host's counters
	mov eax, 0xa
	xor ecx, ecx
	cpuid
	test eax, eax
	jnz .f25
	mov byte [rel fault_vec], 0
	lea rax, [rel .after25]
	mov [rel recover], rax
	xor ecx, ecx
	rdpmc
.after25:
	cmp byte [rel fault_vec], VEC_GP
.f25:
	CHECK_OR_FAIL 25

	; 26: with protection keys, PKRU kept this vCPU's value while clobber64
	;     ran and CPUID.7 shows OSPKE; without, CPUID.7 shows neither PKU
	;     nor OSPKE and setting CR4.PKE raises #GP
	call pkru_check
	CHECK_OR_FAIL 26

	; 27: the mitigation MSRs agree with CPUID.7:EDX: PRED_CMD (IBPB),
	;     FLUSH_CMD (L1D flush), ARCH_CAPABILITIES and SPEC_CTRL.SSBD work
	;     where CPUID offers them and raise #GP where it does not; SPEC_CTRL
	;     reads back and refuses a reserved bit
	call spec_check
	CHECK_OR_FAIL 27

	; 28: IA32_SYSENTER_CS/ESP/EIP keep what is written (they live in the
	;     VMCS); a non-canonical SYSENTER_EIP raises #GP and is not kept
	call sysenter_check
	CHECK_OR_FAIL 28

	; 29: a #GP Vireo injects (WRMSR of IA32_FEATURE_CONTROL) pushes RFLAGS
	;     with RF set, as a fault does on the CPU (SDM Vol. 3A 6.8.3)
	mov qword [rel gp_rflags], 0
	mov byte [rel fault_vec], 0
	lea rax, [rel .after29]
	mov [rel recover], rax
	mov ecx, 0x3a
	xor eax, eax
	xor edx, edx
	wrmsr
.after29:
	cmp byte [rel fault_vec], VEC_GP
	jne .f29
	bt qword [rel gp_rflags], RFLAGS_RF_BIT
	setc al
	cmp al, 1
.f29:
	CHECK_OR_FAIL 29

	; 30: the timing leaves agree: 0x40000000 lists 0x40000010, whose EAX is
	;     the TSC in kHz; leaf 16H (MHz) and leaf 15H (crystal * EBX / EAX)
	;     give the same rate where leaf 0 lists them
	call timing_check
	CHECK_OR_FAIL 30

%include "guests/selftest64_msr.inc"
%include "guests/selftest64_events.inc"

	; 50: the CPUID policy: XSETBV takes what leaf 0DH offers, AVX-512 only
	;     with its state, out-of-range leaves as the highest basic leaf
	call cpuid_policy_check
	CHECK_OR_FAIL 50

	PUTS msg_pass
	mov al, 0
	out EXIT_PORT, al
	hlt

fail:
	mov eax, edi
	mov r12d, edi
	mov cl, 10
	div cl                          ; AL = tens, AH = ones
	add ax, '00'
	mov [rel num], ax
	PUTS msg_fail
	mov eax, r12d
	out EXIT_PORT, al
	hlt

; DR4 with CR4.DE clear reads DR6; with it set raises #UD; a DR7 write with
; a bit of 63:32 set raises #GP. ZF set when all held.
dr_alias_checks:
	mov eax, DR6_RESET | DR6_B1
	mov dr6, rax
	MOV_RAX_DR4
	and eax, DR6_BP_MASK
	cmp eax, DR6_B1
	jne .done
	mov rax, cr4
	bts rax, CR4_DE_BIT
	mov cr4, rax
	mov byte [rel fault_vec], 0
	lea rax, [rel .after_ud]
	mov [rel recover], rax
	MOV_RAX_DR4
.after_ud:
	mov rax, cr4
	btr rax, CR4_DE_BIT
	mov cr4, rax
	cmp byte [rel fault_vec], VEC_UD
	jne .done
	mov byte [rel fault_vec], 0
	lea rax, [rel .after_gp]
	mov [rel recover], rax
	mov rax, DR7_RESET | DR7_HIGH_BIT
	mov dr7, rax
.after_gp:
	cmp byte [rel fault_vec], VEC_GP
.done:
	ret

; With CPUID.7:ECX.PKU: CR4.PKE on, PKRU = PKRU_VALUE, have_pku = 1.
pkru_setup:
	mov eax, 7
	xor ecx, ecx
	cpuid
	test ecx, CPUID_7_PKU
	jz .done
	mov byte [rel have_pku], 1
	mov rax, cr4
	bts rax, CR4_PKE_BIT
	mov cr4, rax
	mov eax, PKRU_VALUE
	xor ecx, ecx
	xor edx, edx
	wrpkru
.done:
	ret

; Check 26 (see there); ZF set when it passed.
pkru_check:
	cmp byte [rel have_pku], 0
	je .absent
	xor ecx, ecx
	rdpkru
	cmp eax, PKRU_VALUE
	jne .done
	mov eax, 7
	xor ecx, ecx
	cpuid
	and ecx, CPUID_7_OSPKE
	cmp ecx, CPUID_7_OSPKE
	ret
.absent:
	mov eax, 7
	xor ecx, ecx
	cpuid
	test ecx, CPUID_7_PKU | CPUID_7_OSPKE
	jnz .done
	mov byte [rel fault_vec], 0
	lea rax, [rel .after_gp]
	mov [rel recover], rax
	mov rax, cr4
	bts rax, CR4_PKE_BIT
	mov cr4, rax
.after_gp:
	cmp byte [rel fault_vec], VEC_GP
.done:
	ret

; msr_probe: ECX = MSR, EDX:EAX = value, BL = 1 for WRMSR, 0 for RDMSR
; (the value read in R14). AL = 1 when it raised #GP, else 0.
msr_probe:
	mov byte [rel fault_vec], 0
	lea r8, [rel .after]
	mov [rel recover], r8
	test bl, bl
	jz .read
	wrmsr
	jmp .after
.read:
	rdmsr
	shl rdx, 32
	or rax, rdx
	mov r14, rax
.after:
	cmp byte [rel fault_vec], VEC_GP
	sete al
	ret

; ZF set when AL (faulted) is 1 exactly when CPUID.7:EDX (R13D) lacks R15D.
msr_agrees:
	test r13d, r15d
	setz cl
	cmp al, cl
	ret

; Check 27 (see there); ZF set when it passed.
spec_check:
	mov eax, 7
	xor ecx, ecx
	cpuid
	mov r13d, edx
	mov ecx, MSR_PRED_CMD
	mov eax, 1
	xor edx, edx
	mov bl, 1
	call msr_probe
	mov r15d, CPUID_7_IBRS_IBPB
	call msr_agrees
	jnz .done
	mov ecx, MSR_FLUSH_CMD
	mov eax, 1
	xor edx, edx
	call msr_probe
	mov r15d, CPUID_7_L1D_FLUSH
	call msr_agrees
	jnz .done
	mov ecx, MSR_ARCH_CAPS
	xor bl, bl
	call msr_probe
	mov r15d, CPUID_7_ARCH_CAPS
	call msr_agrees
	jnz .done
	mov ecx, MSR_SPEC_CTRL
	mov eax, SPEC_CTRL_SSBD
	xor edx, edx
	mov bl, 1
	call msr_probe
	mov r15d, CPUID_7_SSBD
	call msr_agrees
	jnz .done
	test r13d, CPUID_7_SSBD
	jz .done                        ; no SSBD: the #GP was the check
	mov ecx, MSR_SPEC_CTRL
	xor bl, bl
	call msr_probe
	cmp r14, SPEC_CTRL_SSBD
	jne .done
	mov ecx, MSR_SPEC_CTRL
	xor eax, eax
	mov edx, SPEC_CTRL_HIGH_RSVD
	mov bl, 1
	call msr_probe
	cmp al, 1
.done:
	ret

%include "guests/selftest64_cpuid.inc"

; Check 30 (see there); ZF set when it passed.
timing_check:
	mov eax, CPUID_HV_BASE
	cpuid
	cmp eax, CPUID_HV_TIMING
	jb .bad
	mov eax, CPUID_HV_TIMING
	cpuid
	test eax, eax
	jz .bad
	mov r13d, eax                   ; TSC kHz
	xor eax, eax
	cpuid
	mov r12d, eax                   ; highest basic leaf
	cmp r12d, CPUID_LEAF_FREQ
	jb .no_freq
	mov eax, CPUID_LEAF_FREQ
	xor ecx, ecx
	cpuid
	imul eax, eax, KHZ_PER_MHZ
	mov edx, r13d
	sub edx, eax                    ; kHz - MHz * 1000: 0..999 when they agree
	cmp edx, KHZ_PER_MHZ
	jae .bad
.no_freq:
	cmp r12d, CPUID_LEAF_TSC
	jb .good
	mov eax, CPUID_LEAF_TSC
	xor ecx, ecx
	cpuid
	test eax, eax
	jz .bad
	mov r8d, eax
	mov eax, ecx
	mul ebx                         ; EDX:EAX = crystal Hz * numerator
	div r8d                         ; TSC Hz
	xor edx, edx
	mov ecx, HZ_PER_KHZ
	div ecx
	cmp eax, r13d
	ret
.good:
	cmp eax, eax
	ret
.bad:
	xor eax, eax
	inc eax                         ; ZF clear
	ret

; Check 28 (see there); ZF set when it passed. Every access goes through
; msr_probe, so a #GP anywhere fails the check instead of escaping it.
sysenter_check:
	mov ecx, MSR_SYSENTER_CS
	mov eax, SYSENTER_CS_VALUE
	xor edx, edx
	mov bl, 1
	call msr_probe
	test al, al
	jnz .done
	mov ecx, MSR_SYSENTER_EIP
	mov eax, SYSENTER_EIP_LOW
	mov edx, SYSENTER_EIP_HIGH
	call msr_probe
	test al, al
	jnz .done
	mov ecx, MSR_SYSENTER_EIP
	xor eax, eax
	mov edx, NONCANONICAL_HIGH
	call msr_probe
	cmp al, 1
	jne .done
	mov ecx, MSR_SYSENTER_CS
	xor bl, bl
	call msr_probe
	test al, al
	jnz .done
	cmp r14, SYSENTER_CS_VALUE
	jne .done
	mov ecx, MSR_SYSENTER_EIP
	call msr_probe
	test al, al
	jnz .done
	mov rax, (SYSENTER_EIP_HIGH << 32) | SYSENTER_EIP_LOW
	cmp r14, rax
.done:
	ret

puts:
	mov rdi, rsi
	xor ecx, ecx
.len:
	cmp byte [rdi + rcx], 0
	je .out
	inc ecx
	jmp .len
.out:
	mov dx, COM1
	rep outsb
	mov al, 10
	out dx, al
	ret

idt_setup:
	lea rdi, [rel idt]
	lea rax, [rel on_ud]
	mov ebx, VEC_UD
	call set_gate
	lea rax, [rel on_gp]
	mov ebx, VEC_GP
	call set_gate
	lea rax, [rel on_irq]
	mov ebx, VEC_TEST_IRQ
	call set_gate
	lea rax, [rel on_db]
	mov ebx, VEC_DB
	call set_gate
	lidt [rel idtr]
	ret

; RDI = IDT, RAX = handler, EBX = vector
set_gate:
	mov rsi, rbx
	shl rsi, 4
	add rsi, rdi
	mov [rsi], ax
	mov word [rsi + 2], KERNEL_CS
	mov word [rsi + 4], 0x8e00
	shr rax, 16
	mov [rsi + 6], ax
	shr rax, 16
	mov [rsi + 8], eax
	mov dword [rsi + 12], 0
	ret

on_irq:
	mov byte [rel irq_seen], 1
	iretq

; #DB: count it and keep DR6; a trap returns after the instruction, a
; general-detect fault re-runs the MOV DR (the CPU cleared DR7.GD)
on_db:
	push rax
	mov rax, dr6
	mov [rel db_dr6], eax
	inc byte [rel db_seen]
	pop rax
	iretq

on_ud:
	mov byte [rel fault_vec], VEC_UD
	jmp resume
on_gp:
	mov byte [rel fault_vec], VEC_GP
	add rsp, 8                      ; error code
	push rax
	mov rax, [rsp + 24]             ; the pushed RFLAGS (after RAX, RIP, CS)
	mov [rel gp_rflags], rax
	pop rax
resume:
	push rax
	mov rax, [rel recover]
	test rax, rax
	jz unexpected                   ; a fault no check armed: never a pass
	mov qword [rel recover], 0      ; each armed recovery serves one fault
	mov [rsp + 8], rax
	pop rax
	iretq
unexpected:
	PUTS msg_unexpected
	mov al, UNEXPECTED_FAULT_STATUS
	out EXIT_PORT, al
	hlt

msg_hello: db "selftest64: hello from long mode", 0
msg_hc:    db "selftest64: console hypercall"
msg_hc_len equ $ - msg_hc
msg_pass:  db "selftest64: all checks passed", 0
msg_unexpected: db "selftest64: FAILED: a #GP or #UD no check expected", 0
msg_fail:  db "selftest64: FAILED check "   ; runs on into num: one line
num:       db "??", 0
fault_vec: db 0
	align 8
gp_rflags: dq 0
irq_seen:  db 0
db_seen:   db 0
have_pku:  db 0
	align 4
db_dr6:    dd 0
bp_target: dd 0
	align 8
recover:   dq 0
idtr:      dw 16 * 256 - 1
	   dq idt
	align 4
cache_marker: dd 0
	align 32
pattern:   db 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc
	   db 0xdd, 0xee, 0xf0, 0x01, 0x12, 0x23, 0x34, 0x45, 0x56, 0x67, 0x78, 0x89
	   db 0x9a, 0xab, 0xbc, 0xcd, 0xde, 0xef, 0xfe, 0x0f
result:    times 32 db 0
	align 16
idt:       times 16 * 256 db 0
	align 4096
vmxon_region: times 4096 db 0
