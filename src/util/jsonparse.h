/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A small, strict JSON parser (RFC 8259) into a read-only tree.
 *
 * Strict means: UTF-8 text only (no BOM, no overlong forms, no encoded
 * surrogates), \u escapes with paired surrogates, no control characters in
 * strings, numbers in the RFC's grammar, nothing after the value, a depth
 * limit and a size limit.  A duplicate key in one object is refused: two
 * parsers that keep different copies of it (first or last wins) would see two
 * different configurations, so neither copy is trusted.
 *
 * The tree lives in an arena owned by the document; ds_jdoc_free releases
 * all of it.  Strings are NUL-terminated copies with their length (a \u0000
 * inside is kept; ds_jstr refuses such a string as a C string).
 */
#pragma once

#include <stddef.h>

#include "util/error.h"

/* The largest text parsed, and the deepest nesting of arrays and objects. */
#define DS_JSON_MAX_SIZE ((size_t)4 << 20)
#define DS_JSON_MAX_NESTING 64

enum ds_jtype {
	DS_JNULL,
	DS_JBOOL,
	DS_JNUMBER,
	DS_JSTRING,
	DS_JARRAY,
	DS_JOBJECT,
};

struct ds_jval {
	enum ds_jtype type;
	const char *key; /* member name inside an object, else NULL */
	size_t key_len;
	const char *str;      /* DS_JSTRING: the decoded text; DS_JNUMBER: its literal */
	size_t len;           /* bytes in str (a string may hold NULs) */
	int boolean;          /* DS_JBOOL */
	size_t count;         /* DS_JARRAY, DS_JOBJECT: members */
	struct ds_jval *head; /* first member */
	struct ds_jval *next; /* next member of the parent */
};

struct ds_jdoc {
	struct ds_jval *root;
	struct ds_jblock *blocks; /* the arena */
};

/*
 * Parses text[0..len) into doc.  Returns 0, or a negative errno with err
 * naming the line, column and problem ("line 3 column 7: duplicate key
 * \"env\""): -EINVAL for bad text, -EFBIG past DS_JSON_MAX_SIZE, -ENOMEM.
 * doc is always safe to free.
 */
int ds_json_parse(const char *text, size_t len, struct ds_jdoc *doc, struct ds_error *err);
void ds_jdoc_free(struct ds_jdoc *doc);

/* The member key of obj (an object), or NULL (also when obj is NULL or not an object). */
const struct ds_jval *ds_jget(const struct ds_jval *obj, const char *key);
/* "string", "number", ... for messages. */
const char *ds_jtype_name(enum ds_jtype type);
/* v's string as a C string; NULL when v is no string or holds a NUL. */
const char *ds_jstr(const struct ds_jval *v);
/*
 * v's number as an integer within [min, max]: 0, -EINVAL when v is not an
 * integer literal (a fraction or exponent is refused), -ERANGE outside.
 */
int ds_jint(const struct ds_jval *v, long long min, long long max, long long *out);
/* The same for unsigned values up to max (uint64 limits). */
int ds_juint(const struct ds_jval *v, unsigned long long max, unsigned long long *out);
