/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A strict RFC 8259 parser into an arena-backed tree (see jsonparse.h). */
#include "util/jsonparse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/macros.h"

/* The arena: blocks chained for freeing; values and strings are carved out of them. */
struct ds_jblock {
	struct ds_jblock *prev;
	size_t used, size;
	_Alignas(max_align_t) unsigned char data[];
};

#define BLOCK_MIN 8192

struct parser {
	const unsigned char *p, *start, *end;
	struct ds_jdoc *doc;
	struct ds_error *err;
	int depth;
};

static void *arena_alloc(struct ds_jdoc *doc, size_t n)
{
	n = (n + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
	struct ds_jblock *b = doc->blocks;
	if (!b || b->size - b->used < n) {
		size_t size = n > BLOCK_MIN ? n : BLOCK_MIN;
		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->prev = doc->blocks;
		b->used = 0;
		b->size = size;
		doc->blocks = b;
	}
	void *r = b->data + b->used;
	b->used += n;
	return r;
}

void ds_jdoc_free(struct ds_jdoc *doc)
{
	while (doc->blocks) {
		struct ds_jblock *prev = doc->blocks->prev;
		free(doc->blocks);
		doc->blocks = prev;
	}
	doc->root = NULL;
}

/* Fails at the parser's position, as "line L column C: what". */
static int __attribute__((format(printf, 3, 4))) fail_at(struct parser *ps, int r, const char *fmt, ...)
{
	unsigned line = 1, col = 1;
	for (const unsigned char *q = ps->start; q < ps->p && q < ps->end; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return ds_fail(ps->err, r, "line %u column %u: %s", line, col, what);
}

static int unexpected(struct parser *ps, const char *expected)
{
	if (ps->p >= ps->end)
		return fail_at(ps, DS_EINVAL_MSG, "unexpected end of text, expected %s", expected);
	unsigned c = *ps->p;
	if (c >= 0x21 && c < 0x7f)
		return fail_at(ps, DS_EINVAL_MSG, "unexpected '%c', expected %s", (char)c, expected);
	return fail_at(ps, DS_EINVAL_MSG, "unexpected byte 0x%02x, expected %s", c, expected);
}

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int hex4(const unsigned char *q, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned c = q[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

/* Length of the valid UTF-8 sequence at q (RFC 3629: no overlong forms, no surrogates, <= U+10FFFF), else 0. */
static size_t utf8_len(const unsigned char *q, const unsigned char *end)
{
	unsigned c = q[0];
	size_t n;
	unsigned lo = 0x80, hi = 0xbf;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if ((size_t)(end - q) < n)
		return 0;
	if (q[1] < lo || q[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (q[i] < 0x80 || q[i] > 0xbf)
			return 0;
	return n;
}

static size_t put_utf8(unsigned char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* One \u escape at ps->p (after the backslash-u), a surrogate pair included: its code point. */
static int parse_u_escape(struct parser *ps, unsigned *cp)
{
	unsigned hi, lo;
	if (ps->end - ps->p < 4 || hex4(ps->p, &hi) < 0)
		return fail_at(ps, DS_EINVAL_MSG, "\\u needs four hex digits");
	ps->p += 4;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return fail_at(ps, DS_EINVAL_MSG, "lone low surrogate \\u%04x", hi);
	if (hi < 0xd800 || hi > 0xdbff) {
		*cp = hi;
		return 0;
	}
	if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' || hex4(ps->p + 2, &lo) < 0 || lo < 0xdc00 ||
	    lo > 0xdfff)
		return fail_at(ps, DS_EINVAL_MSG, "high surrogate \\u%04x without its low half", hi);
	ps->p += 6;
	*cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

/*
 * A string at ps->p (on the opening quote): decoded into the arena. The
 * decoded text is never longer than the literal (an escape of 2, 6 or 12
 * bytes yields at most 1, 3 or 4), so one allocation of the literal's size holds it.
 */
static int parse_string(struct parser *ps, const char **out, size_t *out_len)
{
	const unsigned char *q = ++ps->p;
	while (q < ps->end && *q != '"') /* an upper bound of the literal's length */
		q += (*q == '\\' && q + 1 < ps->end) ? 2 : 1;
	unsigned char *buf = arena_alloc(ps->doc, (size_t)(q - ps->p) + 1);
	if (!buf)
		return ds_fail(ps->err, -ENOMEM, "cannot allocate a JSON string");
	size_t n = 0;
	for (;;) {
		if (ps->p >= ps->end)
			return fail_at(ps, DS_EINVAL_MSG, "unterminated string");
		unsigned c = *ps->p;
		if (c == '"') {
			ps->p++;
			break;
		}
		if (c < 0x20)
			return fail_at(ps, DS_EINVAL_MSG, "control character 0x%02x in a string (escape it)", c);
		if (c != '\\') {
			size_t l = utf8_len(ps->p, ps->end);
			if (!l)
				return fail_at(ps, DS_EINVAL_MSG, "invalid UTF-8 in a string");
			memcpy(buf + n, ps->p, l);
			n += l;
			ps->p += l;
			continue;
		}
		if (ps->p + 1 >= ps->end)
			return fail_at(ps, DS_EINVAL_MSG, "unterminated string");
		c = ps->p[1];
		ps->p += 2;
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		const char *e = c ? strchr(from, (int)c) : NULL;
		if (e) {
			buf[n++] = (unsigned char)to[e - from];
		} else if (c == 'u') {
			unsigned cp = 0;
			int r = parse_u_escape(ps, &cp);
			if (r < 0)
				return r;
			n += put_utf8(buf + n, cp);
		} else {
			ps->p -= 1;
			return fail_at(ps, DS_EINVAL_MSG, "invalid escape in a string");
		}
	}
	buf[n] = '\0';
	*out = (const char *)buf;
	*out_len = n;
	return 0;
}

static int is_digit(const struct parser *ps) { return ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9'; }

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? : the literal is kept, converted on demand. */
static int parse_number(struct parser *ps, struct ds_jval *v)
{
	const unsigned char *s = ps->p;
	if (*ps->p == '-')
		ps->p++;
	if (!is_digit(ps))
		return unexpected(ps, "a digit");
	if (*ps->p++ != '0')
		while (is_digit(ps))
			ps->p++;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (!is_digit(ps))
			return unexpected(ps, "a digit after '.'");
		while (is_digit(ps))
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (!is_digit(ps))
			return unexpected(ps, "a digit in the exponent");
		while (is_digit(ps))
			ps->p++;
	}
	size_t n = (size_t)(ps->p - s);
	char *lit = arena_alloc(ps->doc, n + 1);
	if (!lit)
		return ds_fail(ps->err, -ENOMEM, "cannot allocate a JSON number");
	memcpy(lit, s, n);
	lit[n] = '\0';
	v->type = DS_JNUMBER;
	v->str = lit;
	v->len = n;
	return 0;
}

static int parse_value(struct parser *ps, struct ds_jval *v);

static int key_cmp(const void *a, const void *b)
{
	const struct ds_jval *x = *(const struct ds_jval *const *)a, *y = *(const struct ds_jval *const *)b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);
	if (c)
		return c;
	return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

/* Duplicate keys are found by sorting the members' pointers: n log n, whatever the object's size. */
static int check_duplicates(struct parser *ps, const struct ds_jval *obj, const unsigned char *at)
{
	if (obj->count < 2)
		return 0;
	_cleanup_free_ const struct ds_jval **m = malloc(obj->count * sizeof(*m));
	if (!m)
		return ds_fail(ps->err, -ENOMEM, "cannot allocate a JSON object's keys");
	size_t i = 0;
	for (const struct ds_jval *c = obj->head; c; c = c->next)
		m[i++] = c;
	qsort(m, obj->count, sizeof(*m), key_cmp);
	for (i = 1; i < obj->count; i++)
		if (key_cmp(&m[i - 1], &m[i]) == 0) {
			ps->p = at;
			return fail_at(ps, DS_EINVAL_MSG, "duplicate key \"%.*s\" in the object that starts here",
				       (int)(m[i]->key_len > 200 ? 200 : m[i]->key_len), m[i]->key);
		}
	return 0;
}

/* An array or object at ps->p (on its bracket). */
static int parse_container(struct parser *ps, struct ds_jval *v)
{
	const unsigned char *at = ps->p;
	int object = *ps->p == '{';
	char close = object ? '}' : ']';
	if (++ps->depth > DS_JSON_MAX_NESTING)
		return fail_at(ps, DS_EINVAL_MSG, "nested deeper than %d", DS_JSON_MAX_NESTING);
	v->type = object ? DS_JOBJECT : DS_JARRAY;
	ps->p++;
	skip_space(ps);
	struct ds_jval **tail = &v->head;
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return 0;
	}
	for (;;) {
		struct ds_jval *m = arena_alloc(ps->doc, sizeof(*m));
		if (!m)
			return ds_fail(ps->err, -ENOMEM, "cannot allocate a JSON value");
		memset(m, 0, sizeof(*m));
		int r;
		if (object) {
			if (ps->p >= ps->end || *ps->p != '"')
				return unexpected(ps, "a key (a string)");
			if ((r = parse_string(ps, &m->key, &m->key_len)) < 0)
				return r;
			skip_space(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return unexpected(ps, "':'");
			ps->p++;
			skip_space(ps);
		}
		if ((r = parse_value(ps, m)) < 0)
			return r;
		*tail = m;
		tail = &m->next;
		v->count++;
		skip_space(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			skip_space(ps);
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			break;
		}
		return unexpected(ps, object ? "',' or '}'" : "',' or ']'");
	}
	ps->depth--;
	return object ? check_duplicates(ps, v, at) : 0;
}

static int parse_word(struct parser *ps, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return unexpected(ps, "a value");
	ps->p += n;
	return 0;
}

static int parse_value(struct parser *ps, struct ds_jval *v)
{
	if (ps->p >= ps->end)
		return unexpected(ps, "a value");
	switch (*ps->p) {
	case '{':
	case '[': return parse_container(ps, v);
	case '"': v->type = DS_JSTRING; return parse_string(ps, &v->str, &v->len);
	case 't':
		v->type = DS_JBOOL;
		v->boolean = 1;
		return parse_word(ps, "true");
	case 'f': v->type = DS_JBOOL; return parse_word(ps, "false");
	case 'n': v->type = DS_JNULL; return parse_word(ps, "null");
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			return parse_number(ps, v);
		return unexpected(ps, "a value");
	}
}

int ds_json_parse(const char *text, size_t len, struct ds_jdoc *doc, struct ds_error *err)
{
	doc->root = NULL;
	doc->blocks = NULL;
	if (len > DS_JSON_MAX_SIZE)
		return ds_fail(err, -EFBIG, "JSON text of %zu bytes, more than %zu", len, DS_JSON_MAX_SIZE);
	struct parser ps = {
		.p = (const unsigned char *)text,
		.start = (const unsigned char *)text,
		.end = (const unsigned char *)text + len,
		.doc = doc,
		.err = err,
	};
	struct ds_jval *root = arena_alloc(doc, sizeof(*root));
	if (!root)
		return ds_fail(err, -ENOMEM, "cannot allocate a JSON value");
	memset(root, 0, sizeof(*root));
	skip_space(&ps);
	int r = parse_value(&ps, root);
	if (r >= 0) {
		skip_space(&ps);
		if (ps.p < ps.end)
			r = unexpected(&ps, "the end of the text");
	}
	if (r < 0) {
		ds_jdoc_free(doc);
		return r;
	}
	doc->root = root;
	return 0;
}

const struct ds_jval *ds_jget(const struct ds_jval *obj, const char *key)
{
	if (!obj || obj->type != DS_JOBJECT)
		return NULL;
	size_t n = strlen(key);
	for (const struct ds_jval *m = obj->head; m; m = m->next)
		if (m->key_len == n && memcmp(m->key, key, n) == 0)
			return m;
	return NULL;
}

const char *ds_jtype_name(enum ds_jtype type)
{
	static const char *const names[] = { "null", "boolean", "number", "string", "array", "object" };
	return (unsigned)type < ARRAY_SIZE(names) ? names[type] : "?";
}

const char *ds_jstr(const struct ds_jval *v)
{
	if (!v || v->type != DS_JSTRING || strlen(v->str) != v->len)
		return NULL;
	return v->str;
}

/* The number's literal as an integer: no fraction, no exponent (1e3 and 1.0 are refused). */
static int integer_literal(const struct ds_jval *v) { return v && v->type == DS_JNUMBER && !strpbrk(v->str, ".eE"); }

int ds_jint(const struct ds_jval *v, long long min, long long max, long long *out)
{
	if (!integer_literal(v))
		return -EINVAL;
	errno = 0;
	long long x = strtoll(v->str, NULL, 10);
	if (errno == ERANGE || x < min || x > max)
		return -ERANGE;
	*out = x;
	return 0;
}

int ds_juint(const struct ds_jval *v, unsigned long long max, unsigned long long *out)
{
	if (!integer_literal(v))
		return -EINVAL;
	if (v->str[0] == '-')
		return strcmp(v->str, "-0") == 0 ? (*out = 0, 0) : -ERANGE;
	errno = 0;
	unsigned long long x = strtoull(v->str, NULL, 10);
	if (errno == ERANGE || x > max)
		return -ERANGE;
	*out = x;
	return 0;
}
