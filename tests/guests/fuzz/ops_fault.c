/*
 * The vmx and fault classes: short machine-code sequences placed in the
 * CPU's code page and run at CPL 0 or CPL 3. vmx issues every VMX
 * instruction (SDM Vol. 3C 30) and VMCALLs with random numbers; fault
 * raises the exceptions of SDM Vol. 3A 6.15 on purpose (#DE, #DB, #BP, #OF,
 * #BR, #UD, #NM, #GP, #PF, #AC, ICEBP, INT n).
 */
#include "fuzz.h"

#define OPC_INT3 0xcc
#define SEQ_MAX 16
#define REG_EAX 0
#define REG_EBX 1
#define REG_ECX 2
#define REG_EDX 3
#define REG_ESI 4
#define REG_EDI 5
#define ONE_IN(n) (!rng_below(c, (n)))
#define ADDR_BYTES 4
#define CR4_VMXE (1u << 13)

#define HC_CONSOLE 0
#define HC_EXIT 3
#define HC_RAISE_IRQ 4
#define HC_NUMBERS 6
#define HC_MAX_LEN 2048
#define HC_MAX_VECTOR 300
#define FAR_ADDRESS 0x40000000u

struct seq {
	const char *name;
	uint8_t len;
	uint8_t bytes[SEQ_MAX];
};

/* VMX instructions with register or [EAX] operands (encodings: SDM Vol. 2). */
static const struct seq vmx_seqs[] = {
    {"vmxon", 4, {0xf3, 0x0f, 0xc7, 0x30}},
    {"vmxoff", 3, {0x0f, 0x01, 0xc4}},
    {"vmcall", 3, {0x0f, 0x01, 0xc1}},
    {"vmread", 3, {0x0f, 0x78, 0xc3}},
    {"vmwrite", 3, {0x0f, 0x79, 0xc3}},
    {"vmptrld", 3, {0x0f, 0xc7, 0x30}},
    {"vmptrst", 3, {0x0f, 0xc7, 0x38}},
    {"vmclear", 4, {0x66, 0x0f, 0xc7, 0x30}},
    {"vmlaunch", 3, {0x0f, 0x01, 0xc2}},
    {"vmresume", 3, {0x0f, 0x01, 0xc3}},
    {"invept", 5, {0x66, 0x0f, 0x38, 0x80, 0x08}},
    {"invvpid", 5, {0x66, 0x0f, 0x38, 0x81, 0x08}},
    {"vmfunc", 3, {0x0f, 0x01, 0xd4}},
    {"getsec", 2, {0x0f, 0x37}},
};
#define VMCALL_SEQ 2

static const char hc_text[] = "fuzz: console hypercall\n";

static uint8_t *place(struct fuzz_cpu *c, int user, const uint8_t *bytes, uint32_t len)
{
	uint8_t *code = scratch_page(c->index, user ? SP_UCODE : SP_KCODE);

	memset(code, OPC_INT3, PAGE_SIZE);
	memcpy(code, bytes, len);
	code_setup(c, user);
	return code;
}

/* VMCALL arguments at CPL 0: any number but exit (which would end this
 * vCPU), the console write with a real or a far buffer. */
static void vmcall_args(struct fuzz_cpu *c)
{
	uint32_t nr = ONE_IN(4) ? (uint32_t)rng_next(c) : rng_below(c, HC_NUMBERS);

	if (nr == HC_EXIT)
		nr = HC_CONSOLE;
	c->regs[REG_EAX] = nr;
	if (nr == HC_CONSOLE && ONE_IN(8)) {
		c->regs[REG_EDI] = (uint32_t)(uintptr_t)hc_text;
		c->regs[REG_ESI] = sizeof(hc_text) - 1;
	} else if (nr == HC_CONSOLE) {
		c->regs[REG_EDI] = FAR_ADDRESS + (uint32_t)rng_next(c) % (0u - FAR_ADDRESS);
		c->regs[REG_ESI] = rng_below(c, HC_MAX_LEN);
	} else if (nr == HC_RAISE_IRQ) {
		c->regs[REG_EDI] = rng_below(c, HC_MAX_VECTOR);
		if (c->regs[REG_EDI] == VEC_BCAST)
			c->regs[REG_EDI]++;
	}
}

/* [EAX] points at random bytes of the data page; sometimes CR4.VMXE on. */
void op_vmx(struct fuzz_cpu *c)
{
	uint32_t i = rng_below(c, sizeof(vmx_seqs) / sizeof(vmx_seqs[0]));
	int user = ONE_IN(4);
	uint32_t data = (uint32_t)(uintptr_t)scratch_page(c->index, user ? SP_UDATA : SP_KDATA);

	FUZZ_TRACE("fuzz: cpu %u vmx %s%s\n", c->index, vmx_seqs[i].name, user ? " cpl3" : "");
	place(c, user, vmx_seqs[i].bytes, vmx_seqs[i].len);
	c->regs[REG_EAX] = data + rng_below(c, PAGE_SIZE / 2);
	c->regs[REG_ECX] = rng_below(c, 4);
	if (i == VMCALL_SEQ && !user)
		vmcall_args(c);
	if (!user && ONE_IN(4)) {
		/* CPUID.1:ECX.VMX is 0 in the guest: CR4.VMXE is reserved (#GP) */
		fuzz_expect(c, VEC_GP, "cr4.vmxe");
		__asm__ volatile("mov %0, %%cr4" : : "r"(fuzz_known_cr4 | CR4_VMXE));
	}
	/* SDM Vol. 3C 30.3: #UD outside VMX operation; a CPL 0 VMCALL is a
	 * hypercall, and the INT3 after it raises #BP */
	fuzz_expect(c, i == VMCALL_SEQ && !user ? VEC_BP : VEC_UD, vmx_seqs[i].name);
	code_enter(c, 0, user, EFLAGS_RSVD1 | EFLAGS_IF);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, ADDR_BYTES);
}

enum fault_kind {
	FK_DE,
	FK_DB_TF,
	FK_BP,
	FK_OF,
	FK_BR,
	FK_UD,
	FK_NM,
	FK_GP,
	FK_PF_READ,
	FK_PF_WRITE,
	FK_AC,
	FK_ICEBP,
	FK_INT,
	FK_STACK,
	FK_COUNT
};

static const struct seq fault_seqs[FK_COUNT] = {
    [FK_DE] = {"de", 4, {0x31, 0xc9, 0xf7, 0xf1}}, /* xor ecx, ecx; div ecx */
    [FK_DB_TF] = {"db", 10, {0x9c, 0x81, 0x0c, 0x24, 0, 1, 0, 0, 0x9d, 0x90}}, /* TF via popf */
    [FK_BP] = {"bp", 1, {0xcc}},
    [FK_OF] = {"of", 5, {0xb0, 0x7f, 0x04, 0x01, 0xce}}, /* mov al, 0x7f; add al, 1; into */
    [FK_BR] = {"br", 2, {0x62, 0x00}},			 /* bound eax, [eax] */
    [FK_UD] = {"ud", 2, {0x0f, 0x0b}},
    [FK_NM] = {"nm", 2, {0xd9, 0xd0}},			       /* fnop with CR0.TS */
    [FK_GP] = {"gp", 7, {0xb8, 0x34, 0x12, 0, 0, 0x8e, 0xd8}}, /* mov ds, 0x1234 */
    [FK_PF_READ] = {"pf-read", 5, {0xa1}},		       /* mov eax, [guard] */
    [FK_PF_WRITE] = {"pf-write", 10, {0xc7, 0x05}},	       /* mov dword [ro], 1 */
    [FK_AC] = {"ac", 3, {0x8b, 0x43, 0x01}},		       /* mov eax, [ebx + 1] */
    [FK_ICEBP] = {"icebp", 1, {0xf1}},
    [FK_INT] = {"int", 2, {0xcd}}, /* int n */
    [FK_STACK] = {"stack",
		  6,
		  {0xbc, 0, 0, 0, 0, 0x50}}, /* CPL 3 only: at CPL 0 it is a triple fault */
};

/* Address operands patched into a sequence (after its opcode bytes). */
static void patch_fault(struct fuzz_cpu *c, enum fault_kind k, uint8_t *code)
{
	uint32_t guard = (uint32_t)(uintptr_t)scratch_page(c->index, SP_GUARD1);
	uint32_t ro = (uint32_t)(uintptr_t)scratch_page(c->index, SP_URO);

	switch (k) {
	case FK_PF_READ:
		put32(code + 1, guard + rng_below(c, PAGE_SIZE));
		break;
	case FK_PF_WRITE:
		put32(code + 2, ro + rng_below(c, PAGE_SIZE - ADDR_BYTES));
		put32(code + 6, 1);
		break;
	case FK_INT:
		code[1] = (uint8_t)rng_next(c);
		break;
	case FK_STACK:
		put32(code + 1, guard + rng_below(c, PAGE_SIZE));
		break;
	default:
		break;
	}
}

/* The vector each sequence must raise (at CPL 3 the INT3 and INTO gates,
 * DPL 0, give #GP instead: SDM Vol. 3A 6.12.1.1); BR and INT vary. */
static uint32_t fault_vector(enum fault_kind k, int user)
{
	static const uint8_t vec[FK_COUNT] = {
	    [FK_DE] = VEC_DE,	    [FK_DB_TF] = VEC_DB, [FK_BP] = VEC_BP,    [FK_OF] = VEC_OF,
	    [FK_UD] = VEC_UD,	    [FK_NM] = VEC_NM,	 [FK_GP] = VEC_GP,    [FK_PF_READ] = VEC_PF,
	    [FK_PF_WRITE] = VEC_PF, [FK_AC] = VEC_AC,	 [FK_ICEBP] = VEC_DB, [FK_STACK] = VEC_PF,
	};

	if (k == FK_BR || k == FK_INT)
		return NO_VECTOR;
	if (user && (k == FK_BP || k == FK_OF))
		return VEC_GP;
	return vec[k];
}

void op_fault(struct fuzz_cpu *c)
{
	enum fault_kind k = (enum fault_kind)rng_below(c, FK_COUNT);
	int user = k == FK_AC || k == FK_STACK || (k != FK_NM && rng_below(c, 2));
	uint32_t eflags = EFLAGS_RSVD1 | EFLAGS_IF;
	uint8_t *code;

	FUZZ_TRACE("fuzz: cpu %u fault %s%s\n", c->index, fault_seqs[k].name, user ? " cpl3" : "");
	code = place(c, user, fault_seqs[k].bytes, fault_seqs[k].len);
	fuzz_expect(c, fault_vector(k, user), fault_seqs[k].name);
	patch_fault(c, k, code);
	if (k == FK_NM)
		__asm__ volatile("mov %0, %%cr0" : : "r"(fuzz_known_cr0 | CR0_TS));
	if (k == FK_AC) {
		c->regs[REG_EBX] &= ~(uint32_t)(sizeof(uint32_t) - 1); /* EBX + 1: misaligned */
		__asm__ volatile("mov %0, %%cr0" : : "r"(fuzz_known_cr0 | CR0_AM));
		eflags |= EFLAGS_AC;
	}
	code_enter(c, 0, user, eflags);
}
