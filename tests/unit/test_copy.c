/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/fs/copy.c: a directory's contents into another. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fs/copy.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char base[PATH_MAX];

static int setup(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	snprintf(base, sizeof(base), "%s/ds-copy.XXXXXX", tmp ? tmp : "/tmp");
	return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

static int open_dir(const char *name)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", base, name);
	return open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Files with their content, mode, owner and mtime; directories; a symlink (not followed); a FIFO. */
static void copy_keeps_every_kind(void **state)
{
	(void)state;
	char p[PATH_MAX], got[64];
	int from_fd, to_fd;
	snprintf(p, sizeof(p), "%s/from", base);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/to", base);
	assert_int_equal(mkdir(p, 0755), 0);
	from_fd = open_dir("from");
	to_fd = open_dir("to");
	assert_true(from_fd >= 0 && to_fd >= 0);
	assert_int_equal(mkdirat(from_fd, "d", 0750), 0);
	assert_int_equal(mkdirat(from_fd, "d/e", 0700), 0);
	int f = openat(from_fd, "d/e/file", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(f >= 0);
	assert_int_equal(write(f, "content\n", 8), 8);
	assert_int_equal(fchown(f, 7, 8), 0);
	assert_int_equal(fchmod(f, 04751), 0); /* (after chown, which clears set-user-ID) */
	const struct timespec t[2] = { { 1000, 0 }, { 2000, 0 } };
	assert_int_equal(futimens(f, t), 0);
	close(f);
	assert_int_equal(symlinkat("/nowhere/at/all", from_fd, "dangling"), 0);
	assert_int_equal(mkfifoat(from_fd, "fifo", 0604), 0);
	assert_int_equal(fchmodat(from_fd, "fifo", 0604, 0), 0);

	struct ds_error err = { 0 };
	if (ds_copy_tree(from_fd, to_fd, &err) < 0)
		fail_msg("%s", err.msg);
	struct stat st;
	assert_int_equal(fstatat(to_fd, "d", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0750);
	assert_int_equal(fstatat(to_fd, "d/e/file", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 04751);
	assert_true(st.st_uid == 7 && st.st_gid == 8 && st.st_size == 8 && st.st_mtim.tv_sec == 2000);
	f = openat(to_fd, "d/e/file", O_RDONLY | O_CLOEXEC);
	assert_int_equal(read(f, got, sizeof(got)), 8);
	assert_memory_equal(got, "content\n", 8);
	close(f);
	ssize_t n = readlinkat(to_fd, "dangling", got, sizeof(got) - 1);
	assert_true(n > 0);
	got[n] = 0;
	assert_string_equal(got, "/nowhere/at/all");
	assert_int_equal(fstatat(to_fd, "fifo", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISFIFO(st.st_mode) && (st.st_mode & 07777) == 0604);

	/* A name already there: refused, naming it. */
	err = (struct ds_error){ 0 };
	assert_int_equal(ds_copy_tree(from_fd, to_fd, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "cannot copy"));
	close(from_fd);
	close(to_fd);
}

/* Nesting past DS_COPY_MAX_DEPTH: -ELOOP, one line. */
static void copy_refuses_too_deep(void **state)
{
	(void)state;
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/deep", base);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/out", base);
	assert_int_equal(mkdir(p, 0755), 0);
	int fd = open_dir("deep");
	for (int i = 0; i <= DS_COPY_MAX_DEPTH + 1; i++) {
		assert_int_equal(mkdirat(fd, "d", 0755), 0);
		int next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	close(fd);
	int from_fd = open_dir("deep"), to_fd = open_dir("out");
	struct ds_error err = { 0 };
	assert_int_equal(ds_copy_tree(from_fd, to_fd, &err), -ELOOP);
	assert_non_null(strstr(err.msg, "deep"));
	assert_null(strchr(err.msg, '\n'));
	close(from_fd);
	close(to_fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(copy_keeps_every_kind, setup, teardown),
		cmocka_unit_test_setup_teardown(copy_refuses_too_deep, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
