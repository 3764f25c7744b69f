/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "util/json.h"

#include <string.h>

void ds_json_init(struct ds_json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
}

/* Length of the valid UTF-8 sequence at s, 0 when invalid. */
static int utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	int n;
	unsigned min;
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0) {
		n = 2;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		min = 0x10000;
	} else
		return 0;
	unsigned cp = c & (0x7f >> n);
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void ds_json_write_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		unsigned char c = *p;
		if (c == '"' || c == '\\') {
			fputc('\\', out);
			fputc(c, out);
			p++;
		} else if (c < 0x20) {
			switch (c) {
			case '\n': fputs("\\n", out); break;
			case '\r': fputs("\\r", out); break;
			case '\t': fputs("\\t", out); break;
			default: fprintf(out, "\\u%04x", c); break;
			}
			p++;
		} else if (c < 0x80) {
			fputc(c, out);
			p++;
		} else {
			int n = utf8_len(p);
			if (n == 0) {
				fputs("\\ufffd", out);
				p++;
			} else {
				fwrite(p, 1, (size_t)n, out);
				p += n;
			}
		}
	}
	fputc('"', out);
}

static void member(struct ds_json *j, const char *key)
{
	int level = j->depth < DS_JSON_MAX_DEPTH ? j->depth : DS_JSON_MAX_DEPTH;
	if (level > 0 && j->count[level - 1]++ > 0)
		fputc(',', j->out);
	if (key) {
		ds_json_write_string(j->out, key);
		fputc(':', j->out);
	}
}

static void open_level(struct ds_json *j, const char *key, char c)
{
	member(j, key);
	fputc(c, j->out);
	if (j->depth < DS_JSON_MAX_DEPTH)
		j->count[j->depth] = 0;
	j->depth++;
}

static void close_level(struct ds_json *j, char c)
{
	fputc(c, j->out);
	if (j->depth > 0)
		j->depth--;
	if (j->depth == 0)
		fputc('\n', j->out);
}

void ds_json_object_begin(struct ds_json *j, const char *key) { open_level(j, key, '{'); }
void ds_json_object_end(struct ds_json *j) { close_level(j, '}'); }
void ds_json_array_begin(struct ds_json *j, const char *key) { open_level(j, key, '['); }
void ds_json_array_end(struct ds_json *j) { close_level(j, ']'); }

void ds_json_string(struct ds_json *j, const char *key, const char *val)
{
	member(j, key);
	if (val)
		ds_json_write_string(j->out, val);
	else
		fputs("null", j->out);
}

void ds_json_int(struct ds_json *j, const char *key, long long val)
{
	member(j, key);
	fprintf(j->out, "%lld", val);
}

void ds_json_bool(struct ds_json *j, const char *key, int val)
{
	member(j, key);
	fputs(val ? "true" : "false", j->out);
}
