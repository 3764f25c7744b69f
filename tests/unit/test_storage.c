/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/fs/storage.c: which e2fsck checks an image (the rest needs mounts: e2e). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fs/storage.h"
#include "util/fileio.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tmpdir.h"

/*
 * A fake host tree in the scratch directory: DROIDSPACES_HOST_ROOT points at it, PATH at an
 * empty directory in it (no e2fsck there, as with Android's toybox). With status >= 0, the
 * tree's /system/bin/e2fsck records its arguments in "args" and exits with status.
 */
static char saved_path[4096];

static void fake_host(const char *dir, int status)
{
	char p[PATH_MAX], script[PATH_MAX + 128];
	snprintf(saved_path, sizeof(saved_path), "%s", getenv("PATH") ? getenv("PATH") : "");
	snprintf(p, sizeof(p), "%s/empty", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	setenv("PATH", p, 1);
	setenv("DROIDSPACES_HOST_ROOT", dir, 1);
	if (status < 0)
		return;
	snprintf(p, sizeof(p), "%s/system", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/system/bin", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(script, sizeof(script), "#!/bin/sh\necho \"$*\" >%s/args\nexit %d\n", dir, status);
	snprintf(p, sizeof(p), "%s/system/bin/e2fsck", dir);
	assert_int_equal(ds_write_file(p, script, 0755), 0);
}

static void restore_env(void)
{
	setenv("PATH", saved_path, 1);
	unsetenv("DROIDSPACES_HOST_ROOT");
}

/* What the fake e2fsck was called with. */
static void expect_args(const char *dir, const char *want)
{
	char p[PATH_MAX], got[256];
	snprintf(p, sizeof(p), "%s/args", dir);
	assert_true(ds_read_file(p, got, sizeof(got)) > 0);
	assert_string_equal(ds_chomp(got), want);
}

static void test_fsck_system_e2fsck_without_path(void **state)
{
	const char *dir = *state;
	struct ds_error err = { 0 };
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fake_host(dir, 1); /* 1: errors fixed, a pass */
	int r = ds_image_fsck(fd, "a.img", 0, -1, &err);
	expect_args(dir, "-f -y /proc/self/fd/3");
	/* a volatile image is only looked at */
	int r2 = ds_image_fsck(fd, "a.img", 1, -1, &err);
	restore_env();
	close(fd);
	assert_int_equal(r, 0);
	assert_int_equal(r2, 0);
	expect_args(dir, "-f -n /proc/self/fd/3");
}

static void test_fsck_refused_without_any(void **state)
{
	const char *dir = *state;
	char want[PATH_MAX + 128];
	struct ds_error err = { 0 };
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fake_host(dir, -1);
	int r = ds_image_fsck(fd, "a.img", 0, -1, &err);
	restore_env();
	close(fd);
	assert_true(r < 0);
	snprintf(want, sizeof(want), "e2fsck was found neither in PATH nor at %s/system/bin/e2fsck: it checks a.img",
		 dir);
	assert_non_null(strstr(err.msg, want));
}

static void test_fsck_unfixed_errors_refused(void **state)
{
	const char *dir = *state;
	struct ds_error err = { 0 };
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fake_host(dir, 4);
	int r = ds_image_fsck(fd, "a.img", 0, -1, &err);
	restore_env();
	close(fd);
	assert_true(r < 0);
	assert_non_null(strstr(err.msg, "e2fsck found errors it could not fix in a.img (exit 4"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fsck_system_e2fsck_without_path, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_fsck_refused_without_any, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_fsck_unfixed_errors_refused, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
