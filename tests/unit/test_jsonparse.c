/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/util/jsonparse.c: the strict JSON parser. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/json.h"
#include "util/jsonparse.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---------------------------------------------------------------------------- */

static int parse(const char *text, struct ds_jdoc *doc, struct ds_error *err)
{
	memset(err, 0, sizeof(*err));
	return ds_json_parse(text, strlen(text), doc, err);
}

/* ---- valid and invalid texts ------------------------------------------------------------ */

static const char *const valid[] = {
	"0",
	"-0",
	"1.5e10",
	"-12.25E-3",
	"1e+2",
	"true",
	"false",
	"null",
	"\"\"",
	" \t\r\n{} \n",
	"[]",
	"[1,2,3]",
	"{\"a\":{\"b\":[{\"c\":null}]}}",
	"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
	"\"\\u00e9\\u20AC\\ud83d\\ude00\"",
	"\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"",
	"{\"a\":1,\"b\":2,\"ab\":3,\"\":4}",
	"{\"a\":1,\"A\":2}",
	"[\"\\u0000\"]",
	"123456789012345678901234567890",
};

static const struct {
	const char *text;
	const char *msg; /* a part of the message */
} invalid[] = {
	{ "", "unexpected end of text" },
	{ "   ", "unexpected end of text" },
	{ "01", "expected the end of the text" },
	{ "-", "expected a digit" },
	{ "1.", "a digit after '.'" },
	{ ".5", "expected a value" },
	{ "1e", "a digit in the exponent" },
	{ "+1", "expected a value" },
	{ "0x10", "expected the end of the text" },
	{ "NaN", "expected a value" },
	{ "Infinity", "expected a value" },
	{ "tru", "expected a value" },
	{ "nul", "expected a value" },
	{ "True", "expected a value" },
	{ "[1,]", "expected a value" },
	{ "[,1]", "expected a value" },
	{ "[1 2]", "expected ',' or ']'" },
	{ "{\"a\":1,}", "expected a key" },
	{ "{\"a\" 1}", "expected ':'" },
	{ "{a:1}", "expected a key" },
	{ "{'a':1}", "expected a key" },
	{ "{\"a\":1", "expected ',' or '}'" },
	{ "[", "unexpected end of text" },
	{ "{\"a\":1,\"a\":2}", "duplicate key \"a\"" },
	{ "{\"x\":{\"b\":1,\"c\":2,\"b\":3}}", "line 1 column 6: duplicate key \"b\"" },
	{ "\"abc", "unterminated string" },
	{ "\"a\\\"", "unterminated string" },
	{ "\"\\x\"", "invalid escape" },
	{ "\"\\u12\"", "four hex digits" },
	{ "\"\\u12g4\"", "four hex digits" },
	{ "\"\\ud83d\"", "without its low half" },
	{ "\"\\ud83dx\"", "without its low half" },
	{ "\"\\ud83d\\u0041\"", "without its low half" },
	{ "\"\\ude00\"", "lone low surrogate" },
	{ "\"tab\there\"", "control character 0x09" },
	{ "\"nl\nhere\"", "control character 0x0a" },
	{ "\"\xc3\"", "invalid UTF-8" },
	{ "\"\xc0\xaf\"", "invalid UTF-8" },
	{ "\"\xe0\x80\xaf\"", "invalid UTF-8" },
	{ "\"\xed\xa0\x80\"", "invalid UTF-8" },
	{ "\"\xf4\x90\x80\x80\"", "invalid UTF-8" },
	{ "\"\xff\"", "invalid UTF-8" },
	{ "\xef\xbb\xbf{}", "unexpected byte 0xef" },
	{ "{} {}", "expected the end of the text" },
	{ "[1]\n\n  x", "line 3 column 3: unexpected 'x'" },
	{ "/* c */ 1", "unexpected '/'" },
};

static void test_jsonparse_valid_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct ds_jdoc doc;
		struct ds_error err;
		int r = parse(valid[i], &doc, &err);
		if (r != 0)
			fail_msg("valid[%zu] %s refused: %s", i, valid[i], err.msg);
		assert_non_null(doc.root);
		ds_jdoc_free(&doc);
		assert_null(doc.root);
	}
}

static void test_jsonparse_invalid_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct ds_jdoc doc;
		struct ds_error err;
		int r = parse(invalid[i].text, &doc, &err);
		if (r != DS_EINVAL_MSG)
			fail_msg("invalid[%zu] %s: r=%d", i, invalid[i].text, r);
		if (!strstr(err.msg, invalid[i].msg))
			fail_msg("invalid[%zu] %s: message \"%s\" lacks \"%s\"", i, invalid[i].text, err.msg,
				 invalid[i].msg);
		assert_null(doc.root);
		assert_null(doc.blocks);
		ds_jdoc_free(&doc);
	}
}

/* ---- the tree --------------------------------------------------------------------------- */

static void test_jsonparse_tree(void **state)
{
	(void)state;
	struct ds_jdoc doc;
	struct ds_error err;
	assert_int_equal(parse("{\"s\":\"a\\u00e9\\ud83d\\ude00\",\"n\":-42,\"b\":true,\"z\":null,"
			       "\"a\":[1,\"x\",[]],\"o\":{},\"nul\":\"a\\u0000b\"}",
			       &doc, &err),
			 0);
	const struct ds_jval *root = doc.root;
	assert_int_equal(root->type, DS_JOBJECT);
	assert_int_equal(root->count, 7);
	assert_string_equal(ds_jstr(ds_jget(root, "s")), "a\xc3\xa9\xf0\x9f\x98\x80");
	assert_int_equal(ds_jget(root, "s")->len, 7);
	long long n;
	assert_int_equal(ds_jint(ds_jget(root, "n"), LLONG_MIN, LLONG_MAX, &n), 0);
	assert_int_equal(n, -42);
	assert_int_equal(ds_jget(root, "b")->type, DS_JBOOL);
	assert_int_equal(ds_jget(root, "b")->boolean, 1);
	assert_int_equal(ds_jget(root, "z")->type, DS_JNULL);
	const struct ds_jval *a = ds_jget(root, "a");
	assert_int_equal(a->type, DS_JARRAY);
	assert_int_equal(a->count, 3);
	assert_null(a->head->key);
	assert_string_equal(a->head->next->str, "x");
	assert_int_equal(a->head->next->next->type, DS_JARRAY);
	assert_null(a->head->next->next->next);
	assert_int_equal(ds_jget(root, "o")->count, 0);
	assert_null(ds_jget(root, "o")->head);
	/* A string holding a NUL is no C string, but its bytes are kept. */
	const struct ds_jval *nul = ds_jget(root, "nul");
	assert_int_equal(nul->len, 3);
	assert_memory_equal(nul->str, "a\0b", 3);
	assert_null(ds_jstr(nul));
	/* Lookups of what is not there. */
	assert_null(ds_jget(root, "missing"));
	assert_null(ds_jget(a, "s"));
	assert_null(ds_jget(NULL, "s"));
	assert_null(ds_jstr(ds_jget(root, "n")));
	assert_string_equal(ds_jtype_name(DS_JOBJECT), "object");
	assert_string_equal(ds_jtype_name(DS_JBOOL), "boolean");
	ds_jdoc_free(&doc);
}

static void test_jsonparse_integers(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int r;
		long long v;
	} cases[] = {
		{ "0", 0, 0 },
		{ "-0", 0, 0 },
		{ "9223372036854775807", 0, LLONG_MAX },
		{ "-9223372036854775808", 0, LLONG_MIN },
		{ "9223372036854775808", -ERANGE, 0 },
		{ "1.0", -EINVAL, 0 },
		{ "1e3", -EINVAL, 0 },
		{ "\"1\"", -EINVAL, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ds_jdoc doc;
		struct ds_error err;
		assert_int_equal(parse(cases[i].text, &doc, &err), 0);
		long long v = 12345;
		assert_int_equal(ds_jint(doc.root, LLONG_MIN, LLONG_MAX, &v), cases[i].r);
		if (cases[i].r == 0)
			assert_true(v == cases[i].v);
		else
			assert_true(v == 12345);
		ds_jdoc_free(&doc);
	}
	/* A range of the caller's. */
	struct ds_jdoc doc;
	struct ds_error err;
	long long v;
	assert_int_equal(parse("[-1, 1000, 65536]", &doc, &err), 0);
	assert_int_equal(ds_jint(doc.root->head, 0, 65535, &v), -ERANGE);
	assert_int_equal(ds_jint(doc.root->head->next, 0, 65535, &v), 0);
	assert_int_equal(v, 1000);
	assert_int_equal(ds_jint(doc.root->head->next->next, 0, 65535, &v), -ERANGE);
	ds_jdoc_free(&doc);
	/* Unsigned: all of uint64, no negatives but -0. */
	unsigned long long u;
	assert_int_equal(parse("[18446744073709551615, 18446744073709551616, -1, -0]", &doc, &err), 0);
	assert_int_equal(ds_juint(doc.root->head, ULLONG_MAX, &u), 0);
	assert_true(u == ULLONG_MAX);
	assert_int_equal(ds_juint(doc.root->head->next, ULLONG_MAX, &u), -ERANGE);
	assert_int_equal(ds_juint(doc.root->head->next->next, ULLONG_MAX, &u), -ERANGE);
	assert_int_equal(ds_juint(doc.root->head->next->next->next, ULLONG_MAX, &u), 0);
	assert_true(u == 0);
	ds_jdoc_free(&doc);
}

/* ---- limits ----------------------------------------------------------------------------- */

static void test_jsonparse_depth_limit(void **state)
{
	(void)state;
	char text[2 * (DS_JSON_MAX_NESTING + 1) + 1];
	struct ds_jdoc doc;
	struct ds_error err;
	/* Exactly the limit parses; one more is refused with a message. */
	memset(text, '[', DS_JSON_MAX_NESTING);
	memset(text + DS_JSON_MAX_NESTING, ']', DS_JSON_MAX_NESTING);
	text[2 * DS_JSON_MAX_NESTING] = '\0';
	assert_int_equal(parse(text, &doc, &err), 0);
	ds_jdoc_free(&doc);
	memset(text, '[', DS_JSON_MAX_NESTING + 1);
	memset(text + DS_JSON_MAX_NESTING + 1, ']', DS_JSON_MAX_NESTING + 1);
	text[2 * (DS_JSON_MAX_NESTING + 1)] = '\0';
	assert_int_equal(parse(text, &doc, &err), DS_EINVAL_MSG);
	assert_non_null(strstr(err.msg, "nested deeper than 64"));
	/* Objects count too. */
	char *deep = malloc(10 * 1000 + 1);
	assert_non_null(deep);
	deep[0] = '\0';
	for (int i = 0; i < 1000; i++)
		strcat(deep, "{\"a\":");
	assert_int_equal(parse(deep, &doc, &err), DS_EINVAL_MSG);
	assert_non_null(strstr(err.msg, "nested deeper"));
	free(deep);
}

static void test_jsonparse_size_limit(void **state)
{
	(void)state;
	size_t n = DS_JSON_MAX_SIZE + 1;
	char *big = malloc(n);
	assert_non_null(big);
	memset(big, ' ', n);
	big[0] = '1';
	struct ds_jdoc doc;
	struct ds_error err = { 0 };
	assert_int_equal(ds_json_parse(big, n, &doc, &err), -EFBIG);
	assert_non_null(strstr(err.msg, "more than"));
	/* At the limit: parsed (a number then spaces). */
	assert_int_equal(ds_json_parse(big, n - 1, &doc, &err), 0);
	ds_jdoc_free(&doc);
	free(big);
}

/* Large objects: the duplicate check is n log n, and the arena spans many blocks. */
static void test_jsonparse_large_object(void **state)
{
	(void)state;
	const int count = 20000;
	char *text = malloc((size_t)count * 24 + 8);
	assert_non_null(text);
	size_t p = 0;
	text[p++] = '{';
	for (int i = 0; i < count; i++)
		p += (size_t)sprintf(text + p, "%s\"key%d\":%d", i ? "," : "", i, i);
	text[p++] = '}';
	text[p] = '\0';
	struct ds_jdoc doc;
	struct ds_error err;
	assert_int_equal(parse(text, &doc, &err), 0);
	assert_int_equal(doc.root->count, (size_t)count);
	long long v;
	assert_int_equal(ds_jint(ds_jget(doc.root, "key19999"), 0, LLONG_MAX, &v), 0);
	assert_int_equal(v, 19999);
	ds_jdoc_free(&doc);
	/* The same with the last key repeated. */
	p -= 1;
	p += (size_t)sprintf(text + p, ",\"key7\":1}");
	assert_int_equal(parse(text, &doc, &err), DS_EINVAL_MSG);
	assert_non_null(strstr(err.msg, "duplicate key \"key7\""));
	free(text);
}

/* Whatever the writer makes, the parser reads back. */
static void test_jsonparse_reads_the_writer(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	struct ds_json j;
	ds_json_init(&j, f);
	ds_json_object_begin(&j, NULL);
	ds_json_string(&j, "s", "q\"b\\\x01\xff end");
	ds_json_int(&j, "i", -7);
	ds_json_bool(&j, "t", 1);
	ds_json_array_begin(&j, "a");
	ds_json_string(&j, NULL, NULL);
	ds_json_array_end(&j);
	ds_json_object_end(&j);
	assert_int_equal(fclose(f), 0);
	struct ds_jdoc doc;
	struct ds_error err = { 0 };
	assert_int_equal(ds_json_parse(buf, len, &doc, &err), 0);
	assert_string_equal(ds_jstr(ds_jget(doc.root, "s")), "q\"b\\\x01\xef\xbf\xbd end");
	long long v;
	assert_int_equal(ds_jint(ds_jget(doc.root, "i"), LLONG_MIN, LLONG_MAX, &v), 0);
	assert_int_equal(v, -7);
	assert_int_equal(ds_jget(doc.root, "a")->head->type, DS_JNULL);
	ds_jdoc_free(&doc);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonparse_valid_table),  cmocka_unit_test(test_jsonparse_invalid_table),
		cmocka_unit_test(test_jsonparse_tree),         cmocka_unit_test(test_jsonparse_integers),
		cmocka_unit_test(test_jsonparse_depth_limit),  cmocka_unit_test(test_jsonparse_size_limit),
		cmocka_unit_test(test_jsonparse_large_object), cmocka_unit_test(test_jsonparse_reads_the_writer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
