/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/saved.h"
#include "core/caps.h"
#include "core/seccomp.h"
#include "core/state.h"
#include "core/validate.h"
#include "util/fileio.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


int ds_saved_path(const struct ds_config *cfg, const char *name, char *out, size_t size)
{
	return ds_workspace_path(cfg->workspace, DS_WS_SAVED, name, out, size);
}

static int put(char *out, size_t size, size_t *pos, const char *key, const char *val)
{
	if (strpbrk(val, "\n\r"))
		return -EINVAL; /* a value may never smuggle in a line of its own */
	if (*pos >= size)
		return -ENOSPC;
	int n = snprintf(out + *pos, size - *pos, "%s=%s\n", key, val);
	if (n < 0 || (size_t)n >= size - *pos)
		return -ENOSPC;
	*pos += (size_t)n;
	return 0;
}

int ds_saved_render(const struct ds_config *cfg, const char *extra, char *out, size_t size)
{
	size_t pos = 0;
	char num[16];
	int r = 0;
	if (size == 0)
		return -ENOSPC;
	out[0] = '\0';
	static const char head[] = "# droidspaces container settings\n";
	if (size < sizeof(head))
		return -ENOSPC;
	memcpy(out, head, sizeof(head));
	pos = sizeof(head) - 1;
	r |= put(out, size, &pos, "rootfs", cfg->rootfs_path);
	r |= put(out, size, &pos, "rootfs_img", cfg->rootfs_img_path);
	r |= put(out, size, &pos, "hostname", cfg->hostname);
	r |= put(out, size, &pos, "volatile", cfg->volatile_mode ? "1" : "0");
	r |= put(out, size, &pos, "hw_access", cfg->hw_access ? "1" : "0");
	r |= put(out, size, &pos, "enable_ipv6", cfg->enable_ipv6 ? "1" : "0");
	r |= put(out, size, &pos, "android_storage", cfg->android_storage ? "1" : "0");
	r |= put(out, size, &pos, "selinux_permissive", cfg->selinux_permissive ? "1" : "0");
	char caps[256];
	ds_caps_format_keep(cfg->keep_caps, caps, sizeof(caps));
	r |= put(out, size, &pos, "keep_caps", caps);
	ds_privileged_format(cfg->privileged, caps, sizeof(caps));
	r |= put(out, size, &pos, "privileged", caps);
	r |= put(out, size, &pos, "dns", cfg->dns);
	snprintf(num, sizeof(num), "%d", cfg->stop_timeout);
	r |= put(out, size, &pos, "stop_timeout", num);
	snprintf(num, sizeof(num), "%d", cfg->tty_count);
	r |= put(out, size, &pos, "ttys", num);
	for (int i = 0; i < cfg->bind_count; i++) {
		char b[2 * PATH_MAX + 8];
		snprintf(b, sizeof(b), "%s:%s%s", cfg->binds[i].src, cfg->binds[i].dest,
			 cfg->binds[i].read_only ? ":ro" : "");
		r |= put(out, size, &pos, "bind", b);
	}
	if (extra && *extra) {
		size_t n = strlen(extra);
		if (pos + n + 1 > size)
			return -ENOSPC;
		memcpy(out + pos, extra, n + 1);
	}
	return r ? -EINVAL : 0;
}

static int parse_flag(const char *key, const char *v, int *out, struct ds_error *err)
{
	if (strcmp(v, "0") && strcmp(v, "1"))
		return ds_fail(err, DS_EINVAL_MSG, "config: %s must be 0 or 1, not '%.40s'", key, v);
	*out = v[0] == '1';
	return 0;
}

static int parse_num(const char *key, const char *v, long lo, long hi, int *out, struct ds_error *err)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < lo || n > hi)
		return ds_fail(err, DS_EINVAL_MSG, "config: %s must be %ld-%ld, not '%.40s'", key, lo, hi, v);
	*out = (int)n;
	return 0;
}

static int copy_str(char *dst, size_t size, const char *key, const char *v, struct ds_error *err)
{
	if (strlen(v) >= size)
		return ds_fail(err, DS_EINVAL_MSG, "config: %s is too long", key);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int apply(struct ds_saved *s, const char *key, const char *v, const char *line, size_t *extra_pos,
		 struct ds_error *err)
{
	struct ds_config *c = &s->cfg;
	if (!strcmp(key, "rootfs")) return copy_str(c->rootfs_path, sizeof(c->rootfs_path), key, v, err);
	if (!strcmp(key, "rootfs_img")) return copy_str(c->rootfs_img_path, sizeof(c->rootfs_img_path), key, v, err);
	if (!strcmp(key, "hostname")) {
		/* A hostname defaulted from a name may end in '.' or '-': names are accepted too. */
		if (*v && ds_hostname_validate(v) < 0 && (ds_name_validate(v) < 0 || !isalnum((unsigned char)v[0])))
			return ds_fail(err, DS_EINVAL_MSG, "config: invalid hostname '%.64s'", v);
		return copy_str(c->hostname, sizeof(c->hostname), key, v, err);
	}
	if (!strcmp(key, "dns")) return *v ? ds_parse_dns(v, c, err) : 0;
	if (!strcmp(key, "volatile")) return parse_flag(key, v, &c->volatile_mode, err);
	if (!strcmp(key, "hw_access")) return parse_flag(key, v, &c->hw_access, err);
	if (!strcmp(key, "enable_ipv6")) return parse_flag(key, v, &c->enable_ipv6, err);
	if (!strcmp(key, "android_storage")) return parse_flag(key, v, &c->android_storage, err);
	if (!strcmp(key, "selinux_permissive")) return parse_flag(key, v, &c->selinux_permissive, err);
	if (!strcmp(key, "privileged")) return *v ? ds_privileged_parse(v, &c->privileged, err) : 0;
	if (!strcmp(key, "keep_caps")) return *v ? ds_caps_parse_keep(v, &c->keep_caps, err) : 0;
	if (!strcmp(key, "keep_net_admin")) { /* before 3.3: the one capability that could be kept */
		int on = 0, r = parse_flag(key, v, &on, err);
		if (on)
			c->keep_caps |= 1ULL << CAP_NET_ADMIN;
		return r;
	}
	if (!strcmp(key, "stop_timeout")) return parse_num(key, v, 1, 3600, &c->stop_timeout, err);
	if (!strcmp(key, "ttys")) return parse_num(key, v, 0, DS_MAX_TTYS, &c->tty_count, err);
	if (!strcmp(key, "bind")) return ds_parse_binds(v, c, err);
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
	memset(s, 0, sizeof(*s));
	ds_config_init(&s->cfg);
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

int ds_saved_load(const char *path, struct ds_saved *s, struct ds_error *err)
{
	static char text[65536];
	ssize_t n = ds_read_file(path, text, sizeof(text));
	if (n < 0)
		return ds_fail(err, (int)n, "cannot read %s", path);
	if ((size_t)n == sizeof(text) - 1)
		return ds_fail(err, DS_EINVAL_MSG, "%s is too large", path);
	return ds_saved_parse(text, s, err);
}

int ds_saved_store(const char *path, const struct ds_config *cfg, const char *extra, struct ds_error *err)
{
	static char text[65536];
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	int r = ds_mkdir_p(dir, 0755);
	if (r == 0)
		r = ds_saved_render(cfg, extra, text, sizeof(text));
	if (r == 0)
		r = ds_write_file_atomic(path, text, 0644, DS_WRITE_DURABLE | DS_WRITE_IF_CHANGED);
	return r < 0 ? ds_fail(err, r, "cannot save %s", path) : 0;
}

void ds_saved_merge(struct ds_config *cfg, const struct ds_config *saved)
{
#define TAKE_STR(f) do { if (!cfg->f[0]) memcpy(cfg->f, saved->f, sizeof(cfg->f)); } while (0)
	TAKE_STR(rootfs_path);
	TAKE_STR(rootfs_img_path);
	TAKE_STR(hostname);
	TAKE_STR(dns);
#undef TAKE_STR
	cfg->volatile_mode |= saved->volatile_mode;
	cfg->hw_access |= saved->hw_access;
	cfg->enable_ipv6 |= saved->enable_ipv6;
	cfg->android_storage |= saved->android_storage;
	cfg->selinux_permissive |= saved->selinux_permissive;
	cfg->keep_caps |= saved->keep_caps;
	cfg->privileged |= saved->privileged;
	if (!cfg->stop_timeout_set)
		cfg->stop_timeout = saved->stop_timeout;
	if (!cfg->tty_count_set)
		cfg->tty_count = saved->tty_count;
	if (cfg->bind_count == 0) {
		memcpy(cfg->binds, saved->binds, sizeof(cfg->binds));
		cfg->bind_count = saved->bind_count;
	}
}
