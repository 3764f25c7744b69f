/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/util/env.c: KEY=VALUE lines. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/env.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tmpdir.h"

/* ---- ds_env_parse_line ------------------------------------------------------------------- */

static int env(const char *line, char *key, char *val) { return ds_env_parse_line(line, key, 64, val, 256); }

static void test_env_assignments(void **state)
{
	(void)state;
	char k[64], v[256];
	assert_int_equal(env("KEY=value", k, v), 1);
	assert_string_equal(k, "KEY");
	assert_string_equal(v, "value");
	assert_int_equal(env("_k1=", k, v), 1);
	assert_string_equal(k, "_k1");
	assert_string_equal(v, "");
	assert_int_equal(env("  \tIN=dented", k, v), 1);
	assert_string_equal(k, "IN");
	assert_string_equal(v, "dented");
	assert_int_equal(env("K=a=b", k, v), 1);
	assert_string_equal(v, "a=b");
	assert_int_equal(env("K=v   ", k, v), 1);
	assert_string_equal(v, "v");
	assert_int_equal(env("K=v # comment", k, v), 1);
	assert_string_equal(v, "v");
	assert_int_equal(env("K=v\r", k, v), 1);
	assert_string_equal(v, "v");
	assert_int_equal(env("K=v\n", k, v), 1);
	assert_string_equal(v, "v");
}

static void test_env_export(void **state)
{
	(void)state;
	char k[64], v[256];
	assert_int_equal(env("export K=v", k, v), 1);
	assert_string_equal(k, "K");
	assert_string_equal(v, "v");
	assert_int_equal(env("export \t K=\"q\"", k, v), 1);
	assert_string_equal(k, "K");
	assert_string_equal(v, "q");
	/* "export" is a prefix only when a blank follows. */
	assert_int_equal(env("exportK=v", k, v), 1);
	assert_string_equal(k, "exportK");
	assert_int_equal(env("export=1", k, v), 1);
	assert_string_equal(k, "export");
	assert_string_equal(v, "1");
}

static void test_env_quotes(void **state)
{
	(void)state;
	char k[64], v[256];
	assert_int_equal(env("K=\"a b\tc # d\"", k, v), 1);
	assert_string_equal(v, "a b\tc # d");
	assert_int_equal(env("K='single $x \\n \\''", k, v), -EINVAL); /* no escapes in '' */
	assert_int_equal(env("K='single $x \\n'", k, v), 1);
	assert_string_equal(v, "single $x \\n");
	assert_int_equal(env("K=\"a\\\"b\\\\c\\$d\\`e\\nf\"", k, v), 1);
	assert_string_equal(v, "a\"b\\c$d`e\\nf");
	assert_int_equal(env("K=\"\"", k, v), 1);
	assert_string_equal(v, "");
	assert_int_equal(env("K=''", k, v), 1);
	assert_string_equal(v, "");
	assert_int_equal(env("K=\"v\"  # after", k, v), 1);
	assert_string_equal(v, "v");
	assert_int_equal(env("K=\"v\"\r", k, v), 1);
	assert_string_equal(v, "v");
}

static void test_env_blank_and_comment(void **state)
{
	(void)state;
	char k[64], v[256];
	assert_int_equal(env("", k, v), 0);
	assert_int_equal(env("   \t", k, v), 0);
	assert_int_equal(env("# K=v", k, v), 0);
	assert_int_equal(env("   # K=v", k, v), 0);
	assert_int_equal(env("\r", k, v), 0);
	assert_int_equal(env("\n", k, v), 0);
}

static void test_env_invalid(void **state)
{
	(void)state;
	char k[64], v[256];
	static const char *const bad[] = {
		"K",     "=v",       "1K=v",    "K =v",    "K-Y=v",     "K.Y=v",  "export",
		"K=a b", "K=\"open", "K='open", "\"K\"=v", "K=\"a\" b", "\xff=v",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = env(bad[i], k, v);
		if (r != -EINVAL)
			fail_msg("'%s' gave %d, not -EINVAL", bad[i], r);
	}
}

static void test_env_buffer_limits(void **state)
{
	(void)state;
	char k[4], v[4];
	/* Key: 3 characters fit in 4 bytes, 4 do not. */
	assert_int_equal(ds_env_parse_line("ABC=v", k, sizeof(k), v, sizeof(v)), 1);
	assert_string_equal(k, "ABC");
	assert_int_equal(ds_env_parse_line("ABCD=v", k, sizeof(k), v, sizeof(v)), -EINVAL);
	/* Value: the same, quoted or not. */
	assert_int_equal(ds_env_parse_line("K=abc", k, sizeof(k), v, sizeof(v)), 1);
	assert_string_equal(v, "abc");
	assert_int_equal(ds_env_parse_line("K=abcd", k, sizeof(k), v, sizeof(v)), -EINVAL);
	assert_int_equal(ds_env_parse_line("K=\"abcd\"", k, sizeof(k), v, sizeof(v)), -EINVAL);
	/* No room at all, not even for the NUL of an empty value: refused, nothing written. */
	char *heap = malloc(1);
	assert_non_null(heap);
	assert_int_equal(ds_env_parse_line("A=", k, sizeof(k), heap + 1, 0), -EINVAL);
	assert_int_equal(ds_env_parse_line("A=", heap + 1, 0, v, sizeof(v)), -EINVAL);
	free(heap);
}

static void test_env_apply_text(void **state)
{
	(void)state;
	unsetenv("DS_UT_A");
	unsetenv("DS_UT_B");
	unsetenv("DS_UT_C");
	unsetenv("DS_UT_D");
	ds_env_apply_text("DS_UT_A=one\n"
			  "# DS_UT_D=comment\n"
			  "export DS_UT_B='two words'\n"
			  "not valid at all\n"
			  "DS_UT_C=\"three\"");
	assert_string_equal(getenv("DS_UT_A"), "one");
	assert_string_equal(getenv("DS_UT_B"), "two words");
	assert_string_equal(getenv("DS_UT_C"), "three");
	assert_null(getenv("DS_UT_D"));
	unsetenv("DS_UT_A");
	unsetenv("DS_UT_B");
	unsetenv("DS_UT_C");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_assignments), cmocka_unit_test(test_env_export),
		cmocka_unit_test(test_env_quotes),      cmocka_unit_test(test_env_blank_and_comment),
		cmocka_unit_test(test_env_invalid),     cmocka_unit_test(test_env_buffer_limits),
		cmocka_unit_test(test_env_apply_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
