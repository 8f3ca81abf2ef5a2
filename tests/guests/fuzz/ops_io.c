/*
 * The port I/O classes: io (IN/OUT of 1, 2 or 4 bytes) and str (REP
 * INS/OUTS, SDM Vol. 2 INS/OUTS, with random counts, direction and
 * addresses, mapped or not, writable or not, at CPL 0 and CPL 3 with
 * IOPL 3). Ports are biased to the PC devices a guest finds; the debug-exit
 * port 0xF4 and the Bochs shutdown port 0x8900 are never touched (they end
 * the VM), COM1's transmitter gets printable bytes only, ACPI PM1_CNT
 * never SLP_EN (a sleep request), and neither the reset control register
 * (0xCF9 RST_CPU) nor the 8042 (pulse commands 0xF0-0xFE) is told to reset.
 */
#include "fuzz.h"

#define ONE_IN(n) (!rng_below(c, (n)))
#define PORT_DEBUG_EXIT 0xf4
#define PORT_SHUTDOWN 0x8900
#define PORT_COM1 0x3f8
#define PORT_COM1_LAST 0x3ff
#define PORT_PM1_CNT_HI 0x605 /* Vireo's PM block at 0x600 (dev/platform_io.h) */
#define SLP_EN_HI_BYTE (1u << 5)
#define PORT_RESET_CTL 0xcf9
#define RESET_CTL_RST_CPU (1u << 2)
#define PORT_KBC_CMD 0x64
#define KBC_PULSE_RESET_LINE 1u /* commands 0xF0-0xFF with bit 0 clear reset */
#define PORT_SPACE 0x10000
#define PORT_SCRATCH_FREE 0x80 /* the POST-code port: nothing listens */
#define MAX_IO_SIZE 4
#define PRINTABLE_FIRST 0x20
#define PRINTABLE_SPAN 0x5f
#define BYTE_BITS 8
#define BYTE_MASK 0xffu
#define REP_SHORT 64
#define REP_LONG 4096
#define REP_SPAN (REP_SHORT * MAX_IO_SIZE)
#define OPC_INT3 0xcc
#define OPC_REP 0xf3
#define OPC_OPSIZE 0x66
#define REG_ECX 2
#define REG_EDX 3
#define REG_ESI 4
#define REG_EDI 5
#define FAR_ADDRESS 0x40000000u

static const uint32_t port_ranges[] = {
    0x20,  0x21,  0x40,	 0x43,	0x60,	0x64,	0x70,  0x71,  0x3f8, 0x3ff,
    0xcf8, 0xcff, 0x510, 0x511, 0xb000, 0xb03f, 0x600, 0x60b, 0xa0,  0xa1,
};

/* No access may reach the debug-exit or shutdown port, whatever its size. */
static int port_forbidden(uint32_t port, uint32_t size)
{
	return (port <= PORT_DEBUG_EXIT && port + size > PORT_DEBUG_EXIT) ||
	       (port <= PORT_SHUTDOWN && port + size > PORT_SHUTDOWN);
}

static int touches(uint32_t port, uint32_t size, uint32_t first, uint32_t last)
{
	return port <= last && port + size > first;
}

static uint32_t pick_port(struct fuzz_cpu *c, uint32_t size)
{
	uint32_t port;

	do {
		port = ONE_IN(8) ? rng_below(c, PORT_SPACE)
				 : rng_pick(c, port_ranges,
					    sizeof(port_ranges) / sizeof(port_ranges[0]) / 2);
	} while (port_forbidden(port, size));
	return port;
}

static uint32_t tame_value(struct fuzz_cpu *c, uint32_t port, uint32_t size, uint32_t v)
{
	for (uint32_t i = 0; i < size; i++) {
		uint32_t shift = i * BYTE_BITS;

		if (port + i == PORT_COM1) {
			v &= ~(BYTE_MASK << shift);
			v |= (PRINTABLE_FIRST + rng_below(c, PRINTABLE_SPAN)) << shift;
		}
		if (port + i == PORT_PM1_CNT_HI)
			v &= ~(SLP_EN_HI_BYTE << shift);
		if (port + i == PORT_RESET_CTL)
			v &= ~(RESET_CTL_RST_CPU << shift);
		if (port + i == PORT_KBC_CMD)
			v |= KBC_PULSE_RESET_LINE << shift;
	}
	return v;
}

void op_io(struct fuzz_cpu *c)
{
	uint32_t size = 1u << rng_below(c, 3);
	uint32_t port = pick_port(c, size);
	uint32_t v = tame_value(c, port, size, (uint32_t)rng_next(c));
	int out = rng_below(c, 2);

	FUZZ_TRACE("fuzz: cpu %u %s%u port %x val %x\n", c->index, out ? "out" : "in", size, port,
		   v);
	if (out && size == 1)
		__asm__ volatile("outb %b0, %w1" : : "a"(v), "Nd"(port));
	else if (out && size == 2)
		__asm__ volatile("outw %w0, %w1" : : "a"(v), "Nd"(port));
	else if (out)
		__asm__ volatile("outl %0, %w1" : : "a"(v), "Nd"(port));
	else if (size == 1)
		__asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port));
	else if (size == 2)
		__asm__ volatile("inw %w1, %w0" : "=a"(v) : "Nd"(port));
	else
		__asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(port));
	if (out && touches(port, size, PORT_COM1, PORT_COM1_LAST))
		uart_init();
}

/* A buffer for string I/O: the data page, the read-only user page, a
 * guard, a page end running into a guard, or far beyond memory. */
static uint32_t str_address(struct fuzz_cpu *c, int user)
{
	uint32_t data = (uint32_t)(uintptr_t)scratch_page(c->index, user ? SP_UDATA : SP_KDATA);

	if (fuzz_safe && ONE_IN(6)) /* REP_SHORT dwords either way stay on the page */
		return (uint32_t)(uintptr_t)scratch_page(c->index, SP_URO) + REP_SPAN +
		       rng_below(c, PAGE_SIZE - 2 * REP_SPAN);
	if (fuzz_safe)
		return data + REP_SPAN + rng_below(c, PAGE_SIZE - 2 * REP_SPAN);
	switch (rng_below(c, 6)) {
	case 0:
		return (uint32_t)(uintptr_t)scratch_page(c->index, SP_URO) +
		       rng_below(c, PAGE_SIZE);
	case 1:
		return (uint32_t)(uintptr_t)scratch_page(c->index, SP_GUARD2) +
		       rng_below(c, PAGE_SIZE);
	case 2:
		return data + PAGE_SIZE - 1 - rng_below(c, MAX_IO_SIZE * 2);
	case 3:
		return FAR_ADDRESS + (uint32_t)rng_next(c) % (0u - FAR_ADDRESS);
	default:
		return data + rng_below(c, PAGE_SIZE);
	}
}

/* INS at CPL 3 into the read-only user page must fault (#PF, SDM Vol. 3A
 * 4.6); at CPL 3 with IOPL 0 and no I/O bitmap every INS/OUTS is #GP. */
static void expect_str(struct fuzz_cpu *c, int out, int user, uint32_t count, uint32_t eflags)
{
	uint32_t ro = (uint32_t)(uintptr_t)scratch_page(c->index, SP_URO);
	uint32_t edi = c->regs[REG_EDI];

	if (!count)
		return;
	if (user && !(eflags & EFLAGS_IOPL3))
		fuzz_expect(c, VEC_GP, out ? "outs at IOPL 0" : "ins at IOPL 0");
	else if (!out && edi >= ro && edi < ro + PAGE_SIZE)
		fuzz_expect(c, VEC_PF, "ins into a read-only page");
}

/* REP INS/OUTS (byte, word, dword) in the code page of the chosen ring. */
void op_str(struct fuzz_cpu *c)
{
	static const uint8_t opc[] = {0x6c, 0x6d, 0x6e, 0x6f}; /* insb insd outsb outsd */
	uint8_t code[4], n = 0;
	uint32_t k = rng_below(c, 4), word = ONE_IN(3), size = k & 1 ? (word ? 2 : 4) : 1;
	int user = rng_below(c, 2), out = k >= 2;
	uint32_t eflags = EFLAGS_RSVD1 | EFLAGS_IF | EFLAGS_IOPL3;
	uint32_t port = pick_port(c, size);
	uint32_t count = ONE_IN(8) && !fuzz_safe ? rng_below(c, REP_LONG) : rng_below(c, REP_SHORT);
	int rep = !ONE_IN(8);

	if (out && (touches(port, size, PORT_COM1, PORT_COM1_LAST) ||
		    touches(port, size, PORT_PM1_CNT_HI, PORT_PM1_CNT_HI) ||
		    touches(port, size, PORT_RESET_CTL, PORT_RESET_CTL) ||
		    touches(port, size, PORT_KBC_CMD, PORT_KBC_CMD)))
		port = PORT_SCRATCH_FREE; /* no random bytes on the console, PM1_CNT or a reset */
	if (word && (k & 1))
		code[n++] = OPC_OPSIZE;
	if (rep)
		code[n++] = OPC_REP;
	code[n++] = opc[k];
	code[n++] = OPC_INT3;
	memset(scratch_page(c->index, user ? SP_UCODE : SP_KCODE), OPC_INT3, PAGE_SIZE);
	memcpy(scratch_page(c->index, user ? SP_UCODE : SP_KCODE), code, n);
	code_setup(c, user);
	c->regs[REG_ECX] = count;
	c->regs[REG_EDX] = port;
	c->regs[REG_ESI] = str_address(c, user);
	c->regs[REG_EDI] = str_address(c, user);
	if (ONE_IN(4))
		eflags |= EFLAGS_DF;
	if (user && ONE_IN(4))
		eflags &= ~EFLAGS_IOPL3;
	expect_str(c, out, user, rep ? count : 1, eflags);
	FUZZ_TRACE("fuzz: cpu %u str %x port %x count %u esi %x edi %x cpl%u\n", c->index, opc[k],
		   port, count, c->regs[REG_ESI], c->regs[REG_EDI], user ? 3 : 0);
	code_enter(c, 0, user, eflags);
}
