/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for loader/loader.c (and loader/mbinfo.c): arbitrary image bytes
 * are loaded into an exact-size 1 MiB guest buffer (ASan catches any write
 * outside it); a refused image must leave the buffer unchanged, an accepted
 * one may change only its segments, which must hold its bytes and zeroed BSS.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "boot/mb2.h"
#include "loader/loader.h"
#include "loader/mbinfo.h"

#define GUEST_SIZE (1u << 20)
#define GUEST_FILL 0x5A
#define INFO_ADDR 0x9000
#define INFO_LIMIT 0x1000
#define CMDLINE_MAX 256

static uint8_t *guest;
static uint8_t *expect;
static uint8_t *pristine;
static struct loader_result res;
static struct mb2_info info;
static const struct loader_range reserved[] = {{INFO_ADDR, INFO_LIMIT}};

static bool in_segment(uint64_t a)
{
	for (unsigned i = 0; i < res.segment_count; i++)
		if (a >= res.seg[i].dst && a - res.seg[i].dst < res.seg[i].memsz)
			return true;
	return false;
}

/* Rebuild the expected guest from the plan: fill, file bytes, zeroed BSS; compare all. */
static void check_loaded(const uint8_t *img)
{
	if (res.why || res.load_end > GUEST_SIZE || res.load_start >= res.load_end ||
	    !in_segment(res.entry) || !res.segment_count)
		__builtin_trap();
	memset(expect, GUEST_FILL, GUEST_SIZE);
	for (unsigned i = 0; i < res.segment_count; i++) {
		const struct loader_segment *s = &res.seg[i];

		if (s->filesz > s->memsz || s->dst + s->memsz > GUEST_SIZE)
			__builtin_trap();
		memcpy(expect + s->dst, img + s->file_off, s->filesz);
		memset(expect + s->dst + s->filesz, 0, s->memsz - s->filesz);
	}
	if (memcmp(guest, expect, GUEST_SIZE))
		__builtin_trap();
	if (memcmp(guest + INFO_ADDR, pristine + INFO_ADDR, INFO_LIMIT))
		__builtin_trap();
}

static void check_refused(void)
{
	if (!res.why || !res.why[0] || strlen(res.why) >= LOADER_WHY_MAX || res.segment_count)
		__builtin_trap();
	if (memcmp(guest, pristine, GUEST_SIZE))
		__builtin_trap();
}

/* Boot information from fuzz bytes (command line, memory size) must parse back. */
static void fuzz_mbinfo(const uint8_t *data, size_t size)
{
	struct guest_mem_view mem = {guest, GUEST_SIZE};
	struct mbinfo_module mod = {0x100000, 0x100000, "m"};
	char cmdline[CMDLINE_MAX];
	size_t n = size < CMDLINE_MAX - 1 ? size : CMDLINE_MAX - 1;
	struct mbinfo_params p = {.cmdline = cmdline, .modules = &mod, .module_count = 1};
	uint64_t used;
	enum err e;

	memcpy(cmdline, data, n);
	cmdline[n] = '\0';
	if (size >= sizeof(uint64_t))
		memcpy(&p.mem_size, data, sizeof(uint64_t));
	e = mbinfo_build_mb2(&mem, INFO_ADDR, INFO_LIMIT, &p, &used);
	if (e == E_OK && mb2_parse(guest + INFO_ADDR, used, &info) != E_OK)
		__builtin_trap();
	if (e == E_OK && strcmp(info.cmdline, cmdline))
		__builtin_trap();
	if (e != E_OK && e != E_TRUNC)
		__builtin_trap();
	e = mbinfo_build_mb1(&mem, INFO_ADDR, INFO_LIMIT, &p, &used);
	if (e != E_OK && e != E_TRUNC)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guest_mem_view mem;
	uint8_t *img = malloc(size ? size : 1);
	enum err e;

	if (!guest)
		guest = malloc(GUEST_SIZE);
	if (!expect)
		expect = malloc(GUEST_SIZE);
	if (!pristine) {
		pristine = malloc(GUEST_SIZE);
		if (pristine)
			memset(pristine, GUEST_FILL, GUEST_SIZE);
	}
	if (!guest || !expect || !pristine || !img)
		abort();
	memcpy(img, data, size);
	memset(guest, GUEST_FILL, GUEST_SIZE);
	mem.base = guest;
	mem.size = GUEST_SIZE;
	e = loader_load(img, size, &mem, reserved, 1, &res);
	if (e == E_OK)
		check_loaded(img);
	else
		check_refused();
	fuzz_mbinfo(data, size);
	free(img);
	return 0;
}
