/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "util/osrelease.h"
#include "util/env.h"
#include "util/fileio.h"
#include "util/macros.h"
#include "util/path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void ds_osrelease_parse(const char *text, struct ds_osrelease *os)
{
	memset(os, 0, sizeof(*os));
	char line[4096], key[128], val[1024];
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		p += len + (nl ? 1 : 0);
		if (len >= sizeof(line))
			continue; /* a huge line is ignored, not truncated into a value */
		memcpy(line, p - len - (nl ? 1 : 0), len);
		line[len] = '\0';
		if (ds_env_parse_line(line, key, sizeof(key), val, sizeof(val)) != 1)
			continue;
		if (strcmp(key, "ID") == 0)
			snprintf(os->id, sizeof(os->id), "%s", val);
		else if (strcmp(key, "VERSION_ID") == 0)
			snprintf(os->version_id, sizeof(os->version_id), "%s", val);
		else if (strcmp(key, "PRETTY_NAME") == 0)
			snprintf(os->pretty_name, sizeof(os->pretty_name), "%s", val);
	}
}

int ds_osrelease_read_at(int rootfd, struct ds_osrelease *os)
{
	static const char *const paths[] = { "etc/os-release", "usr/lib/os-release" };
	memset(os, 0, sizeof(*os));
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		/* Resolved inside the root, a regular file only, a FIFO cannot hang us. */
		char buf[65536];
		if (ds_read_file_in_root(rootfd, paths[i], buf, sizeof(buf)) < 0)
			continue;
		/* Binary data: stop at the first NUL, as a text parser would. */
		ds_osrelease_parse(buf, os);
		return 0;
	}
	return -ENOENT;
}

int ds_osrelease_read(const char *root, struct ds_osrelease *os)
{
	_cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		memset(os, 0, sizeof(*os));
		return negerrno();
	}
	return ds_osrelease_read_at(rootfd, os);
}

static size_t append_clean(char *out, size_t pos, size_t size, const char *s)
{
	for (; *s && pos + 1 < size; s++) {
		char c = *s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		    c == '_' || c == '-')
			out[pos++] = c;
	}
	out[pos] = '\0';
	return pos;
}

void ds_osrelease_name(const struct ds_osrelease *os, char *out, size_t size)
{
	char buf[65];
	size_t n = append_clean(buf, 0, sizeof(buf), os->id);
	if (n > 0 && os->version_id[0] && n + 1 < sizeof(buf)) {
		size_t before = n;
		buf[n++] = '-';
		n = append_clean(buf, n, sizeof(buf), os->version_id);
		if (n == before + 1)
			buf[--n] = '\0'; /* the version had nothing usable */
	}
	/* Never "", "." or "..", nor a leading '-' that reads as an option: start with a letter or digit. */
	while (n > 0 && (buf[0] == '.' || buf[0] == '-' || buf[0] == '_'))
		memmove(buf, buf + 1, n--);
	snprintf(out, size, "%s", n ? buf : "linux");
}
