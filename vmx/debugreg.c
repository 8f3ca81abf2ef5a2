/* SPDX-License-Identifier: MIT */
/*
 * A vCPU's debug registers. DR7 and IA32_DEBUGCTL are in the VMCS guest
 * state, loaded on every entry and saved on every exit ("load debug
 * controls" and "save debug controls", SDM Vol. 3C 25.8.1, 25.7.1, 27.3.2.1,
 * 28.3.1.1); every exit leaves DR7 = 400H (SDM Vol. 3C 28.5.1), so no guest
 * breakpoint is armed while the host runs. DR0-DR3 and DR6 have no VMCS
 * field: they are kept here and are in the CPU's registers only while the
 * guest may use them.
 *
 * MOV DR exits (MOV-DR exiting, SDM Vol. 3C 25.6.2) until the guest needs
 * its registers in a run: its first MOV DR, an entry with a breakpoint
 * enabled in DR7, or a #DB to reflect. Then DR0-DR3/DR6 are loaded,
 * MOV-DR exiting is turned off and the MOV DR that exited (a fault-like
 * exit, RIP unchanged) runs again natively, so the guest gets the CPU's own
 * checks: #GP at CPL > 0 (it has priority over the exit, SDM Vol. 3C
 * 26.1.1), #GP for bits 63:32 of DR6/DR7, #UD for DR4/DR5 with CR4.DE and
 * their aliasing of DR6/DR7 without it, and the DR7.GD #DB, whatever its
 * priority against the exit. When the run ends the values are saved and the
 * host's (0, and DR6 at reset) written back, so the next vCPU on this CPU
 * never reads them, and a vCPU that moves to another CPU takes them along.
 */
#include "vmx/debugreg.h"
#include "arch/x86/cpu.h"
#include "vmx/caps.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_fast.h"

static void mov_dr_exiting(bool on)
{
	uint64_t ctl = vmcs_rd(VMCS_PROC_BASED_CONTROLS);

	vmcs_wr(VMCS_PROC_BASED_CONTROLS,
		on ? ctl | VMX_PROC_MOV_DR_EXITING : ctl & ~(uint64_t)VMX_PROC_MOV_DR_EXITING);
}

/* SDM Vol. 3A 10.1.1, Table 10-1: DR0-DR3 0, DR6 FFFF0FF0H after INIT. */
void vmx_dr_reset(struct vmx_vcpu *v)
{
	for (unsigned i = 0; i < DR_BREAKPOINTS; i++) {
		v->dr[i] = 0;
		if (v->dr_loaded)
			cpu_write_dr(i, 0);
	}
	v->dr6 = DR6_RESET;
	if (v->dr_loaded)
		cpu_write_dr6(DR6_RESET);
}

void vmx_dr_load(struct vmx_vcpu *v)
{
	if (v->dr_loaded)
		return;
	for (unsigned i = 0; i < DR_BREAKPOINTS; i++)
		cpu_write_dr(i, v->dr[i]);
	cpu_write_dr6(v->dr6);
	mov_dr_exiting(false);
	v->dr_loaded = true;
}

uint64_t vmx_dr_get(struct vmx_vcpu *v, unsigned i)
{
	return v->dr_loaded ? cpu_read_dr(i) : v->dr[i];
}

void vmx_dr_before_run(struct vmx_vcpu *v)
{
	if (vmcs_rd(VMCS_GUEST_DR7) & DR7_ENABLE_MASK)
		vmx_dr_load(v);
}

void vmx_dr_after_run(struct vmx_vcpu *v)
{
	if (!v->dr_loaded)
		return;
	for (unsigned i = 0; i < DR_BREAKPOINTS; i++) {
		v->dr[i] = cpu_read_dr(i);
		cpu_write_dr(i, 0);
	}
	v->dr6 = cpu_read_dr6();
	cpu_write_dr6(DR6_RESET);
	mov_dr_exiting(true);
	v->dr_loaded = false;
}
