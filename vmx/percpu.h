/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU VMX state: turning VMX operation on and off on the calling CPU
 * (SDM Vol. 3C 24.7, 24.8; Vol. 3D A.1, A.7, A.8). VMXON acts only on the CPU
 * that executes it, so this API takes no CPU argument: to act on another CPU,
 * cross-call it. Every call refuses a state object owned by another CPU.
 */
#ifndef VIREO_VMX_PERCPU_H
#define VIREO_VMX_PERCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/error.h"
#include "vmx/caps.h"

#define VMX_PERCPU_MSG_LEN 224

/*
 * One per CPU, in a page of its own from the frame allocator, reached only
 * through that CPU's this_cpu()->backend. Read-only outside vmx/percpu.c.
 */
struct vmx_percpu {
	uint32_t owner_cpu;   /* this_cpu()->cpu_id of the CPU that created it */
	uint32_t revision_id; /* VMCS revision id, IA32_VMX_BASIC bits 30:0 */
	uint64_t vmxon_pa;    /* the VMXON region while enabled, else 0 */
	bool enabled;         /* VMXON succeeded and no VMXOFF since */
	bool failed;          /* the last enable attempt failed */
	bool true_ctls;       /* IA32_VMX_BASIC bit 55: use the TRUE_* control MSRs */
	enum err last_err;    /* the last failure on this CPU, E_OK if none */
	char last_error[VMX_PERCPU_MSG_LEN];
	struct vmx_caps caps; /* read once, at vmx_percpu_init() */
	const void *last_vm;  /* the VM of the last VMCS made current here (vmx/spec.c) */
	uint64_t ibpbs;	      /* IBPBs issued on this CPU */
	uint64_t spec_ctrl_hw; /* IA32_SPEC_CTRL as last written here */
};

/* Allocate the calling CPU's state and read its capabilities (VMX stays off). */
enum err vmx_percpu_init(void);
/* Free the calling CPU's state; VMX must be off. */
enum err vmx_percpu_destroy(void);

bool vmx_is_enabled(void);
/* Enter VMX operation on the calling CPU; the checks and their order: docs/vmx-percpu.md. */
enum err vmx_hardware_enable(void);
/* VMXOFF, clear CR4.VMXE, free the VMXON region. */
enum err vmx_hardware_disable(void);

/*
 * The entries behind the two above, taking the state object explicitly so a
 * self-test can prove that another CPU's object is refused (E_WRONG_CPU, no
 * change). Everything else calls vmx_hardware_enable()/disable().
 */
enum err vmx_percpu_enable_state(struct vmx_percpu *s);
enum err vmx_percpu_disable_state(struct vmx_percpu *s);

/* The calling CPU's state (NULL before vmx_percpu_init()) and capabilities. */
struct vmx_percpu *vmx_percpu_this(void);
const struct vmx_caps *vmx_percpu_caps(void);
/* The human message of the last failure on the calling CPU. */
const char *vmx_percpu_last_error(void);
/* "cpu N: rev 0x2b vmxon 0x1234000 state on" (or off, or failed(reason)). */
void vmx_percpu_report_line(char *buf, size_t n);

#endif
