/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Typed access to config.json's fields, each failure one line naming the field's JSON path (see field.h). */
#include "oci/field.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/macros.h"

const char *ds_oci_a_type(enum ds_jtype t)
{
	const char *const names[] = { "null", "a boolean", "a number", "a string", "an array", "an object" };
	return (unsigned)t < ARRAY_SIZE(names) ? names[t] : "?";
}

int __attribute__((format(printf, 3, 4))) ds_oci_bad(struct ds_error *err, const char *path, const char *fmt, ...)
{
	char what[320];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return ds_fail(err, DS_EINVAL_MSG, "config.json: %s: %s", path, what);
}

void ds_oci_path_join(char *out, const char *parent, const char *key)
{
	snprintf(out, DS_OCI_PATH_LEN, "%s%s%.64s", parent, *parent ? "." : "", key);
}

void ds_oci_path_index(char *out, const char *parent, size_t i)
{
	snprintf(out, DS_OCI_PATH_LEN, "%s[%zu]", parent, i);
}

int ds_oci_want(const struct ds_jval *v, enum ds_jtype t, const char *path, struct ds_error *err)
{
	if (v->type != t)
		return ds_oci_bad(err, path, "expected %s, got %s", ds_oci_a_type(t), ds_oci_a_type(v->type));
	return 0;
}

/* A string without NULs. */
int ds_oci_want_string(const struct ds_jval *v, const char *path, const char **out, struct ds_error *err)
{
	int r = ds_oci_want(v, DS_JSTRING, path, err);
	if (r < 0)
		return r;
	if (!ds_jstr(v))
		return ds_oci_bad(err, path, "a NUL character in the string");
	*out = v->str;
	return 0;
}

/* obj.key when present (a JSON null is taken as absent, as Go's decoder does): 1, else 0. */
int ds_oci_member(const struct ds_jval *obj, const char *key, const char *parent, char *path,
		  const struct ds_jval **out)
{
	ds_oci_path_join(path, parent, key);
	*out = ds_jget(obj, key);
	return *out && (*out)->type != DS_JNULL;
}

int ds_oci_get_string(const struct ds_jval *obj, const char *key, const char *parent, int required, const char **out,
		      struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN];
	const struct ds_jval *v;
	if (!ds_oci_member(obj, key, parent, path, &v))
		return required ? ds_oci_bad(err, path, "missing") : 0;
	return ds_oci_want_string(v, path, out, err);
}

int ds_oci_get_bool(const struct ds_jval *obj, const char *key, const char *parent, int *out, struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN];
	const struct ds_jval *v;
	if (!ds_oci_member(obj, key, parent, path, &v))
		return 0;
	int r = ds_oci_want(v, DS_JBOOL, path, err);
	if (r < 0)
		return r;
	*out = v->boolean;
	return 0;
}

int ds_oci_number_in(const struct ds_jval *v, const char *path, long long min, long long max, long long *out,
		     struct ds_error *err)
{
	int r = ds_oci_want(v, DS_JNUMBER, path, err);
	if (r < 0)
		return r;
	r = ds_jint(v, min, max, out);
	if (r == -EINVAL)
		return ds_oci_bad(err, path, "expected an integer, got %.40s", v->str);
	if (r < 0)
		return ds_oci_bad(err, path, "%.40s is out of range (%lld to %lld)", v->str, min, max);
	return 0;
}

int ds_oci_get_int(const struct ds_jval *obj, const char *key, const char *parent, long long min, long long max,
		   long long *out, int *has, struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN];
	const struct ds_jval *v;
	if (!ds_oci_member(obj, key, parent, path, &v))
		return 0;
	int r = ds_oci_number_in(v, path, min, max, out, err);
	if (r >= 0 && has)
		*has = 1;
	return r;
}

int ds_oci_get_uint(const struct ds_jval *obj, const char *key, const char *parent, unsigned long long max,
		    unsigned long long *out, int *has, struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN];
	const struct ds_jval *v;
	if (!ds_oci_member(obj, key, parent, path, &v))
		return 0;
	int r = ds_oci_want(v, DS_JNUMBER, path, err);
	if (r < 0)
		return r;
	r = ds_juint(v, max, out);
	if (r == -EINVAL)
		return ds_oci_bad(err, path, "expected an integer, got %.40s", v->str);
	if (r < 0)
		return ds_oci_bad(err, path, "%.40s is out of range (0 to %llu)", v->str, max);
	if (has)
		*has = 1;
	return 0;
}

/* obj.key as an object (1), absent (0), or the wrong type (< 0). */
int ds_oci_get_object(const struct ds_jval *obj, const char *key, const char *parent, char *path,
		      const struct ds_jval **out, struct ds_error *err)
{
	if (!ds_oci_member(obj, key, parent, path, out))
		return 0;
	int r = ds_oci_want(*out, DS_JOBJECT, path, err);
	return r < 0 ? r : 1;
}

/* obj.key as an array of strings into a malloc'd array (absent: none). */
int ds_oci_get_strings(const struct ds_jval *obj, const char *key, const char *parent, const char ***out, size_t *n,
		       struct ds_error *err)
{
	char path[DS_OCI_PATH_LEN], item[DS_OCI_PATH_LEN];
	const struct ds_jval *v;
	if (!ds_oci_member(obj, key, parent, path, &v))
		return 0;
	int r = ds_oci_want(v, DS_JARRAY, path, err);
	if (r < 0)
		return r;
	*out = calloc(v->count + 1, sizeof(**out));
	if (!*out)
		return ds_fail(err, -ENOMEM, "config.json: %s", path);
	size_t i = 0;
	for (const struct ds_jval *m = v->head; m; m = m->next, i++) {
		ds_oci_path_index(item, path, i);
		if ((r = ds_oci_want_string(m, item, &(*out)[i], err)) < 0)
			return r;
	}
	*n = v->count;
	return 0;
}

int ds_oci_absolute(const char *s, const char *path, struct ds_error *err)
{
	if (s[0] != '/')
		return ds_oci_bad(err, path, "\"%.100s\" is not an absolute path", s);
	return 0;
}
