/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config.json's fields read with their types checked: each failure is one
 * line, "config.json: PATH: what", PATH the field's JSON path
 * ("process.args[1]"). Shared by the readers of oci/spec.c and oci/seccomp.c.
 * A member that is JSON null counts as absent, as Go's decoder has it.
 */
#pragma once

#include <stddef.h>

#include "util/error.h"
#include "util/jsonparse.h"

/* The room for a JSON path in messages; longer keys are cut. */
#define DS_OCI_PATH_LEN 192

/* "a string", "an object"... */
const char *ds_oci_a_type(enum ds_jtype t);
/* Fails with "config.json: PATH: what" (DS_EINVAL_MSG). */
int __attribute__((format(printf, 3, 4))) ds_oci_bad(struct ds_error *err, const char *path, const char *fmt, ...);
/* out = parent.key, out = parent[i] (DS_OCI_PATH_LEN bytes). */
void ds_oci_path_join(char *out, const char *parent, const char *key);
void ds_oci_path_index(char *out, const char *parent, size_t i);
/* v is of type t. */
int ds_oci_want(const struct ds_jval *v, enum ds_jtype t, const char *path, struct ds_error *err);
/* v is a string without NULs, into *out. */
int ds_oci_want_string(const struct ds_jval *v, const char *path, const char **out, struct ds_error *err);
/* obj.key when present: 1 with *out and path set, else 0. */
int ds_oci_member(const struct ds_jval *obj, const char *key, const char *parent, char *path,
		  const struct ds_jval **out);
int ds_oci_get_string(const struct ds_jval *obj, const char *key, const char *parent, int required, const char **out,
		      struct ds_error *err);
int ds_oci_get_bool(const struct ds_jval *obj, const char *key, const char *parent, int *out, struct ds_error *err);
/* v an integer from min to max. */
int ds_oci_number_in(const struct ds_jval *v, const char *path, long long min, long long max, long long *out,
		     struct ds_error *err);
/* obj.key as an integer; *has (when not NULL) set to 1 when present. */
int ds_oci_get_int(const struct ds_jval *obj, const char *key, const char *parent, long long min, long long max,
		   long long *out, int *has, struct ds_error *err);
int ds_oci_get_uint(const struct ds_jval *obj, const char *key, const char *parent, unsigned long long max,
		    unsigned long long *out, int *has, struct ds_error *err);
/* obj.key as an object (1), absent (0), or the wrong type (< 0). */
int ds_oci_get_object(const struct ds_jval *obj, const char *key, const char *parent, char *path,
		      const struct ds_jval **out, struct ds_error *err);
/* obj.key as an array of strings into a malloc'd array (absent: none). */
int ds_oci_get_strings(const struct ds_jval *obj, const char *key, const char *parent, const char ***out, size_t *n,
		       struct ds_error *err);
/* s begins with '/'. */
int ds_oci_absolute(const char *s, const char *path, struct ds_error *err);
