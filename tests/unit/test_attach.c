/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/core/attach.c: the strict --user parser. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/attach.h"

#include <errno.h>
#include <string.h>

static void test_id_parse(void **state)
{
	(void)state;
	uint32_t v = 7;
	assert_int_equal(ds_id_parse("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(ds_id_parse("1000", &v), 0);
	assert_int_equal(v, 1000);
	assert_int_equal(ds_id_parse("4294967294", &v), 0);
	assert_int_equal(v, 4294967294U);
	assert_int_equal(ds_id_parse("0004294967294", &v), -EINVAL); /* more than 10 digits */
	v = 7;
	/* (uid_t)-1, overflow, wrap-around to 0, empty, signs, spaces, hex: never an id */
	static const char *const bad[] = { "4294967295", "4294967296", "8589934592", "99999999999999999999",
					   "",           "-1",         "+1",         " 1",
					   "1 ",         "0x10",       "1e3",        "1.0",
					   "12abc",      "\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ds_id_parse(bad[i], &v), -EINVAL);
		assert_int_equal(v, 7); /* untouched */
	}
}

static void test_user_parse_valid(void **state)
{
	(void)state;
	struct ds_user_spec u;
	assert_null(ds_user_parse("alice", &u));
	assert_string_equal(u.name, "alice");
	assert_null(ds_user_parse("www-data", &u));
	assert_null(ds_user_parse("_apt", &u));
	assert_null(ds_user_parse("machine$", &u));
	assert_null(ds_user_parse("1abc", &u)); /* names may start with a digit */
	assert_string_equal(u.name, "1abc");
	assert_null(ds_user_parse("abcdefghijklmnopqrstuvwxyz012345", &u)); /* 32 */

	assert_null(ds_user_parse("0", &u));
	assert_string_equal(u.name, "");
	assert_int_equal(u.uid, 0);
	assert_int_equal(u.has_gid, 0);
	assert_null(ds_user_parse("1000", &u));
	assert_int_equal(u.uid, 1000);
	assert_null(ds_user_parse("1000:100", &u));
	assert_int_equal(u.uid, 1000);
	assert_int_equal(u.gid, 100);
	assert_int_equal(u.has_gid, 1);
	assert_null(ds_user_parse("4294967294:4294967294", &u));
	assert_int_equal(u.uid, 4294967294U);
	assert_int_equal(u.gid, 4294967294U);
}

static void test_user_parse_invalid(void **state)
{
	(void)state;
	struct ds_user_spec u;
	static const char *const bad[] = {
		"",
		":",
		"1000:",
		":100",
		"::",
		"1:2:3",
		"4294967296",
		"4294967295",
		"4294967296:0",
		"0:4294967296",
		"99999999999999999999999",
		"-1",
		"-1:0",
		"0:-1",
		"a:b",
		"root:0",
		"0:root",
		"a/b",
		"../x",
		".",
		"..",
		"-rf",
		"a b",
		"a\nb",
		"\x01",
		"\x1b[2J",
		"\xff\xfe",
		"%s%n",
		"$",
		"a$b",
		"abcdefghijklmnopqrstuvwxyz0123456",
		" 1000",
		"1000 ",
		"+5",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = ds_user_parse(bad[i], &u);
		if (!why)
			fail_msg("--user '%s' was accepted", bad[i]);
		assert_true(strlen(why) > 0 && !strchr(why, '\n'));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_parse),
		cmocka_unit_test(test_user_parse_valid),
		cmocka_unit_test(test_user_parse_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
