/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "util/sdversion.h"
#include "util/macros.h"
#include "util/path.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHARED_PREFIX "libsystemd-shared-"

int ds_sdversion_from_name(const char *name)
{
	size_t plen = strlen(SHARED_PREFIX);
	if (strncmp(name, SHARED_PREFIX, plen) != 0)
		return 0;
	const char *p = name + plen;
	int v = 0, digits = 0;
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (digits == 5)
			return 0;
		v = v * 10 + (*p - '0');
	}
	if (!digits || v == 0)
		return 0;
	/* The number ends at ".so" or at a packager's tag ("-3.fc40.so", ".10-3.fc40.so"). */
	if (*p != '.' && *p != '-')
		return 0;
	size_t l = strlen(p);
	return l >= 3 && strcmp(p + l - 3, ".so") == 0 ? v : 0;
}

/* The highest version a libsystemd-shared-NNN.so in the directory rel below rootfd names, 0 when none. */
static int version_in(int rootfd, const char *rel)
{
	int fd = ds_openat_in_root(rootfd, rel, O_RDONLY | O_DIRECTORY, 0, 0);
	if (fd < 0)
		return 0;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	int best = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		int v = ds_sdversion_from_name(e->d_name);
		if (v > best)
			best = v;
	}
	closedir(d);
	return best;
}

/* Whether rel below rootfd (symlinks resolved inside the root) is the file st describes. */
static int same_file(int rootfd, const char *rel, const struct stat *st)
{
	_cleanup_close_ int fd = ds_openat_in_root(rootfd, rel, O_PATH, 0, 0);
	struct stat o;
	return fd >= 0 && fstat(fd, &o) == 0 && o.st_dev == st->st_dev && o.st_ino == st->st_ino;
}

int ds_sdversion_of_root(int rootfd)
{
	_cleanup_close_ int init = ds_openat_in_root(rootfd, "sbin/init", O_PATH, 0, 0);
	struct stat st;
	if (init < 0 || fstat(init, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	/* /sbin/init is systemd's own binary (a link to it, or it); another init beside systemd does not count. */
	if (!same_file(rootfd, "usr/lib/systemd/systemd", &st) && !same_file(rootfd, "lib/systemd/systemd", &st))
		return 0;
	static const char *const dirs[] = { "usr/lib/systemd", "usr/lib64/systemd", "lib/systemd" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		int v = version_in(rootfd, dirs[i]);
		if (v)
			return v;
	}
	/* Debian and Ubuntu: usr/lib/x86_64-linux-gnu/systemd and the like. */
	int fd = ds_openat_in_root(rootfd, "usr/lib", O_RDONLY | O_DIRECTORY, 0, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	int best = 0;
	struct dirent *e;
	while (!best && (e = readdir(d))) {
		if (!strstr(e->d_name, "-linux-"))
			continue;
		char rel[300];
		snprintf(rel, sizeof(rel), "usr/lib/%s/systemd", e->d_name);
		best = version_in(rootfd, rel);
	}
	closedir(d);
	return best;
}
