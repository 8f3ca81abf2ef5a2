/* SPDX-License-Identifier: MIT */
/*
 * Checked VMX instructions on the VMCS (SDM Vol. 3C 31.3; failure
 * conventions 31.2; error numbers 31.4): VMCLEAR, VMPTRLD, VMPTRST, VMREAD,
 * VMWRITE, INVEPT and INVVPID wrappers that report what failed by name,
 * vmcs_dump(), and VMCS region allocation (SDM 3C 25.2).
 */
#include "lib/printk.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/pmm.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_insn.h"

#define VMCS_DUMP_COLS 100
#define VMCS_DUMP_INDENT "vmcs:   "
#define VMCS_DUMP_SEP "  "
#define VMCS_DUMP_ITEM_LEN 80
#define VMCS_WHAT_LEN 48

#define HINT_NO_CURRENT "no current VMCS on this CPU (VMPTRLD one first)"
#define HINT_BAD_REGION                                                                 \
	"the CPU refused the address (beyond the physical-address width, the VMXON "   \
	"region, or a revision id other than IA32_VMX_BASIC's) and, with no current "  \
	"VMCS, could not store an error number; use a region from vmcs_alloc()"
#define HINT_BAD_INV_OPERAND                                                            \
	"the type is not supported or the descriptor is invalid (see "                 \
	"IA32_VMX_EPT_VPID_CAP), and no current VMCS holds the error number"

static uint32_t read_insn_error(void)
{
	uint64_t v;

	if (vmx_insn_vmread(VMCS_VM_INSTRUCTION_ERROR, &v) != VMX_INSN_OK)
		return 0;
	return (uint32_t)v;
}

/* Report a failed instruction on `what` (a field or an address) and map it to enum err. */
static enum err report_failure(const char *insn, const char *what, enum vmx_insn_result r,
			       const char *invalid_hint)
{
	uint32_t n;

	if (r == VMX_INSN_VMFAIL_VALID) {
		n = read_insn_error();
		pr_err("vmcs: %s of %s failed: VMfailValid, error %u: %s\n", insn, what, n,
		       vmx_insn_error_name(n));
	} else {
		pr_err("vmcs: %s of %s failed: VMfailInvalid: %s\n", insn, what, invalid_hint);
	}
	return vmx_insn_err(r);
}

uint32_t vmcs_insn_error(void)
{
	return read_insn_error();
}

/* ---- regions ---- */

enum err vmcs_alloc(uint32_t revision_id, uint64_t *pa)
{
	uint64_t page;
	enum err e;

	if (revision_id & ~VMCS_REVISION_MASK) {
		pr_err("vmcs: cannot allocate a VMCS with revision id 0x%x: bit 31 is set, but a "
		       "revision id has 31 bits; pass IA32_VMX_BASIC bits 30:0\n",
		       revision_id);
		return E_INVAL;
	}
	e = pmm_alloc_page(&page);
	if (e != E_OK) {
		pr_err("vmcs: cannot allocate a VMCS region: %s (%llu pages free); give the "
		       "machine more memory or run fewer vCPUs\n",
		       err_text(e), (unsigned long long)pmm_free_count());
		return e;
	}
	memset(phys_to_virt(page), 0, PAGE_SIZE);
	*(uint32_t *)phys_to_virt(page) = revision_id;
	*pa = page;
	return E_OK;
}

void vmcs_free(uint64_t pa)
{
	enum err e;

	if (!pa)
		return;
	e = pmm_free_pages(pa, 1);
	if (e != E_OK)
		pr_err("vmcs: freeing VMCS region 0x%llx failed: %s; it did not come from "
		       "vmcs_alloc() or was freed twice\n",
		       (unsigned long long)pa, err_text(e));
}

/* ---- VMCLEAR, VMPTRLD, VMPTRST ---- */

static enum err check_region_addr(const char *insn, uint64_t pa)
{
	if (!(pa & PAGE_OFFSET_MASK))
		return E_OK;
	pr_err("vmcs: %s of VMCS 0x%llx refused: a VMCS region must be 4 KiB-aligned "
	       "(SDM 3C 25.2); nothing executed\n",
	       insn, (unsigned long long)pa);
	return E_ALIGN;
}

static enum err region_insn(const char *insn, uint64_t pa,
			    enum vmx_insn_result (*op)(uint64_t pa))
{
	char what[VMCS_WHAT_LEN];
	enum vmx_insn_result r;
	enum err e = check_region_addr(insn, pa);

	if (e != E_OK)
		return e;
	r = op(pa);
	if (r == VMX_INSN_OK)
		return E_OK;
	fmt_snprintf(what, sizeof(what), "VMCS 0x%llx", (unsigned long long)pa);
	return report_failure(insn, what, r, HINT_BAD_REGION);
}

enum err vmcs_clear(uint64_t pa)
{
	return region_insn("VMCLEAR", pa, vmx_insn_vmclear);
}

enum err vmcs_load(uint64_t pa)
{
	return region_insn("VMPTRLD", pa, vmx_insn_vmptrld);
}

uint64_t vmcs_current(void)
{
	uint64_t pa;

	if (vmx_insn_vmptrst(&pa) != VMX_INSN_OK)
		return VMCS_NONE;
	return pa;
}

/* ---- VMREAD, VMWRITE ---- */

static enum err read_field(uint32_t field, uint64_t *val, bool quiet)
{
	char what[VMCS_FIELD_DESC_LEN];
	enum vmx_insn_result r = vmx_insn_vmread(field, val);

	if (r == VMX_INSN_OK)
		return E_OK;
	if (quiet)
		return vmx_insn_err(r);
	return report_failure("VMREAD", vmcs_field_describe(field, what, sizeof(what)), r,
			      HINT_NO_CURRENT);
}

enum err vmcs_read(uint32_t field, uint64_t *val)
{
	return read_field(field, val, false);
}

enum err vmcs_read_quiet(uint32_t field, uint64_t *val)
{
	return read_field(field, val, true);
}

uint64_t vmcs_read_or(uint32_t field, uint64_t dflt)
{
	uint64_t v;

	return read_field(field, &v, false) == E_OK ? v : dflt;
}

/* A value wider than a 16- or 32-bit field would be cut silently by the CPU. */
static bool value_fits(uint32_t field, uint64_t val)
{
	unsigned int bits = vmcs_field_bits(field);

	return bits >= 64 || !(val >> bits);
}

enum err vmcs_write(uint32_t field, uint64_t val)
{
	char what[VMCS_FIELD_DESC_LEN];
	enum vmx_insn_result r;

	if (!value_fits(field, val)) {
		pr_err("vmcs: VMWRITE of %s refused: value 0x%llx does not fit its %u bits; "
		       "nothing written\n",
		       vmcs_field_describe(field, what, sizeof(what)), (unsigned long long)val,
		       vmcs_field_bits(field));
		return E_RANGE;
	}
	r = vmx_insn_vmwrite(field, val);
	if (r == VMX_INSN_OK)
		return E_OK;
	return report_failure("VMWRITE", vmcs_field_describe(field, what, sizeof(what)), r,
			      HINT_NO_CURRENT);
}

/* ---- INVEPT, INVVPID ---- */

enum err vmx_invept(uint32_t type, uint64_t eptp)
{
	struct vmx_invept_desc desc = {.eptp = eptp, .reserved = 0};
	char what[VMCS_WHAT_LEN];
	enum vmx_insn_result r = vmx_insn_invept(type, &desc);

	if (r == VMX_INSN_OK)
		return E_OK;
	fmt_snprintf(what, sizeof(what), "type %u, EPTP 0x%llx", type, (unsigned long long)eptp);
	return report_failure("INVEPT", what, r, HINT_BAD_INV_OPERAND);
}

enum err vmx_invvpid(uint32_t type, uint16_t vpid, uint64_t linear_addr)
{
	struct vmx_invvpid_desc desc = {.vpid = vpid, .linear_addr = linear_addr};
	char what[VMCS_WHAT_LEN];
	enum vmx_insn_result r = vmx_insn_invvpid(type, &desc);

	if (r == VMX_INSN_OK)
		return E_OK;
	fmt_snprintf(what, sizeof(what), "type %u, VPID %u, address 0x%llx", type, vpid,
		     (unsigned long long)linear_addr);
	return report_failure("INVVPID", what, r, HINT_BAD_INV_OPERAND);
}

/* ---- vmcs_dump ---- */

struct dump_line {
	char buf[VMCS_DUMP_COLS + 1];
	size_t len;
	bool empty;
};

static void dump_start(struct dump_line *l)
{
	l->len = fmt_snprintf(l->buf, sizeof(l->buf), "%s", VMCS_DUMP_INDENT);
	l->empty = true;
}

static void dump_flush(struct dump_line *l)
{
	if (!l->empty)
		pr_err("%s\n", l->buf);
	dump_start(l);
}

static void dump_add(struct dump_line *l, const char *item)
{
	size_t n = strlen(item);

	if (!l->empty && l->len + strlen(VMCS_DUMP_SEP) + n > VMCS_DUMP_COLS)
		dump_flush(l);
	if (!l->empty)
		l->len += fmt_snprintf(l->buf + l->len, sizeof(l->buf) - l->len, "%s",
				       VMCS_DUMP_SEP);
	l->len += fmt_snprintf(l->buf + l->len, sizeof(l->buf) - l->len, "%s", item);
	if (l->len >= sizeof(l->buf))
		l->len = sizeof(l->buf) - 1;
	l->empty = false;
}

/* Print the group's fields; count those shown and those VMREAD refused. */
static void dump_group(enum vmcs_field_type type, unsigned int *shown, unsigned int *skipped)
{
	char item[VMCS_DUMP_ITEM_LEN];
	const struct vmcs_field_info *f;
	struct dump_line line;
	uint64_t v;
	size_t i;

	pr_err("vmcs: %s fields:\n", vmcs_field_type_name(type));
	dump_start(&line);
	for (i = 0; (f = vmcs_field_at(i)) != NULL; i++) {
		if (vmcs_field_type(f->encoding) != type)
			continue;
		if (vmcs_read_quiet(f->encoding, &v) != E_OK) {
			(*skipped)++;
			continue;
		}
		fmt_snprintf(item, sizeof(item), "%s=0x%llx", f->name, (unsigned long long)v);
		dump_add(&line, item);
		(*shown)++;
	}
	dump_flush(&line);
}

void vmcs_dump(void)
{
	uint64_t cur = vmcs_current();
	unsigned int shown = 0, skipped = 0;
	uint32_t err;
	unsigned int t;

	if (cur == VMCS_NONE) {
		pr_err("vmcs: dump: no current VMCS on this CPU; VMPTRLD one first\n");
		return;
	}
	err = read_insn_error();
	pr_err("vmcs: dump of VMCS 0x%llx (VM-instruction error %u: %s)\n",
	       (unsigned long long)cur, err, err ? vmx_insn_error_name(err) : "none");
	for (t = VMCS_TYPE_CONTROL; t <= VMCS_TYPE_HOST; t++)
		dump_group((enum vmcs_field_type)t, &shown, &skipped);
	pr_err("vmcs: %u fields shown, %u skipped (not supported by this CPU: VMREAD failed)\n",
	       shown, skipped);
}
