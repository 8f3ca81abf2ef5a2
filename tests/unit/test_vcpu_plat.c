/* SPDX-License-Identifier: MIT */
/*
 * Host tests for vm/vcpu_plat.c through its public entry points (the
 * vm_platform_vcpu_ops table, vm_vcpu_prepare(), vm_vcpu_wake_tsc(),
 * vm_irq_deliver()) with the real vLAPIC, vI/O APIC and instruction decoder:
 * IPI routing, INIT/SIPI, HLT, MSRs, xAPIC and I/O APIC MMIO, EOI, CPUID.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "arch/x86/cpu.h"
#include "lib/error.h"
#include "vm/hypercall.h"
#include "vm/vm_io.h"
#include "vm/vm.h"
#include "tests/unit/fake_printk.h"
#include "tests/unit/fake_vcpu.h"

#define NV 4
#define CODE_AT 0x1000u
#define VM_RAM (32ull << 20)
#define UNBACKED 0x40000000ull /* above VM_RAM, no device there */
#define LAPIC LAPIC_DEFAULT_BASE
#define IOAPIC ((uint64_t)VIOAPIC_BASE)
#define BASE_EN (LAPIC_DEFAULT_BASE | APIC_BASE_ENABLE)
#define BASE_X2 (BASE_EN | APIC_BASE_X2APIC)
#define MSR_BASE 0x1bu
#define MSR_DEADLINE 0x6e0u
#define MSR_X2_ID 0x802u
#define MSR_X2_EOI 0x80bu
#define MSR_X2_SVR 0x80fu
#define MSR_X2_ICR 0x830u
#define MSR_X2_LVT_TIMER 0x832u
#define MSR_X2_SELF_IPI 0x83fu
#define DM(m) ((uint64_t)(m) << 8)
#define LOGICAL (1ull << 11)
#define ASSERT_LVL (1ull << 14)
#define TRIG_LVL (1ull << 15)
#define SH(s) ((uint64_t)(s) << 18)
#define DEST(d) ((uint64_t)(d) << 32)
#define SVR_ON 0x1ffu
#define LVT_DEADLINE (APIC_TIMER_TSC_DEADLINE << APIC_LVT_TIMER_MODE_SHIFT)
#define RESTART_RIP 0x1000200u

static struct vm *vm;
static struct vcpu vcpu[VM_MAX_VCPUS];
static struct vm_vcpu_plat plat[VM_MAX_VCPUS];
static unsigned woken[VM_MAX_VCPUS], wakes;
static const struct vcpu_platform_ops *ops = &vm_platform_vcpu_ops;

/* A read of the xAPIC ID register at the default base. */
static const struct vcpu_gpa_fault lapic_id_read = {.gpa = LAPIC + APIC_ID,
						    .access = VCPU_ACCESS_READ};

static void record_wake(struct vm *m, unsigned idx)
{
	assert_ptr_equal(m, vm);
	assert_true(idx < m->nvcpus);
	woken[idx]++;
	wakes++;
}

/* As vm/kernel_vm.c builds them: vCPU 0 the BSP, the others wait for SIPI. */
static void build_vm(unsigned n)
{
	memset(vcpu, 0, sizeof(vcpu));
	memset(plat, 0, sizeof(plat));
	memset(woken, 0, sizeof(woken));
	wakes = 0;
	vm = calloc(1, sizeof(*vm));
	assert_non_null(vm);
	strcpy(vm->name, "tvm");
	vm->platform = true;
	vm->mem_size = VM_RAM;
	vm->nvcpus = n;
	vm->wake = record_wake;
	assert_int_equal(vm_io_platform_init(vm, n), E_OK);
	for (unsigned i = 0; i < n; i++) {
		vcpu[i].id = i;
		vcpu[i].owner = vm;
		vcpu[i].ops = ops;
		vcpu[i].pending_irq = -1;
		vm->vcpus[i] = &vcpu[i];
		vlapic_init(&plat[i].lapic, i, i == 0);
		plat[i].sipi_vector = -1;
		plat[i].wait_sipi = i != 0;
		vm->plat[i] = &plat[i];
	}
}

static int setup(void **state)
{
	(void)state;
	fake_vcpu_reset();
	fake_printk_clear();
	build_vm(NV);
	return 0;
}

/* Every lock taken was released, with the interrupt flag restored. */
static int teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		assert_int_equal(plat[i].lock.next, plat[i].lock.owner);
	assert_int_equal(vm->console.lock.next, vm->console.lock.owner);
	assert_int_equal(vm->ioapic.lock.next, vm->ioapic.lock.owner);
	assert_int_equal(vm->uart.lock.next, vm->uart.lock.owner);
	assert_true(cpu_irqs_enabled());
	free(vm);
	vm = NULL;
	return 0;
}

/* ---- helpers: guest accesses through the public callbacks ---------------- */

static bool run_insn(unsigned i, uint64_t gpa, const uint8_t *bytes, size_t n,
		     enum vcpu_action *act)
{
	struct vcpu_gpa_fault f = {.gpa = gpa, .access = VCPU_ACCESS_READ};

	memset(fake_vcpu.mem + CODE_AT, 0x90, 16);
	memcpy(fake_vcpu.mem + CODE_AT, bytes, n);
	fake_vcpu.code.cs_base = 0;
	fake_vcpu.code.rip = CODE_AT;
	*act = (enum vcpu_action) - 1;
	return ops->mmio(&vcpu[i], &f, act);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (unsigned k = 0; k < 4; k++)
		p[k] = (uint8_t)(v >> (8 * k));
}

/* 32-bit code: mov [gpa], eax (89 05 disp32). */
static void store32(unsigned i, uint64_t gpa, uint32_t val)
{
	uint8_t b[6] = {0x89, 0x05};
	enum vcpu_action act;

	put_le32(b + 2, (uint32_t)gpa);
	fake_vcpu.gpr[i][0] = val;
	assert_true(run_insn(i, gpa, b, sizeof(b), &act));
	assert_int_equal(act, VCPU_RESUME);
	assert_int_equal(fake_vcpu.code.rip, CODE_AT + sizeof(b));
}

/* 32-bit code: mov eax, [gpa] (8B 05 disp32). */
static uint32_t load32(unsigned i, uint64_t gpa)
{
	uint8_t b[6] = {0x8b, 0x05};
	enum vcpu_action act;

	put_le32(b + 2, (uint32_t)gpa);
	fake_vcpu.gpr[i][0] = 0xdeadbeefcafef00dull;
	assert_true(run_insn(i, gpa, b, sizeof(b), &act));
	assert_int_equal(act, VCPU_RESUME);
	assert_int_equal(fake_vcpu.code.rip, CODE_AT + sizeof(b));
	return (uint32_t)fake_vcpu.gpr[i][0];
}

static enum vcpu_msr_result wrmsr(unsigned i, uint32_t msr, uint64_t val)
{
	return ops->msr(&vcpu[i], msr, true, &val);
}

static uint64_t rdmsr_ok(unsigned i, uint32_t msr)
{
	uint64_t val = 0xa5a5a5a5a5a5a5a5ull;

	assert_int_equal(ops->msr(&vcpu[i], msr, false, &val), VCPU_MSR_OK);
	return val;
}

static int pending(unsigned i)
{
	return ops->irq_pending(&vcpu[i]);
}

/* Software-enable every vLAPIC through its xAPIC page. */
static void enable_all(void)
{
	for (unsigned i = 0; i < vm->nvcpus; i++)
		store32(i, LAPIC + APIC_SVR, SVR_ON);
}

static void to_x2apic(unsigned i)
{
	assert_int_equal(wrmsr(i, MSR_BASE, BASE_X2), VCPU_MSR_OK);
}

static void clear_wakes(void)
{
	memset(woken, 0, sizeof(woken));
	wakes = 0;
}

static void ioapic_write(unsigned i, uint32_t reg, uint32_t val)
{
	store32(i, IOAPIC + VIOAPIC_MMIO_REGSEL, reg);
	store32(i, IOAPIC + VIOAPIC_MMIO_WIN, val);
}

static uint32_t ioapic_read(unsigned i, uint32_t reg)
{
	store32(i, IOAPIC + VIOAPIC_MMIO_REGSEL, reg);
	return load32(i, IOAPIC + VIOAPIC_MMIO_WIN);
}

static unsigned count_in_log(const char *needle)
{
	unsigned n = 0;

	for (const char *s = fake_printk_log(); (s = strstr(s, needle)) != NULL; s++)
		n++;
	return n;
}

/* ---- the ops table -------------------------------------------------------- */

static void test_ops_table(void **state)
{
	(void)state;
	assert_ptr_equal(ops->io, vm_io_port);
	assert_ptr_equal(ops->hypercall, vm_hypercall);
	assert_non_null(ops->irq_pending);
	assert_non_null(ops->irq_ack);
	assert_non_null(ops->next_event);
	assert_non_null(ops->msr);
	assert_non_null(ops->mmio);
	assert_non_null(ops->hlt);
	assert_non_null(ops->cpuid);
}

/* ---- IPIs ----------------------------------------------------------------- */

static void test_fixed_ipi_x2apic_icr(void **state)
{
	(void)state;
	enable_all();
	to_x2apic(0);
	assert_int_equal(wrmsr(0, MSR_X2_ICR, DEST(2) | 0x45), VCPU_MSR_OK);
	assert_int_equal(pending(2), 0x45);
	assert_int_equal(pending(0), -1);
	assert_int_equal(pending(1), -1);
	assert_int_equal(pending(3), -1);
	assert_int_equal(woken[2], 1);
	assert_int_equal(wakes, 1);
	assert_false(vcpu[2].exit_request); /* only INIT/STARTUP need the run loop */
	assert_int_equal(vm->ipis_dropped, 0);

	/* Acknowledge: IRR -> ISR (bank 2, bit 5 for 0x45); EOI retires it. */
	ops->irq_ack(&vcpu[2], 0x45);
	assert_int_equal(pending(2), -1);
	assert_int_equal(load32(2, LAPIC + APIC_ISR + 0x20), 1u << 5);
	store32(2, LAPIC + APIC_EOI, 0);
	assert_int_equal(load32(2, LAPIC + APIC_ISR + 0x20), 0);
}

static void test_fixed_ipi_to_sw_disabled_apic_does_not_wake(void **state)
{
	(void)state;
	to_x2apic(0);
	assert_int_equal(wrmsr(0, MSR_X2_ICR, DEST(3) | 0x45), VCPU_MSR_OK);
	assert_int_equal(pending(3), -1);
	assert_int_equal(wakes, 0);
	/* It matched an APIC: not a dropped IPI. */
	assert_int_equal(vm->ipis_dropped, 0);
}

static void test_broadcast_shorthands(void **state)
{
	(void)state;
	enable_all();
	to_x2apic(1);

	assert_int_equal(wrmsr(1, MSR_X2_ICR, SH(VLAPIC_SH_ALL_EXCL_SELF) | 0x46), VCPU_MSR_OK);
	assert_int_equal(wakes, 3);
	assert_int_equal(woken[1], 0);
	for (unsigned i = 0; i < NV; i++)
		assert_int_equal(pending(i), i == 1 ? -1 : 0x46);

	clear_wakes();
	assert_int_equal(wrmsr(1, MSR_X2_ICR, SH(VLAPIC_SH_ALL_INCL_SELF) | 0x50), VCPU_MSR_OK);
	assert_int_equal(wakes, NV);
	for (unsigned i = 0; i < NV; i++)
		assert_int_equal(pending(i), 0x50);

	clear_wakes();
	assert_int_equal(wrmsr(1, MSR_X2_SELF_IPI, 0x60), VCPU_MSR_OK);
	assert_int_equal(wakes, 1);
	assert_int_equal(woken[1], 1);
	assert_int_equal(pending(1), 0x60);
	assert_int_equal(pending(0), 0x50);
	assert_int_equal(vm->ipis_dropped, 0);
}

static void test_shorthand_reaching_nobody_is_not_reported(void **state)
{
	(void)state;
	for (unsigned i = 1; i < NV; i++) /* hardware-disable the other APICs */
		assert_int_equal(wrmsr(i, MSR_BASE, LAPIC_DEFAULT_BASE), VCPU_MSR_OK);
	store32(0, LAPIC + APIC_SVR, SVR_ON);
	to_x2apic(0);
	assert_int_equal(wrmsr(0, MSR_X2_ICR, SH(VLAPIC_SH_ALL_EXCL_SELF) | 0x46), VCPU_MSR_OK);
	assert_int_equal(wakes, 0);
	assert_int_equal(vm->ipis_dropped, 0);
	/* The same APIC ID named explicitly is dropped: a disabled APIC takes nothing. */
	assert_int_equal(wrmsr(0, MSR_X2_ICR, DEST(1) | 0x46), VCPU_MSR_OK);
	assert_int_equal(wakes, 0);
	assert_int_equal(vm->ipis_dropped, 1);
}

static void test_logical_xapic_flat(void **state)
{
	(void)state;
	enable_all();
	for (unsigned i = 0; i < NV; i++)
		store32(i, LAPIC + APIC_LDR, (1u << i) << 24);

	store32(0, LAPIC + APIC_ICR_HI, 0x0au << 24);
	store32(0, LAPIC + APIC_ICR_LO, (uint32_t)(LOGICAL | 0x48));
	assert_int_equal(wakes, 2);
	assert_int_equal(woken[1], 1);
	assert_int_equal(woken[3], 1);
	assert_int_equal(pending(1), 0x48);
	assert_int_equal(pending(3), 0x48);
	assert_int_equal(pending(2), -1);
	assert_int_equal(pending(0), -1);

	/* Lowest priority: one of the matches only (the first). */
	clear_wakes();
	store32(0, LAPIC + APIC_ICR_HI, 0x0cu << 24);
	store32(0, LAPIC + APIC_ICR_LO, (uint32_t)(LOGICAL | DM(VLAPIC_DM_LOWEST) | 0x49));
	assert_int_equal(wakes, 1);
	assert_int_equal(woken[2], 1);
	assert_int_equal(pending(2), 0x49);
	assert_int_equal(pending(3), 0x48);
	assert_int_equal(vm->ipis_dropped, 0);
}

static void test_logical_x2apic_cluster(void **state)
{
	(void)state;
	enable_all();
	for (unsigned i = 0; i < NV; i++)
		to_x2apic(i);
	/* Cluster 0, members 2 and 3 (x2APIC LDR = 1 << id for ids below 16). */
	assert_int_equal(wrmsr(0, MSR_X2_ICR, DEST(0x0000000c) | LOGICAL | 0x4a), VCPU_MSR_OK);
	assert_int_equal(wakes, 2);
	assert_int_equal(woken[2], 1);
	assert_int_equal(woken[3], 1);
	assert_int_equal(pending(2), 0x4a);
	assert_int_equal(pending(3), 0x4a);
	assert_int_equal(pending(1), -1);
	/* Cluster 1 has no member here. */
	clear_wakes();
	assert_int_equal(wrmsr(0, MSR_X2_ICR, DEST(0x00010004) | LOGICAL | 0x4a), VCPU_MSR_OK);
	assert_int_equal(wakes, 0);
	assert_int_equal(vm->ipis_dropped, 1);
}

static void test_ipi_to_missing_apic_id_dropped_and_reported(void **state)
{
	(void)state;
	enable_all();
	to_x2apic(0);
	assert_int_equal(wrmsr(0, MSR_X2_ICR, DEST(7) | 0x45), VCPU_MSR_OK);
	assert_int_equal(vm->ipis_dropped, 1);
	assert_int_equal(wakes, 0);
	for (unsigned i = 0; i < NV; i++)
		assert_int_equal(pending(i), -1);
	assert_true(fake_printk_contains("[tvm] vCPU 0 sent an IPI"));
	assert_true(fake_printk_contains("APIC ID 0x7"));
	assert_true(fake_printk_contains("vector 0x45"));

	/* Counted every time, reported only the first few times. */
	for (unsigned k = 0; k < 5; k++)
		assert_int_equal(wrmsr(0, MSR_X2_ICR, DEST(9) | 0x45), VCPU_MSR_OK);
	assert_int_equal(vm->ipis_dropped, 6);
	assert_int_equal(count_in_log("which no vCPU of this VM has"), 4);
}

static void test_nmi_ipi(void **state)
{
	(void)state;
	to_x2apic(0);
	/* An NMI needs neither a software-enabled APIC nor a vector. */
	assert_int_equal(wrmsr(0, MSR_X2_ICR, DEST(3) | DM(VLAPIC_DM_NMI)), VCPU_MSR_OK);
	assert_int_equal(woken[3], 1);
	assert_int_equal(pending(3), VCPU_IRQ_NMI);
	ops->irq_ack(&vcpu[3], VCPU_IRQ_NMI);
	assert_int_equal(pending(3), -1);
}

/* ---- INIT / STARTUP ------------------------------------------------------- */

static void send_from0(unsigned dest, uint64_t lo)
{
	assert_int_equal(wrmsr(0, MSR_X2_ICR, DEST(dest) | lo), VCPU_MSR_OK);
}

static void test_init_sipi_brings_up_waiting_ap(void **state)
{
	(void)state;
	to_x2apic(0);
	assert_false(vm_vcpu_prepare(vm, 1));
	assert_int_equal(vm_vcpu_wake_tsc(vm, 1), 0);

	send_from0(1, DM(VLAPIC_DM_INIT) | ASSERT_LVL);
	assert_true(vcpu[1].exit_request);
	assert_int_equal(woken[1], 1);
	vcpu[1].exit_request = false;
	assert_false(vm_vcpu_prepare(vm, 1)); /* still waits for the SIPI */
	assert_int_equal(fake_vcpu.sipi_calls, 0);

	send_from0(1, DM(VLAPIC_DM_SIPI) | 0x9a);
	assert_true(vcpu[1].exit_request);
	assert_int_equal(woken[1], 2);
	assert_true(vm_vcpu_prepare(vm, 1));
	assert_int_equal(fake_vcpu.sipi_calls, 1);
	assert_ptr_equal(fake_vcpu.sipi_vcpu, &vcpu[1]);
	assert_int_equal(fake_vcpu.sipi_vector, 0x9a);
	/* Applied once. */
	assert_true(vm_vcpu_prepare(vm, 1));
	assert_int_equal(fake_vcpu.sipi_calls, 1);

	/* A second STARTUP to the running vCPU is ignored. */
	vcpu[1].exit_request = false;
	send_from0(1, DM(VLAPIC_DM_SIPI) | 0x9b);
	assert_false(vcpu[1].exit_request);
	assert_int_equal(woken[1], 2);
	assert_true(vm_vcpu_prepare(vm, 1));
	assert_int_equal(fake_vcpu.sipi_calls, 1);
	assert_int_equal(vm->ipis_dropped, 0);
}

static void test_sipi_without_init_reaches_a_waiting_ap(void **state)
{
	(void)state;
	to_x2apic(0);
	send_from0(2, DM(VLAPIC_DM_SIPI) | 0x10);
	assert_true(vcpu[2].exit_request);
	assert_true(vm_vcpu_prepare(vm, 2));
	assert_ptr_equal(fake_vcpu.sipi_vcpu, &vcpu[2]);
	assert_int_equal(fake_vcpu.sipi_vector, 0x10);
}

static void test_sipi_to_running_vcpu_ignored(void **state)
{
	(void)state;
	to_x2apic(0);
	send_from0(0, DM(VLAPIC_DM_SIPI) | 0x9a); /* vCPU 0 runs: no SIPI wait */
	assert_false(vcpu[0].exit_request);
	assert_int_equal(wakes, 0);
	assert_true(vm_vcpu_prepare(vm, 0));
	assert_int_equal(fake_vcpu.sipi_calls, 0);
}

static void test_init_deassert_is_ignored(void **state)
{
	(void)state;
	to_x2apic(0);
	send_from0(2, DM(VLAPIC_DM_SIPI) | 0x10);
	assert_true(vm_vcpu_prepare(vm, 2));
	vcpu[2].exit_request = false;
	clear_wakes();
	/* Level-triggered de-assert: only arbitration IDs on hardware. */
	send_from0(2, DM(VLAPIC_DM_INIT) | TRIG_LVL);
	assert_false(vcpu[2].exit_request);
	assert_int_equal(wakes, 0);
	assert_true(vm_vcpu_prepare(vm, 2));
}

static void test_init_to_running_vcpu_resets_to_wait_for_sipi(void **state)
{
	(void)state;
	to_x2apic(0);
	send_from0(2, DM(VLAPIC_DM_SIPI) | 0x10);
	assert_true(vm_vcpu_prepare(vm, 2));
	store32(2, LAPIC + APIC_SVR, SVR_ON);
	send_from0(2, 0x45);
	assert_int_equal(pending(2), 0x45);
	vcpu[2].exit_request = false;

	send_from0(2, DM(VLAPIC_DM_INIT) | ASSERT_LVL);
	assert_true(vcpu[2].exit_request);
	assert_false(vm_vcpu_prepare(vm, 2));
	assert_true(plat[2].wait_sipi);
	assert_int_equal(pending(2), -1); /* INIT cleared the IRR */
	assert_int_equal(load32(2, LAPIC + APIC_SVR), 0xff);
	assert_int_equal(load32(2, LAPIC + APIC_ID), 2u << 24); /* ID kept */
	assert_int_equal(rdmsr_ok(2, MSR_BASE), BASE_EN);
	assert_int_equal(vm_vcpu_wake_tsc(vm, 2), 0);

	send_from0(2, DM(VLAPIC_DM_SIPI) | 0x11);
	assert_true(vm_vcpu_prepare(vm, 2));
	assert_int_equal(fake_vcpu.sipi_calls, 2);
	assert_int_equal(fake_vcpu.sipi_vector, 0x11);
}

static void test_init_and_sipi_before_prepare(void **state)
{
	(void)state;
	to_x2apic(0);
	send_from0(3, DM(VLAPIC_DM_SIPI) | 0x10);
	assert_true(vm_vcpu_prepare(vm, 3));
	/* Running: INIT then STARTUP arrive before the vCPU next runs. */
	send_from0(3, DM(VLAPIC_DM_INIT) | ASSERT_LVL);
	send_from0(3, DM(VLAPIC_DM_SIPI) | 0x20);
	assert_true(vm_vcpu_prepare(vm, 3));
	assert_int_equal(fake_vcpu.sipi_calls, 2);
	assert_int_equal(fake_vcpu.sipi_vector, 0x20);
	assert_false(plat[3].wait_sipi);
}

static void test_init_clears_pending_nmi(void **state)
{
	(void)state;
	to_x2apic(0);
	send_from0(1, DM(VLAPIC_DM_SIPI) | 0x10);
	assert_true(vm_vcpu_prepare(vm, 1));
	send_from0(1, DM(VLAPIC_DM_NMI));
	assert_int_equal(pending(1), VCPU_IRQ_NMI);
	send_from0(1, DM(VLAPIC_DM_INIT) | ASSERT_LVL);
	assert_false(vm_vcpu_prepare(vm, 1));
	assert_int_equal(pending(1), -1);
}

/* ---- HLT ------------------------------------------------------------------ */

static void test_hlt_blocks_until_interrupt_with_if(void **state)
{
	(void)state;
	enable_all();
	fake_vcpu.guest_if = true;
	assert_int_equal(ops->hlt(&vcpu[0]), VCPU_BLOCK);
	assert_false(vm_vcpu_prepare(vm, 0));

	/* vCPU 1 sends a fixed IPI through its xAPIC page: vCPU 0 wakes. */
	store32(1, LAPIC + APIC_ICR_HI, 0);
	store32(1, LAPIC + APIC_ICR_LO, 0x45);
	assert_int_equal(woken[0], 1);
	assert_true(vm_vcpu_prepare(vm, 0));
	assert_int_equal(ops->hlt(&vcpu[0]), VCPU_RESUME);

	/* IF=0: a maskable interrupt does not end HLT. */
	fake_vcpu.guest_if = false;
	assert_int_equal(ops->hlt(&vcpu[0]), VCPU_BLOCK);
	assert_false(vm_vcpu_prepare(vm, 0));
	fake_vcpu.guest_if = true;
	assert_true(vm_vcpu_prepare(vm, 0));
}

static void test_hlt_interrupt_masked_by_tpr_blocks(void **state)
{
	(void)state;
	enable_all();
	fake_vcpu.guest_if = true;
	store32(0, LAPIC + APIC_TPR, 0xf0);
	store32(1, LAPIC + APIC_ICR_LO, 0x45);
	assert_int_equal(pending(0), -1);
	assert_int_equal(ops->hlt(&vcpu[0]), VCPU_BLOCK);
	store32(0, LAPIC + APIC_TPR, 0);
	assert_true(vm_vcpu_prepare(vm, 0));
}

/* The backend's TPR copy (the TPR shadow) hears of every change not made by
 * MOV CR8: xAPIC and x2APIC writes, INIT; nothing else calls it. */
static void test_tpr_changes_reach_backend(void **state)
{
	(void)state;
	enable_all();
	fake_vcpu.tpr_calls = 0;
	store32(0, LAPIC + APIC_TPR, 0x25);
	assert_int_equal(fake_vcpu.tpr_calls, 1);
	assert_int_equal(fake_vcpu.tpr, 0x25);
	store32(0, LAPIC + APIC_TPR, 0x25); /* unchanged: not told again */
	store32(0, LAPIC + APIC_ICR_HI, 0);
	assert_int_equal(fake_vcpu.tpr_calls, 1);
	to_x2apic(1);
	assert_int_equal(wrmsr(1, X2APIC_MSR_FIRST + (APIC_TPR >> 4), 0x70), VCPU_MSR_OK);
	assert_int_equal(fake_vcpu.tpr_calls, 2);
	assert_int_equal(fake_vcpu.tpr, 0x70);
	assert_int_equal(ops->cr8(&vcpu[1], true, 2), 2); /* MOV CR8: the backend's own */
	assert_int_equal(fake_vcpu.tpr_calls, 2);
	assert_int_equal(rdmsr_ok(1, X2APIC_MSR_FIRST + (APIC_TPR >> 4)), 0x20);
}

static void test_hlt_nmi_always_wakes(void **state)
{
	(void)state;
	fake_vcpu.guest_if = false;
	assert_int_equal(ops->hlt(&vcpu[0]), VCPU_BLOCK);
	to_x2apic(1);
	assert_int_equal(wrmsr(1, MSR_X2_ICR, DEST(0) | DM(VLAPIC_DM_NMI)), VCPU_MSR_OK);
	assert_int_equal(woken[0], 1);
	assert_true(vm_vcpu_prepare(vm, 0));
	assert_int_equal(ops->hlt(&vcpu[0]), VCPU_RESUME);
}

static void arm_deadline(unsigned i, uint8_t vector, uint64_t now, uint64_t deadline)
{
	store32(i, LAPIC + APIC_SVR, SVR_ON);
	to_x2apic(i);
	assert_int_equal(wrmsr(i, MSR_X2_LVT_TIMER, LVT_DEADLINE | vector), VCPU_MSR_OK);
	fake_vcpu.tsc = now;
	assert_int_equal(wrmsr(i, MSR_DEADLINE, deadline), VCPU_MSR_OK);
}

static void test_halted_vcpu_wakes_at_its_timer(void **state)
{
	(void)state;
	fake_vcpu.guest_if = true;
	arm_deadline(0, 0x50, 100, 1000);
	assert_int_equal(ops->hlt(&vcpu[0]), VCPU_BLOCK);
	assert_int_equal(vm_vcpu_wake_tsc(vm, 0), 1000);
	fake_vcpu.tsc = 999;
	assert_false(vm_vcpu_prepare(vm, 0));
	fake_vcpu.tsc = 1000;
	assert_true(vm_vcpu_prepare(vm, 0));
	assert_int_equal(pending(0), 0x50);
	assert_int_equal(vm_vcpu_wake_tsc(vm, 0), 0);
}

/* ---- interrupt checks: the lock-free fast path ---------------------------- */

static void test_irq_pending_fast_path_skips_lock(void **state)
{
	uint32_t taken;

	(void)state;
	arm_deadline(0, 0x50, 100, 1000);
	assert_int_equal(rdmsr_ok(0, MSR_DEADLINE), 1000);
	assert_int_equal(ops->next_event(&vcpu[0]), 1000);
	assert_int_equal(vm_vcpu_wake_tsc(vm, 0), 1000);

	taken = plat[0].lock.next;
	fake_vcpu.tsc = 999;
	assert_int_equal(pending(0), -1);
	assert_int_equal(plat[0].lock.next, taken); /* answered without the lock */
	assert_int_equal(pending(1), -1);

	fake_vcpu.tsc = 1000; /* due: the slow path fires the timer */
	assert_int_equal(pending(0), 0x50);
	assert_int_equal(plat[0].lock.next, taken + 1);
	assert_int_equal(rdmsr_ok(0, MSR_DEADLINE), 0); /* SDM: clears on firing */
	assert_int_equal(ops->next_event(&vcpu[0]), 0);

	/* An IRR bit, even one masked by the TPR, takes the locked path. */
	ops->irq_ack(&vcpu[0], 0x50);
	taken = plat[0].lock.next;
	assert_int_equal(pending(0), -1);
	assert_int_equal(plat[0].lock.next, taken);
}

/* ---- MSRs ----------------------------------------------------------------- */

static void test_apic_base_msr(void **state)
{
	(void)state;
	assert_int_equal(rdmsr_ok(0, MSR_BASE), BASE_EN | APIC_BASE_BSP);
	for (unsigned i = 1; i < NV; i++)
		assert_int_equal(rdmsr_ok(i, MSR_BASE), BASE_EN);

	/* EN=0 with EXTD=1 is invalid; so is moving the page. */
	assert_int_equal(wrmsr(1, MSR_BASE, LAPIC_DEFAULT_BASE | APIC_BASE_X2APIC), VCPU_MSR_GP);
	assert_int_equal(wrmsr(1, MSR_BASE, 0xfed00000ull | APIC_BASE_ENABLE), VCPU_MSR_GP);
	assert_int_equal(rdmsr_ok(1, MSR_BASE), BASE_EN);
	/* The BSP bit is read-only. */
	assert_int_equal(wrmsr(1, MSR_BASE, BASE_EN | APIC_BASE_BSP), VCPU_MSR_OK);
	assert_int_equal(rdmsr_ok(1, MSR_BASE), BASE_EN);
	/* x2APIC -> xAPIC directly is invalid. */
	to_x2apic(1);
	assert_int_equal(rdmsr_ok(1, MSR_BASE), BASE_X2);
	assert_int_equal(wrmsr(1, MSR_BASE, BASE_EN), VCPU_MSR_GP);
	assert_int_equal(rdmsr_ok(1, MSR_BASE), BASE_X2);
}

static void test_tsc_deadline_msr(void **state)
{
	(void)state;
	/* Outside TSC-deadline mode: reads 0, writes ignored. */
	assert_int_equal(wrmsr(0, MSR_DEADLINE, 5000), VCPU_MSR_OK);
	assert_int_equal(rdmsr_ok(0, MSR_DEADLINE), 0);
	assert_int_equal(ops->next_event(&vcpu[0]), 0);

	arm_deadline(0, 0x50, 100, 5000);
	assert_int_equal(rdmsr_ok(0, MSR_DEADLINE), 5000);
	assert_int_equal(ops->next_event(&vcpu[0]), 5000);
	assert_int_equal(wrmsr(0, MSR_DEADLINE, 0), VCPU_MSR_OK); /* disarm */
	assert_int_equal(rdmsr_ok(0, MSR_DEADLINE), 0);
	assert_int_equal(ops->next_event(&vcpu[0]), 0);
}

/* With a TSC offset (a guest TSC write, vmx/msr.c) the deadline is in
 * guest TSC terms: guest TSC 10000 at host 100 is offset 9900. */
static void test_tsc_deadline_guest_terms(void **state)
{
	(void)state;
	vcpu[0].tsc_offset = 9900;
	arm_deadline(0, 0x50, 100, 15000);
	assert_int_equal(ops->next_event(&vcpu[0]), 15000 - 9900); /* host terms */
	assert_int_equal(rdmsr_ok(0, MSR_DEADLINE), 15000);
	fake_vcpu.tsc = 5099;
	assert_int_equal(pending(0), -1);
	fake_vcpu.tsc = 5100; /* guest TSC 15000 */
	assert_int_equal(pending(0), 0x50);
	/* A deadline the guest TSC has passed fires at once. */
	ops->irq_ack(&vcpu[0], 0x50);
	assert_int_equal(wrmsr(0, MSR_X2_EOI, 0), VCPU_MSR_OK);
	assert_int_equal(wrmsr(0, MSR_DEADLINE, 9000), VCPU_MSR_OK);
	assert_int_equal(ops->next_event(&vcpu[0]), 5100);
	assert_int_equal(pending(0), 0x50);
	/* A negative offset (the TSC written backwards). */
	vcpu[0].tsc_offset = (uint64_t)-5000;
	ops->irq_ack(&vcpu[0], 0x50);
	assert_int_equal(wrmsr(0, MSR_DEADLINE, 100), VCPU_MSR_OK);
	assert_int_equal(ops->next_event(&vcpu[0]), 5100); /* guest TSC is 100 already */
	assert_int_equal(wrmsr(0, MSR_DEADLINE, 1000), VCPU_MSR_OK);
	assert_int_equal(ops->next_event(&vcpu[0]), 6000);
	assert_int_equal(rdmsr_ok(0, MSR_DEADLINE), 1000);
	vcpu[0].tsc_offset = 0;
}

static void test_x2apic_msrs(void **state)
{
	uint64_t val = 0;

	(void)state;
	/* xAPIC mode: the x2APIC range faults. */
	assert_int_equal(ops->msr(&vcpu[3], MSR_X2_ID, false, &val), VCPU_MSR_GP);
	to_x2apic(3);
	assert_int_equal(rdmsr_ok(3, MSR_X2_ID), 3);
	assert_int_equal(rdmsr_ok(3, MSR_X2_SVR), 0xff);
	assert_int_equal(wrmsr(3, MSR_X2_SVR, SVR_ON), VCPU_MSR_OK);
	assert_int_equal(rdmsr_ok(3, MSR_X2_SVR), SVR_ON);
	assert_int_equal(wrmsr(3, MSR_X2_EOI, 1), VCPU_MSR_GP); /* non-zero EOI */
	assert_int_equal(ops->msr(&vcpu[3], X2APIC_MSR_LAST, false, &val), VCPU_MSR_GP);
}

static void test_msrs_outside_the_set_unhandled(void **state)
{
	static const uint32_t others[] = {0x10, 0x1a, 0x6df, 0x6e1, 0x7ff, 0x900, 0xc0000080};

	(void)state;
	to_x2apic(0);
	for (size_t k = 0; k < sizeof(others) / sizeof(others[0]); k++) {
		uint64_t val = 0x1234;

		assert_int_equal(ops->msr(&vcpu[0], others[k], false, &val), VCPU_MSR_UNHANDLED);
		assert_int_equal(val, 0x1234);
		assert_int_equal(ops->msr(&vcpu[0], others[k], true, &val), VCPU_MSR_UNHANDLED);
	}
	assert_int_equal(rdmsr_ok(0, MSR_BASE), BASE_X2 | APIC_BASE_BSP);
}

/* ---- xAPIC page MMIO ------------------------------------------------------ */

static void test_mmio_read_apic_id(void **state)
{
	static const uint8_t mov_eax[] = {0x8b, 0x05, 0x20, 0x00, 0xe0, 0xfe};
	enum vcpu_action act;

	(void)state;
	fake_vcpu.gpr[3][0] = 0xffffffffffffffffull;
	assert_true(run_insn(3, LAPIC + APIC_ID, mov_eax, sizeof(mov_eax), &act));
	assert_int_equal(act, VCPU_RESUME);
	assert_int_equal(fake_vcpu.gpr[3][0], 3u << 24);
	assert_int_equal(fake_vcpu.code.rip, CODE_AT + 6);
	assert_int_equal(fake_vcpu.advance_calls, 1);
	assert_int_equal(load32(1, LAPIC + APIC_VERSION), VLAPIC_VERSION);
}

static void test_mmio_modes_and_registers(void **state)
{
	/* 64-bit: mov r9d, [rip+0x20] */
	static const uint8_t mov_r9d[] = {0x44, 0x8b, 0x0d, 0x20, 0x00, 0x00, 0x00};
	/* real mode: mov eax, [0x0020] (operand-size prefix) */
	static const uint8_t mov_eax16[] = {0x66, 0x8b, 0x06, 0x20, 0x00};
	/* mov ah, [0xfee00020]: a byte access reads 0 and merges into AH */
	static const uint8_t mov_ah[] = {0x8a, 0x25, 0x20, 0x00, 0xe0, 0xfe};
	enum vcpu_action act;

	(void)state;
	fake_vcpu.code.bits = 64;
	fake_vcpu.gpr[2][9] = 0xffffffffffffffffull;
	assert_true(run_insn(2, LAPIC + APIC_ID, mov_r9d, sizeof(mov_r9d), &act));
	assert_int_equal(act, VCPU_RESUME);
	assert_int_equal(fake_vcpu.gpr[2][9], 2u << 24); /* 32-bit load clears 63:32 */
	assert_int_equal(fake_vcpu.code.rip, CODE_AT + sizeof(mov_r9d));

	/* Real mode, code fetched at CS base + IP. */
	fake_vcpu.code.bits = 16;
	fake_vcpu.code.protected_mode = false;
	memcpy(fake_vcpu.mem + 0x2010, mov_eax16, sizeof(mov_eax16));
	fake_vcpu.code.cs_base = 0x2000;
	fake_vcpu.code.rip = 0x10;
	assert_true(ops->mmio(&vcpu[1], &lapic_id_read, &act));
	assert_int_equal(act, VCPU_RESUME);
	assert_int_equal(fake_vcpu.gpr[1][0], 1u << 24);
	assert_int_equal(fake_vcpu.code.rip, 0x10 + sizeof(mov_eax16));

	/* 32-bit: CS base + EIP wraps at 4 GiB. */
	fake_vcpu.code.bits = 32;
	fake_vcpu.code.protected_mode = true;
	memcpy(fake_vcpu.mem + 0x2000, mov_ah, sizeof(mov_ah));
	fake_vcpu.code.cs_base = 0xfffff000ull;
	fake_vcpu.code.rip = 0x3000;
	fake_vcpu.gpr[3][0] = 0x1122334455667788ull;
	assert_true(ops->mmio(&vcpu[3], &lapic_id_read, &act));
	assert_int_equal(act, VCPU_RESUME);
	assert_int_equal(fake_vcpu.gpr[3][0], 0x1122334455660088ull);
}

static void test_mmio_icr_write_sends_ipi(void **state)
{
	static const uint8_t eoi_imm[] = {0xc7, 0x05, 0xb0, 0x00, 0xe0, 0xfe, 0, 0, 0, 0};
	enum vcpu_action act;

	(void)state;
	enable_all();
	store32(0, LAPIC + APIC_ICR_HI, 2u << 24);
	assert_int_equal(load32(0, LAPIC + APIC_ICR_HI), 2u << 24);
	assert_int_equal(wakes, 0);
	store32(0, LAPIC + APIC_ICR_LO, 0x46);
	assert_int_equal(woken[2], 1);
	assert_int_equal(wakes, 1);
	assert_int_equal(pending(2), 0x46);

	/* mov dword [EOI], 0: an immediate store, 10 bytes. */
	ops->irq_ack(&vcpu[2], 0x46);
	assert_int_equal(load32(2, LAPIC + APIC_ISR + 0x20), 1u << 6);
	assert_true(run_insn(2, LAPIC + APIC_EOI, eoi_imm, sizeof(eoi_imm), &act));
	assert_int_equal(act, VCPU_RESUME);
	assert_int_equal(fake_vcpu.code.rip, CODE_AT + sizeof(eoi_imm));
	assert_int_equal(load32(2, LAPIC + APIC_ISR + 0x20), 0);
}

static void test_mmio_unsupported_insn_stops_vcpu(void **state)
{
	static const uint8_t xchg[] = {0x87, 0x05, 0x20, 0x00, 0xe0, 0xfe};
	enum vcpu_action act;

	(void)state;
	assert_true(run_insn(1, LAPIC + APIC_ID, xchg, sizeof(xchg), &act));
	assert_int_equal(act, VCPU_STOP);
	assert_int_equal(fake_vcpu.stop_calls, 1);
	assert_ptr_equal(fake_vcpu.stopped, &vcpu[1]);
	assert_non_null(strstr(fake_vcpu.stop_msg, "local APIC page"));
	assert_non_null(strstr(fake_vcpu.stop_msg, "0xfee00020"));
	assert_non_null(strstr(fake_vcpu.stop_msg, "87 05 20 00"));
	assert_non_null(strstr(fake_vcpu.stop_msg, err_text(E_NOTSUP)));
	assert_int_equal(fake_vcpu.code.rip, CODE_AT); /* not advanced */
	assert_int_equal(fake_vcpu.advance_calls, 0);

	assert_true(run_insn(0, IOAPIC + VIOAPIC_MMIO_WIN, xchg, sizeof(xchg), &act));
	assert_int_equal(act, VCPU_STOP);
	assert_non_null(strstr(fake_vcpu.stop_msg, "I/O APIC page"));
	assert_non_null(strstr(fake_vcpu.stop_msg, "0xfec00010"));
}

static void test_mmio_fetch_near_end_of_memory(void **state)
{
	static const uint8_t mov_eax[] = {0x8b, 0x05, 0x20, 0x00, 0xe0, 0xfe};
	enum vcpu_action act;

	(void)state;
	/* The whole instruction fits: fetched byte by byte. */
	memcpy(fake_vcpu.mem + FAKE_GUEST_MEM_SIZE - 6, mov_eax, 6);
	fake_vcpu.code.rip = FAKE_GUEST_MEM_SIZE - 6;
	assert_true(ops->mmio(&vcpu[2], &lapic_id_read, &act));
	assert_int_equal(act, VCPU_RESUME);
	assert_int_equal(fake_vcpu.gpr[2][0], 2u << 24);

	/* Only two bytes of it exist: the vCPU stops with the count. */
	memcpy(fake_vcpu.mem + FAKE_GUEST_MEM_SIZE - 2, mov_eax, 2);
	fake_vcpu.code.rip = FAKE_GUEST_MEM_SIZE - 2;
	assert_true(ops->mmio(&vcpu[2], &lapic_id_read, &act));
	assert_int_equal(act, VCPU_STOP);
	assert_non_null(strstr(fake_vcpu.stop_msg, "2 fetched"));
	assert_non_null(strstr(fake_vcpu.stop_msg, err_text(E_TRUNC)));
}

/* One access to UNBACKED by the instruction @b in @bits-bit code: handled,
 * the vCPU goes on past it. */
static void unbacked_ok(unsigned i, const uint8_t *b, size_t n, unsigned bits)
{
	enum vcpu_action act;

	fake_vcpu.code.bits = bits;
	assert_true(run_insn(i, UNBACKED, b, n, &act));
	assert_int_equal(act, VCPU_RESUME);
	assert_int_equal(fake_vcpu.code.rip, CODE_AT + n);
	assert_int_equal(fake_vcpu.stop_calls, 0);
}

/* Above RAM, outside every device: reads give all ones at the access's
 * width (then extended or merged as the instruction says), writes are
 * dropped, the first access is logged once and every one counted. */
static void test_unbacked_reads_ones(void **state)
{
	static const uint8_t mov_eax[] = {0x8b, 0x05, 0x00, 0x00, 0x00, 0x40};
	static const uint8_t movzx_ecx[] = {0x0f, 0xb6, 0x0d, 0x00, 0x00, 0x00, 0x40};
	static const uint8_t mov_al[] = {0xa0, 0x00, 0x00, 0x00, 0x40};
	static const uint8_t mov_rdx64[] = {0x48, 0x8b, 0x14, 0x25, 0x00, 0x00, 0x00, 0x40};
	static const uint8_t store_eax[] = {0x89, 0x05, 0x00, 0x00, 0x00, 0x40};

	(void)state;
	fake_vcpu.gpr[0][VCPU_RCX] = 0x1234;
	fake_vcpu.gpr[0][VCPU_RAX] = 0x1122334455667788ull;
	unbacked_ok(0, mov_al, sizeof(mov_al), 32);
	assert_int_equal(fake_vcpu.gpr[0][VCPU_RAX], 0x11223344556677ffull);
	assert_true(fake_printk_contains("[tvm] vCPU 0 read guest-physical 0x40000000 (1 bytes at "
					 "RIP 0x1000), which has nothing behind it: reads all "
					 "ones, writes ignored"));
	unbacked_ok(0, mov_eax, sizeof(mov_eax), 32);
	assert_int_equal(fake_vcpu.gpr[0][VCPU_RAX], 0xffffffffull);
	unbacked_ok(0, movzx_ecx, sizeof(movzx_ecx), 32);
	assert_int_equal(fake_vcpu.gpr[0][VCPU_RCX], 0xff);
	unbacked_ok(0, mov_rdx64, sizeof(mov_rdx64), 64);
	assert_int_equal(fake_vcpu.gpr[0][VCPU_RDX], UINT64_MAX);
	fake_printk_clear();
	fake_vcpu.gpr[1][VCPU_RAX] = 0x5a5a5a5a;
	unbacked_ok(1, store_eax, sizeof(store_eax), 32);
	assert_int_equal(fake_vcpu.gpr[1][VCPU_RAX], 0x5a5a5a5a);
	assert_false(fake_printk_contains("nothing behind it"));
	assert_int_equal(vm->unbacked_accesses, 5);
	assert_int_equal(fake_vcpu.mem_reads > 0, 1);
}

/* What the bus cannot complete stops the VM: an instruction fetch from
 * there, an instruction the decoder does not know; with unbacked=stop, or
 * inside RAM, the access is not handled here (the backend's EPT report). */
static void test_unbacked_stops(void **state)
{
	static const uint8_t mov_eax[] = {0x8b, 0x05, 0x00, 0x00, 0x00, 0x40};
	static const uint8_t xchg_eax[] = {0x87, 0x05, 0x00, 0x00, 0x00, 0x40};
	struct vcpu_gpa_fault fetch = {.gpa = UNBACKED, .access = VCPU_ACCESS_FETCH};
	enum vcpu_action act;

	(void)state;
	fake_vcpu.code.bits = 32;
	assert_true(ops->mmio(&vcpu[0], &fetch, &act));
	assert_int_equal(act, VCPU_STOP);
	assert_non_null(strstr(fake_vcpu.stop_msg, "instruction fetch at RIP 0x0 from "
						   "guest-physical 0x40000000, which has nothing"));
	assert_true(run_insn(0, UNBACKED, xchg_eax, sizeof(xchg_eax), &act));
	assert_int_equal(act, VCPU_STOP);
	assert_non_null(strstr(fake_vcpu.stop_msg, "cannot emulate the access to the unbacked "
						   "guest-physical page at 0x40000000"));
	assert_int_equal(fake_vcpu.code.rip, CODE_AT);
	assert_false(run_insn(0, VM_RAM - 4, mov_eax, sizeof(mov_eax), &act));
	vm->unbacked_stop = true;
	assert_false(run_insn(0, UNBACKED, mov_eax, sizeof(mov_eax), &act));
	assert_false(run_insn(0, VM_RAM, mov_eax, sizeof(mov_eax), &act));
	assert_int_equal(fake_vcpu.code.rip, CODE_AT);
	assert_int_equal(vm->unbacked_accesses, 0);
}

static void test_mmio_outside_apic_pages_not_handled(void **state)
{
	static const uint8_t mov_eax[] = {0x8b, 0x05, 0x20, 0x00, 0xe0, 0xfe};
	static const uint64_t gpas[] = {LAPIC + 0x1000, LAPIC - 4, IOAPIC + 0x1000, IOAPIC - 4,
					0xa0000};
	enum vcpu_action act;

	(void)state;
	vm->unbacked_stop = true; /* else above RAM is the bus's all ones */
	for (size_t k = 0; k < sizeof(gpas) / sizeof(gpas[0]); k++) {
		assert_false(run_insn(0, gpas[k], mov_eax, sizeof(mov_eax), &act));
		assert_int_equal(fake_vcpu.code.rip, CODE_AT);
	}
	assert_int_equal(fake_vcpu.mem_reads, 0);
	assert_int_equal(fake_vcpu.stop_calls, 0);

	/* In x2APIC mode, or disabled, the xAPIC page is not the APIC's: reads
	 * give all ones, writes are dropped, the guest goes on (SDM 3A 11.12.1). */
	to_x2apic(1);
	fake_vcpu.gpr[1][0] = 0;
	assert_true(run_insn(1, LAPIC + APIC_ID, mov_eax, sizeof(mov_eax), &act));
	assert_int_equal(act, VCPU_RESUME);
	assert_int_equal(fake_vcpu.gpr[1][0], 0xffffffffu);
	store32(1, LAPIC + APIC_TPR, 0xf0);
	assert_int_equal(rdmsr_ok(1, X2APIC_MSR_FIRST + (APIC_TPR >> 4)), 0);
	assert_int_equal(wrmsr(2, MSR_BASE, LAPIC_DEFAULT_BASE), VCPU_MSR_OK);
	fake_vcpu.gpr[2][0] = 0;
	assert_true(run_insn(2, LAPIC + APIC_ID, mov_eax, sizeof(mov_eax), &act));
	assert_int_equal(fake_vcpu.gpr[2][0], 0xffffffffu);
	assert_int_equal(fake_vcpu.stop_calls, 0);
	/* The I/O APIC page still is. */
	assert_int_equal(ioapic_read(1, VIOAPIC_REG_VER) & 0xff, VIOAPIC_VERSION);
}

/* ---- I/O APIC ------------------------------------------------------------- */

static void test_ioapic_program_and_deliver(void **state)
{
	struct vioapic_msg m = {0};

	(void)state;
	enable_all();
	ioapic_write(0, VIOAPIC_REG_REDIR_HI(4), 2u << 24);
	ioapic_write(0, VIOAPIC_REG_REDIR_LO(4), 0x61);
	assert_int_equal(ioapic_read(3, VIOAPIC_REG_REDIR_LO(4)), 0x61);
	assert_int_equal(ioapic_read(3, VIOAPIC_REG_REDIR_HI(4)), 2u << 24);
	assert_int_equal(wakes, 0);

	vioapic_set_irq(&vm->ioapic, 4, true, &m);
	assert_true(m.valid);
	vm_irq_deliver(vm, &m);
	assert_int_equal(pending(2), 0x61);
	assert_int_equal(woken[2], 1);
	assert_int_equal(wakes, 1);
	assert_int_equal(vm->ipis_dropped, 0);
}

static void test_ioapic_logical_destination(void **state)
{
	struct vioapic_msg m = {0};

	(void)state;
	enable_all();
	for (unsigned i = 0; i < NV; i++)
		store32(i, LAPIC + APIC_LDR, (1u << i) << 24);
	ioapic_write(0, VIOAPIC_REG_REDIR_HI(3), 0x0cu << 24);
	ioapic_write(0, VIOAPIC_REG_REDIR_LO(3), (uint32_t)VIOAPIC_RTE_DESTMODE | 0x63);
	vioapic_set_irq(&vm->ioapic, 3, true, &m);
	vm_irq_deliver(vm, &m);
	assert_int_equal(wakes, 2);
	assert_int_equal(pending(2), 0x63);
	assert_int_equal(pending(3), 0x63);
	assert_int_equal(pending(0), -1);
}

static void test_ioapic_message_to_nobody_dropped(void **state)
{
	struct vioapic_msg m = {0};

	(void)state;
	ioapic_write(0, VIOAPIC_REG_REDIR_HI(4), 9u << 24);
	ioapic_write(0, VIOAPIC_REG_REDIR_LO(4), 0x61);
	vioapic_set_irq(&vm->ioapic, 4, true, &m);
	vm_irq_deliver(vm, &m);
	assert_int_equal(vm->ipis_dropped, 1);
	assert_int_equal(wakes, 0);
	assert_true(fake_printk_contains("the I/O APIC sent an IPI"));
	assert_true(fake_printk_contains("APIC ID 0x9"));
}

/* A level pin, dest vCPU 1, vector 0x62: programmed masked, line raised,
 * then unmasked through the MMIO window, which delivers it. */
#define LVL_PIN 5
#define LVL_VEC 0x62
#define LVL_LO ((uint32_t)VIOAPIC_RTE_LEVEL | LVL_VEC)

static void level_pin_delivered(void)
{
	struct vioapic_msg m = {0};

	enable_all();
	ioapic_write(0, VIOAPIC_REG_REDIR_HI(LVL_PIN), 1u << 24);
	ioapic_write(0, VIOAPIC_REG_REDIR_LO(LVL_PIN), (uint32_t)VIOAPIC_RTE_MASKED | LVL_LO);
	vioapic_set_irq(&vm->ioapic, LVL_PIN, true, &m);
	assert_false(m.valid);
	assert_int_equal(wakes, 0);
	ioapic_write(0, VIOAPIC_REG_REDIR_LO(LVL_PIN), LVL_LO);
	assert_int_equal(woken[1], 1);
	assert_int_equal(pending(1), LVL_VEC);
	assert_true(ioapic_read(0, VIOAPIC_REG_REDIR_LO(LVL_PIN)) & VIOAPIC_RTE_REMOTE_IRR);
	ops->irq_ack(&vcpu[1], LVL_VEC);
	assert_int_equal(pending(1), -1);
}

static void test_ioapic_unmask_delivers_and_eoi_clears_remote_irr(void **state)
{
	(void)state;
	level_pin_delivered();
	vioapic_set_irq(&vm->ioapic, LVL_PIN, false, NULL);
	store32(1, LAPIC + APIC_EOI, 0);
	assert_int_equal(ioapic_read(0, VIOAPIC_REG_REDIR_LO(LVL_PIN)), LVL_LO);
	assert_int_equal(pending(1), -1);
	assert_int_equal(woken[1], 1);
}

static void test_eoi_with_line_still_asserted_redelivers(void **state)
{
	(void)state;
	level_pin_delivered();
	store32(1, LAPIC + APIC_EOI, 0);
	assert_int_equal(woken[1], 2);
	assert_int_equal(pending(1), LVL_VEC);
	assert_true(ioapic_read(0, VIOAPIC_REG_REDIR_LO(LVL_PIN)) & VIOAPIC_RTE_REMOTE_IRR);
}

/* An EOI written to the x2APIC EOI MSR retires the in-service vector at the
 * I/O APIC too (isr_highest() reads the ISR as MSRs in x2APIC mode). */
static void test_x2apic_eoi_reaches_ioapic(void **state)
{
	(void)state;
	level_pin_delivered();
	to_x2apic(1);
	vioapic_set_irq(&vm->ioapic, LVL_PIN, false, NULL);
	assert_int_equal(wrmsr(1, MSR_X2_EOI, 0), VCPU_MSR_OK);
	assert_int_equal(ioapic_read(0, VIOAPIC_REG_REDIR_LO(LVL_PIN)), LVL_LO);
}

static void test_eoi_of_other_vector_keeps_remote_irr(void **state)
{
	(void)state;
	level_pin_delivered();
	vioapic_set_irq(&vm->ioapic, LVL_PIN, false, NULL);
	/* A fixed IPI of a higher vector is in service: the EOI retires that one. */
	store32(0, LAPIC + APIC_ICR_HI, 1u << 24);
	store32(0, LAPIC + APIC_ICR_LO, 0x70);
	ops->irq_ack(&vcpu[1], 0x70);
	store32(1, LAPIC + APIC_EOI, 0);
	assert_true(ioapic_read(0, VIOAPIC_REG_REDIR_LO(LVL_PIN)) & VIOAPIC_RTE_REMOTE_IRR);
	store32(1, LAPIC + APIC_EOI, 0);
	assert_false(ioapic_read(0, VIOAPIC_REG_REDIR_LO(LVL_PIN)) & VIOAPIC_RTE_REMOTE_IRR);
}

static void test_ioapic_byte_read_is_zero(void **state)
{
	static const uint8_t mov_al[] = {0x8a, 0x05, 0x10, 0x00, 0xc0, 0xfe};
	enum vcpu_action act;

	(void)state;
	store32(0, IOAPIC + VIOAPIC_MMIO_REGSEL, VIOAPIC_REG_VER);
	fake_vcpu.gpr[0][0] = 0x12345678;
	assert_true(run_insn(0, IOAPIC + VIOAPIC_MMIO_WIN, mov_al, sizeof(mov_al), &act));
	assert_int_equal(act, VCPU_RESUME);
	assert_int_equal(fake_vcpu.gpr[0][0], 0x12345600);
	assert_int_equal(load32(0, IOAPIC + VIOAPIC_MMIO_WIN) & 0xff, VIOAPIC_VERSION);
}

/* ---- CPUID ---------------------------------------------------------------- */

static void test_cpuid_leaf1(void **state)
{
	struct cpuid_regs r = {0x000506e3, 0xaabb1234, 0x1, 0x0};

	(void)state;
	ops->cpuid(&vcpu[3], 1, 0, &r);
	assert_int_equal(r.eax, 0x000506e3);
	assert_int_equal(r.ebx >> 24, 3);
	assert_int_equal((r.ebx >> 16) & 0xff, NV);
	assert_int_equal(r.ebx & 0xffff, 0x1234);
	assert_int_equal(r.ecx, 0x1);	 /* features are the CPUID policy's */
	assert_true(r.edx & (1u << 28)); /* HTT: more than one logical CPU */
	assert_true(r.edx & (1u << 9));	 /* APIC */

	/* A disabled APIC clears CPUID.1:EDX.APIC. */
	assert_int_equal(wrmsr(2, MSR_BASE, LAPIC_DEFAULT_BASE), VCPU_MSR_OK);
	r = (struct cpuid_regs){0, 0, 0, 0xffffffffu};
	ops->cpuid(&vcpu[2], 1, 0, &r);
	assert_false(r.edx & (1u << 9));
	assert_int_equal(r.ebx >> 24, 2);
}

static void test_cpuid_leaf1_single_vcpu_clears_htt(void **state)
{
	struct cpuid_regs r = {0, 0, 0, 0xffffffffu};

	(void)state;
	vm->nvcpus = 1;
	ops->cpuid(&vcpu[0], 1, 0, &r);
	assert_false(r.edx & (1u << 28));
	assert_int_equal((r.ebx >> 16) & 0xff, 1);
	assert_int_equal(r.ebx >> 24, 0);
}

/* Leaf 4: L1/L2 belong to one vCPU, the L3 to all of the VM's (rounded up
 * to a power of two, as APIC IDs are); leaves the platform does not own
 * pass untouched. */
static void test_cpuid_leaf4_and_others(void **state)
{
	struct cpuid_regs r = {0xfc004121, 0x2, 0x3, 0x4}; /* L1 data, 63 cores, 2 sharing */

	(void)state;
	vm->nvcpus = 3;
	ops->cpuid(&vcpu[0], 4, 0, &r);
	assert_int_equal(r.eax, (3u << 26) | 0x121);
	assert_int_equal(r.ebx, 0x2);
	r = (struct cpuid_regs){0x00000163, 0, 0, 0}; /* L3 unified */
	ops->cpuid(&vcpu[0], 4, 3, &r);
	assert_int_equal(r.eax, (3u << 26) | (3u << 14) | 0x163);
	r = (struct cpuid_regs){0, 0, 0, 0}; /* no more caches */
	ops->cpuid(&vcpu[0], 4, 4, &r);
	assert_int_equal(r.eax, 0);
	r = (struct cpuid_regs){0x11, 0x22, 0x33, 0x44};
	ops->cpuid(&vcpu[0], 6, 0, &r);
	assert_int_equal(r.eax, 0x11);
	assert_int_equal(r.edx, 0x44);
}

static void check_topology_leaf(uint32_t leaf, unsigned id, unsigned n, unsigned shift)
{
	struct cpuid_regs r = {0xff, 0xff, 0xff, 0xff};

	vm->nvcpus = n;
	ops->cpuid(&vcpu[id], leaf, 0, &r);
	assert_int_equal(r.eax, 0);
	assert_int_equal(r.ebx, 1);
	assert_int_equal(r.ecx, 0x100); /* level 0, type SMT */
	assert_int_equal(r.edx, id);
	r = (struct cpuid_regs){0xff, 0xff, 0xff, 0xff};
	ops->cpuid(&vcpu[id], leaf, 1, &r);
	assert_int_equal(r.eax, shift);
	assert_int_equal(r.ebx, n);
	assert_int_equal(r.ecx, 0x201); /* level 1, type core */
	assert_int_equal(r.edx, id);
	r = (struct cpuid_regs){0xff, 0xff, 0xff, 0xff};
	ops->cpuid(&vcpu[id], leaf, 2, &r);
	assert_int_equal(r.eax, 0);
	assert_int_equal(r.ebx, 0);
	assert_int_equal(r.ecx, 2); /* invalid level */
	assert_int_equal(r.edx, id);
}

static void test_cpuid_leaf_b_topology(void **state)
{
	(void)state;
	check_topology_leaf(0xb, 3, 4, 2);
	check_topology_leaf(0xb, 2, 3, 2);
	check_topology_leaf(0x1f, 1, 2, 1);
	vm->nvcpus = 1;
	check_topology_leaf(0xb, 0, 1, 0);
	vm->nvcpus = 4;
	/* 5 vCPUs need 3 bits: checked with vCPU 0 of a larger VM. */
	check_topology_leaf(0xb, 0, 5, 3);
	vm->nvcpus = NV;
}

/* ---- VMs without the platform --------------------------------------------- */

/* ---- port I/O through the VM's bus (vm/vm_io.c) ----------------------------- */

static enum vcpu_action port(unsigned i, uint16_t p, unsigned size, bool in, uint32_t *v)
{
	return ops->io(&vcpu[i], p, size, in, v);
}

static void test_port_unclaimed_counted(void **state)
{
	uint32_t v = 0x1234;

	(void)state;
	assert_int_equal(port(0, 0x80, 1, true, &v), VCPU_RESUME);
	assert_int_equal(v, 0xff);
	assert_int_equal(port(1, 0xCFA, 1, false, &v), VCPU_RESUME); /* PCI declines it */
	assert_int_equal(vm->io_ignored, 2);
	assert_int_equal(port(0, FW_CFG_PORT_SEL, 2, false, &v), VCPU_RESUME);
	assert_int_equal(vm->io_ignored, 2);
}

/* The ports around the platform's devices belong to none of them. */
static void test_platform_unclaimed_ports(void **state)
{
	static const uint16_t ports[] = {0x80,	0x514, 0x5F,  0x65,  0x44,  0x22,  0xA2,
					 0x72,	0x5FF, 0x60C, 0xCF7, 0xCFA, 0xCFB, 0xD00,
					 0x3F7, 0x400, 0xF3,  0xF5,  0x88FF};
	uint32_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		v = 0x1234;
		assert_int_equal(port(0, ports[i], 1, true, &v), VCPU_RESUME);
		assert_int_equal(v, 0xff);
		v = 0x1234;
		assert_int_equal(port(0, ports[i], 1, false, &v), VCPU_RESUME);
		assert_int_equal(v, 0x1234);
	}
	assert_int_equal(vm->io_ignored, 2 * i);
	assert_false(vm->stopped);
}

static void test_port_com1_prints_lines(void **state)
{
	const char *text = "hi\n";
	uint32_t v;

	(void)state;
	for (; *text; text++) {
		v = (uint8_t)*text;
		assert_int_equal(port(0, VM_COM1_BASE, 1, false, &v), VCPU_RESUME);
	}
	assert_false(fake_printk_contains("[tvm] hi\n")); /* the exit path does not print */
	assert_int_equal(vm_console_drain(&vm->console, VM_CONSOLE_DRAIN_BUDGET), 9);
	assert_true(fake_printk_contains("[tvm] hi\n"));
	assert_int_equal(port(0, VM_COM1_BASE + UART_LSR, 1, true, &v), VCPU_RESUME);
	assert_int_equal(v & UART_LSR_THRE, UART_LSR_THRE);
}

/* isa-debug-exit: status = value * 2 + 1; reads are not the device's. */
static void test_port_debug_exit(void **state)
{
	uint32_t v = 3;

	(void)state;
	assert_int_equal(port(2, DEBUG_EXIT_PORT, 1, true, &v), VCPU_RESUME);
	assert_int_equal(vm->io_ignored, 1);
	v = 3;
	assert_int_equal(port(2, DEBUG_EXIT_PORT, 1, false, &v), VCPU_STOP);
	assert_true(vm->exited);
	assert_true(vm->stopped);
	assert_int_equal(vm->exit_status, 7);
}

/* ACPI S5 (ACPICA's two PM1_CNT writes): status 0, the report says how. */
static void test_port_acpi_power_off(void **state)
{
	uint32_t v = ACPI_PM_SLP_TYP_S5 << PM1_CNT_SLP_TYP_SHIFT;

	(void)state;
	assert_int_equal(port(1, PM1_CNT_PORT, 2, false, &v), VCPU_RESUME);
	v = 1u << PM1_CNT_SLP_TYP_SHIFT | PM1_CNT_SLP_EN; /* S1: not offered */
	assert_int_equal(port(1, PM1_CNT_PORT, 2, false, &v), VCPU_RESUME);
	assert_false(vm->stopped);
	assert_true(fake_printk_contains("[tvm] the guest asked for sleep type 1"));
	v = ACPI_PM_SLP_TYP_S5 << PM1_CNT_SLP_TYP_SHIFT | PM1_CNT_SLP_EN;
	assert_int_equal(port(1, PM1_CNT_PORT, 2, false, &v), VCPU_STOP);
	assert_true(vm->exited);
	assert_true(vm->stopped);
	assert_false(vm->reset_requested);
	assert_int_equal(vm->exit_status, 0);
	assert_string_equal(vm->why, "powered off (ACPI S5)");
}

/* The reset paths stop the VM with reset_requested and say which one. */
static void test_port_resets(void **state)
{
	uint32_t v = RESET_CTL_ACPI_VALUE;

	(void)state;
	assert_int_equal(port(0, RESET_CTL_PORT, 1, false, &v), VCPU_STOP);
	assert_true(vm->stopped);
	assert_false(vm->exited);
	assert_true(vm->reset_requested);
	assert_string_equal(vm->why, "reset by the guest (port 0xCF9)");
	v = I8042_CMD_RESET; /* a second request once stopped changes nothing */
	assert_int_equal(port(1, I8042_PORT_CMD, 1, false, &v), VCPU_STOP);
	assert_string_equal(vm->why, "reset by the guest (port 0xCF9)");
}

/* ---- on_reboot=restart (vm/restart.c) ------------------------------------ */

static unsigned reloads;
static enum err reload_result;
static char stopped_why[128];

/* What vm/linux_vm.c would do: a boot state for vCPU 0 (the fake backend
 * records it), or the failure under test. */
enum err vm_linux_reload(struct vm *m, struct vcpu_boot_state *bs)
{
	assert_ptr_equal(m, vm);
	reloads++;
	memset(bs, 0, sizeof(*bs));
	bs->mode = VCPU_MODE_LONG;
	bs->rip = RESTART_RIP;
	return reload_result;
}

void vm_stop(struct vm *m, const char *why)
{
	m->stopped = true;
	snprintf(stopped_why, sizeof(stopped_why), "%s", why);
}

static void restart_setup(void)
{
	reloads = 0;
	reload_result = E_OK;
	stopped_why[0] = '\0';
	vm->on_reboot_restart = true;
}

/* A reset with on_reboot=restart: the VM keeps running, the vCPU leaves the
 * guest, every vCPU is asked to come back. */
static void test_restart_requested_by_reset_port(void **state)
{
	uint32_t v = RESET_CTL_ACPI_VALUE;

	(void)state;
	restart_setup();
	assert_int_equal(port(1, RESET_CTL_PORT, 1, false, &v), VCPU_PREEMPT);
	assert_false(vm->stopped);
	assert_false(vm->reset_requested);
	assert_true(vm->restart_pending);
	assert_string_equal(vm->restart_how, "port 0xCF9");
	for (unsigned i = 0; i < NV; i++) {
		assert_true(vcpu[i].exit_request);
		assert_int_equal(woken[i], 1);
	}
}

/* vCPU 0 waits for every other vCPU to park, then reloads and boots once. */
static void test_restart_parks_then_boots(void **state)
{
	unsigned boots = fake_vcpu.boot_calls;

	(void)state;
	restart_setup();
	plat[1].wait_sipi = false; /* a running AP */
	plat[2].halted = true;
	vm_restart_request(vm, "keyboard controller");
	assert_false(vm_vcpu_prepare(vm, 0));
	assert_int_equal(reloads, 0);
	for (unsigned i = 1; i < NV; i++) {
		assert_false(vm_vcpu_prepare(vm, i));
		assert_true(plat[i].wait_sipi);
		assert_false(plat[i].halted);
	}
	assert_true(vm_vcpu_prepare(vm, 0));
	assert_int_equal(reloads, 1);
	assert_int_equal(vm->restarts, 1);
	assert_false(vm->restart_pending);
	assert_int_equal(fake_vcpu.boot_calls, boots + 1);
	assert_int_equal(fake_vcpu.boot.rip, RESTART_RIP);
	assert_true(fake_printk_contains("[tvm] restarting (reset by the guest: keyboard "
					 "controller), boot 2"));
	for (unsigned i = 1; i < NV; i++) {
		assert_false(plat[i].parked);
		assert_false(vm_vcpu_prepare(vm, i)); /* waits for SIPI again */
	}
}

static void test_restart_reload_failure_stops(void **state)
{
	(void)state;
	restart_setup();
	reload_result = E_RANGE;
	vm_restart_request(vm, "port 0xCF9");
	for (unsigned i = 1; i < NV; i++)
		assert_false(vm_vcpu_prepare(vm, i));
	assert_false(vm_vcpu_prepare(vm, 0));
	assert_true(vm->stopped);
	assert_non_null(strstr(stopped_why, "the restart after the guest's reset failed"));
	assert_int_equal(vm->restarts, 0);
}

/* A triple fault restarts only with on_reboot=restart. */
static void test_triple_fault(void **state)
{
	(void)state;
	assert_false(ops->shutdown(&vcpu[1]));
	assert_false(vm->restart_pending);
	restart_setup();
	assert_true(ops->shutdown(&vcpu[1]));
	assert_true(vm->restart_pending);
	assert_string_equal(vm->restart_how, "triple fault");
}

static void test_port_kbc_reset(void **state)
{
	uint32_t v;

	(void)state;
	assert_int_equal(port(0, I8042_PORT_CMD, 1, true, &v), VCPU_RESUME);
	assert_int_equal(v & I8042_STATUS_IBF, 0);
	v = I8042_CMD_RESET;
	assert_int_equal(port(0, I8042_PORT_CMD, 1, false, &v), VCPU_STOP);
	assert_true(vm->reset_requested);
	assert_string_equal(vm->why, "reset by the guest (keyboard controller)");
}

static void test_port_shutdown_word(void **state)
{
	const char *text = "ShShutdown";
	uint32_t v;

	(void)state;
	for (; text[1]; text++) {
		v = (uint8_t)*text;
		assert_int_equal(port(0, DEBUG_SHUTDOWN_PORT, 1, false, &v), VCPU_RESUME);
	}
	v = (uint8_t)*text;
	assert_int_equal(port(0, DEBUG_SHUTDOWN_PORT, 1, false, &v), VCPU_STOP);
	assert_true(vm->exited);
	assert_int_equal(vm->exit_status, 0);
}

/* Host input raises COM1's line: pin 4 of the I/O APIC, to vCPU 1. */
static void test_console_input_interrupts(void **state)
{
	uint32_t v = UART_IER_RDA;

	(void)state;
	enable_all();
	ioapic_write(0, VIOAPIC_REG_REDIR_HI(VM_COM1_GSI), 1u << 24);
	ioapic_write(0, VIOAPIC_REG_REDIR_LO(VM_COM1_GSI), 0x44);
	assert_int_equal(port(0, VM_COM1_BASE + UART_IER, 1, false, &v), VCPU_RESUME);
	assert_int_equal(pending(1), -1);
	assert_true(vm_console_input(vm, 'k'));
	assert_int_equal(pending(1), 0x44);
	assert_int_equal(woken[1], 1);
	assert_int_equal(port(1, VM_COM1_BASE, 1, true, &v), VCPU_RESUME);
	assert_int_equal(v, 'k');
}

/*
 * The THRE interrupt as Linux's 8250 driver probes it at startup (the
 * UART_BUG_THRE test): enabling it with the THR empty raises pin 4, an IIR
 * read acknowledges it, disabling and enabling again raises it again.
 */
static void test_uart_thre_reaches_pin4(void **state)
{
	uint32_t v;

	(void)state;
	enable_all();
	ioapic_write(0, VIOAPIC_REG_REDIR_HI(VM_COM1_GSI), 1u << 24);
	ioapic_write(0, VIOAPIC_REG_REDIR_LO(VM_COM1_GSI), 0x45);
	v = UART_IER_THRE;
	assert_int_equal(port(0, VM_COM1_BASE + UART_IER, 1, false, &v), VCPU_RESUME);
	assert_int_equal(pending(1), 0x45);
	assert_int_equal(port(1, VM_COM1_BASE + UART_LSR, 1, true, &v), VCPU_RESUME);
	assert_int_equal(v & UART_LSR_TEMT, UART_LSR_TEMT);
	assert_int_equal(port(1, VM_COM1_BASE + UART_IIR, 1, true, &v), VCPU_RESUME);
	assert_int_equal(v & 0xF, UART_IIR_THRE);
	v = 0;
	assert_int_equal(port(1, VM_COM1_BASE + UART_IER, 1, false, &v), VCPU_RESUME);
	v = UART_IER_THRE;
	assert_int_equal(port(1, VM_COM1_BASE + UART_IER, 1, false, &v), VCPU_RESUME);
	assert_int_equal(port(1, VM_COM1_BASE + UART_IIR, 1, true, &v), VCPU_RESUME);
	assert_int_equal(v & 0xF, UART_IIR_THRE); /* not UART_IIR_NONE: no THRE bug */
	assert_int_equal(port(1, VM_COM1_BASE + UART_IIR, 1, true, &v), VCPU_RESUME);
	assert_int_equal(v & 0xF, UART_IIR_NONE);
	v = 'x'; /* sent at once: THRE again */
	assert_int_equal(port(1, VM_COM1_BASE + UART_THR, 1, false, &v), VCPU_RESUME);
	assert_int_equal(port(1, VM_COM1_BASE + UART_IIR, 1, true, &v), VCPU_RESUME);
	assert_int_equal(v & 0xF, UART_IIR_THRE);
}

/* Guest console bytes reach the host as text: control bytes, escape
 * sequences and bytes above 0x7e are shown as \\xHH; tab and printable
 * ASCII pass; CR is dropped and LF ends the line. */
static void test_console_escapes_control_bytes(void **state)
{
	static const char out[] = "a\x1b[2Jb\x9b\x07\x7f\tc\r\n";

	(void)state;
	fake_printk_clear();
	vm_console_write(vm, out, sizeof(out) - 1);
	assert_false(fake_printk_contains("[tvm]")); /* queued, printed by a drain */
	vm_console_flush(&vm->console);
	assert_true(fake_printk_contains("[tvm] a\\x1b[2Jb\\x9b\\x07\\x7f\tc\n"));
	assert_false(fake_printk_contains("\x1b"));
}

/* A built-in guest's bus: transmit-only COM1 and the raw exit status. */
static void test_builtin_vm_ports(void **state)
{
	uint32_t v = 0;

	(void)state;
	vm->platform = false;
	assert_int_equal(vm_io_init(vm), E_OK);
	assert_false(vm_console_input(vm, 'x'));
	assert_int_equal(port(0, VM_COM1_BASE + UART_LSR, 1, true, &v), VCPU_RESUME);
	assert_int_equal(v, 0x60);
	assert_int_equal(port(0, FW_CFG_PORT_SEL, 2, true, &v), VCPU_RESUME);
	assert_int_equal(vm->io_ignored, 1);
	v = 0x1ff;
	assert_int_equal(port(0, DEBUG_EXIT_PORT, 1, false, &v), VCPU_STOP);
	assert_int_equal(vm->exit_status, 0xff);
}

static void test_non_platform_vm(void **state)
{
	(void)state;
	vm->platform = false;
	vm->plat[1] = NULL; /* must not be looked at */
	assert_true(vm_vcpu_prepare(vm, 1));
	assert_int_equal(vm_vcpu_wake_tsc(vm, 1), 0);
	vm->plat[1] = &plat[1];
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_ops_table),
	    T(test_fixed_ipi_x2apic_icr),
	    T(test_fixed_ipi_to_sw_disabled_apic_does_not_wake),
	    T(test_broadcast_shorthands),
	    T(test_shorthand_reaching_nobody_is_not_reported),
	    T(test_logical_xapic_flat),
	    T(test_logical_x2apic_cluster),
	    T(test_ipi_to_missing_apic_id_dropped_and_reported),
	    T(test_nmi_ipi),
	    T(test_init_sipi_brings_up_waiting_ap),
	    T(test_sipi_without_init_reaches_a_waiting_ap),
	    T(test_sipi_to_running_vcpu_ignored),
	    T(test_init_deassert_is_ignored),
	    T(test_init_to_running_vcpu_resets_to_wait_for_sipi),
	    T(test_init_and_sipi_before_prepare),
	    T(test_init_clears_pending_nmi),
	    T(test_hlt_blocks_until_interrupt_with_if),
	    T(test_hlt_interrupt_masked_by_tpr_blocks),
	    T(test_tpr_changes_reach_backend),
	    T(test_hlt_nmi_always_wakes),
	    T(test_halted_vcpu_wakes_at_its_timer),
	    T(test_irq_pending_fast_path_skips_lock),
	    T(test_apic_base_msr),
	    T(test_tsc_deadline_msr),
	    T(test_tsc_deadline_guest_terms),
	    T(test_x2apic_msrs),
	    T(test_msrs_outside_the_set_unhandled),
	    T(test_mmio_read_apic_id),
	    T(test_mmio_modes_and_registers),
	    T(test_mmio_icr_write_sends_ipi),
	    T(test_mmio_unsupported_insn_stops_vcpu),
	    T(test_mmio_fetch_near_end_of_memory),
	    T(test_mmio_outside_apic_pages_not_handled),
	    T(test_unbacked_reads_ones),
	    T(test_unbacked_stops),
	    T(test_ioapic_program_and_deliver),
	    T(test_ioapic_logical_destination),
	    T(test_ioapic_message_to_nobody_dropped),
	    T(test_ioapic_unmask_delivers_and_eoi_clears_remote_irr),
	    T(test_eoi_with_line_still_asserted_redelivers),
	    T(test_x2apic_eoi_reaches_ioapic),
	    T(test_eoi_of_other_vector_keeps_remote_irr),
	    T(test_ioapic_byte_read_is_zero),
	    T(test_cpuid_leaf1),
	    T(test_cpuid_leaf1_single_vcpu_clears_htt),
	    T(test_cpuid_leaf4_and_others),
	    T(test_cpuid_leaf_b_topology),
	    T(test_port_unclaimed_counted),
	    T(test_uart_thre_reaches_pin4),
	    T(test_port_acpi_power_off),
	    T(test_port_resets),
	    T(test_port_kbc_reset),
	    T(test_restart_requested_by_reset_port),
	    T(test_restart_parks_then_boots),
	    T(test_restart_reload_failure_stops),
	    T(test_triple_fault),
	    T(test_platform_unclaimed_ports),
	    T(test_port_com1_prints_lines),
	    T(test_port_debug_exit),
	    T(test_port_shutdown_word),
	    T(test_console_input_interrupts),
	    T(test_console_escapes_control_bytes),
	    T(test_builtin_vm_ports),
	    T(test_non_platform_vm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
