/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for the in-rootfs path walkers: src/fs/mounts.c and src/util/path.c (no mounting). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fs/mounts.h"
#include "fs/mountinfo.h"
#include "util/path.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tmpdir.h"

struct tree {
	char root[PATH_MAX];  /* the fake rootfs */
	char base[PATH_MAX];  /* mkdtemp directory holding root and an "outside" dir */
	int rootfd;
};

static void mk(const struct tree *t, const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", t->root, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void touch(const struct tree *t, const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", t->root, rel);
	int fd = open(p, O_CREAT | O_WRONLY | O_EXCL, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static void ln(const struct tree *t, const char *target, const char *rel)
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
static int tree_setup(void **state)
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

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	if (t) {
		close(t->rootfd);
		nftw(t->base, tmpdir_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		free(t);
	}
	return 0;
}

/* ---- ds_resolve_in_root ------------------------------------------------------------------- */

static void expect_resolve(const struct tree *t, const char *rel, const char *want_rel)
{
	char out[PATH_MAX], want[PATH_MAX + 8];
	int r = ds_resolve_in_root(t->root, rel, out, sizeof(out));
	if (r != 0)
		fail_msg("ds_resolve_in_root(\"%s\") = %d, expected 0", rel, r);
	snprintf(want, sizeof(want), "%s/%s", t->root, want_rel);
	assert_string_equal(out, want);
}

static void expect_resolve_err(const struct tree *t, const char *rel, int err)
{
	char out[PATH_MAX];
	int r = ds_resolve_in_root(t->root, rel, out, sizeof(out));
	if (r != err)
		fail_msg("ds_resolve_in_root(\"%s\") = %d, expected %d", rel, r, err);
}

static void test_resolve_plain(void **state)
{
	const struct tree *t = *state;
	expect_resolve(t, "etc/hostname", "etc/hostname");
	expect_resolve(t, "/etc/hostname", "etc/hostname");
	expect_resolve(t, "//etc//./hostname", "etc/hostname");
	expect_resolve(t, "usr/bin/../../etc", "etc");
	expect_resolve(t, "../../etc", "etc");
	expect_resolve(t, "", "");
}

static void test_resolve_absolute_link_rerooted(void **state)
{
	const struct tree *t = *state;
	expect_resolve(t, "sbin/init", "lib/x");
	expect_resolve(t, "/sbin/init", "lib/x");
	expect_resolve(t, "chain1", "lib/x");
	expect_resolve(t, "abs-up", "etc/hostname");
	expect_resolve(t, "libdir/..", "lib");
	/* A link to a host path is read as a path inside the rootfs, where it does not exist. */
	expect_resolve_err(t, "escape", -ENOENT);
	expect_resolve_err(t, "dangling", -ENOENT);
}

static void test_resolve_relative_link_clamped(void **state)
{
	const struct tree *t = *state;
	expect_resolve(t, "a", "etc");
	expect_resolve(t, "a/hostname", "etc/hostname");
	expect_resolve(t, "bin/sh", "usr/bin/sh");
	expect_resolve(t, "bin/../bin/sh", "usr/bin/sh");

	/* The result never names the host's /etc (or the decoy beside root). */
	char out[PATH_MAX], host_etc[PATH_MAX + 8];
	assert_int_equal(ds_resolve_in_root(t->root, "a", out, sizeof(out)), 0);
	snprintf(host_etc, sizeof(host_etc), "%s/etc", t->base);
	assert_string_not_equal(out, "/etc");
	assert_string_not_equal(out, host_etc);
	assert_memory_equal(out, t->root, strlen(t->root));
}

static void test_resolve_errors(void **state)
{
	const struct tree *t = *state;
	expect_resolve_err(t, "loop1", -ELOOP);
	expect_resolve_err(t, "self", -ELOOP);
	expect_resolve_err(t, "loop1/x", -ELOOP);
	/* The kernel's limit: 40 links per lookup. */
	expect_resolve(t, "lim1", "etc");
	expect_resolve(t, "lim1/hostname", "etc/hostname");
	expect_resolve_err(t, "lim0", -ELOOP);
	expect_resolve_err(t, "missing", -ENOENT);
	expect_resolve_err(t, "etc/missing", -ENOENT);
	expect_resolve_err(t, "missing/x", -ENOENT);
	expect_resolve_err(t, "file/x", -ENOTDIR);
	expect_resolve_err(t, "etc/hostname/x", -ENOTDIR);
	expect_resolve_err(t, "sbin/init/x", -ENOTDIR);

	char small[8];
	assert_int_equal(ds_resolve_in_root(t->root, "etc", small, sizeof(small)), -ENAMETOOLONG);
	char name[NAME_MAX + 8];
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	char out[PATH_MAX];
	assert_int_equal(ds_resolve_in_root(t->root, name, out, sizeof(out)), -ENAMETOOLONG);
}

/* ---- ds_open_in_root ---------------------------------------------------------------------- */

static int fd_count_probe(void)
{
	/* The lowest free descriptor: unchanged when nothing leaked. */
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	close(fd);
	return fd;
}

/* Host path an O_PATH fd refers to. */
static void fd_target(int fd, char out[PATH_MAX])
{
	char p[32];
	ssize_t n = readlink(ds_fd_path(fd, p), out, PATH_MAX - 1);
	assert_true(n > 0);
	out[n] = '\0';
}

static void expect_open(const struct tree *t, const char *rel, int opts, const char *want_rel, mode_t type)
{
	int fd = ds_open_in_root(t->rootfd, rel, opts);
	if (fd < 0)
		fail_msg("ds_open_in_root(\"%s\") = %d, expected an fd", rel, fd);
	char got[PATH_MAX], want[PATH_MAX + 8];
	fd_target(fd, got);
	snprintf(want, sizeof(want), "%s%s%s", t->root, want_rel[0] ? "/" : "", want_rel);
	assert_string_equal(got, want);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & S_IFMT, type);
	int fl = fcntl(fd, F_GETFD);
	assert_true(fl >= 0 && (fl & FD_CLOEXEC));
	close(fd);
}

static void expect_open_err(const struct tree *t, const char *rel, int opts, int err)
{
	int before = fd_count_probe();
	int r = ds_open_in_root(t->rootfd, rel, opts);
	if (r >= 0)
		close(r);
	if (r != err)
		fail_msg("ds_open_in_root(\"%s\", %d) = %d, expected %d", rel, opts, r, err);
	assert_int_equal(fd_count_probe(), before);  /* no descriptor leaked on failure */
}

static void test_open_plain(void **state)
{
	const struct tree *t = *state;
	expect_open(t, "etc", 0, "etc", S_IFDIR);
	expect_open(t, "etc/hostname", 0, "etc/hostname", S_IFREG);
	expect_open(t, "/usr//bin/./sh", 0, "usr/bin/sh", S_IFREG);
	expect_open(t, "", 0, "", S_IFDIR);
	expect_open(t, "/", 0, "", S_IFDIR);
	expect_open(t, ".", 0, "", S_IFDIR);
}

static void test_open_refuses_symlinks(void **state)
{
	const struct tree *t = *state;
	expect_open_err(t, "sbin/init", 0, -ELOOP);   /* last component */
	expect_open_err(t, "bin/sh", 0, -ELOOP);      /* middle component */
	expect_open_err(t, "a/hostname", 0, -ELOOP);
	expect_open_err(t, "escape", 0, -ELOOP);
	expect_open_err(t, "escape/secret", DS_MNT_MKFILE, -ELOOP);
	expect_open_err(t, "dangling", DS_MNT_MKFILE, -ELOOP);
	expect_open_err(t, "libdir/new", DS_MNT_MKDIR, -ELOOP);

	/* Nothing was created through the links. */
	char p[PATH_MAX + 32];
	snprintf(p, sizeof(p), "%s/outside/secret", t->base);
	assert_int_equal(access(p, F_OK), -1);
	snprintf(p, sizeof(p), "%s/lib/dir/new", t->root);
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(access("/nonexistent", F_OK), -1);
}

static void test_open_refuses_dotdot(void **state)
{
	const struct tree *t = *state;
	expect_open_err(t, "..", 0, -EPERM);
	expect_open_err(t, "etc/..", 0, -EPERM);
	expect_open_err(t, "etc/../etc/hostname", 0, -EPERM);
	expect_open_err(t, "../..", DS_MNT_MKDIR, -EPERM);
}

static void test_open_errors(void **state)
{
	const struct tree *t = *state;
	expect_open_err(t, "missing", 0, -ENOENT);
	expect_open_err(t, "etc/missing/x", 0, -ENOENT);
	expect_open_err(t, "file/x", 0, -ENOTDIR);
	expect_open_err(t, "etc/hostname/x", DS_MNT_MKDIR, -ENOTDIR);
	expect_open_err(t, "file/x", DS_MNT_MKFILE, -ENOTDIR);
}

static void test_open_creates(void **state)
{
	const struct tree *t = *state;
	char p[PATH_MAX + 32];
	struct stat st;

	expect_open(t, "newdir", DS_MNT_MKDIR, "newdir", S_IFDIR);
	snprintf(p, sizeof(p), "%s/newdir", t->root);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));

	expect_open(t, "etc/newfile", DS_MNT_MKFILE, "etc/newfile", S_IFREG);
	snprintf(p, sizeof(p), "%s/etc/newfile", t->root);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 0);

	/* Existing targets are opened as they are. */
	expect_open(t, "etc", DS_MNT_MKFILE, "etc", S_IFDIR);
	expect_open(t, "file", DS_MNT_MKDIR, "file", S_IFREG);
	expect_open(t, "etc/newfile", DS_MNT_MKFILE, "etc/newfile", S_IFREG);

	/* Missing parents are created as directories. */
	expect_open(t, "run/deep/console", DS_MNT_MKFILE, "run/deep/console", S_IFREG);
	snprintf(p, sizeof(p), "%s/run/deep", t->root);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

static void test_fd_path(void **state)
{
	(void)state;
	char buf[32];
	assert_string_equal(ds_fd_path(7, buf), "/proc/self/fd/7");
	assert_ptr_equal(ds_fd_path(123456, buf), buf);
	assert_string_equal(buf, "/proc/self/fd/123456");
}

static void test_mountinfo_parse(void **state)
{
	(void)state;
	static struct ds_mountinfo m;
	/* optional fields before the separator; escapes decoded in paths */
	assert_int_equal(ds_mountinfo_parse("36 35 98:0 /mnt\\0401 /a\\134b rw,noatime master:1 shared:2 - ext3 "
					    "/dev/root rw,errors=continue\n", &m), 0);
	assert_int_equal(m.major, 98);
	assert_int_equal(m.minor, 0);
	assert_string_equal(m.root, "/mnt 1");
	assert_string_equal(m.mountpoint, "/a\\b");
	assert_string_equal(m.fstype, "ext3");
	assert_string_equal(m.source, "/dev/root");
	assert_string_equal(m.super, "rw,errors=continue");
	/* no optional fields; overlay options kept whole */
	assert_int_equal(ds_mountinfo_parse("100 1 0:50 / / rw - overlay overlay "
					    "rw,lowerdir=/srv/deb,upperdir=/u,workdir=/w", &m), 0);
	assert_string_equal(m.mountpoint, "/");
	assert_string_equal(m.super, "rw,lowerdir=/srv/deb,upperdir=/u,workdir=/w");
	/* not mountinfo lines */
	assert_int_equal(ds_mountinfo_parse("", &m), -EINVAL);
	assert_int_equal(ds_mountinfo_parse("36 35 98:0 / /a rw", &m), -EINVAL);
	assert_int_equal(ds_mountinfo_parse("36 35 x / /a rw - ext4 /dev/x rw", &m), -EINVAL);
	assert_int_equal(ds_mountinfo_parse("36 35 1:2 / /a rw - ", &m), -EINVAL);
	/* an escaped NUL cannot be part of a path */
	assert_int_equal(ds_mountinfo_parse("36 35 1:2 / /a\\000b rw - ext4 /dev/x rw", &m), -EINVAL);
}

static int count_root(const struct ds_mountinfo *m, void *ud)
{
	if (strcmp(m->mountpoint, "/") == 0)
		++*(int *)ud;
	return 0;
}

static int stop_at_second(const struct ds_mountinfo *m, void *ud)
{
	(void)m;
	return ++*(int *)ud == 2 ? 42 : 0;
}

/* The kernel's own file: / is mounted, every line parses, fn's value stops the walk. */
static void test_mountinfo_each(void **state)
{
	(void)state;
	int roots = 0, seen = 0;
	assert_int_equal(ds_mountinfo_each(0, count_root, &roots), 0);
	assert_true(roots >= 1);
	assert_int_equal(ds_mountinfo_each(getpid(), stop_at_second, &seen), 42);
	assert_int_equal(seen, 2);
	assert_int_equal(ds_mountinfo_each(999999999, count_root, &roots), -ENOENT);
	/* the mount on top at a point: / is always there, a made-up point never */
	static struct ds_mountinfo m;
	assert_int_equal(ds_mountinfo_at(0, "/", &m), 1);
	assert_string_equal(m.mountpoint, "/");
	assert_true(m.fstype[0] != '\0');
	assert_int_equal(ds_mountinfo_at(0, "/no/such/mount/point", &m), 0);
	assert_int_equal(ds_mountinfo_at(999999999, "/", &m), -ENOENT);
}

/* ---- ds_openat_in_root: the one resolver, through openat2 and through the walk ------------ */

static void expect_at(const struct tree *t, const char *rel, int oflags, const char *want_rel)
{
	int before = fd_count_probe();
	int fd = ds_openat_in_root(t->rootfd, rel, oflags, 0644, 0);
	if (fd < 0)
		fail_msg("ds_openat_in_root(\"%s\", %#x) = %d, expected an fd", rel, oflags, fd);
	char got[PATH_MAX], want[PATH_MAX + 8];
	fd_target(fd, got);
	snprintf(want, sizeof(want), "%s%s%s", t->root, want_rel[0] ? "/" : "", want_rel);
	assert_string_equal(got, want);
	int fl = fcntl(fd, F_GETFD);
	assert_true(fl >= 0 && (fl & FD_CLOEXEC));
	close(fd);
	assert_int_equal(fd_count_probe(), before);
}

static void expect_at_err(const struct tree *t, const char *rel, int oflags, int err)
{
	int before = fd_count_probe();
	int r = ds_openat_in_root(t->rootfd, rel, oflags, 0644, 0);
	if (r != err)
		fail_msg("ds_openat_in_root(\"%s\", %#x) = %d, expected %d", rel, oflags, r, err);
	assert_int_equal(fd_count_probe(), before);
}

static void openat_cases(const struct tree *t)
{
	char p[PATH_MAX + 32];
	/* A decoy outside the root, reachable only by a host-rooted lookup. */
	snprintf(p, sizeof(p), "%s/outside/secret", t->base);
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	assert_true(fd >= 0);
	close(fd);

	expect_at(t, "etc/hostname", O_RDONLY, "etc/hostname");
	expect_at(t, "/etc/hostname", O_PATH, "etc/hostname");
	expect_at(t, "", O_PATH | O_DIRECTORY, "");
	expect_at(t, "..", O_RDONLY | O_DIRECTORY, "");
	/* absolute links restart at the root, in the middle and at the end */
	expect_at(t, "sbin/init", O_RDONLY, "lib/x");
	expect_at(t, "libdir/../x", O_RDONLY, "lib/x");
	expect_at(t, "abs-up", O_RDONLY, "etc/hostname");
	expect_at(t, "a/hostname", O_RDONLY, "etc/hostname");
	expect_at(t, "bin/sh", O_RDONLY, "usr/bin/sh");
	expect_at(t, "chain1", O_RDONLY, "lib/x");
	expect_at(t, "lim1/hostname", O_RDONLY, "etc/hostname");
	/* the host path an escape link names does not exist inside the root */
	expect_at_err(t, "escape/secret", O_RDONLY, -ENOENT);
	expect_at_err(t, "lim0", O_RDONLY, -ELOOP);
	expect_at_err(t, "loop1/x", O_RDONLY, -ELOOP);
	expect_at_err(t, "self", O_RDONLY, -ELOOP);
	/* O_NOFOLLOW: the last component only; O_PATH then names the link itself */
	expect_at_err(t, "sbin/init", O_RDONLY | O_NOFOLLOW, -ELOOP);
	expect_at(t, "bin/sh", O_RDONLY | O_NOFOLLOW, "usr/bin/sh");
	fd = ds_openat_in_root(t->rootfd, "sbin/init", O_PATH | O_NOFOLLOW, 0, 0);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	close(fd);
	assert_int_equal(ds_openat_in_root(t->rootfd, "bin/sh", O_PATH, 0, DS_ROOT_NO_SYMLINKS), -ELOOP);
	expect_at_err(t, "file/x", O_RDONLY, -ENOTDIR);
	expect_at_err(t, "etc/hostname/", O_RDONLY, -ENOTDIR);
	expect_at_err(t, "file", O_RDONLY | O_DIRECTORY, -ENOTDIR);
	/* O_CREAT through a dangling absolute link creates inside the root */
	expect_at_err(t, "dangling", O_WRONLY | O_CREAT | O_EXCL, -EEXIST); /* O_EXCL never follows */
	fd = ds_openat_in_root(t->rootfd, "dangling", O_WRONLY | O_CREAT, 0600, 0);
	assert_true(fd >= 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/nonexistent", t->root);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(unlink(p), 0);
	/* a FIFO is refused by the reader, without blocking */
	snprintf(p, sizeof(p), "%s/fifo", t->root);
	assert_int_equal(mkfifo(p, 0644), 0);
	char buf[64];
	assert_int_equal(ds_read_file_in_root(t->rootfd, "fifo", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(unlink(p), 0);
	snprintf(p, sizeof(p), "%s/etc/hostname", t->root);
	fd = open(p, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "guest\n", 6), 6);
	close(fd);
	assert_int_equal(ds_read_file_in_root(t->rootfd, "sbin/../abs-up", buf, sizeof(buf)), 6);
	assert_string_equal(buf, "guest\n");
	assert_int_equal(ds_read_file_in_root(t->rootfd, "escape/secret", buf, sizeof(buf)), -ENOENT);
	/* creation by the walk (mount points), also after openat2's ENOENT */
	fd = ds_openat_in_root(t->rootfd, "new/dir/leaf", O_PATH, 0, DS_ROOT_MKDIR);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	close(fd);
	assert_int_equal(ds_openat_in_root(t->rootfd, "escape/new", O_PATH, 0, DS_ROOT_MKFILE | DS_ROOT_NO_SYMLINKS),
			 -ELOOP);
}

static void test_openat_in_root(void **state)
{
	openat_cases(*state);
}

/* The same cases on the walk alone: kernels before 5.6 have no openat2. */
static void test_openat_in_root_fallback(void **state)
{
	setenv("DROIDSPACES_FAULT", "no-openat2", 1);
	openat_cases(*state);
	unsetenv("DROIDSPACES_FAULT");
}

static void test_proc_root_open(void **state)
{
	(void)state;
	int fd = ds_proc_root_open(getpid());
	assert_true(fd >= 0);
	struct stat a, b;
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat("/", &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	close(fd);
	assert_true(ds_proc_root_open(999999999) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resolve_plain, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_resolve_absolute_link_rerooted, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_resolve_relative_link_clamped, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_resolve_errors, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_open_plain, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_open_refuses_symlinks, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_open_refuses_dotdot, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_open_creates, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_openat_in_root, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_openat_in_root_fallback, tree_setup, tree_teardown),
		cmocka_unit_test(test_proc_root_open),
		cmocka_unit_test(test_fd_path),
		cmocka_unit_test(test_mountinfo_parse),
		cmocka_unit_test(test_mountinfo_each),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
