/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/saved.h"
#include "core/settings.h"
#include "core/state.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ds_saved_path(const struct ds_config *cfg, const char *name, char *out, size_t size)
{
	return ds_workspace_path(cfg->workspace, DS_WS_SAVED, name, out, size);
}

struct render_ctx {
	char *out;
	size_t size, pos;
};

static int put(void *ctx, const char *key, const char *val)
{
	struct render_ctx *t = ctx;
	if (strpbrk(val, "\n\r"))
		return -EINVAL; /* a value may never smuggle in a line of its own */
	if (t->pos >= t->size)
		return -ENOSPC;
	int n = snprintf(t->out + t->pos, t->size - t->pos, "%s=%s\n", key, val);
	if (n < 0 || (size_t)n >= t->size - t->pos)
		return -ENOSPC;
	t->pos += (size_t)n;
	return 0;
}

int ds_saved_render(const struct ds_settings *s, const char *extra, char *out, size_t size)
{
	static const char head[] = "# droidspaces container settings\n";
	if (size == 0)
		return -ENOSPC;
	out[0] = '\0';
	if (size < sizeof(head))
		return -ENOSPC;
	memcpy(out, head, sizeof(head));
	struct render_ctx t = { .out = out, .size = size, .pos = sizeof(head) - 1 };
	int r = ds_settings_render(s, put, &t);
	if (r == -ENOMEM)
		return r;
	if (extra && *extra) {
		size_t n = strlen(extra);
		if (t.pos + n + 1 > size)
			return -ENOSPC;
		memcpy(out + t.pos, extra, n + 1);
	}
	return r ? -EINVAL : 0;
}

static int apply(struct ds_saved *s, const char *key, const char *v, const char *line, size_t *extra_pos,
		 struct ds_error *err)
{
	const struct ds_setting *row = ds_setting_by_key(key);
	if (row)
		return ds_setting_apply(row, &s->settings, NULL, v, DS_FROM_CONFIG, err);
	/* Unknown: kept verbatim for whoever wrote it (a newer version, a user). */
	size_t n = strlen(line);
	if (*extra_pos + n + 2 > sizeof(s->extra))
		return ds_fail(err, DS_EINVAL_MSG, "config: too many unknown keys");
	memcpy(s->extra + *extra_pos, line, n);
	*extra_pos += n;
	s->extra[(*extra_pos)++] = '\n';
	s->extra[*extra_pos] = '\0';
	return 0;
}

int ds_saved_parse(const char *text, struct ds_saved *s, struct ds_error *err)
{
	ds_settings_free(&s->settings);
	memset(s, 0, sizeof(*s));
	ds_settings_init(&s->settings);
	size_t extra_pos = 0;
	char line[2 * PATH_MAX + 64];
	int lineno = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		lineno++;
		if (len >= sizeof(line))
			return ds_fail(err, DS_EINVAL_MSG, "config: line %d is too long", lineno);
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl ? 1 : 0);
		/* Files edited elsewhere: CRLF line ends and lines of blanks are fine. */
		while (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (line[strspn(line, " \t")] == '\0' || line[0] == '#')
			continue;
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
				return ds_fail(err, DS_EINVAL_MSG, "config: line %d has a control character", lineno);
		char *eq = strchr(line, '=');
		if (!eq || eq == line)
			return ds_fail(err, DS_EINVAL_MSG, "config: line %d is not key=value", lineno);
		char full[sizeof(line)];
		memcpy(full, line, len + 1);
		*eq = '\0';
		int r = apply(s, line, eq + 1, full, &extra_pos, err);
		if (r < 0)
			return r;
	}
	return 0;
}

#define DS_SAVED_TEXT_MAX 65536

int ds_saved_load(const char *path, struct ds_saved *s, struct ds_error *err)
{
	_cleanup_free_ char *text = malloc(DS_SAVED_TEXT_MAX);
	if (!text)
		return ds_fail(err, -ENOMEM, "cannot read %s", path);
	ssize_t n = ds_read_file(path, text, DS_SAVED_TEXT_MAX);
	if (n < 0)
		return ds_fail(err, (int)n, "cannot read %s", path);
	if ((size_t)n == DS_SAVED_TEXT_MAX - 1)
		return ds_fail(err, DS_EINVAL_MSG, "%s is too large", path);
	return ds_saved_parse(text, s, err);
}

int ds_saved_store(const char *path, const struct ds_settings *s, const char *extra, struct ds_error *err)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	_cleanup_free_ char *text = malloc(DS_SAVED_TEXT_MAX);
	int r = text ? ds_mkdir_p(dir, 0755) : -ENOMEM;
	if (r == 0)
		r = ds_saved_render(s, extra, text, DS_SAVED_TEXT_MAX);
	if (r == 0)
		r = ds_write_file_atomic(path, text, 0644, DS_WRITE_DURABLE | DS_WRITE_IF_CHANGED);
	return r < 0 ? ds_fail(err, r, "cannot save %s", path) : 0;
}

struct ds_saved *ds_saved_new(void)
{
	struct ds_saved *s = calloc(1, sizeof(*s));
	if (s)
		ds_settings_init(&s->settings);
	return s;
}

void ds_saved_freep(struct ds_saved **s)
{
	if (*s) {
		ds_settings_free(&(*s)->settings);
		free(*s);
		*s = NULL;
	}
}
