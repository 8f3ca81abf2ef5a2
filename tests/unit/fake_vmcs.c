/* SPDX-License-Identifier: MIT */
/*
 * Host fake of the VMCS instructions of vmx/vmx_insn.h. Each VMCS the code
 * under test loads gets a field store indexed by the encoding's width, type
 * and index; VMfail follows SDM Vol. 3C 31.2 (VMfailValid with the error in
 * the current VMCS if there is one, else VMfailInvalid) and 31.3's checks.
 */
#include <stdlib.h>
#include <string.h>
#include "tests/unit/fake_vmcs.h"

#define FAKE_VMCS_STORES 8
/* width (2 bits) : type (2 bits) : index (9 bits) */
#define FAKE_SLOTS (1u << 13)
#define ENC_RESERVED 0xffff9000u
#define ENC_HIGH 0x1u
#define ENC_INDEX(e) (((e) >> 1) & 0x1ffu)
#define ENC_TYPE(e) (((e) >> 10) & 0x3u)
#define ENC_WIDTH(e) (((e) >> 13) & 0x3u)
#define TYPE_READ_ONLY 1u
#define WIDTH_16 0u
#define WIDTH_64 1u
#define WIDTH_32 2u
#define FIELD_INSN_ERROR 0x4400u
#define NO_VMCS (~0ull)
#define PAGE_OFFSET_MASK 0xfffull
#define PHYS_ADDR_LIMIT (1ull << 52)
#define REVISION_MASK 0x7fffffffu
#define LOW32 0xffffffffull
#define LOW16 0xffffull

/* VM-instruction errors the fake produces (SDM 3C 31.4). */
#define ERR_VMCLEAR_BAD_ADDR 2u
#define ERR_VMPTRLD_BAD_ADDR 9u
#define ERR_VMPTRLD_BAD_REVISION 11u
#define ERR_UNSUPPORTED_FIELD 12u
#define ERR_WRITE_READ_ONLY 13u
#define ERR_BAD_INV_OPERAND 28u

#define INVEPT_TYPES ((1u << 1) | (1u << 2))
#define INVVPID_TYPES 0xfu
#define INVVPID_ALL_CONTEXT 2u
#define CANONICAL_SHIFT 47

struct fake_store {
	uint64_t pa;
	bool used;
	bool clear;
	uint64_t fields[FAKE_SLOTS];
};

struct fake_force {
	bool armed;
	enum vmx_insn_result r;
	uint32_t error;
};

static struct fake_store stores[FAKE_VMCS_STORES];
static uint64_t current_pa = NO_VMCS;
static bool unsupported[FAKE_SLOTS];
static bool revision_check;
static uint32_t revision;
static bool write_read_only;
static struct fake_force forced[FAKE_VMCS_OPS];
static unsigned int calls[FAKE_VMCS_OPS];
static struct fake_vmcs_call last[FAKE_VMCS_OPS];
static bool has_last[FAKE_VMCS_OPS];

static unsigned int slot_of(uint32_t enc)
{
	return (ENC_WIDTH(enc) << 11) | (ENC_TYPE(enc) << 9) | ENC_INDEX(enc);
}

static struct fake_store *find_store(uint64_t pa, bool create)
{
	size_t i;

	for (i = 0; i < FAKE_VMCS_STORES; i++)
		if (stores[i].used && stores[i].pa == pa)
			return &stores[i];
	if (!create)
		return NULL;
	for (i = 0; i < FAKE_VMCS_STORES; i++) {
		if (!stores[i].used) {
			memset(&stores[i], 0, sizeof(stores[i]));
			stores[i].used = true;
			stores[i].pa = pa;
			stores[i].clear = true;
			return &stores[i];
		}
	}
	abort(); /* a test loaded more VMCSs than the fake holds */
}

void fake_vmcs_reset(void)
{
	memset(stores, 0, sizeof(stores));
	memset(unsupported, 0, sizeof(unsupported));
	memset(forced, 0, sizeof(forced));
	memset(calls, 0, sizeof(calls));
	memset(last, 0, sizeof(last));
	memset(has_last, 0, sizeof(has_last));
	current_pa = NO_VMCS;
	revision_check = false;
	revision = 0;
	write_read_only = false;
}

void fake_vmcs_set_revision(uint32_t revision_id)
{
	revision_check = true;
	revision = revision_id;
}

void fake_vmcs_set_unsupported(uint32_t field, bool on)
{
	unsupported[slot_of(field)] = on;
}

void fake_vmcs_allow_write_read_only(bool allow)
{
	write_read_only = allow;
}

void fake_vmcs_force(enum fake_vmcs_op op, enum vmx_insn_result r, uint32_t error)
{
	forced[op] = (struct fake_force){.armed = true, .r = r, .error = error};
}

void fake_vmcs_set_field(uint64_t vmcs_pa, uint32_t field, uint64_t value)
{
	find_store(vmcs_pa, true)->fields[slot_of(field)] = value;
}

uint64_t fake_vmcs_field(uint64_t vmcs_pa, uint32_t field)
{
	struct fake_store *s = find_store(vmcs_pa, false);

	return s ? s->fields[slot_of(field)] : 0;
}

uint64_t fake_vmcs_current(void)
{
	return current_pa;
}

bool fake_vmcs_is_clear(uint64_t vmcs_pa)
{
	struct fake_store *s = find_store(vmcs_pa, false);

	return !s || s->clear;
}

unsigned int fake_vmcs_calls(enum fake_vmcs_op op)
{
	return calls[op];
}

const struct fake_vmcs_call *fake_vmcs_last(enum fake_vmcs_op op)
{
	return has_last[op] ? &last[op] : NULL;
}

/* SDM 3C 31.2 "VMfail(n)": VMfailValid with n stored if a VMCS is current. */
static enum vmx_insn_result vmfail(uint32_t error, uint32_t *stored)
{
	if (current_pa == NO_VMCS)
		return VMX_INSN_VMFAIL_INVALID;
	find_store(current_pa, true)->fields[slot_of(FIELD_INSN_ERROR)] = error;
	*stored = error;
	return VMX_INSN_VMFAIL_VALID;
}

static enum vmx_insn_result finish(struct fake_vmcs_call c)
{
	calls[c.op]++;
	last[c.op] = c;
	has_last[c.op] = true;
	return c.result;
}

/* A forced outcome for this call, if one is armed; true if it applies. */
static bool take_forced(struct fake_vmcs_call *c)
{
	struct fake_force *f = &forced[c->op];

	if (!f->armed)
		return false;
	f->armed = false;
	if (f->r == VMX_INSN_VMFAIL_VALID)
		c->result = vmfail(f->error, &c->error);
	else
		c->result = f->r;
	return c->result != VMX_INSN_OK;
}

static bool bad_region_addr(uint64_t pa)
{
	return (pa & PAGE_OFFSET_MASK) || pa >= PHYS_ADDR_LIMIT;
}

enum vmx_insn_result vmx_insn_vmclear(uint64_t pa)
{
	struct fake_vmcs_call c = {.op = FAKE_VMCLEAR, .arg = pa};
	struct fake_store *s;

	if (take_forced(&c))
		return finish(c);
	if (bad_region_addr(pa)) {
		c.result = vmfail(ERR_VMCLEAR_BAD_ADDR, &c.error);
		return finish(c);
	}
	s = find_store(pa, false);
	if (s)
		s->clear = true;
	if (current_pa == pa)
		current_pa = NO_VMCS;
	c.result = VMX_INSN_OK;
	return finish(c);
}

enum vmx_insn_result vmx_insn_vmptrld(uint64_t pa)
{
	struct fake_vmcs_call c = {.op = FAKE_VMPTRLD, .arg = pa};
	uint32_t first;

	if (take_forced(&c))
		return finish(c);
	if (bad_region_addr(pa)) {
		c.result = vmfail(ERR_VMPTRLD_BAD_ADDR, &c.error);
		return finish(c);
	}
	if (revision_check) {
		memcpy(&first, (const void *)(uintptr_t)pa, sizeof(first));
		if ((first & REVISION_MASK) != revision) {
			c.result = vmfail(ERR_VMPTRLD_BAD_REVISION, &c.error);
			return finish(c);
		}
	}
	find_store(pa, true)->clear = false;
	current_pa = pa;
	c.result = VMX_INSN_OK;
	return finish(c);
}

enum vmx_insn_result vmx_insn_vmptrst(uint64_t *pa)
{
	struct fake_vmcs_call c = {.op = FAKE_VMPTRST};

	if (take_forced(&c))
		return finish(c);
	*pa = current_pa;
	c.value = current_pa;
	c.result = VMX_INSN_OK;
	return finish(c);
}

/* Whether field may be accessed at all: VMfail(12) otherwise (SDM 3C 31.3). */
static bool field_ok(uint64_t field)
{
	uint32_t enc = (uint32_t)field;

	if (field >> 32 || (enc & ENC_RESERVED))
		return false;
	if ((enc & ENC_HIGH) && ENC_WIDTH(enc) != WIDTH_64)
		return false;
	return !unsupported[slot_of(enc)];
}

static uint64_t read_slot(const struct fake_store *s, uint32_t enc)
{
	uint64_t v = s->fields[slot_of(enc & ~ENC_HIGH)];

	if (enc & ENC_HIGH)
		return v >> 32;
	if (ENC_WIDTH(enc) == WIDTH_16)
		return v & LOW16;
	if (ENC_WIDTH(enc) == WIDTH_32)
		return v & LOW32;
	return v;
}

static void write_slot(struct fake_store *s, uint32_t enc, uint64_t value)
{
	uint64_t *p = &s->fields[slot_of(enc & ~ENC_HIGH)];

	if (enc & ENC_HIGH)
		*p = (*p & LOW32) | (value << 32);
	else if (ENC_WIDTH(enc) == WIDTH_16)
		*p = value & LOW16;
	else if (ENC_WIDTH(enc) == WIDTH_32)
		*p = value & LOW32;
	else
		*p = value;
}

enum vmx_insn_result vmx_insn_vmread(uint64_t field, uint64_t *value)
{
	struct fake_vmcs_call c = {.op = FAKE_VMREAD, .arg = field};

	if (take_forced(&c))
		return finish(c);
	if (current_pa == NO_VMCS) {
		c.result = VMX_INSN_VMFAIL_INVALID;
		return finish(c);
	}
	if (!field_ok(field)) {
		c.result = vmfail(ERR_UNSUPPORTED_FIELD, &c.error);
		return finish(c);
	}
	*value = read_slot(find_store(current_pa, true), (uint32_t)field);
	c.value = *value;
	c.result = VMX_INSN_OK;
	return finish(c);
}

enum vmx_insn_result vmx_insn_vmwrite(uint64_t field, uint64_t value)
{
	struct fake_vmcs_call c = {.op = FAKE_VMWRITE, .arg = field, .value = value};

	if (take_forced(&c))
		return finish(c);
	if (current_pa == NO_VMCS) {
		c.result = VMX_INSN_VMFAIL_INVALID;
		return finish(c);
	}
	if (!field_ok(field)) {
		c.result = vmfail(ERR_UNSUPPORTED_FIELD, &c.error);
		return finish(c);
	}
	if (ENC_TYPE((uint32_t)field) == TYPE_READ_ONLY && !write_read_only) {
		c.result = vmfail(ERR_WRITE_READ_ONLY, &c.error);
		return finish(c);
	}
	write_slot(find_store(current_pa, true), (uint32_t)field, value);
	c.result = VMX_INSN_OK;
	return finish(c);
}

enum vmx_insn_result vmx_insn_invept(uint64_t type, const struct vmx_invept_desc *desc)
{
	struct fake_vmcs_call c = {
		.op = FAKE_INVEPT, .arg = type, .value = desc->eptp, .extra = desc->reserved};

	if (take_forced(&c))
		return finish(c);
	if (type > 31 || !(INVEPT_TYPES & (1u << type)))
		c.result = vmfail(ERR_BAD_INV_OPERAND, &c.error);
	else
		c.result = VMX_INSN_OK;
	return finish(c);
}

static bool canonical(uint64_t la)
{
	uint64_t top = la >> CANONICAL_SHIFT;

	return top == 0 || top == (~0ull >> CANONICAL_SHIFT);
}

enum vmx_insn_result vmx_insn_invvpid(uint64_t type, const struct vmx_invvpid_desc *desc)
{
	struct fake_vmcs_call c = {
		.op = FAKE_INVVPID, .arg = type, .value = desc->vpid, .extra = desc->linear_addr};
	bool bad;

	if (take_forced(&c))
		return finish(c);
	bad = type > 31 || !(INVVPID_TYPES & (1u << type)) || desc->reserved[0] ||
	      desc->reserved[1] || desc->reserved[2] ||
	      (type != INVVPID_ALL_CONTEXT && desc->vpid == 0) ||
	      (type == VMX_INVVPID_INDIVIDUAL_ADDR && !canonical(desc->linear_addr));
	if (bad)
		c.result = vmfail(ERR_BAD_INV_OPERAND, &c.error);
	else
		c.result = VMX_INSN_OK;
	return finish(c);
}
