/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "fs/mountinfo.h"
#include "util/macros.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies the next space-separated field of *p into out (decoding \ooo); 0 or -EINVAL. */
static int field(const char **p, char *out, size_t size)
{
	const char *s = *p;
	size_t n = 0;
	while (*s == ' ')
		s++;
	if (!*s || *s == '\n')
		return -EINVAL;
	for (; *s && *s != ' ' && *s != '\n'; s++) {
		char c = *s;
		if (c == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			c = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
			if (!c)
				return -EINVAL; /* never in a path the kernel shows */
		}
		if (n + 1 >= size)
			return -EINVAL;
		out[n++] = c;
	}
	out[n] = '\0';
	*p = s;
	return 0;
}

int ds_mountinfo_parse(const char *line, struct ds_mountinfo *m)
{
	char tmp[64], dev[32];
	const char *p = line;
	/* id parent major:minor root mountpoint options [optional fields...] - fstype source super */
	if (field(&p, tmp, sizeof(tmp)) < 0 || field(&p, tmp, sizeof(tmp)) < 0 || field(&p, dev, sizeof(dev)) < 0 ||
	    sscanf(dev, "%u:%u", &m->major, &m->minor) != 2 || field(&p, m->root, sizeof(m->root)) < 0 ||
	    field(&p, m->mountpoint, sizeof(m->mountpoint)) < 0)
		return -EINVAL;
	const char *sep = strstr(p, " - ");
	if (!sep)
		return -EINVAL;
	p = sep + 3;
	if (field(&p, m->fstype, sizeof(m->fstype)) < 0 || field(&p, m->source, sizeof(m->source)) < 0)
		return -EINVAL;
	if (field(&p, m->super, sizeof(m->super)) < 0)
		m->super[0] = '\0';
	return 0;
}

int ds_mountinfo_each(pid_t pid, int (*fn)(const struct ds_mountinfo *m, void *ud), void *ud)
{
	char path[64];
	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/mountinfo");
	FILE *f = fopen(path, "re");
	if (!f)
		return negerrno();
	/* One line holds at most five paths and the options. */
	size_t cap = 0;
	char *line = NULL;
	struct ds_mountinfo *m = malloc(sizeof(*m));
	int r = m ? 0 : -ENOMEM;
	while (r == 0 && getline(&line, &cap, f) > 0)
		if (ds_mountinfo_parse(line, m) == 0)
			r = fn(m, ud);
	free(line);
	free(m);
	fclose(f);
	return r;
}

struct at_query {
	const char *mountpoint;
	struct ds_mountinfo *out;
	int found;
};

static int at_one(const struct ds_mountinfo *m, void *ud)
{
	struct at_query *q = ud;
	if (strcmp(m->mountpoint, q->mountpoint) == 0) {
		*q->out = *m; /* the last one listed is on top */
		q->found = 1;
	}
	return 0;
}

int ds_mountinfo_at(pid_t pid, const char *mountpoint, struct ds_mountinfo *out)
{
	struct at_query q = { mountpoint, out, 0 };
	int r = ds_mountinfo_each(pid, at_one, &q);
	return r < 0 ? r : q.found;
}
