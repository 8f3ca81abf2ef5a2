/* SPDX-License-Identifier: MIT */
/*
 * The guest's MSR model: the one table of every MSR a guest can reach,
 * sorted by index, and the handlers of those whose state is the VMCS's or
 * the host's (TSC and IA32_TSC_ADJUST through the VMCS TSC offset, EFER,
 * PAT, identification MSRs). The purely emulated MSRs are in
 * vmx/msr_emul.c, SYSENTER_* in vmx/msr_vmcs.c, the mitigation MSRs in
 * vmx/spec.c, the local APIC's in the VM's platform (vm/vcpu_plat.c). Any
 * index the table does not list raises #GP. docs/msr.md lists this table.
 */
#include "vmx/msr.h"
#include "arch/x86/apic_regs.h"
#include "arch/x86/cpu.h"
#include "arch/x86/spec.h"
#include "arch/x86/x86_regs.h"
#include "vmx/msr_vmcs.h"
#include "vmx/spec.h"
#include "vmx/vcpu.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_fast.h"

#define MSR_IA32_PLATFORM_ID 0x17u
#define MSR_IA32_TSC_ADJUST 0x3bu
#define MSR_IA32_BIOS_SIGN_ID 0x8bu
#define MSR_PLATFORM_INFO 0xceu
#define MSR_IA32_MTRRCAP 0xfeu
#define MSR_IA32_MCG_CAP 0x179u
#define MSR_IA32_MCG_STATUS 0x17au
#define MSR_IA32_MCG_CTL 0x17bu
#define MSR_MTRR_VAR_FIRST 0x200u
#define MSR_MTRR_FIX64K 0x250u
#define MSR_MTRR_FIX16K_FIRST 0x258u
#define MSR_MTRR_FIX16K_LAST 0x259u
#define MSR_MTRR_FIX4K_FIRST 0x268u
#define MSR_MTRR_FIX4K_LAST 0x26fu
#define MSR_MTRR_DEF_TYPE 0x2ffu
#define MSR_IA32_PERF_CAPABILITIES 0x345u
#define MSR_MC_BANK_FIRST 0x400u
#define MC_REGS_PER_BANK 4

/* IA32_FEATURE_CONTROL: locked, VMX off inside and outside SMX (SDM Vol.
 * 3C 24.7, Vol. 4 Table 2-2): VMXON would #GP, and so does any write. */
#define FEATURE_CONTROL_LOCKED 1ull
/* IA32_MTRRCAP (SDM Vol. 3A 12.11.1): VCNT ranges, fixed ranges, WC; no SMRR. */
#define MTRRCAP_FIX (1ull << 8)
#define MTRRCAP_WC (1ull << 10)
#define MTRRCAP_VALUE (VMX_MTRR_VAR_COUNT | MTRRCAP_FIX | MTRRCAP_WC)
/* IA32_MCG_CAP (SDM Vol. 3B 16.3.1.1): Count banks, no MCG_CTL, no
 * extended registers, no CMCI, no software error recovery. */
#define MCG_CAP_VALUE VMX_MC_BANKS
/* A platform without a local APIC model still shows the architectural
 * default base, enabled (SDM Vol. 3A 11.4.4), BSP on vCPU 0. */
#define APIC_BASE_DEFAULT (LAPIC_DEFAULT_BASE | APIC_BASE_ENABLE)

#define CPUID_LEAF_EXT_MAX 0x80000000u
#define CPUID_LEAF_EXT_SIGNATURE 0x80000001u
#define CPUID_LEAF_ADDR_SIZES 0x80000008u
#define CPUID_7_EBX_TSC_ADJUST (1u << 1)
#define CPUID_80000001_EDX_SYSCALL (1u << 11)
#define MAXPHYADDR_MASK 0xffu
#define MAXPHYADDR_DEFAULT 36 /* SDM Vol. 3A 4.1.4, without leaf 80000008H */

static struct vmx_msr_host host = {.maxphyaddr = MAXPHYADDR_DEFAULT};

void vmx_msr_init(void)
{
	struct cpuid_regs r;
	uint32_t max_ext;

	cpu_cpuid(0, 0, &r);
	host.tsc_adjust = false;
	if (r.eax >= CPUID_LEAF_EXT_FEATURES) {
		cpu_cpuid(CPUID_LEAF_EXT_FEATURES, 0, &r);
		host.tsc_adjust = r.ebx & CPUID_7_EBX_TSC_ADJUST;
	}
	cpu_cpuid(CPUID_LEAF_EXT_MAX, 0, &r);
	max_ext = r.eax;
	if (max_ext >= CPUID_LEAF_EXT_SIGNATURE) {
		cpu_cpuid(CPUID_LEAF_EXT_SIGNATURE, 0, &r);
		host.nx = r.edx & CPUID_80000001_EDX_NX;
		host.lm = r.edx & CPUID_80000001_EDX_LM;
		host.syscall = r.edx & CPUID_80000001_EDX_SYSCALL;
	}
	if (max_ext >= CPUID_LEAF_ADDR_SIZES) {
		cpu_cpuid(CPUID_LEAF_ADDR_SIZES, 0, &r);
		host.maxphyaddr = r.eax & MAXPHYADDR_MASK;
	}
}

const struct vmx_msr_host *vmx_msr_host(void)
{
	return &host;
}

bool vmx_msr_offers(enum vmx_msr_feature f)
{
	switch (f) {
	case VMX_MSR_FEAT_MTRR:
	case VMX_MSR_FEAT_MCE:
	case VMX_MSR_FEAT_MCA:
	case VMX_MSR_FEAT_PAT:
		return true;
	case VMX_MSR_FEAT_TSC_ADJUST:
		return host.tsc_adjust;
	default:
		return false; /* PDCM, MONITOR: their MSRs raise #GP */
	}
}

/* ---- the TSC (SDM Vol. 3B 17.17) ------------------------------------------- */

/* Guest TSC = host TSC + offset (mod 2^64): RDTSC adds the VMCS TSC offset
 * (SDM Vol. 3C 26.3, 27.6.5); the platform reads it for TSC-deadline. */
static void set_tsc_offset(struct vmx_vcpu *v, uint64_t offset)
{
	v->vcpu.tsc_offset = offset;
	vmcs_wr(VMCS_TSC_OFFSET, offset);
}

/* A TSC write that moves the TSC by X adds X to IA32_TSC_ADJUST, and a
 * TSC_ADJUST write of Y moves the TSC by Y - old (SDM Vol. 3B 17.17.3). */
static enum vcpu_msr_result msr_tsc(struct vmx_vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	uint64_t host_now = cpu_rdtsc(), old = v->vcpu.tsc_offset, offset;

	if (!write) {
		*val = host_now + old;
		return VCPU_MSR_OK;
	}
	offset = *val - host_now;
	v->msr.tsc_adjust += offset - old;
	set_tsc_offset(v, offset);
	return VCPU_MSR_OK;
}

static enum vcpu_msr_result msr_tsc_adjust(struct vmx_vcpu *v, uint32_t msr, bool write,
					   uint64_t *val)
{
	if (!host.tsc_adjust)
		return VCPU_MSR_GP;
	if (!write) {
		*val = v->msr.tsc_adjust;
		return VCPU_MSR_OK;
	}
	set_tsc_offset(v, v->vcpu.tsc_offset + (*val - v->msr.tsc_adjust));
	v->msr.tsc_adjust = *val;
	return VCPU_MSR_OK;
}

/* ---- VMCS-held MSRs --------------------------------------------------------- */

/*
 * EFER (SDM Vol. 4 Table 2-2, Vol. 3A 10.8.5): SCE, LME and NXE where CPUID
 * 80000001H offers them, LMA kept (it is the CPU's to set), LME unchanged
 * while paging is on; anything else raises #GP.
 */
static bool efer_write_ok(struct vmx_vcpu *v, uint64_t val, uint64_t cur)
{
	uint64_t ok = EFER_LMA;

	if (host.syscall || host.lm)
		ok |= EFER_SCE;
	if (host.lm)
		ok |= EFER_LME;
	if (host.nx)
		ok |= EFER_NXE;
	if (val & ~ok)
		return false;
	return !((val ^ cur) & EFER_LME) || !(v->cr0_shadow & CR0_PG);
}

static enum vcpu_msr_result msr_efer(struct vmx_vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	uint64_t cur = vmcs_rd(VMCS_GUEST_IA32_EFER);

	if (!write) {
		*val = cur;
		return VCPU_MSR_OK;
	}
	if (!efer_write_ok(v, *val, cur))
		return VCPU_MSR_GP;
	vmcs_wr(VMCS_GUEST_IA32_EFER, (*val & ~EFER_LMA) | (cur & EFER_LMA));
	return VCPU_MSR_OK;
}

/* PAT reads do not exit; a write with a reserved type in any entry raises
 * #GP (SDM Vol. 3A 12.12.2), else it goes to the VMCS (loaded on entry). */
static enum vcpu_msr_result msr_pat(struct vmx_vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	if (!write) {
		*val = vmcs_rd(VMCS_GUEST_IA32_PAT);
		return VCPU_MSR_OK;
	}
	if (!vmx_msr_pat_valid(*val))
		return VCPU_MSR_GP;
	v->msr.pat = *val;
	vmcs_wr(VMCS_GUEST_IA32_PAT, *val);
	return VCPU_MSR_OK;
}

static enum vcpu_msr_result msr_sysenter(struct vmx_vcpu *v, uint32_t msr, bool write,
					 uint64_t *val)
{
	return vmx_msr_vmcs(msr, write, val);
}

static enum vcpu_msr_result msr_debugctl(struct vmx_vcpu *v, uint32_t msr, bool write,
					 uint64_t *val)
{
	return vmx_msr_debugctl(write, val);
}

static enum vcpu_msr_result msr_spec(struct vmx_vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	enum vcpu_msr_result r = vmx_spec_msr(v, msr, write, val);

	return r == VCPU_MSR_OK ? r : VCPU_MSR_GP;
}

/* ---- emulated and read-only MSRs -------------------------------------------- */

/* Read-only values: a write raises #GP, as on the CPU for these registers. */
static enum vcpu_msr_result msr_fixed(struct vmx_vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	if (write)
		return VCPU_MSR_GP;
	switch (msr) {
	case MSR_IA32_FEATURE_CONTROL:
		*val = FEATURE_CONTROL_LOCKED;
		break;
	case MSR_IA32_MTRRCAP:
		*val = MTRRCAP_VALUE;
		break;
	case MSR_IA32_MCG_CAP:
		*val = MCG_CAP_VALUE;
		break;
	default: /* PLATFORM_ID: no platform bits (Vol. 4 Table 2-2, 52:50) */
		*val = 0;
		break;
	}
	return VCPU_MSR_OK;
}

/* The microcode revision (SDM Vol. 3A 10.11.7.1): the guest may write it
 * (to ask for the signature) and always reads 0, no update loaded; the
 * host's revision is not shown. */
static enum vcpu_msr_result msr_bios_sign_id(struct vmx_vcpu *v, uint32_t msr, bool write,
					     uint64_t *val)
{
	if (!write)
		*val = 0;
	return VCPU_MSR_OK;
}

static enum vcpu_msr_result msr_misc_enable(struct vmx_vcpu *v, uint32_t msr, bool write,
					    uint64_t *val)
{
	return vmx_msr_misc_enable(&v->msr, write, val);
}

static enum vcpu_msr_result msr_mtrr(struct vmx_vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	return vmx_msr_mtrr(&v->msr, host.maxphyaddr, msr, write, val);
}

static enum vcpu_msr_result msr_mca(struct vmx_vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	return vmx_msr_mca(&v->msr, msr, write, val);
}

/* The VM's platform models the local APIC; without one, APIC_BASE reads
 * the default and the rest raise #GP. */
static enum vcpu_msr_result msr_platform(struct vmx_vcpu *v, uint32_t msr, bool write,
					 uint64_t *val)
{
	enum vcpu_msr_result r = VCPU_MSR_UNHANDLED;

	if (v->vcpu.ops && v->vcpu.ops->msr)
		r = v->vcpu.ops->msr(&v->vcpu, msr, write, val);
	if (r != VCPU_MSR_UNHANDLED)
		return r;
	if (msr != MSR_IA32_APIC_BASE || write)
		return VCPU_MSR_GP;
	*val = APIC_BASE_DEFAULT | (v->vcpu.id ? 0 : APIC_BASE_BSP);
	return VCPU_MSR_OK;
}

/* ---- the table ---------------------------------------------------------------- */

#define ONE(msr, name, kind, fn)                                                                   \
	{                                                                                          \
		msr, msr, name, kind, fn                                                           \
	}
#define MC_BANKS_LAST (MSR_MC_BANK_FIRST + VMX_MC_BANKS * MC_REGS_PER_BANK - 1)
#define MTRR_VAR_LAST (MSR_MTRR_VAR_FIRST + 2 * VMX_MTRR_VAR_COUNT - 1)

static const struct vmx_msr_entry table[] = {
    ONE(MSR_IA32_TSC, "IA32_TIME_STAMP_COUNTER", VMX_MSR_EMULATED, msr_tsc),
    ONE(MSR_IA32_PLATFORM_ID, "IA32_PLATFORM_ID", VMX_MSR_READ_ONLY, msr_fixed),
    ONE(MSR_IA32_APIC_BASE, "IA32_APIC_BASE", VMX_MSR_PLATFORM, msr_platform),
    ONE(MSR_IA32_FEATURE_CONTROL, "IA32_FEATURE_CONTROL", VMX_MSR_READ_ONLY, msr_fixed),
    ONE(MSR_IA32_TSC_ADJUST, "IA32_TSC_ADJUST", VMX_MSR_EMULATED, msr_tsc_adjust),
    ONE(MSR_IA32_SPEC_CTRL, "IA32_SPEC_CTRL", VMX_MSR_EMULATED, msr_spec),
    ONE(MSR_IA32_PRED_CMD, "IA32_PRED_CMD", VMX_MSR_EMULATED, msr_spec),
    ONE(MSR_IA32_BIOS_SIGN_ID, "IA32_BIOS_SIGN_ID", VMX_MSR_EMULATED, msr_bios_sign_id),
    ONE(MSR_PLATFORM_INFO, "MSR_PLATFORM_INFO", VMX_MSR_GP, 0),
    ONE(MSR_IA32_MTRRCAP, "IA32_MTRRCAP", VMX_MSR_READ_ONLY, msr_fixed),
    ONE(MSR_IA32_ARCH_CAPABILITIES, "IA32_ARCH_CAPABILITIES", VMX_MSR_READ_ONLY, msr_spec),
    ONE(MSR_IA32_FLUSH_CMD, "IA32_FLUSH_CMD", VMX_MSR_EMULATED, msr_spec),
    {MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_EIP, "IA32_SYSENTER_CS/ESP/EIP", VMX_MSR_VMCS,
     msr_sysenter},
    ONE(MSR_IA32_MCG_CAP, "IA32_MCG_CAP", VMX_MSR_READ_ONLY, msr_fixed),
    ONE(MSR_IA32_MCG_STATUS, "IA32_MCG_STATUS", VMX_MSR_EMULATED, msr_mca),
    ONE(MSR_IA32_MCG_CTL, "IA32_MCG_CTL", VMX_MSR_GP, 0),
    ONE(MSR_IA32_MISC_ENABLE, "IA32_MISC_ENABLE", VMX_MSR_EMULATED, msr_misc_enable),
    ONE(MSR_IA32_DEBUGCTL, "IA32_DEBUGCTL", VMX_MSR_VMCS, msr_debugctl),
    {MSR_MTRR_VAR_FIRST, MTRR_VAR_LAST, "IA32_MTRR_PHYSBASE0-PHYSMASK7", VMX_MSR_EMULATED,
     msr_mtrr},
    ONE(MSR_MTRR_FIX64K, "IA32_MTRR_FIX64K_00000", VMX_MSR_EMULATED, msr_mtrr),
    {MSR_MTRR_FIX16K_FIRST, MSR_MTRR_FIX16K_LAST, "IA32_MTRR_FIX16K_80000/A0000", VMX_MSR_EMULATED,
     msr_mtrr},
    {MSR_MTRR_FIX4K_FIRST, MSR_MTRR_FIX4K_LAST, "IA32_MTRR_FIX4K_C0000-F8000", VMX_MSR_EMULATED,
     msr_mtrr},
    ONE(MSR_IA32_PAT, "IA32_PAT", VMX_MSR_PASS_READ, msr_pat),
    ONE(MSR_MTRR_DEF_TYPE, "IA32_MTRR_DEF_TYPE", VMX_MSR_EMULATED, msr_mtrr),
    ONE(MSR_IA32_PERF_CAPABILITIES, "IA32_PERF_CAPABILITIES", VMX_MSR_GP, 0),
    {MSR_MC_BANK_FIRST, MC_BANKS_LAST, "IA32_MC0-1_CTL/STATUS/ADDR/MISC", VMX_MSR_EMULATED,
     msr_mca},
    ONE(MSR_IA32_TSC_DEADLINE, "IA32_TSC_DEADLINE", VMX_MSR_PLATFORM, msr_platform),
    {X2APIC_MSR_FIRST, X2APIC_MSR_LAST, "x2APIC registers", VMX_MSR_PLATFORM, msr_platform},
    ONE(MSR_IA32_EFER, "IA32_EFER", VMX_MSR_VMCS, msr_efer),
    {MSR_STAR, MSR_SFMASK, "IA32_STAR/LSTAR/CSTAR/FMASK", VMX_MSR_PASS, 0},
    {MSR_IA32_FS_BASE, MSR_IA32_KERNEL_GS_BASE, "IA32_FS_BASE/GS_BASE/KERNEL_GS_BASE", VMX_MSR_PASS,
     0},
    ONE(MSR_TSC_AUX, "IA32_TSC_AUX", VMX_MSR_PASS, 0),
};

#define TABLE_LEN (sizeof(table) / sizeof(table[0]))

const struct vmx_msr_entry *vmx_msr_table(size_t *count)
{
	*count = TABLE_LEN;
	return table;
}

const char *vmx_msr_kind_name(enum vmx_msr_kind k)
{
	static const char *const names[VMX_MSR_KINDS] = {
	    [VMX_MSR_PASS] = "passed through",
	    [VMX_MSR_PASS_READ] = "reads passed through",
	    [VMX_MSR_VMCS] = "VMCS guest state",
	    [VMX_MSR_EMULATED] = "emulated",
	    [VMX_MSR_READ_ONLY] = "read-only",
	    [VMX_MSR_PLATFORM] = "platform",
	    [VMX_MSR_GP] = "#GP",
	};

	return k < VMX_MSR_KINDS ? names[k] : "?";
}

/* Binary search: about five compares for the whole table. */
const struct vmx_msr_entry *vmx_msr_lookup(uint32_t msr)
{
	size_t lo = 0, hi = TABLE_LEN;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (msr < table[mid].first)
			hi = mid;
		else if (msr > table[mid].last)
			lo = mid + 1;
		else
			return &table[mid];
	}
	return 0;
}

enum vcpu_msr_result vmx_msr_access(struct vmx_vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	const struct vmx_msr_entry *e = vmx_msr_lookup(msr);

	if (!e || !e->fn)
		return VCPU_MSR_GP;
	return e->fn(v, msr, write, val);
}

void vmx_msr_reset(struct vmx_vcpu *v)
{
	vmx_msr_emul_reset(&v->msr, host.maxphyaddr);
	v->msr.tsc_adjust = 0;
	v->msr.pat = VMX_MSR_PAT_RESET;
	set_tsc_offset(v, 0); /* the host's TSC: every vCPU of a VM agrees */
}

/* SDM Vol. 3C 25.6.9: read bitmaps for low and high MSRs, then write bitmaps. */
#define BITMAP_HIGH_BASE 0xc0000000u
#define BITMAP_HIGH_OFFSET 1024
#define BITMAP_WRITE_OFFSET 2048
#define BITMAP_INDEX_MASK 0x1fffu
#define BITS_PER_BYTE 8

static void bitmap_allow(uint8_t *bm, uint32_t msr, bool write)
{
	uint32_t base = msr >= BITMAP_HIGH_BASE ? BITMAP_HIGH_OFFSET : 0;
	uint32_t bit = msr & BITMAP_INDEX_MASK;

	base += write ? BITMAP_WRITE_OFFSET : 0;
	bm[base + bit / BITS_PER_BYTE] &= (uint8_t) ~(1u << (bit % BITS_PER_BYTE));
}

void vmx_msr_bitmap_setup(uint8_t *bitmap)
{
	for (size_t i = 0; i < TABLE_LEN; i++) {
		if (table[i].kind != VMX_MSR_PASS && table[i].kind != VMX_MSR_PASS_READ)
			continue;
		for (uint32_t m = table[i].first; m <= table[i].last; m++) {
			bitmap_allow(bitmap, m, false);
			if (table[i].kind == VMX_MSR_PASS)
				bitmap_allow(bitmap, m, true);
		}
	}
}
