/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/fs/mounts.c: ds_open_in_root and ds_fd_path (no mounting). */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fs/mounts.h"
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

/* ---- ds_open_in_root ---------------------------------------------------------------------- */

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
	assert_int_equal(fd_count_probe(), before); /* no descriptor leaked on failure */
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
	expect_open_err(t, "sbin/init", 0, -ELOOP); /* last component */
	expect_open_err(t, "bin/sh", 0, -ELOOP);    /* middle component */
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
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_plain, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_open_refuses_symlinks, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_open_refuses_dotdot, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_open_creates, tree_setup, tree_teardown),
		cmocka_unit_test(test_fd_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
