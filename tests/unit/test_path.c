/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for the in-rootfs path walkers of src/util/path.c (no mounting). */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

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
#include "tree.h"

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

static void test_openat_in_root(void **state) { openat_cases(*state); }

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
		cmocka_unit_test_setup_teardown(test_openat_in_root, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_openat_in_root_fallback, tree_setup, tree_teardown),
		cmocka_unit_test(test_proc_root_open),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
