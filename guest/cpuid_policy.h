/* SPDX-License-Identifier: MIT */
/*
 * The CPUID policy: for every leaf and every feature bit, what a guest gets
 * (the host's value, nothing, always set, Vireo's own value, or the host's
 * value only when the vCPU can back it, or only in 64-bit mode). The tables here are the single
 * source of docs/cpuid.md; vmx/cpuid.c applies them on CPUID exits.
 */
#ifndef VIREO_GUEST_CPUID_POLICY_H
#define VIREO_GUEST_CPUID_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/x86/cpu.h"

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX, CPUID_NREGS };

/* What a whole leaf gives (docs/cpuid.md, "Leaves"). */
enum cpuid_leaf_kind {
	CPUID_LEAF_ZERO,     /* all zero: the feature is not offered */
	CPUID_LEAF_PASS,     /* the host's values (descriptive leaves) */
	CPUID_LEAF_BITS,     /* the bits the bit table lists; the rest read 0 */
	CPUID_LEAF_TOPOLOGY, /* the VM's configuration (vm/vcpu_plat.c) */
	CPUID_LEAF_XSTATE,   /* the XSAVE components guests may enable */
	CPUID_LEAF_MEASURED, /* the TSC rate Vireo measured */
};

/* What one bit or field gives (docs/cpuid.md, "Feature bits"). */
enum cpuid_action {
	CPUID_PASS,  /* the host's value */
	CPUID_HIDE,  /* 0 whatever the host has */
	CPUID_SET,   /* 1: Vireo provides it itself */
	CPUID_NEEDS, /* the host's value where the vCPU backs it (needs) */
	CPUID_CR4,   /* follows the guest's CR4 at CPUID time */
	CPUID_VM,    /* from the VM's configuration at CPUID time */
	CPUID_CLAMP, /* the host's value, capped (maximum leaf numbers) */
	CPUID_LONG,  /* the host's value while the guest runs 64-bit code */
};

/* What the vCPU backs on this machine, for CPUID_NEEDS (vmx/cpuid.c). */
enum cpuid_need {
	CPUID_NEED_AVX = 1u << 0,	 /* XCR0 AVX state switched per vCPU */
	CPUID_NEED_AVX512 = 1u << 1,	 /* XCR0 opmask/ZMM state switched */
	CPUID_NEED_PKRU = 1u << 2,	 /* PKRU in the vCPU's XSAVE area */
	CPUID_NEED_RDTSCP = 1u << 3,	 /* "enable RDTSCP" VM-execution control */
	CPUID_NEED_INVPCID = 1u << 4,	 /* "enable INVPCID" VM-execution control */
	CPUID_NEED_MTRR = 1u << 5,	 /* the MTRR MSRs are emulated */
	CPUID_NEED_MCA = 1u << 6,	 /* MCG_CAP and the bank MSRs are emulated */
	CPUID_NEED_TSC_ADJUST = 1u << 7, /* IA32_TSC_ADJUST is emulated */
};

struct cpuid_leaf_rule {
	uint32_t leaf;
	uint8_t kind;
	bool indexed; /* ECX selects a sub-leaf */
	const char *name, *why;
};

struct cpuid_bit_rule {
	uint32_t leaf;
	uint8_t sub, reg, action;
	uint32_t mask; /* the bit, or the field */
	uint32_t needs;
	const char *name, *why;
};

/* Registers after the static part of the policy: keep the host's bits in
 * keep, then set those in set. Dynamic bits (CR4, VM) are in neither. */
struct cpuid_masks {
	uint32_t keep[CPUID_NREGS];
	uint32_t set[CPUID_NREGS];
	uint32_t long64[CPUID_NREGS]; /* CPUID_LONG bits */
};

#define CPUID_POLICY_MAX_BASIC 0x1fu
#define CPUID_POLICY_EXT_BASE 0x80000000u
#define CPUID_POLICY_MAX_EXT 0x80000008u

const struct cpuid_leaf_rule *cpuid_policy_leaves(size_t *n);
const struct cpuid_bit_rule *cpuid_policy_bits(size_t *n);
/* The rule of one leaf (basic or extended), or NULL: such leaves read 0. */
const struct cpuid_leaf_rule *cpuid_policy_leaf(uint32_t leaf);
/* The static masks of a CPUID_LEAF_BITS leaf/subleaf for a machine backing
 * needs (a cpuid_need set); false when the pair has no bit rules. */
bool cpuid_policy_masks(uint32_t leaf, uint32_t sub, uint32_t needs, struct cpuid_masks *m);
/* Does the rule give the host's bit on a machine backing needs? */
/* Is the answer for leaf the same for every vCPU, sub-leaf and moment
 * (so it can be computed once)? */
bool cpuid_policy_leaf_static(const struct cpuid_leaf_rule *l);
bool cpuid_policy_rule_passes(const struct cpuid_bit_rule *b, uint32_t needs);
uint32_t *cpuid_reg_of(struct cpuid_regs *r, unsigned reg);

#endif
