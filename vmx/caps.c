/* SPDX-License-Identifier: MIT */
/*
 * VMX capability MSRs: reading them once per CPU, decoding them (SDM Vol. 3D
 * Appendix A), the control bit names, the control-adjust arithmetic and the
 * short and full capability reports.
 */
#include <stddef.h>
#include "vmx/caps.h"
#include "arch/x86/cpu.h"
#include "lib/printk.h"
#include "lib/format.h"
#include "lib/string.h"

#define CTL_BITS 32
#define REPORT_WIDTH 96
#define REPORT_INDENT "      "

/* SDM 3C 25.6.1, Table 25-5. Unnamed bits are reserved (default1 or 0). */
const char *const vmx_pin_ctl_names[CTL_BITS] = {
	[0] = "external-interrupt exiting",
	[3] = "NMI exiting",
	[5] = "virtual NMIs",
	[6] = "activate VMX-preemption timer",
	[7] = "process posted interrupts",
};

/* SDM 3C 25.6.2, Table 25-6. */
const char *const vmx_proc_ctl_names[CTL_BITS] = {
	[2] = "interrupt-window exiting",
	[3] = "use TSC offsetting",
	[7] = "HLT exiting",
	[9] = "INVLPG exiting",
	[10] = "MWAIT exiting",
	[11] = "RDPMC exiting",
	[12] = "RDTSC exiting",
	[15] = "CR3-load exiting",
	[16] = "CR3-store exiting",
	[17] = "activate tertiary controls",
	[19] = "CR8-load exiting",
	[20] = "CR8-store exiting",
	[21] = "use TPR shadow",
	[22] = "NMI-window exiting",
	[23] = "MOV-DR exiting",
	[24] = "unconditional I/O exiting",
	[25] = "use I/O bitmaps",
	[27] = "monitor trap flag",
	[28] = "use MSR bitmaps",
	[29] = "MONITOR exiting",
	[30] = "PAUSE exiting",
	[31] = "activate secondary controls",
};

/* SDM 3C 25.6.2, Table 25-7. */
const char *const vmx_proc2_ctl_names[CTL_BITS] = {
	[0] = "virtualize APIC accesses",
	[1] = "enable EPT",
	[2] = "descriptor-table exiting",
	[3] = "enable RDTSCP",
	[4] = "virtualize x2APIC mode",
	[5] = "enable VPID",
	[6] = "WBINVD exiting",
	[7] = "unrestricted guest",
	[8] = "APIC-register virtualization",
	[9] = "virtual-interrupt delivery",
	[10] = "PAUSE-loop exiting",
	[11] = "RDRAND exiting",
	[12] = "enable INVPCID",
	[13] = "enable VM functions",
	[14] = "VMCS shadowing",
	[15] = "enable ENCLS exiting",
	[16] = "RDSEED exiting",
	[17] = "enable PML",
	[18] = "EPT-violation #VE",
	[19] = "conceal VMX from PT",
	[20] = "enable XSAVES/XRSTORS",
	[21] = "PASID translation",
	[22] = "mode-based execute control for EPT",
	[23] = "sub-page write permissions for EPT",
	[24] = "Intel PT uses guest physical addresses",
	[25] = "use TSC scaling",
	[26] = "enable user wait and pause",
	[27] = "enable PCONFIG",
	[28] = "enable ENCLV exiting",
	[30] = "VMM bus-lock detection",
	[31] = "instruction timeout",
};

/* SDM 3C 25.7.1, primary VM-exit controls. */
const char *const vmx_exit_ctl_names[CTL_BITS] = {
	[2] = "save debug controls",
	[9] = "host address-space size",
	[12] = "load IA32_PERF_GLOBAL_CTRL",
	[15] = "acknowledge interrupt on exit",
	[18] = "save IA32_PAT",
	[19] = "load IA32_PAT",
	[20] = "save IA32_EFER",
	[21] = "load IA32_EFER",
	[22] = "save VMX-preemption timer value",
	[23] = "clear IA32_BNDCFGS",
	[24] = "conceal VMX from PT",
	[25] = "clear IA32_RTIT_CTL",
	[26] = "clear IA32_LBR_CTL",
	[27] = "clear UINV",
	[28] = "load CET state",
	[29] = "load PKRS",
	[30] = "save IA32_PERF_GLOBAL_CTL",
	[31] = "activate secondary controls",
};

/* SDM 3C 25.8.1, VM-entry controls. */
const char *const vmx_entry_ctl_names[CTL_BITS] = {
	[2] = "load debug controls",
	[9] = "IA-32e mode guest",
	[10] = "entry to SMM",
	[11] = "deactivate dual-monitor treatment",
	[13] = "load IA32_PERF_GLOBAL_CTRL",
	[14] = "load IA32_PAT",
	[15] = "load IA32_EFER",
	[16] = "load IA32_BNDCFGS",
	[17] = "conceal VMX from PT",
	[18] = "load IA32_RTIT_CTL",
	[19] = "load UINV",
	[20] = "load CET state",
	[21] = "load guest IA32_LBR_CTL",
	[22] = "load PKRS",
};

static const char *const bit_numbers[CTL_BITS] = {
	"bit 0",  "bit 1",  "bit 2",  "bit 3",  "bit 4",  "bit 5",  "bit 6",  "bit 7",
	"bit 8",  "bit 9",  "bit 10", "bit 11", "bit 12", "bit 13", "bit 14", "bit 15",
	"bit 16", "bit 17", "bit 18", "bit 19", "bit 20", "bit 21", "bit 22", "bit 23",
	"bit 24", "bit 25", "bit 26", "bit 27", "bit 28", "bit 29", "bit 30", "bit 31",
};

static const char *const ctl_kind_names[VMX_CTL_KINDS] = {
	[VMX_CTL_PIN] = "pin-based",
	[VMX_CTL_PROC] = "primary processor-based",
	[VMX_CTL_PROC2] = "secondary processor-based",
	[VMX_CTL_EXIT] = "VM-exit",
	[VMX_CTL_ENTRY] = "VM-entry",
};

static const char *const *const ctl_name_tables[VMX_CTL_KINDS] = {
	[VMX_CTL_PIN] = vmx_pin_ctl_names,
	[VMX_CTL_PROC] = vmx_proc_ctl_names,
	[VMX_CTL_PROC2] = vmx_proc2_ctl_names,
	[VMX_CTL_EXIT] = vmx_exit_ctl_names,
	[VMX_CTL_ENTRY] = vmx_entry_ctl_names,
};

/* Every capability MSR with its name, for the raw dump and the cross-CPU diff. */
struct vmx_msr_desc {
	uint32_t index;
	const char *name;
	size_t offset;
};

#define MSR_DESC(idx, field) {MSR_##idx, #idx, offsetof(struct vmx_caps_msrs, field)}
static const struct vmx_msr_desc msr_descs[] = {
	MSR_DESC(IA32_VMX_BASIC, basic),
	MSR_DESC(IA32_VMX_PINBASED_CTLS, pinbased),
	MSR_DESC(IA32_VMX_PROCBASED_CTLS, procbased),
	MSR_DESC(IA32_VMX_EXIT_CTLS, exit),
	MSR_DESC(IA32_VMX_ENTRY_CTLS, entry),
	MSR_DESC(IA32_VMX_MISC, misc),
	MSR_DESC(IA32_VMX_CR0_FIXED0, cr0_fixed0),
	MSR_DESC(IA32_VMX_CR0_FIXED1, cr0_fixed1),
	MSR_DESC(IA32_VMX_CR4_FIXED0, cr4_fixed0),
	MSR_DESC(IA32_VMX_CR4_FIXED1, cr4_fixed1),
	MSR_DESC(IA32_VMX_VMCS_ENUM, vmcs_enum),
	MSR_DESC(IA32_VMX_PROCBASED_CTLS2, procbased2),
	MSR_DESC(IA32_VMX_EPT_VPID_CAP, ept_vpid_cap),
	MSR_DESC(IA32_VMX_TRUE_PINBASED_CTLS, true_pinbased),
	MSR_DESC(IA32_VMX_TRUE_PROCBASED_CTLS, true_procbased),
	MSR_DESC(IA32_VMX_TRUE_EXIT_CTLS, true_exit),
	MSR_DESC(IA32_VMX_TRUE_ENTRY_CTLS, true_entry),
	MSR_DESC(IA32_VMX_VMFUNC, vmfunc),
};
#undef MSR_DESC

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t msr_field(const struct vmx_caps_msrs *m, const struct vmx_msr_desc *d)
{
	uint64_t v;

	memcpy(&v, (const char *)m + d->offset, sizeof(v));
	return v;
}

const char *const *vmx_ctl_names(enum vmx_ctl_kind kind)
{
	if ((unsigned int)kind >= VMX_CTL_KINDS)
		return NULL;
	return ctl_name_tables[kind];
}

const char *vmx_ctl_kind_name(enum vmx_ctl_kind kind)
{
	if ((unsigned int)kind >= VMX_CTL_KINDS)
		return "unknown";
	return ctl_kind_names[kind];
}

const char *vmx_bit_label(const char *const *names, unsigned int bit)
{
	if (bit >= CTL_BITS)
		return "bit out of range";
	if (names && names[bit])
		return names[bit];
	return bit_numbers[bit];
}

static bool msr_allows1(uint64_t msr, uint32_t bit_mask)
{
	return ((msr >> 32) & bit_mask) != 0;
}

/* SDM 3D A.3.1-A.3.3: which conditional MSRs exist, from those read so far. */
void vmx_caps_read(struct vmx_caps *c)
{
	struct vmx_caps_msrs *m = &c->msr;
	struct cpuid_regs r;

	memset(c, 0, sizeof(*c));
	cpu_cpuid(1, 0, &r);
	c->present = (r.ecx & CPUID_1_ECX_VMX) != 0;
	if (!c->present)
		return;

	m->basic = cpu_rdmsr(MSR_IA32_VMX_BASIC);
	m->pinbased = cpu_rdmsr(MSR_IA32_VMX_PINBASED_CTLS);
	m->procbased = cpu_rdmsr(MSR_IA32_VMX_PROCBASED_CTLS);
	m->exit = cpu_rdmsr(MSR_IA32_VMX_EXIT_CTLS);
	m->entry = cpu_rdmsr(MSR_IA32_VMX_ENTRY_CTLS);
	m->misc = cpu_rdmsr(MSR_IA32_VMX_MISC);
	m->cr0_fixed0 = cpu_rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	m->cr0_fixed1 = cpu_rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	m->cr4_fixed0 = cpu_rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	m->cr4_fixed1 = cpu_rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	m->vmcs_enum = cpu_rdmsr(MSR_IA32_VMX_VMCS_ENUM);

	if (m->basic & VMX_BASIC_TRUE_CTLS) {
		m->true_pinbased = cpu_rdmsr(MSR_IA32_VMX_TRUE_PINBASED_CTLS);
		m->true_procbased = cpu_rdmsr(MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
		m->true_exit = cpu_rdmsr(MSR_IA32_VMX_TRUE_EXIT_CTLS);
		m->true_entry = cpu_rdmsr(MSR_IA32_VMX_TRUE_ENTRY_CTLS);
	}
	if (msr_allows1(m->procbased, VMX_PROC_SECONDARY_CTLS))
		m->procbased2 = cpu_rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
	if (msr_allows1(m->procbased2, VMX_PROC2_EPT | VMX_PROC2_VPID))
		m->ept_vpid_cap = cpu_rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	if (msr_allows1(m->procbased2, VMX_PROC2_VMFUNC))
		m->vmfunc = cpu_rdmsr(MSR_IA32_VMX_VMFUNC);
	vmx_caps_decode(c);
}

static void decode_basic(struct vmx_caps *c)
{
	uint64_t b = c->msr.basic;

	c->revision_id = (uint32_t)(b & VMX_BASIC_REVISION_MASK);
	c->region_size = (uint32_t)((b >> VMX_BASIC_SIZE_SHIFT) & VMX_BASIC_SIZE_MASK);
	c->mem_type = (uint8_t)((b >> VMX_BASIC_MEMTYPE_SHIFT) & VMX_BASIC_MEMTYPE_MASK);
	c->addr_32bit = (b & VMX_BASIC_ADDR32) != 0;
	c->dual_monitor = (b & VMX_BASIC_DUAL_MONITOR) != 0;
	c->ins_outs_info = (b & VMX_BASIC_INS_OUTS_INFO) != 0;
	c->true_ctls = (b & VMX_BASIC_TRUE_CTLS) != 0;
	c->entry_errcode_any = (b & VMX_BASIC_ENTRY_ERRCODE_ANY) != 0;
}

static void set_ctl(struct vmx_ctl_caps *ctl, uint64_t msr)
{
	ctl->msr = msr;
	ctl->allowed0 = (uint32_t)msr;
	ctl->allowed1 = (uint32_t)(msr >> 32);
}

/* SDM 3D A.3.1-A.3.3, A.4, A.5: the TRUE MSRs, when present, supersede the others. */
static void decode_controls(struct vmx_caps *c)
{
	const struct vmx_caps_msrs *m = &c->msr;
	bool t = c->true_ctls;

	set_ctl(&c->ctl[VMX_CTL_PIN], t ? m->true_pinbased : m->pinbased);
	set_ctl(&c->ctl[VMX_CTL_PROC], t ? m->true_procbased : m->procbased);
	set_ctl(&c->ctl[VMX_CTL_EXIT], t ? m->true_exit : m->exit);
	set_ctl(&c->ctl[VMX_CTL_ENTRY], t ? m->true_entry : m->entry);
	set_ctl(&c->ctl[VMX_CTL_PROC2],
		msr_allows1(m->procbased, VMX_PROC_SECONDARY_CTLS) ? m->procbased2 : 0);
}

static void decode_misc(struct vmx_caps *c)
{
	uint64_t v = c->msr.misc;
	struct vmx_misc_caps *misc = &c->misc;
	uint32_t list_n = (uint32_t)((v >> VMX_MISC_MSR_LIST_SHIFT) & VMX_MISC_MSR_LIST_MASK);

	misc->preemption_shift = (uint8_t)(v & VMX_MISC_PREEMPTION_SHIFT_MASK);
	misc->store_lma = (v & VMX_MISC_STORE_LMA) != 0;
	misc->act_hlt = (v & VMX_MISC_ACT_HLT) != 0;
	misc->act_shutdown = (v & VMX_MISC_ACT_SHUTDOWN) != 0;
	misc->act_wait_sipi = (v & VMX_MISC_ACT_WAIT_SIPI) != 0;
	misc->pt_in_vmx = (v & VMX_MISC_PT_IN_VMX) != 0;
	misc->smbase_read = (v & VMX_MISC_SMBASE_READ) != 0;
	misc->cr3_targets = (uint16_t)((v >> VMX_MISC_CR3_TARGETS_SHIFT) &
				       VMX_MISC_CR3_TARGETS_MASK);
	misc->max_msr_list = VMX_MISC_MSR_LIST_UNIT * (list_n + 1);
	misc->smm_monitor_ctl_b2 = (v & VMX_MISC_SMM_MONITOR_CTL_B2) != 0;
	misc->vmwrite_any = (v & VMX_MISC_VMWRITE_ANY) != 0;
	misc->inject_len0 = (v & VMX_MISC_INJECT_LEN0) != 0;
	misc->mseg_revision = (uint32_t)(v >> VMX_MISC_MSEG_SHIFT);
}

/* SDM 3D A.10: the EPT bits mean something only with "enable EPT", VPID bits with VPID. */
static void decode_ept_vpid(struct vmx_caps *c)
{
	uint64_t v = c->msr.ept_vpid_cap;
	uint32_t proc2 = c->ctl[VMX_CTL_PROC2].allowed1;
	struct vmx_ept_caps *e = &c->ept;
	struct vmx_vpid_caps *p = &c->vpid;

	if (proc2 & VMX_PROC2_EPT) {
		e->exec_only = (v & VMX_EPT_EXEC_ONLY) != 0;
		e->walk4 = (v & VMX_EPT_WALK_4) != 0;
		e->walk5 = (v & VMX_EPT_WALK_5) != 0;
		e->memtype_uc = (v & VMX_EPT_MEMTYPE_UC) != 0;
		e->memtype_wb = (v & VMX_EPT_MEMTYPE_WB) != 0;
		e->pages_2m = (v & VMX_EPT_PAGE_2M) != 0;
		e->pages_1g = (v & VMX_EPT_PAGE_1G) != 0;
		e->invept = (v & VMX_EPT_INVEPT) != 0;
		e->invept_single = e->invept && (v & VMX_EPT_INVEPT_SINGLE);
		e->invept_all = e->invept && (v & VMX_EPT_INVEPT_ALL);
		e->ad_bits = (v & VMX_EPT_AD_BITS) != 0;
		e->adv_exit_info = (v & VMX_EPT_ADV_EXIT_INFO) != 0;
	}
	if (proc2 & VMX_PROC2_VPID) {
		p->invvpid = (v & VMX_VPID_INVVPID) != 0;
		p->invvpid_addr = p->invvpid && (v & VMX_VPID_INVVPID_ADDR);
		p->invvpid_single = p->invvpid && (v & VMX_VPID_INVVPID_SINGLE);
		p->invvpid_all = p->invvpid && (v & VMX_VPID_INVVPID_ALL);
		p->invvpid_single_globals = p->invvpid && (v & VMX_VPID_INVVPID_SINGLE_GLOBALS);
	}
}

static void decode_features(struct vmx_caps *c)
{
	uint32_t pin = c->ctl[VMX_CTL_PIN].allowed1;
	uint32_t proc = c->ctl[VMX_CTL_PROC].allowed1;
	uint32_t proc2 = c->ctl[VMX_CTL_PROC2].allowed1;
	struct vmx_features *f = &c->has;

	f->secondary_ctls = (proc & VMX_PROC_SECONDARY_CTLS) != 0;
	f->ept = (proc2 & VMX_PROC2_EPT) != 0;
	f->vpid = (proc2 & VMX_PROC2_VPID) != 0;
	/* SDM 3C 27.2.1.1: unrestricted guest requires enable EPT. */
	f->unrestricted_guest = f->ept && (proc2 & VMX_PROC2_UNRESTRICTED_GUEST);
	f->preemption_timer = (pin & VMX_PIN_PREEMPTION_TIMER) != 0;
	f->msr_bitmaps = (proc & VMX_PROC_MSR_BITMAPS) != 0;
	f->io_bitmaps = (proc & VMX_PROC_IO_BITMAPS) != 0;
	f->hlt_exiting = (proc & VMX_PROC_HLT_EXITING) != 0;
	f->true_ctls = c->true_ctls;
	f->ept_wb_4level = f->ept && c->ept.walk4 && c->ept.memtype_wb;
	f->ept_2m = f->ept && c->ept.pages_2m;
	f->ept_1g = f->ept && c->ept.pages_1g;
	f->ept_ad = f->ept && c->ept.ad_bits;
	f->invept_single = c->ept.invept_single;
	f->invept_all = c->ept.invept_all;
	f->invvpid = c->vpid.invvpid;
	f->vmfunc = (proc2 & VMX_PROC2_VMFUNC) && c->msr.vmfunc != 0;
}

void vmx_caps_decode(struct vmx_caps *c)
{
	struct vmx_caps_msrs raw = c->msr;
	bool present = c->present;

	memset(c, 0, sizeof(*c));
	c->present = present;
	c->msr = raw;
	if (!present)
		return;
	decode_basic(c);
	decode_controls(c);
	decode_misc(c);
	c->vmcs_max_index = (uint16_t)((raw.vmcs_enum >> VMX_VMCS_ENUM_INDEX_SHIFT) &
				       VMX_VMCS_ENUM_INDEX_MASK);
	decode_ept_vpid(c);
	c->vmfunc = (c->ctl[VMX_CTL_PROC2].allowed1 & VMX_PROC2_VMFUNC) ? raw.vmfunc : 0;
	decode_features(c);
}

static void name_lowest(uint32_t bits, const char *const *names, const char **failed)
{
	if (failed)
		*failed = vmx_bit_label(names, (unsigned int)__builtin_ctz(bits));
}

enum err vmx_adjust_controls(uint64_t cap_msr, uint32_t requested, uint32_t optional,
			     uint32_t *out, const char *const *bit_names,
			     const char **failed_bit_name)
{
	uint32_t must1 = (uint32_t)cap_msr;
	uint32_t may1 = (uint32_t)(cap_msr >> 32);
	uint32_t bad;

	bad = must1 & ~may1;
	if (bad) {
		name_lowest(bad, bit_names, failed_bit_name);
		return E_MALFORMED;
	}
	bad = requested & ~may1;
	if (bad) {
		name_lowest(bad, bit_names, failed_bit_name);
		return E_NOTSUP;
	}
	*out = (requested | (optional & may1) | must1) & may1;
	if (failed_bit_name)
		*failed_bit_name = NULL;
	return E_OK;
}

enum err vmx_caps_adjust(const struct vmx_caps *c, enum vmx_ctl_kind kind, uint32_t requested,
			 uint32_t optional, uint32_t *out, const char **failed_bit_name)
{
	if ((unsigned int)kind >= VMX_CTL_KINDS)
		return E_INVAL;
	return vmx_adjust_controls(c->ctl[kind].msr, requested, optional, out,
				   ctl_name_tables[kind], failed_bit_name);
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

void vmx_caps_print_short(const struct vmx_caps *c)
{
	const struct vmx_features *f = &c->has;
	char timer[24];

	if (!c->present) {
		pr_info("VMX: not available: this CPU has no VT-x\n");
		return;
	}
	if (f->preemption_timer)
		fmt_snprintf(timer, sizeof(timer), "yes (TSC>>%u)", c->misc.preemption_shift);
	else
		fmt_snprintf(timer, sizeof(timer), "no");
	pr_info("VMX rev %#x: EPT %s, VPID %s, unrestricted guest %s, preemption timer %s\n",
		c->revision_id, yes_no(f->ept), yes_no(f->vpid), yes_no(f->unrestricted_guest),
		timer);
	pr_info("VMX: EPT 4-level WB %s, 2M %s, 1G %s, A/D %s, INVEPT single %s all %s, "
		"INVVPID %s\n",
		yes_no(f->ept_wb_4level), yes_no(f->ept_2m), yes_no(f->ept_1g), yes_no(f->ept_ad),
		yes_no(f->invept_single), yes_no(f->invept_all), yes_no(f->invvpid));
	pr_info("VMX: MSR bitmaps %s, I/O bitmaps %s, HLT exiting %s, TRUE controls %s, "
		"VMFUNC %s\n",
		yes_no(f->msr_bitmaps), yes_no(f->io_bitmaps), yes_no(f->hlt_exiting),
		yes_no(f->true_ctls), yes_no(f->vmfunc));
}

/* A report line that wraps at REPORT_WIDTH, continuing with REPORT_INDENT. */
struct report_line {
	char buf[REPORT_WIDTH + 64];
	size_t len;
	bool empty;
};

static void line_start(struct report_line *l, const char *head)
{
	l->len = (size_t)fmt_snprintf(l->buf, sizeof(l->buf), "%s", head);
	l->empty = true;
}

static void line_flush(struct report_line *l)
{
	pr_info("%s\n", l->buf);
	line_start(l, REPORT_INDENT);
}

static void line_add(struct report_line *l, const char *word)
{
	size_t need = strlen(word) + 2;

	if (!l->empty && l->len + need > REPORT_WIDTH)
		line_flush(l);
	l->len += (size_t)fmt_snprintf(l->buf + l->len, sizeof(l->buf) - l->len, "%s%s",
				       l->empty ? "" : ", ", word);
	if (l->len >= sizeof(l->buf))
		l->len = sizeof(l->buf) - 1;
	l->empty = false;
}

static void print_bits(const char *head, uint32_t bits, const char *const *names)
{
	struct report_line l;
	unsigned int bit;

	line_start(&l, head);
	if (!bits)
		line_add(&l, "none");
	for (bit = 0; bit < CTL_BITS; bit++)
		if (bits & (1u << bit))
			line_add(&l, vmx_bit_label(names, bit));
	pr_info("%s\n", l.buf);
}

static void print_ctl(const struct vmx_caps *c, enum vmx_ctl_kind kind)
{
	const struct vmx_ctl_caps *ctl = &c->ctl[kind];

	pr_info("  %s controls (%#018llx):\n", ctl_kind_names[kind],
		(unsigned long long)ctl->msr);
	print_bits("    must be 1: ", ctl->allowed0, ctl_name_tables[kind]);
	print_bits("    may be 1:  ", ctl->allowed1, ctl_name_tables[kind]);
}

static void print_basic_misc(const struct vmx_caps *c)
{
	const struct vmx_misc_caps *m = &c->misc;

	pr_info("  basic: revision %#x, region %u bytes, memory type %u%s, 32-bit addresses %s\n",
		c->revision_id, c->region_size, c->mem_type,
		c->mem_type == VMX_MEMTYPE_WB ? " (WB)" : "", yes_no(c->addr_32bit));
	pr_info("         dual-monitor SMM %s, INS/OUTS info %s, TRUE controls %s, "
		"VMCS highest index %#x\n",
		yes_no(c->dual_monitor), yes_no(c->ins_outs_info), yes_no(c->true_ctls),
		c->vmcs_max_index);
	pr_info("  misc: preemption timer TSC>>%u, activity HLT %s shutdown %s wait-for-SIPI %s\n",
		m->preemption_shift, yes_no(m->act_hlt), yes_no(m->act_shutdown),
		yes_no(m->act_wait_sipi));
	pr_info("        CR3 targets %u, MSR list max %u, exit stores LMA %s, "
		"VMWRITE any field %s\n",
		m->cr3_targets, m->max_msr_list, yes_no(m->store_lma), yes_no(m->vmwrite_any));
	pr_info("        inject length 0 %s, PT in VMX %s, MSEG revision %#x\n",
		yes_no(m->inject_len0), yes_no(m->pt_in_vmx), m->mseg_revision);
	pr_info("  CR0 fixed0 %#llx fixed1 %#llx, CR4 fixed0 %#llx fixed1 %#llx\n",
		(unsigned long long)c->msr.cr0_fixed0, (unsigned long long)c->msr.cr0_fixed1,
		(unsigned long long)c->msr.cr4_fixed0, (unsigned long long)c->msr.cr4_fixed1);
}

static void print_ept_vpid(const struct vmx_caps *c)
{
	const struct vmx_ept_caps *e = &c->ept;
	const struct vmx_vpid_caps *p = &c->vpid;

	pr_info("  EPT: %s; execute-only %s, 4-level %s, 5-level %s, UC %s, WB %s, 2M %s, 1G %s, "
		"A/D %s\n",
		yes_no(c->has.ept), yes_no(e->exec_only), yes_no(e->walk4), yes_no(e->walk5),
		yes_no(e->memtype_uc), yes_no(e->memtype_wb), yes_no(e->pages_2m),
		yes_no(e->pages_1g), yes_no(e->ad_bits));
	pr_info("       INVEPT %s (single-context %s, all-context %s), advanced exit info %s\n",
		yes_no(e->invept), yes_no(e->invept_single), yes_no(e->invept_all),
		yes_no(e->adv_exit_info));
	pr_info("  VPID: %s; INVVPID %s (address %s, single-context %s, all-context %s,\n",
		yes_no(c->has.vpid), yes_no(p->invvpid), yes_no(p->invvpid_addr),
		yes_no(p->invvpid_single), yes_no(p->invvpid_all));
	pr_info("        single-context keeping globals %s)\n",
		yes_no(p->invvpid_single_globals));
	pr_info("  VM functions %#llx: EPTP switching %s\n", (unsigned long long)c->vmfunc,
		yes_no(c->vmfunc & VMX_VMFUNC_EPTP_SWITCHING));
}

void vmx_caps_print_full(const struct vmx_caps *c)
{
	size_t i;
	enum vmx_ctl_kind k;

	pr_info("VMX capabilities (SDM Vol. 3D Appendix A):\n");
	if (!c->present) {
		pr_info("  not available: this CPU has no VT-x (CPUID.1:ECX bit 5 is 0)\n");
		return;
	}
	for (i = 0; i < ARRAY_LEN(msr_descs); i++)
		pr_info("  %#x %-32s %#018llx\n", msr_descs[i].index, msr_descs[i].name,
			(unsigned long long)msr_field(&c->msr, &msr_descs[i]));
	print_basic_misc(c);
	for (k = 0; k < VMX_CTL_KINDS; k++)
		print_ctl(c, k);
	print_ept_vpid(c);
	vmx_caps_print_short(c);
}

bool vmx_caps_equal(const struct vmx_caps *a, const struct vmx_caps *b)
{
	size_t i;

	if (a->present != b->present)
		return false;
	for (i = 0; i < ARRAY_LEN(msr_descs); i++)
		if (msr_field(&a->msr, &msr_descs[i]) != msr_field(&b->msr, &msr_descs[i]))
			return false;
	return true;
}

unsigned int vmx_caps_print_diff(const struct vmx_caps *a, uint32_t cpu_a,
				 const struct vmx_caps *b, uint32_t cpu_b)
{
	unsigned int n = 0;
	size_t i;

	if (a->present != b->present) {
		pr_warn("VMX: capability mismatch: CPU %u %s VT-x, CPU %u %s\n", cpu_a,
			a->present ? "has" : "lacks", cpu_b, b->present ? "has" : "lacks");
		return 1;
	}
	for (i = 0; i < ARRAY_LEN(msr_descs); i++) {
		uint64_t va = msr_field(&a->msr, &msr_descs[i]);
		uint64_t vb = msr_field(&b->msr, &msr_descs[i]);

		if (va == vb)
			continue;
		pr_warn("VMX: capability mismatch: %s (%#x) is %#llx on CPU %u but %#llx on "
			"CPU %u\n",
			msr_descs[i].name, msr_descs[i].index, (unsigned long long)va, cpu_a,
			(unsigned long long)vb, cpu_b);
		n++;
	}
	return n;
}
