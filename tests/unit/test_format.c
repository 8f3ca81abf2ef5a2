/* SPDX-License-Identifier: MIT */
/* Host tests for lib/format.c, checked against the C library's snprintf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "lib/format.h"

#define CHECK(...)                                                           \
	do {                                                                 \
		char want[256], got[256];                                    \
		int wn = snprintf(want, sizeof(want), __VA_ARGS__);          \
		int gn = fmt_snprintf(got, sizeof(got), __VA_ARGS__);        \
		assert_string_equal(got, want);                              \
		assert_int_equal(gn, wn);                                    \
	} while (0)

static void test_integers(void **state)
{
	CHECK("%d %i %u", -42, 7, 4000000000u);
	CHECK("%x %X %o", 0xdeadbeefu, 0xabcu, 0755u);
	CHECK("%lld %llu %llx", -9223372036854775807ll - 1, 18446744073709551615ull,
	      0x0123456789abcdefull);
	CHECK("%ld %lu %zu %zx", -5l, 5ul, (size_t)123, (size_t)0x1000);
	CHECK("%hd %hhu %hx", (short)-3, (unsigned char)255, (unsigned short)0xffff);
	CHECK("%d %u %x", 0, 0u, 0u);
}

static void test_width_and_flags(void **state)
{
	CHECK("[%8d] [%-8d] [%08d] [%+d] [% d]", 42, 42, -42, 5, 5);
	CHECK("[%016llx] [%#x] [%#o] [%#X]", 0xffull, 0x1fu, 8u, 0xabu);
	CHECK("[%.5d] [%8.3d] [%.0d]", 42, 7, 0);
	CHECK("[%*d] [%-*d] [%.*s]", 6, 1, 6, 2, 3, "abcdef");
	CHECK("[%10s] [%-10s] [%.2s]", "hi", "hi", "hello");
	CHECK("[%c%c] [%%] [%5c]", 'a', 'b', 'z');
}

static void test_pointer(void **state)
{
	char got[64];

	fmt_snprintf(got, sizeof(got), "%p", (void *)0x1234);
	assert_string_equal(got, "0x1234");
}

static void test_truncation(void **state)
{
	char buf[8];
	int n;

	memset(buf, 'X', sizeof(buf));
	n = fmt_snprintf(buf, sizeof(buf), "%s", "0123456789");
	assert_int_equal(n, 10);
	assert_string_equal(buf, "0123456");
	n = fmt_snprintf(buf, 0, "%d", 12345);
	assert_int_equal(n, 5);
	assert_int_equal(buf[0], '0');
}

static void test_null_string(void **state)
{
	char got[32];
	const char *volatile none = NULL;

	fmt_snprintf(got, sizeof(got), "%s", none);
	assert_string_equal(got, "(null)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),    cmocka_unit_test(test_width_and_flags),
		cmocka_unit_test(test_pointer),     cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_null_string),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
