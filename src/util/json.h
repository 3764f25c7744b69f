/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A small streaming JSON writer. Keys and strings are escaped per RFC 8259;
 * bytes that are not valid UTF-8 become U+FFFD, so the output always parses.
 */
#pragma once

#include <stdio.h>

#define DS_JSON_MAX_DEPTH 16

struct ds_json {
	FILE *out;
	int depth;
	int count[DS_JSON_MAX_DEPTH]; /* members written at each level */
};

void ds_json_init(struct ds_json *j, FILE *out);
/* key is NULL inside arrays and at the top level. */
void ds_json_object_begin(struct ds_json *j, const char *key);
void ds_json_object_end(struct ds_json *j);
void ds_json_array_begin(struct ds_json *j, const char *key);
void ds_json_array_end(struct ds_json *j);
void ds_json_string(struct ds_json *j, const char *key, const char *val); /* NULL val: null */
void ds_json_int(struct ds_json *j, const char *key, long long val);
void ds_json_bool(struct ds_json *j, const char *key, int val);
/* Writes s as a JSON string literal (with quotes). */
void ds_json_write_string(FILE *out, const char *s);
