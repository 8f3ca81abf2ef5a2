/*
 * Entry and reporters of the conformance kernel (conform.elf): the facts
 * (KEY VALUE pairs, printed by out.c), the KTAP checks (collected while the
 * modules run and printed as one KTAP block at the end), and the order of
 * the modules: those that could end the machine on a faulty platform (CR0.PG
 * without PE, the #DF chain, the xAPIC page in x2APIC mode, the trips to
 * long and real mode) come last, so
 * that every other fact is out by then.
 */
#include "conform.h"

#define MAX_CHECKS 192
#define REASON_LEN 96
#define NAME_LEN 64
#define VALUE_LEN 96
#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1
#define PIC_MASK_ALL 0xff

struct check_result {
	int ok;
	char name[NAME_LEN];
	char reason[REASON_LEN];
};

static struct check_result checks[MAX_CHECKS];
static int nchecks, nfacts;
const char *fact_prefix;

void fact(const char *key, const char *fmt, ...)
{
	char val[VALUE_LEN], pkey[NAME_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (fact_prefix) {
		snprintf(pkey, sizeof(pkey), "%s%s", fact_prefix, key);
		key = pkey;
	}
	fact_put(key, val);
	nfacts++;
}

void fact_fault(const char *key, const volatile struct fault *f)
{
	fact(key, "%s", fault_text(f));
}

/* Recorded now, printed by print_checks(); a full table is itself a failure. */
void check(int ok, const char *name, const char *fmt, ...)
{
	struct check_result *c;
	va_list ap;

	if (nchecks == MAX_CHECKS) {
		checks[MAX_CHECKS - 1].ok = 0;
		snprintf(checks[MAX_CHECKS - 1].reason, REASON_LEN, "more than %d checks",
			 MAX_CHECKS);
		return;
	}
	c = &checks[nchecks++];
	c->ok = ok;
	snprintf(c->name, NAME_LEN, "%s", name);
	c->reason[0] = 0;
	if (!ok && fmt) {
		va_start(ap, fmt);
		vsnprintf(c->reason, REASON_LEN, fmt, ap);
		va_end(ap);
	}
}

static void print_checks(void)
{
	int i;

	printf("KTAP version 1\n1..%d\n", nchecks);
	for (i = 0; i < nchecks; i++)
		report(checks[i].ok, checks[i].name, "%s", checks[i].reason);
}

void conform_main(uint32_t magic, uint32_t info);

void conform_main(uint32_t magic, uint32_t info)
{
	(void)info;
	uart_init();
	outb(PIC1_DATA, PIC_MASK_ALL);
	outb(PIC2_DATA, PIC_MASK_ALL);
	early_fault_take();
	tables_init();
	out_init();
	printf("conform: differential conformance kernel, Multiboot magic %x\n", magic);
	fact("early.int3", "%s", early_bp_hits == 1 ? "ran" : "lost");
	fact("boot.cr0", "%08x", read_cr0());
	fact("boot.cr4", "%08x", read_cr4());
	/* Loaders leave CR0.NE as they like; every OS sets it (SDM Vol. 3A 2.5). */
	wrcr0_safe(read_cr0() | CR0_NE, NULL);
	cpuid_facts();
	msr_facts();
	msr_consistency_checks();
	behave_tsc();
	behave_msrs();
	behave_cr();
	behave_xsave();
	except_facts();
	paging_facts();
	step_facts();
	ap_facts();
	fact_flush();
	printf("conform: the part that may end a faulty machine\n");
	fact_unbuffered();
	behave_cr_risky();
	double_fault_facts();
	apic_facts();
	longmode_facts();
	rmode_facts();
	printf("conform: %d facts, %d checks\n", nfacts, nchecks);
	print_checks();
	printf("conform: end\n");
	finish();
}
