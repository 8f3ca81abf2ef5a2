/* SPDX-License-Identifier: MIT */
/*
 * Host tests for guest/insn_decode.c. Every encoding below was produced by
 * `nasm -f bin` from the instruction in its text (bits 16/32/64 as the mode
 * says) unless marked hand-built; each valid case is also cut short at every
 * length to check E_TRUNC and that nothing past `avail` is read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "guest/insn_decode.h"

#define MAXB 16

struct enc {
	const char *text;
	enum insn_cpu_mode mode;
	uint8_t bytes[MAXB];
	unsigned n;
	bool write;
	unsigned size;
	unsigned reg;
	bool has_imm;
	uint64_t imm;
	bool high;
	bool movzx;
	unsigned dest_size;
};

#define L64 INSN_MODE_LONG64
#define P32 INSN_MODE_PROT32
#define R16 INSN_MODE_REAL16
#define P16 INSN_MODE_PROT16

static const struct enc good[] = {
	/* bits 64 */
	{ .text = "mov [rax], ecx", .mode = L64,
	  .bytes = { 0x89, 0x08 },
	  .n = 2, .write = true, .size = 4, .reg = 1 },
	{ .text = "mov rdx, [rbx+rsi*4+0x10]", .mode = L64,
	  .bytes = { 0x48, 0x8B, 0x54, 0xB3, 0x10 },
	  .n = 5, .write = false, .size = 8, .reg = 2 },
	{ .text = "mov [rel $+0x1000], r9d (RIP-relative)", .mode = L64,
	  .bytes = { 0x44, 0x89, 0x0D, 0xF9, 0x0F, 0x00, 0x00 },
	  .n = 7, .write = true, .size = 4, .reg = 9 },
	{ .text = "mov byte [rdi], ah", .mode = L64,
	  .bytes = { 0x88, 0x27 },
	  .n = 2, .write = true, .size = 1, .reg = 4, .high = true },
	{ .text = "mov byte [rdi], spl", .mode = L64,
	  .bytes = { 0x40, 0x88, 0x27 },
	  .n = 3, .write = true, .size = 1, .reg = 4 },
	{ .text = "mov al, [r12] (SIB for r12)", .mode = L64,
	  .bytes = { 0x41, 0x8A, 0x04, 0x24 },
	  .n = 4, .write = false, .size = 1, .reg = 0 },
	{ .text = "mov dword [rbp-8], 0x12345678", .mode = L64,
	  .bytes = { 0xC7, 0x45, 0xF8, 0x78, 0x56, 0x34, 0x12 },
	  .n = 7, .write = true, .size = 4, .reg = 0, .has_imm = true, .imm = 0x12345678 },
	{ .text = "mov qword [rax+0x100], -2 (imm32 sign-extended)", .mode = L64,
	  .bytes = { 0x48, 0xC7, 0x80, 0x00, 0x01, 0x00, 0x00, 0xFE, 0xFF, 0xFF, 0xFF },
	  .n = 11, .write = true, .size = 8, .reg = 0, .has_imm = true, .imm = 0xFFFFFFFFFFFFFFFEull },
	{ .text = "mov byte [rsp], 0x7f", .mode = L64,
	  .bytes = { 0xC6, 0x04, 0x24, 0x7F },
	  .n = 4, .write = true, .size = 1, .reg = 0, .has_imm = true, .imm = 0x7F },
	{ .text = "mov word [rax], 0xbeef", .mode = L64,
	  .bytes = { 0x66, 0xC7, 0x00, 0xEF, 0xBE },
	  .n = 5, .write = true, .size = 2, .reg = 0, .has_imm = true, .imm = 0xBEEF },
	{ .text = "mov [qword 0x123456789abcdef0], eax", .mode = L64,
	  .bytes = { 0xA3, 0xF0, 0xDE, 0xBC, 0x9A, 0x78, 0x56, 0x34, 0x12 },
	  .n = 9, .write = true, .size = 4, .reg = 0 },
	{ .text = "mov al, [qword 0x1122334455667788]", .mode = L64,
	  .bytes = { 0xA0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 },
	  .n = 9, .write = false, .size = 1, .reg = 0 },
	{ .text = "a32 mov [0x11223344], ax (moffs32 with 0x67)", .mode = L64,
	  .bytes = { 0x66, 0x67, 0xA3, 0x44, 0x33, 0x22, 0x11 },
	  .n = 7, .write = true, .size = 2, .reg = 0 },
	{ .text = "movzx ecx, byte [rax]", .mode = L64,
	  .bytes = { 0x0F, 0xB6, 0x08 },
	  .n = 3, .write = false, .size = 1, .reg = 1, .movzx = true, .dest_size = 4 },
	{ .text = "movzx r11, word [rdx+4]", .mode = L64,
	  .bytes = { 0x4C, 0x0F, 0xB7, 0x5A, 0x04 },
	  .n = 5, .write = false, .size = 2, .reg = 11, .movzx = true, .dest_size = 8 },
	{ .text = "mov [fs:rax], ebx", .mode = L64,
	  .bytes = { 0x64, 0x89, 0x18 },
	  .n = 3, .write = true, .size = 4, .reg = 3 },
	{ .text = "mov r15, [r13] (mod 01 disp8 0)", .mode = L64,
	  .bytes = { 0x4D, 0x8B, 0x7D, 0x00 },
	  .n = 4, .write = false, .size = 8, .reg = 15 },
	{ .text = "mov [eax], ecx (0x67)", .mode = L64,
	  .bytes = { 0x67, 0x89, 0x08 },
	  .n = 3, .write = true, .size = 4, .reg = 1 },
	{ .text = "mov [rsi*4+0x10], eax (SIB base 101, mod 00: disp32)", .mode = L64,
	  .bytes = { 0x89, 0x04, 0xB5, 0x10, 0x00, 0x00, 0x00 },
	  .n = 7, .write = true, .size = 4, .reg = 0 },
	{ .text = "mov [rsp+0x200], edx", .mode = L64,
	  .bytes = { 0x89, 0x94, 0x24, 0x00, 0x02, 0x00, 0x00 },
	  .n = 7, .write = true, .size = 4, .reg = 2 },
	{ .text = "mov ah, [rbx]", .mode = L64,
	  .bytes = { 0x8A, 0x23 },
	  .n = 2, .write = false, .size = 1, .reg = 4, .high = true },
	{ .text = "mov [rax], dil", .mode = L64,
	  .bytes = { 0x40, 0x88, 0x38 },
	  .n = 3, .write = true, .size = 1, .reg = 7 },
	{ .text = "mov rax, [qword 0xfee00020]", .mode = L64,
	  .bytes = { 0x48, 0xA1, 0x20, 0x00, 0xE0, 0xFE, 0x00, 0x00, 0x00, 0x00 },
	  .n = 10, .write = false, .size = 8, .reg = 0 },
	{ .text = "mov [rax], r8", .mode = L64,
	  .bytes = { 0x4C, 0x89, 0x00 },
	  .n = 3, .write = true, .size = 8, .reg = 8 },
	{ .text = "movzx ax, byte [rax]", .mode = L64,
	  .bytes = { 0x66, 0x0F, 0xB6, 0x00 },
	  .n = 4, .write = false, .size = 1, .reg = 0, .movzx = true, .dest_size = 2 },
	{ .text = "hand-built 48 66 89 08: REX not last is ignored", .mode = L64,
	  .bytes = { 0x48, 0x66, 0x89, 0x08 },
	  .n = 4, .write = true, .size = 2, .reg = 1 },
	/* bits 32 */
	{ .text = "mov [0xfee000b0], eax", .mode = P32,
	  .bytes = { 0xA3, 0xB0, 0x00, 0xE0, 0xFE },
	  .n = 5, .write = true, .size = 4, .reg = 0 },
	{ .text = "mov eax, [ebx+0x20]", .mode = P32,
	  .bytes = { 0x8B, 0x43, 0x20 },
	  .n = 3, .write = false, .size = 4, .reg = 0 },
	{ .text = "mov byte [esi], dh", .mode = P32,
	  .bytes = { 0x88, 0x36 },
	  .n = 2, .write = true, .size = 1, .reg = 6, .high = true },
	{ .text = "mov word [edx], 0x1234", .mode = P32,
	  .bytes = { 0x66, 0xC7, 0x02, 0x34, 0x12 },
	  .n = 5, .write = true, .size = 2, .reg = 0, .has_imm = true, .imm = 0x1234 },
	{ .text = "a16 mov [bx+si], ax", .mode = P32,
	  .bytes = { 0x66, 0x67, 0x89, 0x00 },
	  .n = 4, .write = true, .size = 2, .reg = 0 },
	{ .text = "mov dword [esp+ecx*8+0x44332211], 5", .mode = P32,
	  .bytes = { 0xC7, 0x84, 0xCC, 0x11, 0x22, 0x33, 0x44, 0x05, 0x00, 0x00, 0x00 },
	  .n = 11, .write = true, .size = 4, .reg = 0, .has_imm = true, .imm = 5 },
	{ .text = "movzx eax, byte [ebx]", .mode = P32,
	  .bytes = { 0x0F, 0xB6, 0x03 },
	  .n = 3, .write = false, .size = 1, .reg = 0, .movzx = true, .dest_size = 4 },
	/* bits 16 */
	{ .text = "mov [bx+si], ax", .mode = R16,
	  .bytes = { 0x89, 0x00 },
	  .n = 2, .write = true, .size = 2, .reg = 0 },
	{ .text = "mov [0x1234], al (moffs16)", .mode = R16,
	  .bytes = { 0xA2, 0x34, 0x12 },
	  .n = 3, .write = true, .size = 1, .reg = 0 },
	{ .text = "mov ax, [bp+0x10]", .mode = R16,
	  .bytes = { 0x8B, 0x46, 0x10 },
	  .n = 3, .write = false, .size = 2, .reg = 0 },
	{ .text = "mov dword [di+0x1234], 0x55aa55aa", .mode = P16,
	  .bytes = { 0x66, 0xC7, 0x85, 0x34, 0x12, 0xAA, 0x55, 0xAA, 0x55 },
	  .n = 9, .write = true, .size = 4, .reg = 0, .has_imm = true, .imm = 0x55AA55AA },
	{ .text = "mov eax, [es:bx]", .mode = R16,
	  .bytes = { 0x26, 0x66, 0x8B, 0x07 },
	  .n = 4, .write = false, .size = 4, .reg = 0 },
	{ .text = "a32 mov eax, [ebx+0x12345678]", .mode = R16,
	  .bytes = { 0x66, 0x67, 0x8B, 0x83, 0x78, 0x56, 0x34, 0x12 },
	  .n = 8, .write = false, .size = 4, .reg = 0 },
	{ .text = "mov al, [0x300]", .mode = R16,
	  .bytes = { 0xA0, 0x00, 0x03 },
	  .n = 3, .write = false, .size = 1, .reg = 0 },
	{ .text = "hand-built 89 06 00 03: mod 00 rm 110 = disp16", .mode = R16,
	  .bytes = { 0x89, 0x06, 0x00, 0x03 },
	  .n = 4, .write = true, .size = 2, .reg = 0 },
};

static void check_good(const struct enc *t)
{
	struct insn_mmio m;
	uint8_t *buf;
	unsigned cut;

	/* exact-size heap copy so ASan sees any read past avail */
	buf = malloc(t->n);
	assert_non_null(buf);
	memcpy(buf, t->bytes, t->n);
	assert_int_equal(insn_decode_mmio(buf, t->n, t->mode, &m), E_OK);
	assert_int_equal(m.len, t->n);
	assert_int_equal(m.write, t->write);
	assert_int_equal(m.size, t->size);
	assert_int_equal(m.reg, t->reg);
	assert_int_equal(m.has_imm, t->has_imm);
	assert_int_equal(m.imm, t->imm);
	assert_int_equal(m.zero_extend_byte_reg_high, t->high);
	assert_int_equal(m.movzx, t->movzx);
	assert_int_equal(m.dest_size, t->dest_size ? t->dest_size : t->size);
	for (cut = 0; cut < t->n; cut++) {
		memcpy(buf + t->n - cut, t->bytes, cut); /* the tail of the buffer */
		assert_int_equal(insn_decode_mmio(buf + t->n - cut, cut, t->mode, &m), E_TRUNC);
		assert_int_equal(m.len, 0);
	}
	free(buf);
}

static void test_good_encodings(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		print_message("  %s\n", good[i].text);
		check_good(&good[i]);
	}
}

static enum err dec(enum insn_cpu_mode mode, const uint8_t *b, unsigned n)
{
	struct insn_mmio m;

	return insn_decode_mmio(b, n, mode, &m);
}

static void test_rejects(void **state)
{
	/* lock mov [rax], ecx */
	static const uint8_t lock[] = { 0xF0, 0x89, 0x08 };
	/* mov eax, ecx: register-direct ModRM */
	static const uint8_t regdirect[] = { 0x89, 0xC8 };
	/* add [rax], ecx */
	static const uint8_t add[] = { 0x01, 0x08 };
	/* C7 /1 is not MOV */
	static const uint8_t c7_1[] = { 0xC7, 0x08, 0, 0, 0, 0 };
	/* dec eax; mov [eax], ecx in 32-bit mode */
	static const uint8_t rex32[] = { 0x48, 0x89, 0x08 };
	/* rep movsb */
	static const uint8_t rep[] = { 0xF3, 0xA4 };
	/* movsx eax, byte [rax] (0F BE) */
	static const uint8_t movsx[] = { 0x0F, 0xBE, 0x00 };
	/* movzx eax, al: register source */
	static const uint8_t movzx_reg[] = { 0x0F, 0xB6, 0xC0 };
	uint8_t many[INSN_MAX_LEN + 2];

	assert_int_equal(dec(L64, lock, sizeof(lock)), E_INVAL);
	assert_int_equal(dec(L64, regdirect, sizeof(regdirect)), E_INVAL);
	assert_int_equal(dec(L64, add, sizeof(add)), E_NOTSUP);
	assert_int_equal(dec(L64, c7_1, sizeof(c7_1)), E_INVAL);
	assert_int_equal(dec(P32, rex32, sizeof(rex32)), E_NOTSUP);
	assert_int_equal(dec(L64, rex32, sizeof(rex32)), E_OK);
	assert_int_equal(dec(L64, rep, sizeof(rep)), E_NOTSUP);
	assert_int_equal(dec(L64, movsx, sizeof(movsx)), E_NOTSUP);
	assert_int_equal(dec(L64, movzx_reg, sizeof(movzx_reg)), E_INVAL);
	assert_int_equal(dec(L64, NULL, 0), E_TRUNC);
	assert_int_equal(dec((enum insn_cpu_mode)7, add, sizeof(add)), E_INVAL);
	/* 13 segment prefixes + 89 08 = 15 bytes: legal; 14 + 89 08 = 16: too long */
	memset(many, 0x3E, sizeof(many));
	many[13] = 0x89;
	many[14] = 0x08;
	assert_int_equal(dec(L64, many, 15), E_OK);
	memset(many, 0x3E, sizeof(many));
	many[14] = 0x89;
	many[15] = 0x08;
	assert_int_equal(dec(L64, many, 16), E_INVAL);
	assert_int_equal(dec(L64, many, sizeof(many)), E_INVAL);
}

static void test_operand_size_per_mode(void **state)
{
	/* 89 08: mov [eax/bx+si/rax], (e)cx: 16-bit default in real/prot16 */
	static const uint8_t b[] = { 0x89, 0x08 };
	struct insn_mmio m;

	assert_int_equal(insn_decode_mmio(b, 2, R16, &m), E_OK);
	assert_int_equal(m.size, 2);
	assert_int_equal(insn_decode_mmio(b, 2, P16, &m), E_OK);
	assert_int_equal(m.size, 2);
	assert_int_equal(insn_decode_mmio(b, 2, P32, &m), E_OK);
	assert_int_equal(m.size, 4);
	assert_int_equal(insn_decode_mmio(b, 2, L64, &m), E_OK);
	assert_int_equal(m.size, 4);
}

static void string_io(const uint8_t *b, unsigned n, enum insn_cpu_mode mode, enum err want_err,
		      unsigned want_addr, unsigned want_seg)
{
	struct insn_string_io d = {0};

	assert_int_equal(insn_decode_string_io(b, n, mode, &d), want_err);
	if (want_err != E_OK)
		return;
	assert_int_equal(d.addr_size, want_addr);
	assert_int_equal(d.seg, want_seg);
}

/* INS/OUTS prefixes: address size per mode and 0x67, the last segment override. */
static void test_string_io_prefixes(void **state)
{
	static const uint8_t outsb[] = {0x6E}, rep_insd[] = {0xF3, 0x6D},
			     addr_gs_outsw[] = {0x66, 0x67, 0x65, 0xF3, 0x6F},
			     es_then_ss[] = {0x26, 0x36, 0x6E}, rex_outs[] = {0x67, 0x48, 0x6F},
			     not_string[] = {0xF3, 0xA4}, prefixes_only[] = {0x67, 0x26};

	string_io(outsb, 1, INSN_MODE_LONG64, E_OK, 8, INSN_SEG_DS);
	string_io(outsb, 1, INSN_MODE_PROT32, E_OK, 4, INSN_SEG_DS);
	string_io(outsb, 1, INSN_MODE_REAL16, E_OK, 2, INSN_SEG_DS);
	string_io(rep_insd, 2, INSN_MODE_PROT16, E_OK, 2, INSN_SEG_DS);
	string_io(addr_gs_outsw, 5, INSN_MODE_LONG64, E_OK, 4, 5);
	string_io(addr_gs_outsw, 5, INSN_MODE_PROT32, E_OK, 2, 5);
	string_io(addr_gs_outsw, 5, INSN_MODE_REAL16, E_OK, 4, 5);
	string_io(es_then_ss, 3, INSN_MODE_PROT32, E_OK, 4, INSN_SEG_SS);
	string_io(rex_outs, 3, INSN_MODE_LONG64, E_OK, 4, INSN_SEG_DS);
	string_io(rex_outs, 3, INSN_MODE_PROT32, E_NOTSUP, 0, 0); /* 0x48 is DEC EAX there */
	string_io(not_string, 2, INSN_MODE_LONG64, E_NOTSUP, 0, 0);
	string_io(prefixes_only, 2, INSN_MODE_LONG64, E_TRUNC, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_encodings),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_operand_size_per_mode),
		cmocka_unit_test(test_string_io_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
