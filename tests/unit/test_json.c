/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/util/json.c: the JSON writer. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/json.h"

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

/* ---- helpers ---------------------------------------------------------------------------- */

/* Runs fn(j) against a memory stream and returns what it wrote (static buffer). */
static const char *json_of(void (*fn)(struct ds_json *j))
{
	static char *buf;
	size_t len = 0;
	free(buf);
	buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	struct ds_json j;
	ds_json_init(&j, f);
	fn(&j);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static const char *json_string_of(const char *s)
{
	static char *buf;
	size_t len = 0;
	free(buf);
	buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	ds_json_write_string(f, s);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* ---- ds_json ---------------------------------------------------------------------------- */

static void test_json_string_plain_and_escapes(void **state)
{
	(void)state;
	assert_string_equal(json_string_of(""), "\"\"");
	assert_string_equal(json_string_of("abc 123"), "\"abc 123\"");
	assert_string_equal(json_string_of("a\"b\\c/d"), "\"a\\\"b\\\\c/d\"");
	assert_string_equal(json_string_of("\n\r\t"), "\"\\n\\r\\t\"");
	assert_string_equal(json_string_of("\x01\x08\x0c\x1f"), "\"\\u0001\\u0008\\u000c\\u001f\"");
	assert_string_equal(json_string_of("del\x7f"), "\"del\x7f\""); /* DEL needs no escape */
	assert_string_equal(json_string_of("\\\\\"\""), "\"\\\\\\\\\\\"\\\"\"");
}

static void test_json_string_utf8(void **state)
{
	(void)state;
	/* Valid 2-, 3- and 4-byte sequences pass through. */
	assert_string_equal(json_string_of("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
			    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	assert_string_equal(json_string_of("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
	/* Invalid bytes become U+FFFD, one per byte that starts no valid sequence. */
	assert_string_equal(json_string_of("\xff"), "\"\\ufffd\"");
	assert_string_equal(json_string_of("a\x80"
					   "b"),
			    "\"a\\ufffdb\"");
	assert_string_equal(json_string_of("\xc3"), "\"\\ufffd\""); /* cut at the end */
	assert_string_equal(json_string_of("\xe2\x82"
					   "A"),
			    "\"\\ufffd\\ufffdA\"");                            /* cut before ASCII */
	assert_string_equal(json_string_of("\xc0\xaf"), "\"\\ufffd\\ufffd\""); /* overlong '/' */
	assert_string_equal(json_string_of("\xe0\x80\xaf"), "\"\\ufffd\\ufffd\\ufffd\"");
	assert_string_equal(json_string_of("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");            /* surrogate */
	assert_string_equal(json_string_of("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF */
	assert_string_equal(json_string_of("\xf8\x88\x80\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
	assert_string_equal(json_string_of("ok\xc3\xa9\xc3"), "\"ok\xc3\xa9\\ufffd\"");
}

static void build_nested(struct ds_json *j)
{
	ds_json_object_begin(j, NULL);
	ds_json_string(j, "a", "x");
	ds_json_int(j, "n", -5);
	ds_json_bool(j, "t", 1);
	ds_json_bool(j, "f", 0);
	ds_json_string(j, "z", NULL);
	ds_json_object_begin(j, "o");
	ds_json_int(j, "k", 1);
	ds_json_object_end(j);
	ds_json_array_begin(j, "arr");
	ds_json_object_begin(j, NULL);
	ds_json_int(j, "x", 1);
	ds_json_object_end(j);
	ds_json_object_begin(j, NULL);
	ds_json_string(j, "y", "2");
	ds_json_bool(j, "b", 7); /* any nonzero is true */
	ds_json_object_end(j);
	ds_json_array_end(j);
	ds_json_array_begin(j, "e");
	ds_json_array_end(j);
	ds_json_object_begin(j, "eo");
	ds_json_object_end(j);
	ds_json_int(j, "last", 0);
	ds_json_object_end(j);
}

static void test_json_nesting_commas(void **state)
{
	(void)state;
	assert_string_equal(json_of(build_nested),
			    "{\"a\":\"x\",\"n\":-5,\"t\":true,\"f\":false,\"z\":null,\"o\":{\"k\":1},"
			    "\"arr\":[{\"x\":1},{\"y\":\"2\",\"b\":true}],\"e\":[],\"eo\":{},\"last\":0}\n");
}

static void build_array_top(struct ds_json *j)
{
	ds_json_array_begin(j, NULL);
	ds_json_int(j, NULL, 1);
	ds_json_string(j, NULL, "s");
	ds_json_bool(j, NULL, 0);
	ds_json_string(j, NULL, NULL);
	ds_json_array_begin(j, NULL);
	ds_json_array_begin(j, NULL);
	ds_json_array_end(j);
	ds_json_int(j, NULL, 2);
	ds_json_array_end(j);
	ds_json_int(j, NULL, 3);
	ds_json_array_end(j);
	/* a second document starts clean */
	ds_json_object_begin(j, NULL);
	ds_json_object_end(j);
}

static void test_json_arrays_and_documents(void **state)
{
	(void)state;
	assert_string_equal(json_of(build_array_top), "[1,\"s\",false,null,[[],2],3]\n{}\n");
}

static void build_keys_and_ints(struct ds_json *j)
{
	ds_json_object_begin(j, NULL);
	ds_json_int(j, "q\"k\\", LLONG_MAX);
	ds_json_int(j, "\n", LLONG_MIN);
	ds_json_string(j, "\xff", "\x01");
	ds_json_object_end(j);
}

static void test_json_keys_escaped_and_ints(void **state)
{
	(void)state;
	assert_string_equal(json_of(build_keys_and_ints),
			    "{\"q\\\"k\\\\\":9223372036854775807,\"\\n\":-9223372036854775808,"
			    "\"\\ufffd\":\"\\u0001\"}\n");
}

static void build_max_depth(struct ds_json *j)
{
	for (int i = 0; i < DS_JSON_MAX_DEPTH; i++)
		ds_json_array_begin(j, NULL);
	ds_json_int(j, NULL, 1);
	ds_json_int(j, NULL, 2);
	for (int i = 0; i < DS_JSON_MAX_DEPTH; i++)
		ds_json_array_end(j);
}

static void test_json_max_depth(void **state)
{
	(void)state;
	char want[2 * DS_JSON_MAX_DEPTH + 8];
	size_t p = 0;
	for (int i = 0; i < DS_JSON_MAX_DEPTH; i++)
		want[p++] = '[';
	memcpy(want + p, "1,2", 3);
	p += 3;
	for (int i = 0; i < DS_JSON_MAX_DEPTH; i++)
		want[p++] = ']';
	want[p++] = '\n';
	want[p] = '\0';
	assert_string_equal(json_of(build_max_depth), want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_string_plain_and_escapes), cmocka_unit_test(test_json_string_utf8),
		cmocka_unit_test(test_json_nesting_commas),           cmocka_unit_test(test_json_arrays_and_documents),
		cmocka_unit_test(test_json_keys_escaped_and_ints),    cmocka_unit_test(test_json_max_depth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
