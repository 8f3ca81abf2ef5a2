/* SPDX-License-Identifier: MIT */
/*
 * Host tests for vmx/percpu.c on the fake CPU: every check before VMXON and
 * its error, rollback after a failed VMXON, disable, double enable/disable,
 * refusal of another CPU's state, and allocator balance over many cycles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "arch/x86/cpu.h"
#include "mm/pmm.h"
#include "smp/percpu.h"
#include "tests/unit/fake_cpu.h"
#include "tests/unit/fake_pmm.h"
#include "tests/unit/fake_printk.h"
#include "vmx/percpu.h"

#define FW_MSG                                                               \
	"VT-x is disabled by the firmware: enable Intel Virtualization Technology in the " \
	"firmware setup"
#define FC_LOCKED_VMX 0x5ull
#define FC_LOCKED_NO_VMX 0x1ull
#define FC_LOCKED_SMX_ONLY 0x3ull
#define FC_LOCKED_BOTH 0x7ull
#define BOCHS_BASIC 0x00d810000000002bull
#define BASIC_SIZE_MASK (0x1fffull << 32)
#define BASIC_MEMTYPE_MASK (0xfull << 50)
#define CR4_SMXE_ALLOWED (0x3727ffull | CR4_SMXE)
#define CR4_BIT22 (1ull << 22)

static struct percpu cpu1;

static int setup(void **state)
{
	fake_cpu_reset();
	fake_cpu_load_bochs_skylake();
	fake_pmm_reset(1024);
	fake_printk_clear();
	memset(&cpu1, 0, sizeof(cpu1));
	cpu1.self = &cpu1;
	cpu1.cpu_id = 1;
	return 0;
}

static void drop_state(struct percpu *p)
{
	struct vmx_percpu *s = p->backend;

	fake_cpu_set_this(p);
	if (s && s->enabled) {
		fake_cpu.vmxoff_force = VMX_INSN_OK;
		assert_int_equal(vmx_hardware_disable(), E_OK);
	}
	if (s)
		assert_int_equal(vmx_percpu_destroy(), E_OK);
}

static int teardown(void **state)
{
	drop_state(&cpu1);
	drop_state(fake_cpu_default_percpu());
	assert_int_equal(fake_pmm_outstanding(), 0);
	fake_pmm_reset(1024);
	return 0;
}

static struct vmx_percpu *init_here(void)
{
	assert_int_equal(vmx_percpu_init(), E_OK);
	assert_non_null(this_cpu()->backend);
	return this_cpu()->backend;
}

/* Nothing was touched but the state's own bookkeeping. */
static void assert_untouched(uint64_t cr0, uint64_t cr4)
{
	assert_int_equal(fake_cpu.cr0, cr0);
	assert_int_equal(fake_cpu.cr4, cr4);
	assert_false(fake_cpu.vmx_on);
	assert_int_equal(fake_pmm_outstanding(), 1);
	assert_false(vmx_is_enabled());
	assert_int_equal(((struct vmx_percpu *)this_cpu()->backend)->vmxon_pa, 0);
}

static void assert_enable_fails(enum err want, const char *msg_part)
{
	uint64_t cr0 = fake_cpu.cr0, cr4 = fake_cpu.cr4;

	assert_int_equal(vmx_hardware_enable(), want);
	assert_non_null(strstr(vmx_percpu_last_error(), msg_part));
	assert_true(((struct vmx_percpu *)this_cpu()->backend)->failed);
	assert_int_equal(((struct vmx_percpu *)this_cpu()->backend)->last_err, want);
	assert_untouched(cr0, cr4);
	assert_int_equal(fake_cpu.faults, 0);
	assert_true(fake_cpu.irqs_enabled);
}

static void assert_fixed_ok(uint64_t v, uint32_t f0, uint32_t f1)
{
	assert_int_equal(v & fake_cpu_msr(f0), fake_cpu_msr(f0));
	assert_int_equal(v & ~fake_cpu_msr(f1), 0);
}

static void test_init_allocates_state_page(void **state)
{
	struct vmx_percpu *s;

	fake_cpu_default_percpu()->cpu_id = 3;
	s = init_here();
	assert_true(fake_pmm_is_allocated(virt_to_phys(s)));
	assert_int_equal(s->owner_cpu, 3);
	assert_int_equal(s->revision_id, 0x2b);
	assert_true(s->true_ctls);
	assert_true(s->caps.present);
	assert_false(s->enabled);
	assert_false(s->failed);
	assert_ptr_equal(vmx_percpu_this(), s);
	assert_ptr_equal(vmx_percpu_caps(), &s->caps);
	assert_string_equal(vmx_percpu_last_error(), "no error");
	assert_int_equal(vmx_percpu_init(), E_EXIST);
	assert_ptr_equal(this_cpu()->backend, s);
	assert_int_equal(fake_pmm_outstanding(), 1);
	assert_int_equal(vmx_percpu_destroy(), E_OK);
	assert_null(this_cpu()->backend);
	assert_int_equal(fake_pmm_outstanding(), 0);
	assert_int_equal(vmx_percpu_destroy(), E_STATE);
}

static void test_init_out_of_memory(void **state)
{
	fake_pmm_fail_after(0);
	assert_int_equal(vmx_percpu_init(), E_NOMEM);
	assert_null(this_cpu()->backend);
	assert_null(vmx_percpu_caps());
	assert_non_null(strstr(vmx_percpu_last_error(), "not initialised"));
	assert_int_equal(vmx_hardware_enable(), E_STATE);
	assert_false(vmx_is_enabled());
}

static void test_enable_locked_with_vmx(void **state)
{
	struct vmx_percpu *s = init_here();
	uint32_t revision;
	char line[128], want[128];

	assert_int_equal(vmx_hardware_enable(), E_OK);
	assert_true(vmx_is_enabled());
	assert_true(s->enabled);
	assert_false(s->failed);
	assert_true(fake_cpu.vmx_on);
	assert_int_equal(fake_cpu.vmxon_calls, 1);
	assert_int_equal(fake_cpu.vmxon_pa, s->vmxon_pa);
	assert_int_equal(s->vmxon_pa & (PAGE_SIZE - 1), 0);
	assert_true(fake_pmm_is_allocated(s->vmxon_pa));
	memcpy(&revision, phys_to_virt(s->vmxon_pa), sizeof(revision));
	assert_int_equal(revision, 0x2b);
	assert_int_equal(fake_cpu_msr_writes(MSR_IA32_FEATURE_CONTROL), 0);
	assert_int_equal(fake_cpu.faults, 0);
	assert_int_equal(fake_cpu.vmx_insn_irqs_on, 0);
	assert_true(fake_cpu.irqs_enabled);
	vmx_percpu_report_line(line, sizeof(line));
	snprintf(want, sizeof(want), "cpu 0: rev 0x2b vmxon %#llx state on",
		 (unsigned long long)s->vmxon_pa);
	assert_string_equal(line, want);
}

static void test_cr_fixed_bits_applied(void **state)
{
	init_here();
	fake_cpu.cr4 |= CR4_BIT22;
	assert_false(fake_cpu.cr0 & CR0_NE);
	assert_int_equal(vmx_hardware_enable(), E_OK);
	assert_true(fake_cpu.cr0 & CR0_NE);
	assert_true(fake_cpu.cr4 & CR4_VMXE);
	assert_false(fake_cpu.cr4 & CR4_BIT22);
	assert_fixed_ok(fake_cpu.cr0, MSR_IA32_VMX_CR0_FIXED0, MSR_IA32_VMX_CR0_FIXED1);
	assert_fixed_ok(fake_cpu.cr4, MSR_IA32_VMX_CR4_FIXED0, MSR_IA32_VMX_CR4_FIXED1);
	assert_true(fake_cpu.cr0 & CR0_PG);
	assert_true(fake_cpu.cr4 & CR4_PAE);
}

static void test_unlocked_gets_locked(void **state)
{
	fake_cpu_set_msr(MSR_IA32_FEATURE_CONTROL, 0);
	init_here();
	assert_int_equal(vmx_hardware_enable(), E_OK);
	assert_int_equal(fake_cpu_msr(MSR_IA32_FEATURE_CONTROL), FC_LOCKED_VMX);
	assert_int_equal(fake_cpu_msr_writes(MSR_IA32_FEATURE_CONTROL), 1);
	assert_int_equal(fake_cpu.faults, 0);
}

static void test_unlocked_keeps_other_bits(void **state)
{
	fake_cpu_set_msr(MSR_IA32_FEATURE_CONTROL, 1ull << 20);
	init_here();
	assert_int_equal(vmx_hardware_enable(), E_OK);
	assert_int_equal(fake_cpu_msr(MSR_IA32_FEATURE_CONTROL), (1ull << 20) | FC_LOCKED_VMX);
}

static void test_lock_that_does_not_stick(void **state)
{
	fake_cpu_set_msr(MSR_IA32_FEATURE_CONTROL, 0);
	fake_cpu_ignore_msr_writes(MSR_IA32_FEATURE_CONTROL);
	init_here();
	assert_enable_fails(E_DISABLED,
			    "could not lock IA32_FEATURE_CONTROL: wrote 0x5, read back 0");
	assert_int_equal(fake_cpu_msr_writes(MSR_IA32_FEATURE_CONTROL), 1);
	assert_int_equal(fake_cpu.vmxon_calls, 0);
}

static void test_locked_without_vmx(void **state)
{
	char line[256];

	fake_cpu_set_msr(MSR_IA32_FEATURE_CONTROL, FC_LOCKED_NO_VMX);
	init_here();
	assert_enable_fails(E_DISABLED, "VT-x is disabled");
	assert_string_equal(vmx_percpu_last_error(), FW_MSG);
	assert_int_equal(fake_cpu_msr(MSR_IA32_FEATURE_CONTROL), FC_LOCKED_NO_VMX);
	assert_int_equal(fake_cpu_msr_writes(MSR_IA32_FEATURE_CONTROL), 0);
	assert_int_equal(fake_cpu.cr0_writes + fake_cpu.cr4_writes, 0);
	assert_int_equal(fake_cpu.vmxon_calls, 0);
	vmx_percpu_report_line(line, sizeof(line));
	assert_string_equal(line, "cpu 0: rev 0x2b vmxon - state failed(" FW_MSG ")");
}

static void enter_smx(void)
{
	fake_cpu_set_cpuid1_ecx(CPUID_1_ECX_SMX, 0);
	fake_cpu_set_msr(MSR_IA32_VMX_CR4_FIXED1, CR4_SMXE_ALLOWED);
	fake_cpu.cr4 |= CR4_SMXE;
}

static void test_smx_needs_inside_bit(void **state)
{
	enter_smx();
	fake_cpu_set_msr(MSR_IA32_FEATURE_CONTROL, FC_LOCKED_VMX);
	init_here();
	assert_enable_fails(E_DISABLED, FW_MSG);
}

static void test_smx_locked_with_inside_bit(void **state)
{
	enter_smx();
	fake_cpu_set_msr(MSR_IA32_FEATURE_CONTROL, FC_LOCKED_SMX_ONLY);
	init_here();
	assert_int_equal(vmx_hardware_enable(), E_OK);
	assert_true(fake_cpu.cr4 & CR4_SMXE);
	assert_int_equal(fake_cpu.faults, 0);
}

static void test_smx_unlocked_sets_both(void **state)
{
	enter_smx();
	fake_cpu_set_msr(MSR_IA32_FEATURE_CONTROL, 0);
	init_here();
	assert_int_equal(vmx_hardware_enable(), E_OK);
	assert_int_equal(fake_cpu_msr(MSR_IA32_FEATURE_CONTROL), FC_LOCKED_BOTH);
	assert_int_equal(fake_cpu.faults, 0);
}

static void test_smx_capable_outside_smx(void **state)
{
	fake_cpu_set_cpuid1_ecx(CPUID_1_ECX_SMX, 0);
	fake_cpu_set_msr(MSR_IA32_FEATURE_CONTROL, FC_LOCKED_SMX_ONLY);
	init_here();
	assert_enable_fails(E_DISABLED, FW_MSG);
	teardown(state);
	setup(state);
	fake_cpu_set_cpuid1_ecx(CPUID_1_ECX_SMX, 0);
	fake_cpu_set_msr(MSR_IA32_FEATURE_CONTROL, 0);
	init_here();
	assert_int_equal(vmx_hardware_enable(), E_OK);
	assert_int_equal(fake_cpu_msr(MSR_IA32_FEATURE_CONTROL), FC_LOCKED_VMX);
}

static void test_no_vmx_in_cpuid(void **state)
{
	uint32_t msr;
	char line[128];

	fake_cpu_set_cpuid1_ecx(0, CPUID_1_ECX_VMX);
	for (msr = MSR_IA32_VMX_BASIC; msr <= MSR_IA32_VMX_VMFUNC; msr++)
		fake_cpu_remove_msr(msr);
	init_here();
	assert_false(vmx_percpu_caps()->present);
	assert_enable_fails(E_NOTSUP, "this CPU has no VT-x");
	assert_string_equal(vmx_percpu_last_error(), "this CPU has no VT-x");
	assert_int_equal(fake_cpu_msr_reads(MSR_IA32_FEATURE_CONTROL), 0);
	vmx_percpu_report_line(line, sizeof(line));
	assert_string_equal(line, "cpu 0: rev 0 vmxon - state failed(this CPU has no VT-x)");
}

static void test_vmxon_fails(enum vmx_insn_result how, enum err want, const char *text)
{
	uint64_t cr0 = fake_cpu.cr0, cr4 = fake_cpu.cr4;

	init_here();
	fake_cpu.vmxon_force = how;
	assert_int_equal(vmx_hardware_enable(), want);
	assert_int_equal(fake_cpu.vmxon_calls, 1);
	assert_non_null(strstr(vmx_percpu_last_error(), text));
	assert_non_null(strstr(vmx_percpu_last_error(), "VMXON on CPU 0 failed"));
	assert_untouched(cr0, cr4);
	assert_false(fake_cpu.cr4 & CR4_VMXE);
	assert_int_equal(fake_pmm_alloc_calls(), 2);
	assert_true(((struct vmx_percpu *)this_cpu()->backend)->failed);
	/* The next attempt, once the CPU cooperates, works. */
	fake_cpu.vmxon_force = VMX_INSN_OK;
	assert_int_equal(vmx_hardware_enable(), E_OK);
	assert_false(((struct vmx_percpu *)this_cpu()->backend)->failed);
}

static void test_vmxon_cf(void **state)
{
	test_vmxon_fails(VMX_INSN_VMFAIL_INVALID, E_VMFAIL_INVALID, "VMfailInvalid");
}

static void test_vmxon_zf(void **state)
{
	test_vmxon_fails(VMX_INSN_VMFAIL_VALID, E_VMFAIL_VALID, "VMfailValid");
}

static void test_basic_size_too_large(void **state)
{
	fake_cpu_set_msr(MSR_IA32_VMX_BASIC, (BOCHS_BASIC & ~BASIC_SIZE_MASK) | (4097ull << 32));
	init_here();
	assert_enable_fails(E_NOTSUP, "region size of 4097 bytes");
	assert_int_equal(fake_cpu.vmxon_calls, 0);
}

static void test_basic_size_zero(void **state)
{
	fake_cpu_set_msr(MSR_IA32_VMX_BASIC, BOCHS_BASIC & ~BASIC_SIZE_MASK);
	init_here();
	assert_enable_fails(E_NOTSUP, "region size of 0 bytes");
}

static void test_basic_size_small_ok(void **state)
{
	fake_cpu_set_msr(MSR_IA32_VMX_BASIC, (BOCHS_BASIC & ~BASIC_SIZE_MASK) | (1024ull << 32));
	init_here();
	assert_int_equal(vmx_hardware_enable(), E_OK);
}

static void test_basic_not_write_back(void **state)
{
	fake_cpu_set_msr(MSR_IA32_VMX_BASIC, BOCHS_BASIC & ~BASIC_MEMTYPE_MASK);
	init_here();
	assert_enable_fails(E_NOTSUP, "memory type 0");
}

static void test_basic_32bit_limit(void **state)
{
	fake_cpu_set_msr(MSR_IA32_VMX_BASIC, BOCHS_BASIC | VMX_BASIC_ADDR32);
	init_here();
	assert_enable_fails(E_NOTSUP, "32-bit physical addresses");
}

static void test_impossible_cr0(void **state)
{
	fake_cpu_set_msr(MSR_IA32_VMX_CR0_FIXED1, 0x7fffffffull);
	init_here();
	assert_enable_fails(E_NOTSUP, "CR0 0x80000011 cannot meet the VMX fixed bits");
	assert_non_null(strstr(vmx_percpu_last_error(), "required and forbidden 0x80000000"));
	assert_int_equal(fake_cpu.cr0_writes + fake_cpu.cr4_writes, 0);
}

static void test_impossible_cr4_vmxe(void **state)
{
	fake_cpu_set_msr(MSR_IA32_VMX_CR4_FIXED0, 0);
	fake_cpu_set_msr(MSR_IA32_VMX_CR4_FIXED1, 0x3727ffull & ~CR4_VMXE);
	init_here();
	assert_enable_fails(E_NOTSUP, "CR4");
	assert_non_null(strstr(vmx_percpu_last_error(), "required and forbidden 0x2000"));
}

static void test_region_alloc_fails(void **state)
{
	init_here();
	fake_pmm_fail_after(0);
	assert_enable_fails(E_NOMEM, "could not allocate the VMXON region on CPU 0");
	assert_int_equal(fake_cpu.cr0_writes + fake_cpu.cr4_writes, 0);
}

static void test_double_enable(void **state)
{
	struct vmx_percpu *s = init_here();
	uint64_t pa;

	assert_int_equal(vmx_hardware_enable(), E_OK);
	pa = s->vmxon_pa;
	assert_int_equal(vmx_hardware_enable(), E_EXIST);
	assert_non_null(strstr(vmx_percpu_last_error(), "already enabled on CPU 0"));
	assert_int_equal(fake_cpu.vmxon_calls, 1);
	assert_int_equal(s->vmxon_pa, pa);
	assert_true(vmx_is_enabled());
	assert_false(s->failed);
	assert_int_equal(fake_pmm_outstanding(), 2);
}

static void test_disable(void **state)
{
	struct vmx_percpu *s = init_here();
	uint64_t pa;
	char line[128];

	assert_int_equal(vmx_hardware_enable(), E_OK);
	pa = s->vmxon_pa;
	assert_int_equal(vmx_hardware_disable(), E_OK);
	assert_int_equal(fake_cpu.vmxoff_calls, 1);
	assert_false(fake_cpu.vmx_on);
	assert_false(fake_cpu.cr4 & CR4_VMXE);
	assert_false(fake_pmm_is_allocated(pa));
	assert_false(vmx_is_enabled());
	assert_int_equal(s->vmxon_pa, 0);
	assert_int_equal(fake_cpu.faults, 0);
	assert_int_equal(fake_cpu.vmx_insn_irqs_on, 0);
	vmx_percpu_report_line(line, sizeof(line));
	assert_string_equal(line, "cpu 0: rev 0x2b vmxon - state off");
}

static void test_double_disable(void **state)
{
	init_here();
	assert_int_equal(vmx_hardware_disable(), E_STATE);
	assert_string_equal(vmx_percpu_last_error(), "VMX is not enabled on CPU 0");
	assert_int_equal(vmx_hardware_enable(), E_OK);
	assert_int_equal(vmx_hardware_disable(), E_OK);
	assert_int_equal(vmx_hardware_disable(), E_STATE);
	assert_string_equal(vmx_percpu_last_error(), "VMX is not enabled on CPU 0");
	assert_int_equal(fake_cpu.vmxoff_calls, 1);
	assert_int_equal(fake_cpu.faults, 0);
}

static void test_vmxoff_fails(void **state)
{
	struct vmx_percpu *s = init_here();

	assert_int_equal(vmx_hardware_enable(), E_OK);
	fake_cpu.vmxoff_force = VMX_INSN_VMFAIL_VALID;
	assert_int_equal(vmx_hardware_disable(), E_VMFAIL_VALID);
	assert_non_null(strstr(vmx_percpu_last_error(), "VMX stays on"));
	assert_true(vmx_is_enabled());
	assert_true(fake_cpu.cr4 & CR4_VMXE);
	assert_true(fake_pmm_is_allocated(s->vmxon_pa));
	assert_int_equal(vmx_percpu_destroy(), E_BUSY);
	fake_cpu.vmxoff_force = VMX_INSN_OK;
	assert_int_equal(vmx_hardware_disable(), E_OK);
}

static void test_not_initialised(void **state)
{
	assert_int_equal(vmx_hardware_enable(), E_STATE);
	assert_int_equal(vmx_hardware_disable(), E_STATE);
	assert_false(vmx_is_enabled());
	assert_int_equal(fake_cpu.vmxon_calls + fake_cpu.vmxoff_calls, 0);
}

static void test_wrong_cpu_refused(void **state)
{
	struct percpu *cpu0 = fake_cpu_default_percpu();
	struct vmx_percpu *s0, *s1, snap;
	uint64_t cr4;

	s0 = init_here();
	fake_cpu_set_this(&cpu1);
	s1 = init_here();
	assert_int_equal(s1->owner_cpu, 1);
	assert_int_equal(vmx_hardware_enable(), E_OK);
	snap = *s1;
	cr4 = fake_cpu.cr4;

	fake_cpu_set_this(cpu0);
	assert_int_equal(vmx_percpu_disable_state(s1), E_WRONG_CPU);
	assert_int_equal(vmx_percpu_enable_state(s1), E_WRONG_CPU);
	assert_memory_equal(s1, &snap, sizeof(snap));
	assert_int_equal(fake_cpu.vmxoff_calls, 0);
	assert_int_equal(fake_cpu.vmxon_calls, 1);
	assert_int_equal(fake_cpu.cr4, cr4);
	assert_true(fake_cpu.irqs_enabled);
	assert_string_equal(vmx_percpu_last_error(),
			    "CPU 0 refused to touch the VMX state of CPU 1: VMX state changes only "
			    "on its own CPU (use a cross-CPU call)");
	assert_false(s0->enabled);
	assert_false(vmx_is_enabled());

	/* A state whose owner is not the caller is refused even through this_cpu(). */
	s0->owner_cpu = 7;
	assert_int_equal(vmx_hardware_enable(), E_WRONG_CPU);
	assert_false(s0->enabled);
	s0->owner_cpu = 0;
	assert_int_equal(vmx_percpu_enable_state(NULL), E_STATE);
}

static void test_wrong_cpu_without_own_state(void **state)
{
	struct vmx_percpu *s0 = init_here(), snap = *s0;

	fake_cpu_set_this(&cpu1);
	assert_int_equal(vmx_percpu_enable_state(s0), E_STATE);
	assert_int_equal(fake_cpu.vmxon_calls, 0);
	fake_cpu_set_this(fake_cpu_default_percpu());
	assert_memory_equal(s0, &snap, sizeof(snap));
}

static void test_hundred_cycles(void **state)
{
	size_t start;
	int i;

	init_here();
	start = pmm_free_count();
	for (i = 0; i < 100; i++) {
		assert_int_equal(vmx_hardware_enable(), E_OK);
		assert_true(vmx_is_enabled());
		assert_int_equal(vmx_hardware_disable(), E_OK);
	}
	assert_int_equal(pmm_free_count(), start);
	assert_int_equal(fake_cpu.vmxon_calls, 100);
	assert_int_equal(fake_cpu.vmxoff_calls, 100);
	assert_int_equal(fake_cpu.faults, 0);
}

static void test_irqs_stay_off_if_off(void **state)
{
	init_here();
	fake_cpu.irqs_enabled = false;
	assert_int_equal(vmx_hardware_enable(), E_OK);
	assert_false(fake_cpu.irqs_enabled);
	assert_int_equal(vmx_hardware_disable(), E_OK);
	assert_false(fake_cpu.irqs_enabled);
}

static void test_report_uninitialised(void **state)
{
	char line[64];

	fake_cpu_default_percpu()->cpu_id = 5;
	vmx_percpu_report_line(line, sizeof(line));
	assert_string_equal(line, "cpu 5: VMX state not initialised");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_allocates_state_page),
		T(test_init_out_of_memory),
		T(test_enable_locked_with_vmx),
		T(test_cr_fixed_bits_applied),
		T(test_unlocked_gets_locked),
		T(test_unlocked_keeps_other_bits),
		T(test_lock_that_does_not_stick),
		T(test_locked_without_vmx),
		T(test_smx_needs_inside_bit),
		T(test_smx_locked_with_inside_bit),
		T(test_smx_unlocked_sets_both),
		T(test_smx_capable_outside_smx),
		T(test_no_vmx_in_cpuid),
		T(test_vmxon_cf),
		T(test_vmxon_zf),
		T(test_basic_size_too_large),
		T(test_basic_size_zero),
		T(test_basic_size_small_ok),
		T(test_basic_not_write_back),
		T(test_basic_32bit_limit),
		T(test_impossible_cr0),
		T(test_impossible_cr4_vmxe),
		T(test_region_alloc_fails),
		T(test_double_enable),
		T(test_disable),
		T(test_double_disable),
		T(test_vmxoff_fails),
		T(test_not_initialised),
		T(test_wrong_cpu_refused),
		T(test_wrong_cpu_without_own_state),
		T(test_hundred_cycles),
		T(test_irqs_stay_off_if_off),
		T(test_report_uninitialised),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
