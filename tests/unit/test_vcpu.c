/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the backend-neutral vCPU code: guest/vcpu.c (the register
 * map's names, exit-kind names, boot-state defaults, vcpu_stop) and
 * guest/guest_mem.c reaching guest memory only through the interface (a
 * fake backend's address-space translation and paging registers).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "guest/guest_mem.h"
#include "guest/gva.h"
#include "guest/vcpu.h"

#define MEM_SIZE (64u << 10)
#define PG 0x1000u
#define P 0x1u
#define RW 0x2u
#define PD_AT 0x1000u
#define PT_AT 0x2000u
#define DATA_AT 0x3000u
#define LINEAR 0x400000u /* PDE 1, PTE 0 */

static uint8_t mem[MEM_SIZE];
static struct vcpu_paging paging_regs;
static unsigned translations;
static struct vcpu vcpu;

static void paging(struct vcpu *v, struct vcpu_paging *p)
{
	*p = paging_regs;
}

/* Guest-physical 0..MEM_SIZE is mapped, nothing else. */
static enum err translate(struct vcpu_gspace *gs, uint64_t gpa, uint64_t *hpa)
{
	translations++;
	if (gpa >= MEM_SIZE)
		return E_NOENT;
	*hpa = (uint64_t)(uintptr_t)(mem + gpa);
	return E_OK;
}

static const struct vcpu_backend backend = {
    .name = "test",
    .paging = paging,
    .gspace_translate = translate,
};

static int setup(void **state)
{
	memset(mem, 0, sizeof(mem));
	memset(&paging_regs, 0, sizeof(paging_regs));
	memset(&vcpu, 0, sizeof(vcpu));
	translations = 0;
	vcpu_be = &backend;
	return 0;
}

static void put32(uint64_t gpa, uint32_t v)
{
	memcpy(mem + gpa, &v, sizeof(v));
}

static void test_gpr_map_is_sdm_order(void **state)
{
	static const char *const want[VCPU_GPRS] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp",
						    "rsi", "rdi", "r8",	 "r9",	"r10", "r11",
						    "r12", "r13", "r14", "r15"};

	assert_int_equal(VCPU_RSP, 4);
	assert_int_equal(VCPU_R8, 8);
	assert_int_equal(VCPU_GPRS, 16);
	for (unsigned n = 0; n < VCPU_GPRS; n++)
		assert_string_equal(vcpu_gpr_name(n), want[n]);
	assert_string_equal(vcpu_gpr_name(VCPU_GPRS), "?");
}

/* Backends' entry code relies on this layout: SDM order without RSP, then CR2. */
static void test_regs_layout(void **state)
{
	assert_int_equal(offsetof(struct vcpu, regs), 0);
	assert_int_equal(offsetof(struct vcpu_regs, rax), 0);
	assert_int_equal(offsetof(struct vcpu_regs, rbx), 3 * 8);
	assert_int_equal(offsetof(struct vcpu_regs, rbp), 4 * 8);
	assert_int_equal(offsetof(struct vcpu_regs, r8), 7 * 8);
	assert_int_equal(offsetof(struct vcpu_regs, r15), 14 * 8);
	assert_int_equal(offsetof(struct vcpu_regs, cr2), 15 * 8);
}

static void test_exit_kind_names(void **state)
{
	static const char *const want[VCPU_EXIT_KINDS] = {
	    "io", "mmio", "rdmsr", "wrmsr", "hlt", "cpuid", "extint", "timer", "irqwin"};

	for (unsigned k = 0; k < VCPU_EXIT_KINDS; k++)
		assert_string_equal(vcpu_exit_kind_name((enum vcpu_exit_kind)k), want[k]);
	assert_string_equal(vcpu_exit_kind_name(VCPU_EXIT_KINDS), "?");
}

static void test_boot_state_defaults(void **state)
{
	struct vcpu_boot_state bs, zero;

	memset(&bs, 0xa5, sizeof(bs));
	vcpu_boot_state_init(&bs, VCPU_MODE_REAL);
	assert_int_equal(bs.mode, VCPU_MODE_REAL);
	memset(&zero, 0, sizeof(zero));
	zero.mode = VCPU_MODE_REAL;
	assert_memory_equal(&bs, &zero, sizeof(bs));
}

static void test_stop_keeps_reason(void **state)
{
	char longer[VCPU_STOP_REASON_LEN + 20];

	vcpu_stop(&vcpu, "bad %s at 0x%x", "access", 0x1234);
	assert_true(vcpu.stopped);
	assert_string_equal(vcpu.stop_reason, "bad access at 0x1234");
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	vcpu_stop(&vcpu, "%s", longer);
	assert_int_equal(strlen(vcpu.stop_reason), VCPU_STOP_REASON_LEN - 1);
}

/* A copy crosses a page border through two translations; an unmapped
 * address is refused without touching the buffer. */
static void test_phys_read_through_gspace(void **state)
{
	uint8_t buf[8], keep[8];

	memcpy(mem + PG - 4, "abcdefgh", 8);
	assert_int_equal(guest_phys_read(&vcpu, PG - 4, buf, sizeof(buf)), E_OK);
	assert_memory_equal(buf, "abcdefgh", 8);
	assert_int_equal(translations, 2);
	memset(buf, 0x5a, sizeof(buf));
	memcpy(keep, buf, sizeof(buf));
	assert_int_equal(guest_phys_read(&vcpu, MEM_SIZE, buf, sizeof(buf)), E_NOENT);
	assert_memory_equal(buf, keep, sizeof(buf));
}

/* Paging off (CR0.PG = 0): linear = physical, read and write. */
static void test_linear_unpaged(void **state)
{
	uint32_t v = 0x11223344, back = 0;
	uint64_t gpa = 0;

	paging_regs.cr0 = CR0_PE;
	assert_int_equal(guest_mem_write(&vcpu, DATA_AT + 2, &v, sizeof(v)), E_OK);
	assert_int_equal(guest_mem_read(&vcpu, DATA_AT + 2, &back, sizeof(back)), E_OK);
	assert_int_equal(back, v);
	assert_int_equal(guest_linear_to_phys(&vcpu, DATA_AT, &gpa), E_OK);
	assert_int_equal(gpa, DATA_AT);
}

/* 32-bit paging from the backend's CR0/CR3: the walk reads the tables
 * through the address space too. */
static void test_linear_paged(void **state)
{
	uint64_t gpa = 0;
	uint32_t v = 0;

	put32(PD_AT + 1 * 4, PT_AT | P | RW);
	put32(PT_AT + 0 * 4, DATA_AT | P | RW);
	put32(DATA_AT + 8, 0xcafef00d);
	paging_regs.cr0 = CR0_PE | CR0_PG;
	paging_regs.cr3 = PD_AT;
	assert_int_equal(guest_linear_to_phys(&vcpu, LINEAR + 8, &gpa), E_OK);
	assert_int_equal(gpa, DATA_AT + 8);
	assert_int_equal(guest_mem_read(&vcpu, LINEAR + 8, &v, sizeof(v)), E_OK);
	assert_int_equal(v, 0xcafef00d);
	assert_int_not_equal(guest_linear_to_phys(&vcpu, LINEAR + PG, &gpa), E_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_gpr_map_is_sdm_order, setup),
	    cmocka_unit_test_setup(test_regs_layout, setup),
	    cmocka_unit_test_setup(test_exit_kind_names, setup),
	    cmocka_unit_test_setup(test_boot_state_defaults, setup),
	    cmocka_unit_test_setup(test_stop_keeps_reason, setup),
	    cmocka_unit_test_setup(test_phys_read_through_gspace, setup),
	    cmocka_unit_test_setup(test_linear_unpaged, setup),
	    cmocka_unit_test_setup(test_linear_paged, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
