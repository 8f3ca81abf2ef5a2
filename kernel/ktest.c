/* SPDX-License-Identifier: MIT */
/*
 * Self-test runner: collects the registered cases that match the selection,
 * prints KTAP version 1 (plan, one ok/not ok line per case, SKIP directives,
 * a summary) and exits with VIREO_EXIT_PASS only when nothing failed.
 */
#include "kernel/ktest.h"
#include "kernel/power.h"
#include "lib/printk.h"
#include "lib/format.h"
#include "lib/string.h"

extern const struct ktest_case __ktest_start[], __ktest_end[];

static void ktest_set(struct ktest *t, enum ktest_result r, const char *fmt, va_list ap)
{
	if (t->result == KTEST_FAIL)
		return;
	t->result = r;
	fmt_vsnprintf(t->reason, sizeof(t->reason), fmt, ap);
	for (char *p = t->reason; *p; p++) {
		if (*p == '\n' || *p == '#')
			*p = ' ';
	}
}

void ktest_fail(struct ktest *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktest_set(t, KTEST_FAIL, fmt, ap);
	va_end(ap);
}

void ktest_skip(struct ktest *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktest_set(t, KTEST_SKIP, fmt, ap);
	va_end(ap);
}

void ktest_diag(struct ktest *t, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printk(LOG_EMERG, "# %s\n", line);
}

/* Does "boot" or "boot.cmdline" in a comma-separated selection match c? */
static bool ktest_selected(const struct ktest_case *c, const char *sel)
{
	size_t slen = strlen(c->suite), nlen = strlen(c->name);

	while (*sel) {
		const char *end = strchr(sel, ',');
		size_t len = end ? (size_t)(end - sel) : strlen(sel);

		if (len == 3 && !strncmp(sel, "all", 3) && strcmp(c->suite, "fault") &&
		    strcmp(c->suite, "bench") && strcmp(c->suite, "hang"))
			return true;
		if (len == slen && !strncmp(sel, c->suite, slen))
			return true;
		if (len == slen + 1 + nlen && !strncmp(sel, c->suite, slen) && sel[slen] == '.' &&
		    !strncmp(sel + slen + 1, c->name, nlen))
			return true;
		sel += len;
		if (*sel == ',')
			sel++;
	}
	return false;
}

size_t ktest_count(const char *selection)
{
	size_t n = 0;

	for (const struct ktest_case *c = __ktest_start; c < __ktest_end; c++)
		n += ktest_selected(c, selection);
	return n;
}

static void ktest_list_suites(void)
{
	printk(LOG_EMERG, "# available suites:");
	for (const struct ktest_case *c = __ktest_start; c < __ktest_end; c++) {
		if (c == __ktest_start || strcmp(c[-1].suite, c->suite))
			printk(LOG_EMERG, " %s", c->suite);
	}
	printk(LOG_EMERG, "\n");
}

static enum ktest_result ktest_run_one(const struct ktest_case *c, unsigned idx)
{
	struct ktest t = {.result = KTEST_PASS};

	c->fn(&t);
	if (t.result == KTEST_PASS && t.checks == 0)
		ktest_fail(&t, "test made no checks");
	if (t.result == KTEST_PASS)
		printk(LOG_EMERG, "ok %u %s.%s\n", idx, c->suite, c->name);
	else if (t.result == KTEST_SKIP)
		printk(LOG_EMERG, "ok %u %s.%s # SKIP %s\n", idx, c->suite, c->name, t.reason);
	else
		printk(LOG_EMERG, "not ok %u %s.%s # %s\n", idx, c->suite, c->name, t.reason);
	return t.result;
}

void ktest_run(const char *selection)
{
	size_t total = ktest_count(selection);
	unsigned idx = 0, failed = 0, skipped = 0;

	printk(LOG_EMERG, "KTAP version 1\n");
	printk(LOG_EMERG, "# vireo self-tests: %s\n", selection);
	if (!total) {
		printk(LOG_EMERG, "1..0\n# no test matches vireo.test=%s\n", selection);
		ktest_list_suites();
		power_exit(VIREO_EXIT_FAIL);
	}
	printk(LOG_EMERG, "1..%zu\n", total);
	for (const struct ktest_case *c = __ktest_start; c < __ktest_end; c++) {
		if (!ktest_selected(c, selection))
			continue;
		switch (ktest_run_one(c, ++idx)) {
		case KTEST_FAIL:
			failed++;
			break;
		case KTEST_SKIP:
			skipped++;
			break;
		default:
			break;
		}
	}
	printk(LOG_EMERG, "# totals: pass:%zu fail:%u skip:%u\n", total - failed - skipped, failed,
	       skipped);
	power_exit(failed ? VIREO_EXIT_FAIL : VIREO_EXIT_PASS);
}
