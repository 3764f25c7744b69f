/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "util/path.h"
#include "util/macros.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ds_resolve_in_root(const char *root, const char *rel, char *out, size_t size)
{
	/* todo holds the components still to walk; done is the resolved prefix (relative). */
	char todo[PATH_MAX], done[PATH_MAX] = "", link[PATH_MAX], probe[2 * PATH_MAX + 2];
	int links = 0;
	if (snprintf(todo, sizeof(todo), "%s", rel) >= (int)sizeof(todo))
		return -ENAMETOOLONG;
	char *p = todo;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char comp[NAME_MAX + 1];
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(comp, p, len);
		comp[len] = '\0';
		p += len;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			char *slash = strrchr(done, '/');
			if (slash)
				*slash = '\0';
			else
				done[0] = '\0';
			continue;
		}
		snprintf(probe, sizeof(probe), "%s/%s%s%s", root, done, done[0] ? "/" : "", comp);
		struct stat st;
		if (lstat(probe, &st) < 0)
			return negerrno();
		if (S_ISLNK(st.st_mode)) {
			if (++links > 40)
				return -ELOOP;
			ssize_t n = readlink(probe, link, sizeof(link) - 1);
			if (n < 0)
				return negerrno();
			link[n] = '\0';
			/* New todo = link target + rest of the old todo. */
			char rest[PATH_MAX];
			if (snprintf(rest, sizeof(rest), "%s%s", link, p) >= (int)sizeof(rest))
				return -ENAMETOOLONG;
			snprintf(todo, sizeof(todo), "%s", rest);
			p = todo;
			if (link[0] == '/')
				done[0] = '\0';
			continue;
		}
		size_t dl = strlen(done);
		if (dl + len + 2 > sizeof(done))
			return -ENAMETOOLONG;
		snprintf(done + dl, sizeof(done) - dl, "%s%s", dl ? "/" : "", comp);
		if (p[strspn(p, "/")] && !S_ISDIR(st.st_mode))
			return -ENOTDIR;
	}
	int n = snprintf(out, size, "%s/%s", root, done);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}
