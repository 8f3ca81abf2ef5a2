/* SPDX-License-Identifier: MIT */
/*
 * In-kernel self-tests. A test is registered with KTEST(suite, name) and
 * selected with vireo.test=<suite>[,<suite>.<name>...]; results are printed
 * as KTAP and the run ends with an exit status through kernel/power.h.
 */
#ifndef VIREO_KERNEL_KTEST_H
#define VIREO_KERNEL_KTEST_H

#include <stdbool.h>
#include <stddef.h>

enum ktest_result { KTEST_PASS, KTEST_FAIL, KTEST_SKIP };

struct ktest {
	enum ktest_result result;
	char reason[160];
	unsigned checks;
};

struct ktest_case {
	const char *suite;
	const char *name;
	void (*fn)(struct ktest *t);
};

#define KTEST(suite_, name_)                                                 \
	static void ktest_fn_##suite_##_##name_(struct ktest *t);            \
	static const struct ktest_case ktest_case_##suite_##_##name_         \
		__attribute__((used, section(".ktest"), aligned(8))) = {     \
			#suite_, #name_, ktest_fn_##suite_##_##name_};       \
	static void ktest_fn_##suite_##_##name_(struct ktest *t)

__attribute__((format(printf, 2, 3))) void ktest_fail(struct ktest *t, const char *fmt, ...);
__attribute__((format(printf, 2, 3))) void ktest_skip(struct ktest *t, const char *fmt, ...);
__attribute__((format(printf, 2, 3))) void ktest_diag(struct ktest *t, const char *fmt, ...);

/* Record a check; on failure mark the test failed and return from it. */
#define KT_ASSERT(t, cond, ...)                                              \
	do {                                                                 \
		(t)->checks++;                                               \
		if (!(cond)) {                                               \
			ktest_fail((t), __VA_ARGS__);                        \
			return;                                              \
		}                                                            \
	} while (0)

#define KT_EXPECT(t, cond, ...)                                              \
	do {                                                                 \
		(t)->checks++;                                               \
		if (!(cond))                                                 \
			ktest_fail((t), __VA_ARGS__);                        \
	} while (0)

/* Run the selected tests (comma-separated suites or suite.name) and exit. */
__attribute__((noreturn)) void ktest_run(const char *selection);
size_t ktest_count(const char *selection);

#endif
