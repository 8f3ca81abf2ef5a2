/*
 * The processor-state classes of the fuzzer: random instruction bytes at
 * CPL 0 and CPL 3 (insn0, insn3), RDMSR/WRMSR (msr), control and debug
 * registers (cr, dr), XSETBV (xsetbv), the VMX instructions (vmx) and
 * self-inflicted exceptions (fault). Every operation ends by returning or
 * by an exception that fuzz_trap turns into a return to the loop.
 */
#include "fuzz.h"

#define OPC_INT3 0xcc
#define OPC_NOP 0x90
#define OPC_TWO_BYTE 0x0f
#define OPC_INSB 0x6c
#define OPC_OUTSD 0x6f
#define OPC_OUT_IMM8_AL 0xe6 /* OUT imm8, AL; E7: OUT imm8, eAX */
#define OPC_OUT_IMM8_AX 0xe7
#define MAX_INSN_BYTES 15
#define CODE_SLACK 32
#define REG_EAX 0
#define REG_EBX 1
#define REG_ECX 2
#define REG_EDX 3
#define SMALL_COUNT 256
#define STACK_SLACK 64
#define PORT_DEBUG_EXIT 0xf4
#define PORT_SPACE 0x10000
#define ONE_IN(n) (!rng_below(c, (n)))

#define MSR_TSC 0x10
#define MSR_TSC_ADJUST 0x3b
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_EIP 0x176
#define MSR_EFER 0xc0000080u
#define MSR_X2APIC_FIRST 0x800
#define MSR_X2APIC_LAST 0x8ff
#define MSR_X2APIC_ICR 0x830
#define EFER_BIT_LMA 10
#define APIC_BASE_RSVD_BITS 8 /* bits 0-7 are reserved */
#define BITS_64 64

#define X2APIC_CPUID_BIT (1u << 21)
#define XSAVE_CPUID_BIT (1u << 26)

static const uint8_t filtered_one[] = {0xf4, 0xfa, 0x9d, 0xcf}; /* HLT CLI POPF IRET */
static const uint8_t filtered_two[] = {0x00, 0x01, 0x22, 0x30}; /* 0F: tables, MOV CR, WRMSR */
static const uint8_t prefixes[] = {0x66, 0x67, 0xf3, 0xf2, 0xf0, 0x2e,
				   0x36, 0x3e, 0x26, 0x64, 0x65};

/* One-byte opcodes with a ModRM byte whose r/m operand, when a register
 * (mod 3), is written (ALU ops, MOV, MOV from Sreg, XCHG, POP, shifts,
 * group 3/5). */
static const uint8_t rm_dest_ops[] = {0x01, 0x09, 0x11, 0x19, 0x21, 0x29, 0x31, 0x81, 0x83, 0x87,
				      0x89, 0x8c, 0x8f, 0xc1, 0xc7, 0xd1, 0xd3, 0xf7, 0xff};
/* ... and those whose reg operand is written, whatever the mod (LES/LDS too). */
static const uint8_t reg_dest_ops[] = {0x03, 0x0b, 0x13, 0x1b, 0x23, 0x2b, 0x33,
				       0x69, 0x6b, 0x87, 0x8b, 0x8d, 0xc4, 0xc5};
/* The same for two-byte (0F xx) opcodes: XADD, CMPXCHG, SHLD/SHRD, BTS/BTR/
 * BTC, RDRAND/RDSEED; MOV from CR/DR writes its r/m register whatever the
 * mod. */
static const uint8_t rm_dest_ops2[] = {0xc1, 0xb1, 0xa4, 0xa5, 0xac, 0xad,
				       0xab, 0xb3, 0xbb, 0xba, 0xc7};
static const uint8_t rm_any_ops2[] = {0x20, 0x21};
/* CMOVcc, IMUL, MOVZX/MOVSX, BSF/BSR, LAR/LSL, XADD, LFS/LGS write their reg
 * operand. */
static const uint8_t reg_dest_ops2[] = {0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
					0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0xaf, 0xb6, 0xb7, 0xbe,
					0xbf, 0xbc, 0xbd, 0x02, 0x03, 0xc1, 0xb4, 0xb5};
/* Three-byte 0F 38 xx: MOVBE/CRC32 loads, ADCX/ADOX, MULX forms. */
static const uint8_t reg_dest_ops3[] = {0xf0, 0xf5, 0xf6, 0xf7};
#define OPC_ESCAPE_38 0x38
#define OPC_BSWAP_ESP 0xcc
#define OPC_BSWAP_EAX 0xc8
/* ESP loaded outright or moved far: POP ESP, MOV ESP imm32, XCHG EAX ESP,
 * ENTER, LEAVE, RET imm16 and RETF imm16. */
static const uint8_t esp_ops[] = {0x5c, 0xbc, 0x94, 0xc8, 0xc9, 0xc2, 0xca};
#define OPC_LSS 0xb2
#define MODRM_REG_MOD 0xc0
#define MODRM_REG_SHIFT 3
#define MODRM_FIELD 7
#define REG_ESP 4
#define MODRM_OTHER_REG 1

static int in_list(uint8_t b, const uint8_t *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (l[i] == b)
			return 1;
	return 0;
}

/* At CPL 0 a fault on a wild stack is a triple fault: keep ESP out of
 * register-direct ModRM operands and out of the ops that load it. */
static int esp_written(const uint8_t *p, uint32_t i, uint8_t m)
{
	int rm_esp = (m & MODRM_FIELD) == REG_ESP;
	int reg_mode = (m & MODRM_REG_MOD) == MODRM_REG_MOD;
	int reg_esp = ((m >> MODRM_REG_SHIFT) & MODRM_FIELD) == REG_ESP;

	if (i > 1 && p[i - 2] == OPC_TWO_BYTE && p[i - 1] == OPC_ESCAPE_38)
		return reg_esp && in_list(p[i], reg_dest_ops3, sizeof(reg_dest_ops3));
	if (i && p[i - 1] == OPC_TWO_BYTE)
		return (rm_esp && reg_mode && in_list(p[i], rm_dest_ops2, sizeof(rm_dest_ops2))) ||
		       (rm_esp && in_list(p[i], rm_any_ops2, sizeof(rm_any_ops2))) ||
		       (reg_esp && in_list(p[i], reg_dest_ops2, sizeof(reg_dest_ops2)));
	return (rm_esp && reg_mode && in_list(p[i], rm_dest_ops, sizeof(rm_dest_ops))) ||
	       (reg_esp && in_list(p[i], reg_dest_ops, sizeof(reg_dest_ops)));
}

static void keep_esp(uint8_t *p, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		int two = i && p[i - 1] == OPC_TWO_BYTE;

		if ((!two && in_list(p[i], esp_ops, sizeof(esp_ops))) || (two && p[i] == OPC_LSS))
			p[i] = OPC_NOP;
		else if (two && p[i] == OPC_BSWAP_ESP)
			p[i] = OPC_BSWAP_EAX;
		else if (i + 1 < len && esp_written(p, i, p[i + 1]))
			p[i + 1] ^= MODRM_OTHER_REG | (MODRM_OTHER_REG << MODRM_REG_SHIFT);
	}
	if (len && p[len - 1] == OPC_TWO_BYTE)
		p[len - 1] = OPC_NOP; /* 0F then the INT3 fill would be BSWAP ESP */
}

/* Random bytes, a third of them two-byte opcodes; bytes that could stop
 * this CPU for good (HLT or interrupts off) or wreck its tables are NOPs. */
static void random_code(struct fuzz_cpu *c, uint8_t *p, uint32_t len, uint32_t fill, int user)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)rng_next(c);
	if (ONE_IN(3))
		p[0] = OPC_TWO_BYTE;
	else if (ONE_IN(4))
		p[0] = prefixes[rng_below(c, sizeof(prefixes))];
	for (i = 0; i < len; i++) {
		if (in_list(p[i], filtered_one, sizeof(filtered_one)))
			p[i] = OPC_NOP;
		if (i && p[i - 1] == OPC_TWO_BYTE &&
		    in_list(p[i], filtered_two, sizeof(filtered_two)))
			p[i] = OPC_NOP;
	}
	for (i = 0; fuzz_safe && i < len; i++)
		if (p[i] >= OPC_INSB && p[i] <= OPC_OUTSD)
			p[i] = OPC_NOP;
	/* OUT to the debug-exit port would end this VM (seed 7, 1800 s: status 91) */
	for (i = 0; i + 1 < len; i++)
		if ((p[i] == OPC_OUT_IMM8_AL || p[i] == OPC_OUT_IMM8_AX) &&
		    p[i + 1] == PORT_DEBUG_EXIT)
			p[i + 1]++;
	if (!user) /* the first INT3 of the fill may serve as a ModRM byte too */
		keep_esp(p, len + fill);
}

/* Registers for fuzzed code: pointers into its data pages (EAX random at
 * CPL 3, where a stray stack cannot take the CPU down), a small count, a
 * port that is not the debug-exit port. */
static void random_regs(struct fuzz_cpu *c, uint32_t *r, int user)
{
	uint32_t data = (uint32_t)(uintptr_t)scratch_page(c->index, user ? SP_UDATA : SP_KDATA);

	for (int i = 0; i < FUZZ_NREGS; i++)
		r[i] = data + rng_below(c, user ? PAGE_SIZE : KDATA_PAGES * PAGE_SIZE);
	if (user)
		r[REG_EAX] = (uint32_t)rng_next(c);
	r[REG_ECX] = rng_below(c, SMALL_COUNT);
	r[REG_EDX] = rng_below(c, PORT_SPACE);
	if (r[REG_EDX] == PORT_DEBUG_EXIT)
		r[REG_EDX]++;
}

static void fill_stack(struct fuzz_cpu *c, uint8_t *stack, int user)
{
	uint32_t *s = (uint32_t *)stack;
	uint32_t data = (uint32_t)(uintptr_t)scratch_page(c->index, user ? SP_UDATA : SP_KDATA);

	for (uint32_t i = 0; i < PAGE_SIZE / sizeof(*s); i++)
		s[i] = data + (i * sizeof(*s)) % PAGE_SIZE;
}

/* Registers and stack for code in the CPU's code page of that ring. */
void code_setup(struct fuzz_cpu *c, int user)
{
	random_regs(c, c->regs, user);
	fill_stack(c, scratch_page(c->index, user ? SP_USTACK : SP_KSTACK), user);
}

void code_enter(struct fuzz_cpu *c, uint32_t off, int user, uint32_t eflags)
{
	uint32_t sp = (uint32_t)(uintptr_t)scratch_page(c->index, user ? SP_USTACK : SP_KSTACK) +
		      PAGE_SIZE - STACK_SLACK;
	uint32_t code = (uint32_t)(uintptr_t)scratch_page(c->index, user ? SP_UCODE : SP_KCODE);

	fuzz_op_deadline(c); /* after any trace output */
	if (user)
		enter_user(code + off, sp, eflags, (uint32_t)(uintptr_t)c->regs);
	enter_code(off, sp, eflags, (uint32_t)(uintptr_t)c->regs,
		   SEL_FCODE0 + (c->index << SEL_SHIFT));
}

void run_code(struct fuzz_cpu *c, uint32_t off, int user, uint32_t eflags)
{
	code_setup(c, user);
	code_enter(c, off, user, eflags);
}

/* Up to 15 random bytes, sometimes running off the end of the page; the
 * rest of the page is INT3, so falling through ends in #BP (or #GP at CPL 3,
 * whose gates are DPL 0). */
static void trace_bytes(struct fuzz_cpu *c, int user, uint32_t off, const uint8_t *code)
{
	char hex[MAX_INSN_BYTES * 3 + 1];
	size_t n = 0;

	for (uint32_t i = 0; i < MAX_INSN_BYTES && off + i < PAGE_SIZE; i++)
		n += snprintf(hex + n, sizeof(hex) - n, " %02x", code[off + i]);
	hex[n] = 0;
	printf("fuzz: cpu %u insn%u at %x:%s\n", c->index, user ? 3 : 0, off, hex);
}

uint32_t insn_prepare(struct fuzz_cpu *c, int user, uint32_t *eflags)
{
	uint8_t *code = scratch_page(c->index, user ? SP_UCODE : SP_KCODE);
	uint32_t len = 1 + rng_below(c, MAX_INSN_BYTES);
	uint32_t off =
	    ONE_IN(4) ? PAGE_SIZE - 1 - rng_below(c, len) : rng_below(c, PAGE_SIZE - CODE_SLACK);

	*eflags = EFLAGS_RSVD1 | EFLAGS_IF;
	memset(code, OPC_INT3, PAGE_SIZE);
	if (off + len > PAGE_SIZE)
		random_code(c, code + off, PAGE_SIZE - off, 0, user);
	else
		random_code(c, code + off, len, off + len < PAGE_SIZE, user);
	if (user && ONE_IN(2))
		*eflags |= EFLAGS_IOPL3;
	if (ONE_IN(16))
		*eflags |= EFLAGS_TF;
	if (ONE_IN(16))
		*eflags |= EFLAGS_AC;
	if (fuzz_trace)
		trace_bytes(c, user, off, code);
	code_setup(c, user);
	return off;
}

void op_insn(struct fuzz_cpu *c, int user)
{
	uint32_t eflags, off = insn_prepare(c, user, &eflags);

	code_enter(c, off, user, eflags);
}

/* ---- MSRs ---- */

static const uint32_t msr_ranges[] = {
    0x0,   0x1000, 0x174, 0x176, 0x1d9, 0x1d9, 0x277,	    0x277,
    0x345, 0x345,  0x480, 0x491, 0x800, 0x8ff, 0xc0000080u, 0xc0000103u,
};

/* Writing these would break the fuzzer's own clock, APIC or SYSENTER
 * target; they are read, or written only with a reserved bit (APIC_BASE). */
static int msr_write_allowed(uint32_t msr)
{
	return msr != MSR_TSC && msr != MSR_TSC_ADJUST && msr != MSR_APIC_BASE &&
	       msr != MSR_X2APIC_ICR && (msr < MSR_SYSENTER_CS || msr > MSR_SYSENTER_EIP);
}

static uint64_t msr_value(struct fuzz_cpu *c, uint64_t old)
{
	switch (rng_below(c, 4)) {
	case 0:
		return old ^ (1ull << rng_below(c, BITS_64));
	case 1:
		return rng_below(c, 2) ? 0 : (uint32_t)rng_next(c);
	default:
		return rng_next(c);
	}
}

/* Read, then perhaps write a random value and put the old one back; a
 * quarter of writes go blind (no read first, nothing restored). */
void op_msr(struct fuzz_cpu *c)
{
	uint32_t msr =
	    ONE_IN(16) ? (uint32_t)rng_next(c)
		       : rng_pick(c, msr_ranges, sizeof(msr_ranges) / sizeof(msr_ranges[0]) / 2);
	uint64_t old = 0, v;
	int blind = ONE_IN(4);

	if (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST)
		c->apic_dirty = 1;
	FUZZ_TRACE("fuzz: cpu %u msr %x\n", c->index, msr);
	if (msr == MSR_APIC_BASE && ONE_IN(2)) {
		old = rdmsr(msr);
		wrmsr(msr, old | (1u << rng_below(c, APIC_BASE_RSVD_BITS)));
		return;
	}
	if (!blind)
		old = rdmsr(msr);
	if (!msr_write_allowed(msr) || rng_below(c, 2))
		return;
	v = msr_value(c, old);
	if (msr == MSR_EFER && ONE_IN(2))
		v = old ^ (1ull << EFER_BIT_LMA);
	if (msr == MSR_EFER && fuzz_safe)
		v = (v & ~(1ull << EFER_BIT_LMA)) | (old & (1ull << EFER_BIT_LMA));
	FUZZ_TRACE("fuzz: cpu %u wrmsr %x %x%08x\n", c->index, msr, (uint32_t)(v >> 32),
		   (uint32_t)v);
	wrmsr(msr, v);
	if (!blind)
		wrmsr(msr, old);
}

/* ---- control and debug registers ---- */

static const uint8_t cr0_bits[] = {1, 2, 3, 4, 5, 16, 18, 29, 30, 31, 0, 6, 17, 19, 28};
static const uint8_t cr4_bits[] = {0,  1,  2,  3,  7,  8,  9,  10, 11, 12, 13, 14,
				   15, 16, 17, 18, 20, 21, 22, 23, 24, 25, 28, 31};

/* One or two bits of CR0 and CR4 flipped (never CR4.PSE/PAE, which would
 * change the paging structures' format under the fuzzer), CR3's cache
 * bits, then random instructions under that state (with paging on). */
void op_cr(struct fuzz_cpu *c)
{
	uint32_t cr0 = fuzz_known_cr0, cr4 = fuzz_known_cr4, cr3 = fuzz_known_cr3;
	int user = rng_below(c, 2);
	uint32_t eflags, off = insn_prepare(c, user, &eflags);

	if (rng_below(c, 2))
		cr0 ^= 1u << cr0_bits[rng_below(c, sizeof(cr0_bits))];
	if (ONE_IN(4))
		cr0 ^= 1u << cr0_bits[rng_below(c, sizeof(cr0_bits))];
	if (rng_below(c, 2))
		cr4 ^= 1u << cr4_bits[rng_below(c, sizeof(cr4_bits))];
	if (ONE_IN(4))
		cr3 ^= (uint32_t)rng_next(c) & (PAGE_SIZE - 1);
	if (!(cr0 & CR0_PG) || fuzz_safe)
		cr0 |= CR0_PE; /* PE and PG both off is real mode: this C code would die */
	FUZZ_TRACE("fuzz: cpu %u cr0 %x cr3 %x cr4 %x\n", c->index, cr0, cr3, cr4);
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
	__asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
	if (ONE_IN(2)) {
		uint32_t v;

		__asm__ volatile("mov %%cr2, %0" : "=r"(v));
		__asm__ volatile("mov %0, %%cr2" : : "r"(v ^ (uint32_t)rng_next(c)));
	}
	/* paging off: a stray access would leave guest memory (the VM stops) */
	if (cr0 & CR0_PG)
		code_enter(c, off, user, eflags);
}

static void write_dr(uint32_t n, uint32_t v)
{
	switch (n) {
	case 0:
		__asm__ volatile("mov %0, %%dr0" : : "r"(v));
		break;
	case 1:
		__asm__ volatile("mov %0, %%dr1" : : "r"(v));
		break;
	case 2:
		__asm__ volatile("mov %0, %%dr2" : : "r"(v));
		break;
	case 3:
		__asm__ volatile("mov %0, %%dr3" : : "r"(v));
		break;
	case 4: /* an alias of DR6 unless CR4.DE (then #UD) */
		__asm__ volatile(".byte 0x0f, 0x23, 0xe0" : : "a"(v));
		break;
	case 5:
		__asm__ volatile(".byte 0x0f, 0x23, 0xe8" : : "a"(v));
		break;
	case 6:
		__asm__ volatile("mov %0, %%dr6" : : "r"(v));
		break;
	default:
		__asm__ volatile("mov %0, %%dr7" : : "r"(v));
		break;
	}
}

/* Breakpoints on the CPU's own data and stack pages, DR6/DR7 at random
 * (DR7.GD too), sometimes CR4.DE for DR4/DR5; then touches the data page
 * and runs random user code, where the breakpoints may hit. */
void op_dr(struct fuzz_cpu *c)
{
	uint32_t data = (uint32_t)(uintptr_t)scratch_page(c->index, SP_UDATA);
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)data;
	uint32_t n = 1 + rng_below(c, 4);

	if (ONE_IN(4))
		__asm__ volatile("mov %0, %%cr4" : : "r"(fuzz_known_cr4 | CR4_DE));
	while (n--) {
		uint32_t dr = rng_below(c, 8);
		uint32_t v = dr < 4 && rng_below(c, 2) ? data + rng_below(c, PAGE_SIZE)
						       : (uint32_t)rng_next(c);

		FUZZ_TRACE("fuzz: cpu %u dr%u %x\n", c->index, dr, v);
		write_dr(dr, v);
	}
	for (n = 0; n < PAGE_SIZE / sizeof(*p); n += 1 + rng_below(c, 64))
		p[n] = p[n] + 1;
	op_insn(c, 1);
}

/* ---- XSETBV and VMX ---- */

int xsave_available(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	return !!(c & XSAVE_CPUID_BIT);
}

int x2apic_available(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	return !!(c & X2APIC_CPUID_BIT);
}

/* XCR0 values valid and not (SDM Vol. 1 13.3), with and without
 * CR4.OSXSAVE (#UD without it), sometimes at CPL 3 (#GP). */
void op_xsetbv(struct fuzz_cpu *c)
{
	static const uint32_t xcr0s[] = {1, 3, 7, 0, 2, 5, 0xe7, 0x207};
	static const uint8_t user_xsetbv[] = {0x0f, 0x01, 0xd1, OPC_INT3};
	uint32_t lo = ONE_IN(4) ? (uint32_t)rng_next(c) : xcr0s[rng_below(c, sizeof(xcr0s) / 4)];
	uint32_t hi = ONE_IN(8) ? (uint32_t)rng_next(c) : 0;
	uint32_t idx = ONE_IN(4) ? (uint32_t)rng_next(c) : rng_below(c, 2);

	if (!ONE_IN(8))
		__asm__ volatile("mov %0, %%cr4" : : "r"(fuzz_known_cr4 | CR4_OSXSAVE));
	FUZZ_TRACE("fuzz: cpu %u xsetbv %x %x:%x\n", c->index, idx, hi, lo);
	if (ONE_IN(8)) {
		memcpy(scratch_page(c->index, SP_UCODE), user_xsetbv, sizeof(user_xsetbv));
		run_code(c, 0, 1, EFLAGS_RSVD1);
	}
	if (ONE_IN(2)) {
		uint32_t a, d;

		__asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(a), "=d"(d) : "c"(idx));
	}
	__asm__ volatile(".byte 0x0f, 0x01, 0xd1" : : "a"(lo), "d"(hi), "c"(idx));
}
