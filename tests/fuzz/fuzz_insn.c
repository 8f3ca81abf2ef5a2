/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for guest/insn_decode.c: the first byte picks the CPU mode,
 * the rest is decoded from an exact-size heap copy (so ASan catches a read
 * past avail); whatever is accepted must be self-consistent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "guest/insn_decode.h"

#define MODE_COUNT 4
#define GPR_COUNT 16
#define HIGH_BYTE_FIRST 4 /* AH */
#define HIGH_BYTE_LAST 7  /* BH */

static bool size_ok(unsigned s)
{
	return s == 1 || s == 2 || s == 4 || s == 8;
}

static void check(const struct insn_mmio *m, unsigned avail, enum err e)
{
	if (e != E_OK) {
		if (e != E_TRUNC && e != E_INVAL && e != E_NOTSUP)
			__builtin_trap();
		if (m->len)
			__builtin_trap();
		return;
	}
	if (!m->len || m->len > avail || m->len > INSN_MAX_LEN)
		__builtin_trap();
	if (!size_ok(m->size) || !size_ok(m->dest_size) || m->reg >= GPR_COUNT)
		__builtin_trap();
	if (m->has_imm && !m->write)
		__builtin_trap();
	if (m->movzx && (m->write || m->size > 2 || m->dest_size < m->size))
		__builtin_trap();
	if (m->zero_extend_byte_reg_high &&
	    (m->size != 1 || m->reg < HIGH_BYTE_FIRST || m->reg > HIGH_BYTE_LAST))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum insn_cpu_mode mode;
	struct insn_mmio m, again;
	uint8_t *buf;
	unsigned n;
	enum err e;

	if (size < 1)
		return 0;
	mode = (enum insn_cpu_mode)(data[0] % MODE_COUNT);
	n = (unsigned)(size - 1 > 64 ? 64 : size - 1);
	buf = malloc(n ? n : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, n);
	e = insn_decode_mmio(buf, n, mode, &m);
	check(&m, n, e);
	/* an accepted instruction decodes the same from exactly its own bytes */
	if (e == E_OK) {
		if (insn_decode_mmio(buf, m.len, mode, &again) != E_OK ||
		    memcmp(&m, &again, sizeof(m)))
			__builtin_trap();
	}
	free(buf);
	return 0;
}
