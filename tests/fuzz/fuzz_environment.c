/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for ds_env_parse_line and ds_env_apply_text: `enter`
 * applies the guest's /etc/environment to the process it starts. Checks that
 * an assignment gives a shell-style name and a one-line value, NUL-terminated
 * within their buffers; that the result for any buffer sizes follows from
 * the result with room to spare (ASan watches exact-sized buffers); that
 * parsing is deterministic; that a value written back in any quoting parses
 * to itself; and that applying a text sets exactly the last value of each
 * name its lines assign. The process environment is cleared before and
 * restored after every input.
 */
#include "util/env.h"

#include "fuzz.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

/* What ds_env_apply_text works with: lines shorter than this, keys and values that fit these. */
#define APPLY_LINE 4096
#define APPLY_KEY 256
#define APPLY_VAL 4096

struct parsed {
	int r;
	char *key, *val;
};

/* Parses into exact-sized heap buffers, so a byte past either one is an ASan report. */
static struct parsed parse(const char *line, size_t ksize, size_t vsize)
{
	struct parsed p = { 0, malloc(ksize), malloc(vsize) };
	CHECK(p.key && p.val);
	memset(p.key, 0x5a, ksize);
	memset(p.val, 0x5a, vsize);
	p.r = ds_env_parse_line(line, p.key, ksize, p.val, vsize);
	CHECK(p.r == 1 || p.r == 0 || p.r == -EINVAL);
	if (p.r == 1) {
		CHECK(memchr(p.key, '\0', ksize) != NULL);
		CHECK(memchr(p.val, '\0', vsize) != NULL);
	}
	return p;
}

static void drop(struct parsed *p)
{
	free(p->key);
	free(p->val);
}

static int blank(char c) { return c == ' ' || c == '\t'; }

static int valid_name(const char *k)
{
	if (!(isalpha((unsigned char)k[0]) || k[0] == '_'))
		return 0;
	for (; *k; k++)
		if (!(isalnum((unsigned char)*k) || *k == '_'))
			return 0;
	return 1;
}

/* The assignment's key, after leading blanks and an optional "export". */
static const char *assignment_start(const char *p)
{
	while (blank(*p))
		p++;
	if (strncmp(p, "export", 6) == 0 && blank(p[6])) {
		p += 6;
		while (blank(*p))
			p++;
	}
	return p;
}

static void check_assignment(const char *line, const struct parsed *p)
{
	CHECK(valid_name(p->key));
	CHECK(strpbrk(p->val, "\n\r") == NULL);
	const char *s = assignment_start(line);
	size_t kl = strlen(p->key);
	CHECK(strncmp(s, p->key, kl) == 0 && s[kl] == '=');
	const char *v = s + kl + 1;
	/* Unquoted: the value is the text up to the first blank or '#'. */
	if (*v != '"' && *v != '\'') {
		size_t vl = strlen(p->val);
		CHECK(strpbrk(p->val, " \t#") == NULL);
		CHECK(strncmp(v, p->val, vl) == 0);
	}
}

/* The result for these sizes follows from the result with room to spare. */
static void check_sizes(const char *line, const struct parsed *full, size_t ksize, size_t vsize)
{
	if (ksize == 0 || vsize == 0)
		return;
	struct parsed p = parse(line, ksize, vsize);
	if (full->r != 1) {
		CHECK(p.r == full->r);
	} else if (strlen(full->key) < ksize && strlen(full->val) < vsize) {
		CHECK(p.r == 1);
		CHECK(strcmp(p.key, full->key) == 0 && strcmp(p.val, full->val) == 0);
	} else {
		CHECK(p.r == -EINVAL);
	}
	drop(&p);
}

/* Writes the value back as a line and parses it: the same key and value again. */
static void check_rewritten(const char *key, const char *val, const char *fmt, const char *shown)
{
	size_t n = strlen(key) + strlen(shown) + 32;
	char *line = malloc(n);
	CHECK(line != NULL);
	snprintf(line, n, fmt, key, shown);
	struct parsed p = parse(line, strlen(key) + 1, strlen(val) + 1);
	CHECK(p.r == 1);
	CHECK(strcmp(p.key, key) == 0 && strcmp(p.val, val) == 0);
	drop(&p);
	free(line);
}

static void check_round_trip(const struct parsed *full)
{
	const char *val = full->val;
	size_t vl = strlen(val);
	/* Double quotes: \ " $ ` escaped. */
	char *esc = malloc(2 * vl + 1), *e = esc;
	CHECK(esc != NULL);
	for (const char *c = val; *c; c++) {
		if (strchr("\"\\$`", *c))
			*e++ = '\\';
		*e++ = *c;
	}
	*e = '\0';
	check_rewritten(full->key, val, "export %s=\"%s\"  # rewritten", esc);
	free(esc);
	if (!strchr(val, '\''))
		check_rewritten(full->key, val, "\t%s='%s'", val);
	if (!strpbrk(val, " \t#") && val[0] != '"' && val[0] != '\'')
		check_rewritten(full->key, val, "%s=%s", val);
}

static void check_line(const char *line, size_t size)
{
	struct parsed full = parse(line, size + 1, size + 1);
	if (full.r == 0) {
		const char *s = line;
		while (blank(*s))
			s++;
		CHECK(strchr("#\n\r", *s) != NULL); /* '\0' included */
	}
	if (full.r == 1)
		check_assignment(line, &full);

	/* Deterministic. */
	struct parsed again = parse(line, size + 1, size + 1);
	CHECK(again.r == full.r);
	if (full.r == 1)
		CHECK(strcmp(again.key, full.key) == 0 && strcmp(again.val, full.val) == 0);
	drop(&again);

	size_t kl = full.r == 1 ? strlen(full.key) : 8;
	size_t vl = full.r == 1 ? strlen(full.val) : 8;
	const size_t ks[] = { 1, 2, kl, kl + 1, APPLY_KEY };
	const size_t vs[] = { 1, 2, vl, vl + 1, APPLY_VAL };
	for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++)
		for (size_t j = 0; j < sizeof(vs) / sizeof(vs[0]); j++)
			check_sizes(line, &full, ks[i], vs[j]);

	if (full.r == 1)
		check_round_trip(&full);
	drop(&full);
}

/* One assignment of the text, in line order. */
struct assign {
	size_t idx;
	char *key, *val;
};

static int by_key_then_line(const void *a, const void *b)
{
	const struct assign *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* The environment the fuzzer started with, restored after every input. */
static char **saved_env;

static void save_env(void)
{
	size_t n = 0;
	while (environ && environ[n])
		n++;
	saved_env = calloc(n + 1, sizeof(*saved_env));
	CHECK(saved_env != NULL);
	for (size_t i = 0; i < n; i++)
		CHECK((saved_env[i] = strdup(environ[i])) != NULL);
}

static void restore_env(void)
{
	clearenv();
	for (char **e = saved_env; *e; e++)
		CHECK(putenv(*e) == 0); /* putenv keeps our copy: nothing new allocated per input */
}

static void check_apply(const char *text)
{
	/*
	 * What should be set: every line the parser accepts, as ds_env_apply_text reads it.
	 * An assignment takes at least "A=" and a newline: room for every line that could be one.
	 */
	size_t n = 0;
	struct assign *as = malloc((strlen(text) / 2 + 1) * sizeof(*as));
	char *line = malloc(APPLY_LINE), *key = malloc(APPLY_KEY), *val = malloc(APPLY_VAL);
	CHECK(as && line && key && val);
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len < APPLY_LINE) {
			memcpy(line, p, len);
			line[len] = '\0';
			if (ds_env_parse_line(line, key, APPLY_KEY, val, APPLY_VAL) == 1) {
				as[n] = (struct assign){ n, strdup(key), strdup(val) };
				CHECK(as[n].key && as[n].val);
				n++;
			}
		}
		p += len + (nl ? 1 : 0);
	}

	clearenv();
	ds_env_apply_text(text);
	/* The last assignment of each name wins, and nothing else is set. */
	qsort(as, n, sizeof(*as), by_key_then_line);
	size_t names = 0;
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && strcmp(as[i].key, as[i + 1].key) == 0)
			continue;
		names++;
		const char *got = getenv(as[i].key);
		CHECK(got != NULL && strcmp(got, as[i].val) == 0);
	}
	size_t set = 0;
	while (environ && environ[set])
		set++;
	CHECK(set == names);
	restore_env();

	for (size_t i = 0; i < n; i++) {
		free(as[i].key);
		free(as[i].val);
	}
	free(as);
	free(line);
	free(key);
	free(val);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!saved_env)
		save_env();
	char *buf = fuzz_cstr(data, size);
	if (!buf)
		return 0;

	/* The whole input as one line (it may hold newlines: the parser stops at the first). */
	check_line(buf, size);
	/* ... and as a file. */
	check_apply(buf);

	free(buf);
	return 0;
}
