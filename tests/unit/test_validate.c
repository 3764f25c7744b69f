/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for the value parsers of src/core/validate.c: the resource limits' sizes and CPUs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/validate.h"

#include <string.h>

static void test_size_parse_accepts(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		long long bytes;
	} ok[] = {
		{ "0", 0 },
		{ "1M", 1LL << 20 },
		{ "512M", 512LL << 20 },
		{ "512m", 512LL << 20 },
		{ "2G", 2LL << 30 },
		{ "1048576", 1LL << 20 },
		{ "65536K", 64LL << 20 },
		{ "3t", 3LL << 40 },
		{ "1024T", 1LL << 50 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		long long v = -1;
		assert_null(ds_size_parse(ok[i].in, &v));
		assert_true(v == ok[i].bytes);
	}
}

static void test_size_parse_refuses(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",      "M",   "-1M", "+1M", "1.5G",  "12X",   "1MB",
		"1 M",   " 1M", "1M ", "512", "1023K", "1025T", "99999999999999999999999",
		"0x10M", "1e6",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long long v = 77;
		const char *why = ds_size_parse(bad[i], &v);
		if (!why)
			fail_msg("'%s' was accepted", bad[i]);
		/* One line, and the field untouched. */
		assert_null(strchr(why, '\n'));
		assert_true(v == 77);
	}
}

static void test_size_format_round_trips(void **state)
{
	(void)state;
	static const struct {
		long long bytes;
		const char *text;
	} rows[] = {
		{ 0, "0" },
		{ 512LL << 20, "512M" },
		{ 2LL << 30, "2G" },
		{ (1LL << 20) + 1024, "1025K" },
		{ (1LL << 20) + 1, "1048577" },
		{ 5LL << 40, "5T" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char text[32];
		long long back = -1;
		ds_size_format(rows[i].bytes, text, sizeof(text));
		assert_string_equal(text, rows[i].text);
		assert_null(ds_size_parse(text, &back));
		assert_true(back == rows[i].bytes);
	}
}

static void test_cpus_parse(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int milli;
	} ok[] = {
		{ "0", 0 },     { "0.5", 500 },      { ".5", 500 },  { "2", 2000 },    { "1.25", 1250 },
		{ "0.01", 10 }, { "1024", 1024000 }, { "3.", 3000 }, { "0.125", 125 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int v = -1;
		if (ds_cpus_parse(ok[i].in, &v))
			fail_msg("'%s' was refused", ok[i].in);
		assert_int_equal(v, ok[i].milli);
	}
	static const char *const bad[] = {
		"",     ".",      "-1",  "abc",  "0.001", "0.009",       "1024.001",
		"2000", "1.2345", "1,5", "1.5x", " 1",    "99999999999",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int v = 77;
		const char *why = ds_cpus_parse(bad[i], &v);
		if (!why)
			fail_msg("'%s' was accepted", bad[i]);
		assert_null(strchr(why, '\n'));
		assert_int_equal(v, 77);
	}
}

static void test_cpus_format_round_trips(void **state)
{
	(void)state;
	static const struct {
		int milli;
		const char *text;
	} rows[] = {
		{ 0, "0" },     { 500, "0.5" },  { 2000, "2" },     { 1250, "1.25" },
		{ 10, "0.01" }, { 10000, "10" }, { 1001, "1.001" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char text[32];
		int back = -1;
		ds_cpus_format(rows[i].milli, text, sizeof(text));
		assert_string_equal(text, rows[i].text);
		assert_null(ds_cpus_parse(text, &back));
		assert_int_equal(back, rows[i].milli);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_parse_accepts),      cmocka_unit_test(test_size_parse_refuses),
		cmocka_unit_test(test_size_format_round_trips), cmocka_unit_test(test_cpus_parse),
		cmocka_unit_test(test_cpus_format_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
