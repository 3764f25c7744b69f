/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for ds_json_parse: config.json and process.json come from
 * whoever wrote the bundle, so any bytes must parse or be refused with a
 * message, without a memory error. What parses must be a consistent tree
 * (counts, lengths, NUL terminators, UTF-8 strings, no duplicate keys), and
 * the tree written back as JSON must parse to the same tree.
 */
#include "config.h"
#include "util/jsonparse.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		unsigned c = p[i];
		size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : 4;
		CHECK(c < 0x80 || (c >= 0xc2 && c <= 0xf4));
		CHECK(i + n <= len);
		for (size_t k = 1; k < n; k++)
			CHECK((p[i + k] & 0xc0) == 0x80);
		i += n;
	}
}

static void check_tree(const struct ds_jval *v, int depth)
{
	CHECK(depth <= DS_JSON_MAX_NESTING);
	switch (v->type) {
	case DS_JSTRING:
	case DS_JNUMBER:
		CHECK(v->str && v->str[v->len] == '\0');
		check_utf8(v->str, v->len);
		if (ds_jstr(v))
			CHECK(strlen(v->str) == v->len);
		break;
	case DS_JARRAY:
	case DS_JOBJECT: {
		size_t n = 0;
		for (const struct ds_jval *m = v->head; m; m = m->next, n++) {
			if (v->type == DS_JOBJECT) {
				CHECK(m->key && m->key[m->key_len] == '\0');
				check_utf8(m->key, m->key_len);
				for (const struct ds_jval *o = m->next; o; o = o->next)
					CHECK(o->key_len != m->key_len || memcmp(o->key, m->key, m->key_len) != 0);
			} else {
				CHECK(m->key == NULL);
			}
			check_tree(m, depth + 1);
		}
		CHECK(n == v->count);
		break;
	}
	case DS_JNULL:
	case DS_JBOOL: break;
	default: CHECK(0);
	}
}

static void write_string(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\')
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void write_tree(FILE *f, const struct ds_jval *v)
{
	switch (v->type) {
	case DS_JNULL: fputs("null", f); break;
	case DS_JBOOL: fputs(v->boolean ? "true" : "false", f); break;
	case DS_JNUMBER: fputs(v->str, f); break;
	case DS_JSTRING: write_string(f, v->str, v->len); break;
	case DS_JARRAY:
	case DS_JOBJECT:
		fputc(v->type == DS_JOBJECT ? '{' : '[', f);
		for (const struct ds_jval *m = v->head; m; m = m->next) {
			if (m != v->head)
				fputc(',', f);
			if (v->type == DS_JOBJECT) {
				write_string(f, m->key, m->key_len);
				fputc(':', f);
			}
			write_tree(f, m);
		}
		fputc(v->type == DS_JOBJECT ? '}' : ']', f);
		break;
	}
}

static void check_same(const struct ds_jval *a, const struct ds_jval *b)
{
	CHECK(a->type == b->type);
	CHECK(a->key_len == b->key_len);
	if (a->key)
		CHECK(b->key && memcmp(a->key, b->key, a->key_len) == 0);
	CHECK(a->boolean == b->boolean);
	CHECK(a->len == b->len);
	if (a->str)
		CHECK(memcmp(a->str, b->str, a->len) == 0);
	CHECK(a->count == b->count);
	const struct ds_jval *x = a->head, *y = b->head;
	for (; x && y; x = x->next, y = y->next)
		check_same(x, y);
	CHECK(!x && !y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ds_jdoc doc;
	struct ds_error err = { 0 };
	int r = ds_json_parse((const char *)data, size, &doc, &err);
	if (r < 0) {
		CHECK(err.msg[0] != '\0');
		CHECK(doc.root == NULL && doc.blocks == NULL);
		return 0;
	}
	CHECK(doc.root);
	check_tree(doc.root, 0);
	/* Lookups and conversions on whatever came out never fail badly. */
	long long i;
	unsigned long long u;
	(void)ds_jint(doc.root, -5, 5, &i);
	(void)ds_juint(doc.root, 1000, &u);
	(void)ds_jget(doc.root, "ociVersion");

	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	CHECK(f);
	write_tree(f, doc.root);
	CHECK(fclose(f) == 0);
	struct ds_jdoc again;
	struct ds_error err2 = { 0 };
	r = ds_json_parse(out, len, &again, &err2);
	if (r < 0)
		fprintf(stderr, "re-parse failed: %s\n", err2.msg);
	CHECK(r == 0);
	check_same(doc.root, again.root);
	ds_jdoc_free(&again);
	ds_jdoc_free(&doc);
	free(out);
	return 0;
}
