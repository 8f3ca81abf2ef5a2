/* SPDX-License-Identifier: MIT */
/*
 * The MSRs Vireo emulates per vCPU without hardware behind them, with the
 * checks the CPU makes on a WRMSR: the MTRRs (SDM Vol. 3A 12.11), the
 * machine-check architecture (SDM Vol. 3B 16.3), IA32_MISC_ENABLE (SDM
 * Vol. 4 Table 2-2) and the validity of an IA32_PAT value (SDM Vol. 3A
 * 12.12.2). The MTRRs are bookkeeping only: guest memory types come from
 * EPT (write-back RAM, uncached devices), never from these values.
 */
#include "vmx/msr.h"
#include "arch/x86/x86_regs.h"
#include "lib/string.h"

/* MTRR MSR indices (SDM Vol. 3A 12.11.2, Vol. 4 Table 2-2). */
#define MTRR_PHYSBASE0 0x200u
#define MTRR_FIX64K_00000 0x250u
#define MTRR_FIX16K_80000 0x258u
#define MTRR_FIX16K_A0000 0x259u
#define MTRR_FIX4K_C0000 0x268u
#define MTRR_FIX4K_F8000 0x26fu
#define MTRR_DEF_TYPE 0x2ffu
#define MTRR_FIX4K_SLOT 3 /* mtrr_fixed[] index of FIX4K_C0000 */

/* Memory types an MTRR may hold (SDM Vol. 3A Table 12-8); 2, 3, 7 and
 * above are reserved. PAT also takes 7, UC- (Table 12-10). */
#define MT_UC 0
#define MT_WC 1
#define MT_WT 4
#define MT_WP 5
#define MT_WB 6
#define MT_UC_MINUS 7
#define MT_BITS 8
#define MT_MASK 0xffull
#define MT_FIELDS 8 /* types per fixed-range MTRR or per PAT */

#define DEF_TYPE_FE (1ull << 10)
#define DEF_TYPE_E (1ull << 11)
#define PHYSBASE_RSVD 0xf00ull /* bits 11:8 */
#define PHYSMASK_V (1ull << 11)
#define PHYSMASK_RSVD 0x7ffull /* bits 10:0 */

/* Machine-check MSRs (SDM Vol. 3B 16.3.2): four per bank from 400H. */
#define MSR_MCG_STATUS 0x17au
#define MC_BANK_BASE 0x400u
#define MC_REGS_PER_BANK 4
#define MC_REG_CTL 0

/*
 * IA32_MISC_ENABLE bits (SDM Vol. 4 Table 2-2). Read-only bits keep their
 * value on a write (as the CPU ignores them); bits whose feature the guest
 * is not given (EIST, MONITOR FSM, limited CPUID, XD disable) and undefined
 * bits raise #GP when set.
 */
#define ME_AUTO_THERMAL (1ull << 3)
#define ME_PERFMON (1ull << 7)
#define ME_BTS_UNAVAIL (1ull << 11)
#define ME_PEBS_UNAVAIL (1ull << 12)
#define ME_XTPR_DISABLE (1ull << 23)
#define ME_WRITABLE (MISC_ENABLE_FAST_STRINGS | ME_AUTO_THERMAL | ME_XTPR_DISABLE)
#define ME_READ_ONLY (ME_PERFMON | ME_BTS_UNAVAIL | ME_PEBS_UNAVAIL)
/* Fast strings on; no performance monitoring, BTS or PEBS (the PMU is hidden). */
#define ME_RESET (MISC_ENABLE_FAST_STRINGS | ME_BTS_UNAVAIL | ME_PEBS_UNAVAIL)

static bool mtrr_type_valid(uint64_t t)
{
	return t == MT_UC || t == MT_WC || t == MT_WT || t == MT_WP || t == MT_WB;
}

static bool pat_type_valid(uint64_t t)
{
	return mtrr_type_valid(t) || t == MT_UC_MINUS;
}

bool vmx_msr_pat_valid(uint64_t pat)
{
	for (unsigned i = 0; i < MT_FIELDS; i++)
		if (!pat_type_valid((pat >> (i * MT_BITS)) & MT_MASK))
			return false;
	return true;
}

static bool fixed_valid(uint64_t v)
{
	for (unsigned i = 0; i < MT_FIELDS; i++)
		if (!mtrr_type_valid((v >> (i * MT_BITS)) & MT_MASK))
			return false;
	return true;
}

/*
 * What PC firmware leaves in the MTRRs before it starts a boot loader, and so
 * what a kernel booted by GRUB finds (measured on Bochs with its BIOS): MTRRs
 * and fixed ranges on, default write-back; the first 640 KiB write-back, the
 * VGA window and the BIOS area uncacheable; one variable range making the
 * 1 GiB below 4 GiB (where the APIC, I/O APIC and PCI windows sit)
 * uncacheable. Guest memory types stay write-back under EPT whatever these
 * say (docs/msr.md).
 */
#define FW_MTRR_WB_FIXED_RANGES 2 /* FIX64K_00000, FIX16K_80000 */
#define FW_MTRR_ALL_WB 0x0606060606060606ull
#define FW_MTRR_HOLE_BASE 0xc0000000ull
#define FW_MTRR_HOLE_SIZE (1ull << 30)

static void firmware_mtrrs(struct vmx_msr_state *s, unsigned maxphyaddr)
{
	uint64_t phys = maxphyaddr < 64 ? (1ull << maxphyaddr) - 1 : ~0ull;

	for (unsigned i = 0; i < FW_MTRR_WB_FIXED_RANGES; i++)
		s->mtrr_fixed[i] = FW_MTRR_ALL_WB;
	s->mtrr_var[0] = FW_MTRR_HOLE_BASE | MT_UC;
	s->mtrr_var[1] = (phys & ~(FW_MTRR_HOLE_SIZE - 1)) | PHYSMASK_V;
	s->mtrr_def_type = DEF_TYPE_E | DEF_TYPE_FE | MT_WB;
}

void vmx_msr_emul_reset(struct vmx_msr_state *s, unsigned maxphyaddr)
{
	memset(s->mtrr_fixed, 0, sizeof(s->mtrr_fixed));
	memset(s->mtrr_var, 0, sizeof(s->mtrr_var));
	memset(s->mc_ctl, 0, sizeof(s->mc_ctl));
	s->mcg_status = 0;
	s->misc_enable = ME_RESET;
	firmware_mtrrs(s, maxphyaddr);
}

/* The fixed-range MTRR slot of msr, or -1. */
static int fixed_slot(uint32_t msr)
{
	if (msr == MTRR_FIX64K_00000)
		return 0;
	if (msr == MTRR_FIX16K_80000 || msr == MTRR_FIX16K_A0000)
		return 1 + (int)(msr - MTRR_FIX16K_80000);
	if (msr >= MTRR_FIX4K_C0000 && msr <= MTRR_FIX4K_F8000)
		return MTRR_FIX4K_SLOT + (int)(msr - MTRR_FIX4K_C0000);
	return -1;
}

/* Whether v may go into the variable-range MSR msr (SDM Vol. 3A 12.11.3). */
static bool var_valid(uint32_t msr, uint64_t v, unsigned maxphyaddr)
{
	uint64_t above = maxphyaddr < 64 ? ~0ull << maxphyaddr : 0;

	if (v & above)
		return false;
	if ((msr - MTRR_PHYSBASE0) & 1)
		return !(v & PHYSMASK_RSVD);
	return !(v & PHYSBASE_RSVD) && mtrr_type_valid(v & MT_MASK);
}

static bool def_type_valid(uint64_t v)
{
	return !(v & ~(MT_MASK | DEF_TYPE_FE | DEF_TYPE_E)) && mtrr_type_valid(v & MT_MASK);
}

enum vcpu_msr_result vmx_msr_mtrr(struct vmx_msr_state *s, unsigned maxphyaddr, uint32_t msr,
				  bool write, uint64_t *val)
{
	int slot = fixed_slot(msr);
	uint64_t *reg;
	bool ok;

	if (slot >= 0) {
		reg = &s->mtrr_fixed[slot];
		ok = fixed_valid(*val);
	} else if (msr == MTRR_DEF_TYPE) {
		reg = &s->mtrr_def_type;
		ok = def_type_valid(*val);
	} else if (msr >= MTRR_PHYSBASE0 && msr < MTRR_PHYSBASE0 + 2 * VMX_MTRR_VAR_COUNT) {
		reg = &s->mtrr_var[msr - MTRR_PHYSBASE0];
		ok = var_valid(msr, *val, maxphyaddr);
	} else {
		return VCPU_MSR_GP;
	}
	if (!write) {
		*val = *reg;
		return VCPU_MSR_OK;
	}
	if (!ok)
		return VCPU_MSR_GP;
	*reg = *val;
	return VCPU_MSR_OK;
}

/*
 * MCG_STATUS and each bank's STATUS, ADDR and MISC read 0 (no machine check
 * is ever reported to a guest) and take writes of 0 only: a 1 in any bit
 * raises #GP (SDM Vol. 3B 16.3.1.2, 16.3.2.2-16.3.2.4). MCi_CTL keeps what
 * is written (16.3.2.1: software may enable any subset of error reports).
 */
enum vcpu_msr_result vmx_msr_mca(struct vmx_msr_state *s, uint32_t msr, bool write, uint64_t *val)
{
	unsigned bank = (msr - MC_BANK_BASE) / MC_REGS_PER_BANK;

	if (msr != MSR_MCG_STATUS && (msr < MC_BANK_BASE || bank >= VMX_MC_BANKS))
		return VCPU_MSR_GP;
	if (msr != MSR_MCG_STATUS && (msr - MC_BANK_BASE) % MC_REGS_PER_BANK == MC_REG_CTL) {
		if (write)
			s->mc_ctl[bank] = *val;
		else
			*val = s->mc_ctl[bank];
		return VCPU_MSR_OK;
	}
	if (!write) {
		*val = msr == MSR_MCG_STATUS ? s->mcg_status : 0;
		return VCPU_MSR_OK;
	}
	return *val ? VCPU_MSR_GP : VCPU_MSR_OK;
}

enum vcpu_msr_result vmx_msr_misc_enable(struct vmx_msr_state *s, bool write, uint64_t *val)
{
	if (!write) {
		*val = s->misc_enable;
		return VCPU_MSR_OK;
	}
	if (*val & ~(ME_WRITABLE | ME_READ_ONLY))
		return VCPU_MSR_GP;
	s->misc_enable = (s->misc_enable & ME_READ_ONLY) | (*val & ME_WRITABLE);
	return VCPU_MSR_OK;
}
