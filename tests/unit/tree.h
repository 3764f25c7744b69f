/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A fake rootfs with hostile symlinks per test (cmocka setup/teardown), and fd probes
   (include after cmocka.h and tmpdir.h). */
#pragma once

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/mounts.h"

struct tree {
	char root[PATH_MAX]; /* the fake rootfs */
	char base[PATH_MAX]; /* mkdtemp directory holding root and an "outside" dir */
	int rootfd;
};

static inline void mk(const struct tree *t, const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", t->root, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static inline void touch(const struct tree *t, const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", t->root, rel);
	int fd = open(p, O_CREAT | O_WRONLY | O_EXCL, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static inline void ln(const struct tree *t, const char *target, const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", t->root, rel);
	assert_int_equal(symlink(target, p), 0);
}

/*
 * root/
 *   etc/  etc/hostname  lib/x  lib/dir/  usr/bin/sh  file
 *   sbin/init -> /lib/x            (absolute: re-rooted)
 *   bin -> usr/bin                 (relative directory link)
 *   a -> ../../../etc              (climbs above root: clamped)
 *   abs-up -> /../../etc/hostname  (absolute with ..)
 *   libdir -> /lib/dir
 *   chain1 -> chain2 -> sbin/init
 *   loop1 -> loop2 -> loop1, self -> self
 *   dangling -> /nonexistent
 *   escape -> <base>/outside       (host path; must stay inside root)
 * <base>/outside/secret, <base>/etc/hostname (decoys next to root)
 */
static inline int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	const char *tmp = getenv("TMPDIR");
	snprintf(t->base, sizeof(t->base), "%s/ds-unit-mounts-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(t->base))
		return -1;
	/* Canonical, so it compares equal to what /proc/self/fd/N reads back. */
	char canon[PATH_MAX];
	if (!realpath(t->base, canon))
		return -1;
	snprintf(t->base, sizeof(t->base), "%s", canon);
	snprintf(t->root, sizeof(t->root), "%s/root", t->base);
	if (mkdir(t->root, 0755) < 0)
		return -1;
	*state = t;
	mk(t, "etc");
	touch(t, "etc/hostname");
	mk(t, "lib");
	touch(t, "lib/x");
	mk(t, "lib/dir");
	mk(t, "usr");
	mk(t, "usr/bin");
	touch(t, "usr/bin/sh");
	touch(t, "file");
	mk(t, "sbin");
	ln(t, "/lib/x", "sbin/init");
	ln(t, "usr/bin", "bin");
	ln(t, "../../../etc", "a");
	ln(t, "/../../etc/hostname", "abs-up");
	ln(t, "/lib/dir", "libdir");
	ln(t, "chain2", "chain1");
	ln(t, "sbin/init", "chain2");
	ln(t, "loop2", "loop1");
	ln(t, "loop1", "loop2");
	ln(t, "self", "self");
	ln(t, "/nonexistent", "dangling");
	/* lim0 -> lim1 -> ... -> lim40 -> /etc: 41 links from lim0, 40 from lim1. */
	for (int i = 0; i <= 40; i++) {
		char name[16], target[16];
		snprintf(name, sizeof(name), "lim%d", i);
		snprintf(target, sizeof(target), "lim%d", i + 1);
		ln(t, i == 40 ? "/etc" : target, name);
	}
	char outside[PATH_MAX + 16];
	snprintf(outside, sizeof(outside), "%s/outside", t->base);
	if (mkdir(outside, 0755) < 0)
		return -1;
	ln(t, outside, "escape");
	t->rootfd = open(t->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return t->rootfd >= 0 ? 0 : -1;
}

static inline int tree_teardown(void **state)
{
	struct tree *t = *state;
	if (t) {
		close(t->rootfd);
		nftw(t->base, tmpdir_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		free(t);
	}
	return 0;
}

static inline int fd_count_probe(void)
{
	/* The lowest free descriptor: unchanged when nothing leaked. */
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	close(fd);
	return fd;
}

/* Host path an O_PATH fd refers to. */
static inline void fd_target(int fd, char out[PATH_MAX])
{
	char p[32];
	ssize_t n = readlink(ds_fd_path(fd, p), out, PATH_MAX - 1);
	assert_true(n > 0);
	out[n] = '\0';
}
