/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/validate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad(struct ds_error *err, const char *opt, const char *val, const char *why)
{
	return ds_fail(err, DS_EINVAL_MSG, "--%s: invalid value '%.80s': %s", opt, val, why);
}

int ds_hostname_validate(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > DS_NAME_MAX || s[0] == '-' || s[0] == '.' || s[n - 1] == '-' || s[n - 1] == '.' ||
	    strstr(s, ".."))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		/* '_' is not in RFC 1123, but Linux and every libc resolver accept it, and names may hold it. */
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '.' || c == '_'))
			return -EINVAL;
	}
	return 0;
}

static int has_dotdot(const char *p)
{
	for (const char *s = p; (s = strstr(s, "..")); s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '\0' || s[2] == '/'))
			return 1;
	return 0;
}

int ds_bind_add(struct ds_settings *s, const char *src, const char *dest, int read_only)
{
	if (s->bind_count >= DS_MAX_BINDS)
		return -E2BIG;
	struct ds_bind *v = realloc(s->binds, sizeof(*v) * (size_t)(s->bind_count + 1));
	if (!v)
		return -ENOMEM;
	s->binds = v;
	size_t ls = strlen(src) + 1, ld = strlen(dest) + 1;
	char *p = malloc(ls + ld); /* src and dest in one allocation, freed with src */
	if (!p)
		return -ENOMEM;
	memcpy(p, src, ls);
	memcpy(p + ls, dest, ld);
	v[s->bind_count++] = (struct ds_bind){ .src = p, .dest = p + ls, .read_only = read_only };
	return 0;
}

int ds_parse_binds(const char *spec, struct ds_settings *s, struct ds_error *err)
{
	char buf[8192];
	if (strlen(spec) >= sizeof(buf))
		return bad(err, "bind-mount", spec, "too long");
	if (!spec[0])
		return bad(err, "bind-mount", spec, "expected SRC:DEST[:ro]");
	for (const char *c = spec; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return bad(err, "bind-mount", spec, "control characters are not allowed");
	int before = s->bind_count;
	strcpy(buf, spec);
	char *save = NULL;
	for (char *e = strtok_r(buf, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
		if (s->bind_count >= DS_MAX_BINDS)
			return bad(err, "bind-mount", spec, "too many bind mounts (at most 32)");
		char *colon = strchr(e, ':');
		if (!colon || colon == e || !colon[1])
			return bad(err, "bind-mount", e, "expected SRC:DEST[:ro]");
		*colon = '\0';
		char *dest = colon + 1;
		int ro = 0;
		char *opt = strchr(dest, ':');
		if (opt) {
			*opt++ = '\0';
			if (strcmp(opt, "ro") == 0)
				ro = 1;
			else if (strcmp(opt, "rw") != 0)
				return bad(err, "bind-mount", opt, "the only options are ro and rw");
		}
		if (dest[0] != '/' || has_dotdot(dest) || has_dotdot(e))
			return bad(err, "bind-mount", dest, "DEST must be an absolute path without '..'");
		if (strcmp(dest, "/") == 0)
			return bad(err, "bind-mount", dest, "cannot bind over the container's /");
		if (strlen(e) >= PATH_MAX || strlen(dest) >= PATH_MAX)
			return bad(err, "bind-mount", e, "path too long");
		if (ds_bind_add(s, e, dest, ro) < 0)
			return ds_fail(err, -ENOMEM, "bind-mount");
	}
	if (s->bind_count == before)
		return bad(err, "bind-mount", spec, "expected SRC:DEST[:ro]");
	return 0;
}

int ds_parse_dns(const char *val, struct ds_settings *s, struct ds_error *err)
{
	char buf[256];
	if (!val[0] || strlen(val) >= sizeof(buf))
		return bad(err, "dns", val, "expected a comma-separated list of IP addresses");
	strcpy(buf, val);
	char *save = NULL;
	int count = 0;
	for (char *a = strtok_r(buf, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		unsigned char tmp[16];
		if (inet_pton(AF_INET, a, tmp) != 1 && inet_pton(AF_INET6, a, tmp) != 1)
			return bad(err, "dns", a, "not an IPv4 or IPv6 address");
		if (++count > DS_MAX_DNS)
			return bad(err, "dns", val, "at most 4 servers");
	}
	if (count == 0)
		return bad(err, "dns", val, "expected a comma-separated list of IP addresses");
	strcpy(s->dns, val);
	return 0;
}

/* ---- resource limits -------------------------------------------------------------------- */

#define SIZE_MIN_LIMIT (1LL << 20)
#define SIZE_MAX_LIMIT (1LL << 50) /* a petabyte: past it, a typo */

const char *ds_size_parse(const char *s, long long *bytes)
{
	static const char units[] = "KMGT";
	const char *why = "expected SIZE like 512M or 2G (K M G T: powers of 1024), at least 1M; 0: no limit";
	long long v = 0;
	const char *c = s;
	if (*c < '0' || *c > '9')
		return why;
	for (; *c >= '0' && *c <= '9'; c++) {
		if (v > SIZE_MAX_LIMIT)
			return why;
		v = v * 10 + (*c - '0');
	}
	int shift = 0;
	if (*c) {
		const char *u = strchr(units, *c >= 'a' ? *c - 'a' + 'A' : *c);
		if (!u || c[1])
			return why;
		shift = 10 * (int)(u - units + 1);
	}
	if (v > (SIZE_MAX_LIMIT >> shift) || (v && (v << shift) < SIZE_MIN_LIMIT))
		return why;
	*bytes = v << shift;
	return NULL;
}

void ds_size_format(long long bytes, char *buf, size_t size)
{
	static const char units[] = "KMGT";
	int u = 0;
	while (bytes && u < 4 && (bytes & 1023) == 0) {
		bytes >>= 10;
		u++;
	}
	if (u)
		snprintf(buf, size, "%lld%c", bytes, units[u - 1]);
	else
		snprintf(buf, size, "%lld", bytes);
}

const char *ds_cpus_parse(const char *s, int *milli)
{
	const char *why = "expected CPUs like 0.5 or 2 (0.01-1024, 3 decimals at most); 0: no limit";
	long v = 0;
	int digits = 0, frac = 0;
	const char *c = s;
	for (; *c >= '0' && *c <= '9' && digits < 5; c++, digits++)
		v = v * 10 + (*c - '0');
	if (!digits && *c != '.')
		return why;
	v *= 1000;
	if (*c == '.') {
		int scale = 100;
		for (c++; *c >= '0' && *c <= '9' && frac < 3; c++, frac++, scale /= 10)
			v += (*c - '0') * scale;
		if (!frac && !digits)
			return why;
	}
	if (*c || (v && v < 10) || v > 1024 * 1000)
		return why;
	*milli = (int)v;
	return NULL;
}

void ds_cpus_format(int milli, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%d.%03d", milli / 1000, milli % 1000);
	/* Trailing zeros off, and the point with them ("2", "0.5"). */
	while (n > 0 && (size_t)n < size && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && (size_t)n < size && buf[n - 1] == '.')
		buf[--n] = '\0';
}
