/* SPDX-License-Identifier: MIT */
/*
 * The CPUID policy tables (SDM Vol. 2A CPUID, Tables 3-8 "Information
 * Returned by CPUID Instruction", 3-10 and 3-11 feature flags): every leaf a
 * guest can ask, and every feature bit of the leaves whose bits Vireo
 * vets. A feature is offered only where its instructions work in the guest
 * and its MSRs are handled; bits no rule names read 0, so a feature added to
 * future CPUs is hidden until someone vets it here.
 */
#include "guest/cpuid_policy.h"

#define ALL 0xffffffffu
#define LOW16 0xffffu
#define HIGH16 0xffff0000u

/* Reasons shared by several rules. */
#define WHY_ISA "an instruction-set extension that runs natively"
#define WHY_MSRS "its MSRs are not offered to guests"
#define WHY_AVX "needs the AVX state, which the vCPU's XSAVE area holds where the CPU has it"
#define WHY_AVX512 "XCR0 opmask/ZMM state is not switched per vCPU (guest/xstate.c)"
#define WHY_AMX "XCR0 tile state is not switched per vCPU"
#define WHY_SPEC "mitigation MSR handled per vCPU where the CPU has it (vmx/spec.c)"
#define WHY_PT "Intel PT is not virtualised"
#define WHY_SGX "SGX is not virtualised"
#define WHY_CET "CET needs IA32_XSS supervisor state, not offered"
#define WHY_PAGING "guest paging feature; runs natively under EPT"
#define WHY_MPX "MPX state (XCR0 bits 3-4) is not offered"

static const struct cpuid_leaf_rule leaves[] = {
    {0x0, CPUID_LEAF_BITS, false, "maximum leaf, vendor", "maximum capped at 1FH"},
    {0x1, CPUID_LEAF_BITS, false, "version and features", "see the bit table"},
    {0x2, CPUID_LEAF_PASS, false, "TLB/cache descriptors", "describes the host's caches"},
    {0x3, CPUID_LEAF_ZERO, false, "processor serial number", "PSN is hidden"},
    {0x4, CPUID_LEAF_TOPOLOGY, true, "deterministic cache parameters",
     "the host's caches; cores sharing them from the VM's vCPU count"},
    {0x5, CPUID_LEAF_ZERO, false, "MONITOR/MWAIT", "MONITOR/MWAIT exit and raise #UD"},
    {0x6, CPUID_LEAF_BITS, false, "thermal and power management", "only ARAT: the vLAPIC timer"},
    {0x7, CPUID_LEAF_BITS, true, "structured extended features",
     "subleaves 0 and 1; see the bit table"},
    {0x9, CPUID_LEAF_ZERO, false, "direct cache access", "DCA is not offered"},
    {0xa, CPUID_LEAF_ZERO, false, "architectural performance monitoring",
     "no counters: RDPMC raises #GP"},
    {0xb, CPUID_LEAF_TOPOLOGY, true, "extended topology", "one package of the VM's vCPUs"},
    {0xd, CPUID_LEAF_XSTATE, true, "processor extended state",
     "the components guests may enable (guest/xstate.c)"},
    {0xf, CPUID_LEAF_ZERO, false, "RDT monitoring", WHY_MSRS},
    {0x10, CPUID_LEAF_ZERO, false, "RDT allocation", WHY_MSRS},
    {0x12, CPUID_LEAF_ZERO, false, "SGX", WHY_SGX},
    {0x14, CPUID_LEAF_ZERO, false, "processor trace", WHY_PT},
    {0x15, CPUID_LEAF_MEASURED, false, "TSC/crystal ratio", "crystal = measured TSC Hz, ratio 1/1"},
    {0x16, CPUID_LEAF_MEASURED, false, "processor frequency",
     "base and maximum = measured TSC MHz"},
    {0x18, CPUID_LEAF_PASS, true, "address translation parameters", "describes the host's TLBs"},
    {0x1a, CPUID_LEAF_PASS, false, "hybrid core type", "the host core's type"},
    {0x1f, CPUID_LEAF_TOPOLOGY, true, "V2 extended topology", "as leaf 0BH"},
    {0x80000000, CPUID_LEAF_BITS, false, "maximum extended leaf", "capped at 80000008H"},
    {0x80000001, CPUID_LEAF_BITS, false, "extended features", "see the bit table"},
    {0x80000002, CPUID_LEAF_PASS, false, "brand string 1", "the host's brand"},
    {0x80000003, CPUID_LEAF_PASS, false, "brand string 2", "the host's brand"},
    {0x80000004, CPUID_LEAF_PASS, false, "brand string 3", "the host's brand"},
    {0x80000005, CPUID_LEAF_PASS, false, "reserved", "the host's value"},
    {0x80000006, CPUID_LEAF_PASS, false, "L2 cache", "the host's cache"},
    {0x80000007, CPUID_LEAF_BITS, false, "invariant TSC", "see the bit table"},
    {0x80000008, CPUID_LEAF_BITS, false, "address sizes", "see the bit table"},
};

#define R(l, s, r, bit, act, need, name, why)                                                      \
	{                                                                                          \
		l, s, CPUID_##r, act, 1u << (bit), need, name, why                                 \
	}
#define P(l, s, r, bit, name, why) R(l, s, r, bit, CPUID_PASS, 0, name, why)
#define H(l, s, r, bit, name, why) R(l, s, r, bit, CPUID_HIDE, 0, name, why)
#define N(l, s, r, bit, need, name, why) R(l, s, r, bit, CPUID_NEEDS, need, name, why)
#define F(l, s, r, mask, act, name, why)                                                           \
	{                                                                                          \
		l, s, CPUID_##r, act, mask, 0, name, why                                           \
	}

static const struct cpuid_bit_rule bits[] = {
    F(0x0, 0, EAX, ALL, CPUID_CLAMP, "maximum basic leaf", "leaves above 1FH are not vetted"),
    F(0x0, 0, EBX, ALL, CPUID_PASS, "vendor", "the host's vendor"),
    F(0x0, 0, ECX, ALL, CPUID_PASS, "vendor", "the host's vendor"),
    F(0x0, 0, EDX, ALL, CPUID_PASS, "vendor", "the host's vendor"),
    F(0x1, 0, EAX, ALL, CPUID_PASS, "family/model/stepping", "the host's"),
    F(0x1, 0, EBX, LOW16, CPUID_PASS, "brand index, CLFLUSH size", "the host's"),
    F(0x1, 0, EBX, HIGH16, CPUID_VM, "logical CPU count, APIC ID", "the VM's topology"),
    P(0x1, 0, ECX, 0, "SSE3", WHY_ISA),
    P(0x1, 0, ECX, 1, "PCLMULQDQ", WHY_ISA),
    H(0x1, 0, ECX, 2, "DTES64", "debug store is not offered"),
    H(0x1, 0, ECX, 3, "MONITOR", "MONITOR/MWAIT exit and raise #UD"),
    H(0x1, 0, ECX, 4, "DS-CPL", "debug store is not offered"),
    H(0x1, 0, ECX, 5, "VMX", "no nested VMX"),
    H(0x1, 0, ECX, 6, "SMX", "GETSEC is not offered"),
    H(0x1, 0, ECX, 7, "EIST", WHY_MSRS),
    H(0x1, 0, ECX, 8, "TM2", WHY_MSRS),
    P(0x1, 0, ECX, 9, "SSSE3", WHY_ISA),
    H(0x1, 0, ECX, 10, "CNXT-ID", "IA32_MISC_ENABLE bit 24 is not offered"),
    H(0x1, 0, ECX, 11, "SDBG", WHY_MSRS),
    N(0x1, 0, ECX, 12, CPUID_NEED_AVX, "FMA", WHY_AVX),
    P(0x1, 0, ECX, 13, "CMPXCHG16B", WHY_ISA),
    H(0x1, 0, ECX, 14, "xTPR update control", WHY_MSRS),
    H(0x1, 0, ECX, 15, "PDCM", "IA32_PERF_CAPABILITIES is not offered"),
    P(0x1, 0, ECX, 17, "PCID", WHY_PAGING),
    H(0x1, 0, ECX, 18, "DCA", "DCA is not offered"),
    P(0x1, 0, ECX, 19, "SSE4.1", WHY_ISA),
    P(0x1, 0, ECX, 20, "SSE4.2", WHY_ISA),
    R(0x1, 0, ECX, 21, CPUID_SET, 0, "x2APIC", "the vLAPIC offers x2APIC mode"),
    P(0x1, 0, ECX, 22, "MOVBE", WHY_ISA),
    P(0x1, 0, ECX, 23, "POPCNT", WHY_ISA),
    R(0x1, 0, ECX, 24, CPUID_SET, 0, "TSC-deadline", "the vLAPIC offers the TSC-deadline timer"),
    P(0x1, 0, ECX, 25, "AESNI", WHY_ISA),
    P(0x1, 0, ECX, 26, "XSAVE", "XSETBV exits and is checked; Vireo needs XSAVE"),
    R(0x1, 0, ECX, 27, CPUID_CR4, 0, "OSXSAVE", "the guest's CR4.OSXSAVE"),
    N(0x1, 0, ECX, 28, CPUID_NEED_AVX, "AVX", WHY_AVX),
    N(0x1, 0, ECX, 29, CPUID_NEED_AVX, "F16C", WHY_AVX),
    P(0x1, 0, ECX, 30, "RDRAND", WHY_ISA),
    R(0x1, 0, ECX, 31, CPUID_SET, 0, "hypervisor", "the guest runs under Vireo"),
    P(0x1, 0, EDX, 0, "FPU", WHY_ISA),
    P(0x1, 0, EDX, 1, "VME", "virtual-8086 extensions run natively"),
    P(0x1, 0, EDX, 2, "DE", "debugging extensions (CR4.DE) run natively"),
    P(0x1, 0, EDX, 3, "PSE", WHY_PAGING),
    P(0x1, 0, EDX, 4, "TSC", "RDTSC runs natively with the vCPU's TSC offset"),
    P(0x1, 0, EDX, 5, "MSR", "RDMSR/WRMSR exit to the MSR model"),
    P(0x1, 0, EDX, 6, "PAE", WHY_PAGING),
    P(0x1, 0, EDX, 7, "MCE", "#MC is an exception vector; none is ever raised"),
    P(0x1, 0, EDX, 8, "CX8", WHY_ISA),
    R(0x1, 0, EDX, 9, CPUID_VM, 0, "APIC", "the vLAPIC, while IA32_APIC_BASE enables it"),
    P(0x1, 0, EDX, 11, "SEP", "SYSENTER MSRs in the VMCS"),
    N(0x1, 0, EDX, 12, CPUID_NEED_MTRR, "MTRR", "the MTRR MSRs must be emulated"),
    P(0x1, 0, EDX, 13, "PGE", WHY_PAGING),
    N(0x1, 0, EDX, 14, CPUID_NEED_MCA, "MCA", "MCG_CAP and the banks must be emulated"),
    P(0x1, 0, EDX, 15, "CMOV", WHY_ISA),
    P(0x1, 0, EDX, 16, "PAT", "IA32_PAT in the VMCS"),
    P(0x1, 0, EDX, 17, "PSE-36", WHY_PAGING),
    H(0x1, 0, EDX, 18, "PSN", "PSN is hidden"),
    P(0x1, 0, EDX, 19, "CLFSH", WHY_ISA),
    H(0x1, 0, EDX, 21, "DS", "debug store is not offered"),
    H(0x1, 0, EDX, 22, "ACPI thermal", WHY_MSRS),
    P(0x1, 0, EDX, 23, "MMX", WHY_ISA),
    P(0x1, 0, EDX, 24, "FXSR", WHY_ISA),
    P(0x1, 0, EDX, 25, "SSE", WHY_ISA),
    P(0x1, 0, EDX, 26, "SSE2", WHY_ISA),
    P(0x1, 0, EDX, 27, "SS", "self snoop describes the caches"),
    R(0x1, 0, EDX, 28, CPUID_VM, 0, "HTT", "set when the VM has more than one vCPU"),
    H(0x1, 0, EDX, 29, "TM", WHY_MSRS),
    H(0x1, 0, EDX, 31, "PBE", WHY_MSRS),
    R(0x6, 0, EAX, 2, CPUID_SET, 0, "ARAT", "the vLAPIC timer never stops"),
    F(0x7, 0, EAX, ALL, CPUID_CLAMP, "maximum subleaf", "subleaves above 1 are not vetted"),
    P(0x7, 0, EBX, 0, "FSGSBASE", WHY_ISA),
    N(0x7, 0, EBX, 1, CPUID_NEED_TSC_ADJUST, "TSC_ADJUST", "IA32_TSC_ADJUST must be emulated"),
    H(0x7, 0, EBX, 2, "SGX", WHY_SGX),
    P(0x7, 0, EBX, 3, "BMI1", WHY_ISA),
    P(0x7, 0, EBX, 4, "HLE", WHY_ISA),
    N(0x7, 0, EBX, 5, CPUID_NEED_AVX, "AVX2", WHY_AVX),
    P(0x7, 0, EBX, 6, "FDP_EXCPTN_ONLY", "describes the FPU"),
    P(0x7, 0, EBX, 7, "SMEP", WHY_PAGING),
    P(0x7, 0, EBX, 8, "BMI2", WHY_ISA),
    P(0x7, 0, EBX, 9, "ERMS", WHY_ISA),
    N(0x7, 0, EBX, 10, CPUID_NEED_INVPCID, "INVPCID", "INVPCID #UDs unless the control is on"),
    P(0x7, 0, EBX, 11, "RTM", WHY_ISA),
    H(0x7, 0, EBX, 12, "RDT-M", WHY_MSRS),
    P(0x7, 0, EBX, 13, "FPU CS/DS deprecated", "describes the FPU"),
    H(0x7, 0, EBX, 14, "MPX", WHY_MPX),
    H(0x7, 0, EBX, 15, "RDT-A", WHY_MSRS),
    N(0x7, 0, EBX, 16, CPUID_NEED_AVX512, "AVX512F", WHY_AVX512),
    N(0x7, 0, EBX, 17, CPUID_NEED_AVX512, "AVX512DQ", WHY_AVX512),
    P(0x7, 0, EBX, 18, "RDSEED", WHY_ISA),
    P(0x7, 0, EBX, 19, "ADX", WHY_ISA),
    P(0x7, 0, EBX, 20, "SMAP", WHY_PAGING),
    N(0x7, 0, EBX, 21, CPUID_NEED_AVX512, "AVX512_IFMA", WHY_AVX512),
    P(0x7, 0, EBX, 23, "CLFLUSHOPT", WHY_ISA),
    P(0x7, 0, EBX, 24, "CLWB", WHY_ISA),
    H(0x7, 0, EBX, 25, "Intel PT", WHY_PT),
    N(0x7, 0, EBX, 26, CPUID_NEED_AVX512, "AVX512PF", WHY_AVX512),
    N(0x7, 0, EBX, 27, CPUID_NEED_AVX512, "AVX512ER", WHY_AVX512),
    N(0x7, 0, EBX, 28, CPUID_NEED_AVX512, "AVX512CD", WHY_AVX512),
    P(0x7, 0, EBX, 29, "SHA", WHY_ISA),
    N(0x7, 0, EBX, 30, CPUID_NEED_AVX512, "AVX512BW", WHY_AVX512),
    N(0x7, 0, EBX, 31, CPUID_NEED_AVX512, "AVX512VL", WHY_AVX512),
    P(0x7, 0, ECX, 0, "PREFETCHWT1", WHY_ISA),
    N(0x7, 0, ECX, 1, CPUID_NEED_AVX512, "AVX512_VBMI", WHY_AVX512),
    P(0x7, 0, ECX, 2, "UMIP", "CR4.UMIP runs natively"),
    N(0x7, 0, ECX, 3, CPUID_NEED_PKRU, "PKU", "PKRU must be in the vCPU's XSAVE area"),
    R(0x7, 0, ECX, 4, CPUID_CR4, 0, "OSPKE", "the guest's CR4.PKE"),
    H(0x7, 0, ECX, 5, "WAITPKG", "UMWAIT/TPAUSE could park a host core"),
    N(0x7, 0, ECX, 6, CPUID_NEED_AVX512, "AVX512_VBMI2", WHY_AVX512),
    H(0x7, 0, ECX, 7, "CET_SS", WHY_CET),
    P(0x7, 0, ECX, 8, "GFNI", WHY_ISA),
    N(0x7, 0, ECX, 9, CPUID_NEED_AVX, "VAES", WHY_AVX),
    N(0x7, 0, ECX, 10, CPUID_NEED_AVX, "VPCLMULQDQ", WHY_AVX),
    N(0x7, 0, ECX, 11, CPUID_NEED_AVX512, "AVX512_VNNI", WHY_AVX512),
    N(0x7, 0, ECX, 12, CPUID_NEED_AVX512, "AVX512_BITALG", WHY_AVX512),
    H(0x7, 0, ECX, 13, "TME", WHY_MSRS),
    N(0x7, 0, ECX, 14, CPUID_NEED_AVX512, "AVX512_VPOPCNTDQ", WHY_AVX512),
    P(0x7, 0, ECX, 16, "LA57", WHY_PAGING),
    N(0x7, 0, ECX, 22, CPUID_NEED_RDTSCP, "RDPID", "reads TSC_AUX; #UD unless RDTSCP is on"),
    H(0x7, 0, ECX, 23, "KL", "Key Locker is not offered"),
    H(0x7, 0, ECX, 24, "BUS_LOCK_DETECT", WHY_MSRS),
    P(0x7, 0, ECX, 25, "CLDEMOTE", WHY_ISA),
    P(0x7, 0, ECX, 27, "MOVDIRI", WHY_ISA),
    P(0x7, 0, ECX, 28, "MOVDIR64B", WHY_ISA),
    H(0x7, 0, ECX, 29, "ENQCMD", "PASID state is not offered"),
    H(0x7, 0, ECX, 30, "SGX_LC", WHY_SGX),
    N(0x7, 0, EDX, 2, CPUID_NEED_AVX512, "AVX512_4VNNIW", WHY_AVX512),
    N(0x7, 0, EDX, 3, CPUID_NEED_AVX512, "AVX512_4FMAPS", WHY_AVX512),
    P(0x7, 0, EDX, 4, "FSRM", WHY_ISA),
    H(0x7, 0, EDX, 5, "UINTR", "user interrupts are not offered"),
    N(0x7, 0, EDX, 8, CPUID_NEED_AVX512, "AVX512_VP2INTERSECT", WHY_AVX512),
    H(0x7, 0, EDX, 9, "SRBDS_CTRL", WHY_MSRS),
    P(0x7, 0, EDX, 10, "MD_CLEAR", "VERW clears buffers natively"),
    P(0x7, 0, EDX, 11, "RTM_ALWAYS_ABORT", "describes RTM"),
    H(0x7, 0, EDX, 13, "RTM_FORCE_ABORT", WHY_MSRS),
    P(0x7, 0, EDX, 14, "SERIALIZE", WHY_ISA),
    P(0x7, 0, EDX, 15, "Hybrid", "describes the host CPU"),
    P(0x7, 0, EDX, 16, "TSXLDTRK", WHY_ISA),
    H(0x7, 0, EDX, 18, "PCONFIG", "PCONFIG is not offered"),
    H(0x7, 0, EDX, 19, "Arch LBR", WHY_MSRS),
    H(0x7, 0, EDX, 20, "CET_IBT", WHY_CET),
    H(0x7, 0, EDX, 22, "AMX-BF16", WHY_AMX),
    N(0x7, 0, EDX, 23, CPUID_NEED_AVX512, "AVX512_FP16", WHY_AVX512),
    H(0x7, 0, EDX, 24, "AMX-TILE", WHY_AMX),
    H(0x7, 0, EDX, 25, "AMX-INT8", WHY_AMX),
    P(0x7, 0, EDX, 26, "IBRS/IBPB", WHY_SPEC),
    P(0x7, 0, EDX, 27, "STIBP", WHY_SPEC),
    P(0x7, 0, EDX, 28, "L1D_FLUSH", WHY_SPEC),
    P(0x7, 0, EDX, 29, "ARCH_CAPABILITIES", WHY_SPEC),
    H(0x7, 0, EDX, 30, "CORE_CAPABILITIES", WHY_MSRS),
    P(0x7, 0, EDX, 31, "SSBD", WHY_SPEC),
    N(0x7, 1, EAX, 4, CPUID_NEED_AVX, "AVX-VNNI", WHY_AVX),
    N(0x7, 1, EAX, 5, CPUID_NEED_AVX512, "AVX512_BF16", WHY_AVX512),
    P(0x7, 1, EAX, 10, "fast zero-length MOVSB", WHY_ISA),
    P(0x7, 1, EAX, 11, "fast short STOSB", WHY_ISA),
    P(0x7, 1, EAX, 12, "fast short CMPSB/SCASB", WHY_ISA),
    H(0x7, 1, EAX, 22, "HRESET", WHY_MSRS),
    F(0x80000000, 0, EAX, ALL, CPUID_CLAMP, "maximum extended leaf", "above 80000008H not vetted"),
    P(0x80000001, 0, ECX, 0, "LAHF/SAHF", WHY_ISA),
    P(0x80000001, 0, ECX, 5, "LZCNT", WHY_ISA),
    P(0x80000001, 0, ECX, 8, "PREFETCHW", WHY_ISA),
    R(0x80000001, 0, EDX, 11, CPUID_LONG, 0, "SYSCALL",
      "Intel CPUs report it in 64-bit mode only; the SYSCALL MSRs are per vCPU"),
    P(0x80000001, 0, EDX, 20, "NX", WHY_PAGING),
    P(0x80000001, 0, EDX, 26, "1 GiB pages", WHY_PAGING),
    N(0x80000001, 0, EDX, 27, CPUID_NEED_RDTSCP, "RDTSCP", "TSC_AUX is switched per vCPU"),
    P(0x80000001, 0, EDX, 29, "LM", "64-bit guests"),
    P(0x80000007, 0, EDX, 8, "invariant TSC", "the vCPU's TSC keeps the host's rate"),
    F(0x80000008, 0, EAX, LOW16, CPUID_PASS, "address sizes", "the host's"),
    P(0x80000008, 0, EBX, 9, "WBNOINVD", "exits as WBINVD does"),
};

const struct cpuid_leaf_rule *cpuid_policy_leaves(size_t *n)
{
	*n = sizeof(leaves) / sizeof(leaves[0]);
	return leaves;
}

const struct cpuid_bit_rule *cpuid_policy_bits(size_t *n)
{
	*n = sizeof(bits) / sizeof(bits[0]);
	return bits;
}

const struct cpuid_leaf_rule *cpuid_policy_leaf(uint32_t leaf)
{
	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		if (leaves[i].leaf == leaf)
			return &leaves[i];
	}
	return 0;
}

bool cpuid_policy_leaf_static(const struct cpuid_leaf_rule *l)
{
	if (l->kind == CPUID_LEAF_ZERO || l->kind == CPUID_LEAF_MEASURED)
		return true;
	if (l->indexed || (l->kind != CPUID_LEAF_PASS && l->kind != CPUID_LEAF_BITS))
		return false;
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		if (bits[i].leaf == l->leaf &&
		    (bits[i].action == CPUID_CR4 || bits[i].action == CPUID_VM ||
		     bits[i].action == CPUID_LONG))
			return false;
	}
	return true;
}

bool cpuid_policy_rule_passes(const struct cpuid_bit_rule *b, uint32_t needs)
{
	return b->action == CPUID_PASS || b->action == CPUID_CLAMP ||
	       (b->action == CPUID_NEEDS && (b->needs & needs) == b->needs);
}

uint32_t *cpuid_reg_of(struct cpuid_regs *r, unsigned reg)
{
	switch (reg) {
	case CPUID_EAX:
		return &r->eax;
	case CPUID_EBX:
		return &r->ebx;
	case CPUID_ECX:
		return &r->ecx;
	default:
		return &r->edx;
	}
}

bool cpuid_policy_masks(uint32_t leaf, uint32_t sub, uint32_t needs, struct cpuid_masks *m)
{
	bool any = false;

	*m = (struct cpuid_masks){0};
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		const struct cpuid_bit_rule *b = &bits[i];

		if (b->leaf != leaf || b->sub != sub)
			continue;
		any = true;
		if (cpuid_policy_rule_passes(b, needs))
			m->keep[b->reg] |= b->mask;
		else if (b->action == CPUID_SET)
			m->set[b->reg] |= b->mask;
		else if (b->action == CPUID_LONG)
			m->long64[b->reg] |= b->mask;
	}
	return any;
}
