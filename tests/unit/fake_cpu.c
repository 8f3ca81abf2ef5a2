/* SPDX-License-Identifier: MIT */
/*
 * Host fake of the CPU accessors (arch/x86/cpu.h), the VMX instruction
 * accessors (vmx/vmx_insn.h) and this_cpu(). VMXON and VMXOFF check what the
 * hardware checks (SDM Vol. 3C 31.3) so code under test cannot pass by luck.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arch/x86/cpu.h"
#include "tests/unit/fake_cpu.h"
#include "vmx/caps.h"

#define FAKE_MSRS 64
#define FAKE_CPUID_LEAVES 16
#define FC_LOCK (1ull << 0)
#define FC_VMXON_IN_SMX (1ull << 1)
#define FC_VMXON_OUTSIDE_SMX (1ull << 2)
#define PAGE_MASK 0xfffull
#define INITIAL_CR0 (CR0_PE | CR0_ET | CR0_PG)
#define INITIAL_CR4 CR4_PAE

struct fake_msr {
	uint32_t index;
	bool defined;
	bool ignore_writes;
	uint64_t value;
	unsigned int reads, writes;
};

struct fake_cpuid {
	uint32_t leaf, subleaf;
	bool defined;
	struct cpuid_regs regs;
};

struct fake_cpu_state fake_cpu;
static struct fake_msr msrs[FAKE_MSRS];
static struct fake_cpuid cpuids[FAKE_CPUID_LEAVES];
static struct percpu default_percpu;
static struct percpu *current_percpu;

__attribute__((format(printf, 1, 2))) static void fault(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fake_cpu.last_fault, sizeof(fake_cpu.last_fault), fmt, ap);
	va_end(ap);
	fake_cpu.faults++;
}

void fake_cpu_reset(void)
{
	memset(&fake_cpu, 0, sizeof(fake_cpu));
	memset(msrs, 0, sizeof(msrs));
	memset(cpuids, 0, sizeof(cpuids));
	memset(&default_percpu, 0, sizeof(default_percpu));
	default_percpu.self = &default_percpu;
	default_percpu.online = true;
	current_percpu = &default_percpu;
	fake_cpu.cr0 = INITIAL_CR0;
	fake_cpu.cr4 = INITIAL_CR4;
	fake_cpu.irqs_enabled = true;
}

static struct fake_msr *find_msr(uint32_t index, bool create)
{
	struct fake_msr *free_slot = NULL;
	size_t i;

	for (i = 0; i < FAKE_MSRS; i++) {
		if (msrs[i].defined && msrs[i].index == index)
			return &msrs[i];
		if (!msrs[i].defined && !free_slot)
			free_slot = &msrs[i];
	}
	if (!create || !free_slot)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->index = index;
	free_slot->defined = true;
	return free_slot;
}

void fake_cpu_set_msr(uint32_t msr, uint64_t value)
{
	struct fake_msr *m = find_msr(msr, true);

	if (!m)
		abort();
	m->value = value;
}

void fake_cpu_remove_msr(uint32_t msr)
{
	struct fake_msr *m = find_msr(msr, false);

	if (m)
		m->defined = false;
}

void fake_cpu_ignore_msr_writes(uint32_t msr)
{
	struct fake_msr *m = find_msr(msr, false);

	if (!m)
		abort();
	m->ignore_writes = true;
}

uint64_t fake_cpu_msr(uint32_t msr)
{
	struct fake_msr *m = find_msr(msr, false);

	return m ? m->value : 0;
}

unsigned int fake_cpu_msr_reads(uint32_t msr)
{
	struct fake_msr *m = find_msr(msr, false);

	return m ? m->reads : 0;
}

unsigned int fake_cpu_msr_writes(uint32_t msr)
{
	struct fake_msr *m = find_msr(msr, false);

	return m ? m->writes : 0;
}

static struct fake_cpuid *find_cpuid(uint32_t leaf, uint32_t subleaf, bool create)
{
	struct fake_cpuid *free_slot = NULL;
	size_t i;

	for (i = 0; i < FAKE_CPUID_LEAVES; i++) {
		if (cpuids[i].defined && cpuids[i].leaf == leaf && cpuids[i].subleaf == subleaf)
			return &cpuids[i];
		if (!cpuids[i].defined && !free_slot)
			free_slot = &cpuids[i];
	}
	if (!create || !free_slot)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->leaf = leaf;
	free_slot->subleaf = subleaf;
	free_slot->defined = true;
	return free_slot;
}

void fake_cpu_set_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t eax, uint32_t ebx,
			uint32_t ecx, uint32_t edx)
{
	struct fake_cpuid *c = find_cpuid(leaf, subleaf, true);

	if (!c)
		abort();
	c->regs = (struct cpuid_regs){eax, ebx, ecx, edx};
}

void fake_cpu_set_cpuid1_ecx(uint32_t set, uint32_t clear)
{
	struct fake_cpuid *c = find_cpuid(1, 0, true);

	if (!c)
		abort();
	c->regs.ecx = (c->regs.ecx | set) & ~clear;
}

void fake_cpu_set_this(struct percpu *p)
{
	current_percpu = p;
}

struct percpu *fake_cpu_default_percpu(void)
{
	return &default_percpu;
}

struct percpu *this_cpu(void)
{
	return current_percpu;
}

void fake_cpu_load_bochs_skylake(void)
{
	static const struct {
		uint32_t msr;
		uint64_t value;
	} bochs[] = {
		{MSR_IA32_FEATURE_CONTROL, 0x5},
		{MSR_IA32_VMX_BASIC, 0x00d810000000002bull},
		{MSR_IA32_VMX_PINBASED_CTLS, 0x0000007f00000016ull},
		{MSR_IA32_VMX_PROCBASED_CTLS, 0xf7f9fffe0401e172ull},
		{MSR_IA32_VMX_EXIT_CTLS, 0x007fffff00036dffull},
		{MSR_IA32_VMX_ENTRY_CTLS, 0x0000ffff000011ffull},
		{MSR_IA32_VMX_MISC, 0x00000000600401e0ull},
		{MSR_IA32_VMX_CR0_FIXED0, 0x80000021ull},
		{MSR_IA32_VMX_CR0_FIXED1, 0xffffffffull},
		{MSR_IA32_VMX_CR4_FIXED0, 0x2000ull},
		{MSR_IA32_VMX_CR4_FIXED1, 0x3727ffull},
		{MSR_IA32_VMX_VMCS_ENUM, 0x34ull},
		{MSR_IA32_VMX_PROCBASED_CTLS2, 0x02177fff00000000ull},
		{MSR_IA32_VMX_EPT_VPID_CAP, 0x00000f0106334141ull},
		{MSR_IA32_VMX_TRUE_PINBASED_CTLS, 0x0000007f00000016ull},
		{MSR_IA32_VMX_TRUE_PROCBASED_CTLS, 0xf7f9fffe04006172ull},
		{MSR_IA32_VMX_TRUE_EXIT_CTLS, 0x007fffff00036dfbull},
		{MSR_IA32_VMX_TRUE_ENTRY_CTLS, 0x0000ffff000011fbull},
		{MSR_IA32_VMX_VMFUNC, 0x1ull},
	};
	size_t i;

	for (i = 0; i < sizeof(bochs) / sizeof(bochs[0]); i++)
		fake_cpu_set_msr(bochs[i].msr, bochs[i].value);
	/* EMULATORS.md: CPUID.1:ECX = 0x77faf3bf (VMX set, SMX clear). */
	fake_cpu_set_cpuid(1, 0, 0x00050654, 0, 0x77faf3bf, 0xbfebfbff);
}

void cpu_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out)
{
	struct fake_cpuid *c = find_cpuid(leaf, subleaf, false);

	*out = c ? c->regs : (struct cpuid_regs){0, 0, 0, 0};
}

uint64_t cpu_rdmsr(uint32_t msr)
{
	struct fake_msr *m = find_msr(msr, false);

	if (!m) {
		fault("#GP: RDMSR of undefined MSR %#x", msr);
		return 0;
	}
	m->reads++;
	return m->value;
}

static bool feature_control_write_ok(struct fake_msr *m, uint64_t value)
{
	struct cpuid_regs r;

	if (m->value & FC_LOCK) {
		fault("#GP: WRMSR to locked IA32_FEATURE_CONTROL");
		return false;
	}
	cpu_cpuid(1, 0, &r);
	if ((value & FC_VMXON_IN_SMX) && !(r.ecx & CPUID_1_ECX_SMX)) {
		fault("#GP: IA32_FEATURE_CONTROL bit 1 set without SMX");
		return false;
	}
	return true;
}

void cpu_wrmsr(uint32_t msr, uint64_t value)
{
	struct fake_msr *m = find_msr(msr, false);

	if (!m) {
		fault("#GP: WRMSR to undefined MSR %#x", msr);
		return;
	}
	if (msr == MSR_IA32_FEATURE_CONTROL && !feature_control_write_ok(m, value))
		return;
	m->writes++;
	if (!m->ignore_writes)
		m->value = value;
}

/* SDM 3D A.7/A.8 as the hardware applies them to VMXON and to CR writes in VMX operation. */
static bool cr_fixed_ok(uint64_t value, uint32_t fixed0_msr, uint32_t fixed1_msr)
{
	struct fake_msr *f0 = find_msr(fixed0_msr, false);
	struct fake_msr *f1 = find_msr(fixed1_msr, false);

	if (!f0 || !f1)
		return true;
	return (value & f0->value) == f0->value && (value & ~f1->value) == 0;
}

uint64_t cpu_read_cr0(void)
{
	return fake_cpu.cr0;
}

void cpu_write_cr0(uint64_t value)
{
	if (fake_cpu.vmx_on &&
	    !cr_fixed_ok(value, MSR_IA32_VMX_CR0_FIXED0, MSR_IA32_VMX_CR0_FIXED1)) {
		fault("#GP: CR0 %#llx violates the fixed bits in VMX operation",
		      (unsigned long long)value);
		return;
	}
	fake_cpu.cr0_writes++;
	fake_cpu.cr0 = value;
}

uint64_t cpu_read_cr2(void)
{
	return fake_cpu.cr2;
}

uint64_t cpu_read_cr3(void)
{
	return fake_cpu.cr3;
}

void cpu_write_cr3(uint64_t value)
{
	fake_cpu.cr3 = value;
}

uint64_t cpu_read_cr4(void)
{
	return fake_cpu.cr4;
}

void cpu_write_cr4(uint64_t value)
{
	if (fake_cpu.vmx_on &&
	    !cr_fixed_ok(value, MSR_IA32_VMX_CR4_FIXED0, MSR_IA32_VMX_CR4_FIXED1)) {
		fault("#GP: CR4 %#llx violates the fixed bits in VMX operation",
		      (unsigned long long)value);
		return;
	}
	fake_cpu.cr4_writes++;
	fake_cpu.cr4 = value;
}

uint64_t cpu_irq_save(void)
{
	uint64_t flags = RFLAGS_FIXED1 | (fake_cpu.irqs_enabled ? RFLAGS_IF : 0);

	fake_cpu.irqs_enabled = false;
	return flags;
}

void cpu_irq_restore(uint64_t flags)
{
	if (flags & RFLAGS_IF)
		fake_cpu.irqs_enabled = true;
}

bool cpu_irqs_enabled(void)
{
	return fake_cpu.irqs_enabled;
}

uint8_t cpu_inb(uint16_t port)
{
	return 0xff;
}

void cpu_outb(uint16_t port, uint8_t value)
{
}

uint16_t cpu_inw(uint16_t port)
{
	return 0xffff;
}

void cpu_outw(uint16_t port, uint16_t value)
{
}

uint32_t cpu_inl(uint16_t port)
{
	return 0xffffffffu;
}

void cpu_outl(uint16_t port, uint32_t value)
{
}

uint64_t cpu_rdtsc(void)
{
	return fake_cpu.tsc++;
}

void cpu_pause(void)
{
}

void cpu_halt_forever(void)
{
	abort();
}

static bool feature_control_allows_vmxon(void)
{
	uint64_t need = (fake_cpu.cr4 & CR4_SMXE) ? FC_VMXON_IN_SMX : FC_VMXON_OUTSIDE_SMX;
	uint64_t fc = fake_cpu_msr(MSR_IA32_FEATURE_CONTROL);

	return (fc & FC_LOCK) && (fc & need);
}

/* SDM 3C 31.3 VMXON, outside VMX operation: the faults, then the VMfail checks. */
enum vmx_insn_result vmx_insn_vmxon(uint64_t pa)
{
	uint32_t revision;

	fake_cpu.vmxon_calls++;
	if (fake_cpu.irqs_enabled)
		fake_cpu.vmx_insn_irqs_on++;
	if (!(fake_cpu.cr4 & CR4_VMXE)) {
		fault("#UD: VMXON with CR4.VMXE = 0");
		return VMX_INSN_VMFAIL_INVALID;
	}
	if (fake_cpu.vmx_on)
		return VMX_INSN_VMFAIL_VALID;
	if (!cr_fixed_ok(fake_cpu.cr0, MSR_IA32_VMX_CR0_FIXED0, MSR_IA32_VMX_CR0_FIXED1) ||
	    !cr_fixed_ok(fake_cpu.cr4, MSR_IA32_VMX_CR4_FIXED0, MSR_IA32_VMX_CR4_FIXED1) ||
	    !feature_control_allows_vmxon()) {
		fault("#GP: VMXON with CR0 %#llx CR4 %#llx FEATURE_CONTROL %#llx",
		      (unsigned long long)fake_cpu.cr0, (unsigned long long)fake_cpu.cr4,
		      (unsigned long long)fake_cpu_msr(MSR_IA32_FEATURE_CONTROL));
		return VMX_INSN_VMFAIL_INVALID;
	}
	if (fake_cpu.vmxon_force != VMX_INSN_OK)
		return fake_cpu.vmxon_force;
	if (!pa || (pa & PAGE_MASK))
		return VMX_INSN_VMFAIL_INVALID;
	memcpy(&revision, (const void *)(uintptr_t)pa, sizeof(revision));
	if (revision != (uint32_t)(fake_cpu_msr(MSR_IA32_VMX_BASIC) & VMX_BASIC_REVISION_MASK))
		return VMX_INSN_VMFAIL_INVALID;
	fake_cpu.vmx_on = true;
	fake_cpu.vmxon_pa = pa;
	return VMX_INSN_OK;
}

enum vmx_insn_result vmx_insn_vmxoff(void)
{
	fake_cpu.vmxoff_calls++;
	if (fake_cpu.irqs_enabled)
		fake_cpu.vmx_insn_irqs_on++;
	if (!fake_cpu.vmx_on) {
		fault("#UD: VMXOFF outside VMX operation");
		return VMX_INSN_VMFAIL_INVALID;
	}
	if (fake_cpu.vmxoff_force != VMX_INSN_OK)
		return fake_cpu.vmxoff_force;
	fake_cpu.vmx_on = false;
	fake_cpu.vmxon_pa = 0;
	return VMX_INSN_OK;
}
