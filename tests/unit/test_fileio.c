/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/util/fileio.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/fileio.h"

#include <dirent.h>
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

/* Joins the fixture directory and a relative name into a static-free buffer. */
static const char *at(void **state, const char *rel, char buf[PATH_MAX])
{
	snprintf(buf, PATH_MAX, "%s/%s", (const char *)*state, rel);
	return buf;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void test_atomic_round_trip(void **state)
{
	char p[PATH_MAX], buf[256];
	at(state, "f.txt", p);
	assert_int_equal(ds_write_file_atomic(p, "hello\nworld\n", 0640, DS_WRITE_DURABLE), 0);
	assert_int_equal(ds_read_file(p, buf, sizeof(buf)), 12);
	assert_string_equal(buf, "hello\nworld\n");

	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	mode_t um = umask(0);
	umask(um);
	assert_int_equal(st.st_mode & 07777, 0640 & ~um);

	/* Replace with shorter content: no stale tail. */
	assert_int_equal(ds_write_file_atomic(p, "x", 0640, DS_WRITE_DURABLE | DS_WRITE_IF_CHANGED), 0);
	assert_int_equal(ds_read_file(p, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "x");

	/* Empty content. */
	assert_int_equal(ds_write_file_atomic(p, "", 0640, 0), 0);
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(ds_read_file(p, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");

	/* Only the target remains: the temporary file was renamed away. */
	assert_int_equal(count_entries(*state), 1);
}

static void test_atomic_replaces_symlink_not_target(void **state)
{
	char link[PATH_MAX], target[PATH_MAX], buf[64];
	at(state, "target", target);
	at(state, "link", link);
	assert_int_equal(ds_write_file(target, "original", 0644), 0);
	assert_int_equal(symlink(target, link), 0);
	/* Not "unchanged": the content is reached only through a symlink. */
	assert_int_equal(ds_write_file_atomic(link, "original", 0644, DS_WRITE_IF_CHANGED), 0);
	struct stat lst;
	assert_int_equal(lstat(link, &lst), 0);
	assert_true(S_ISREG(lst.st_mode));
	/* rename(2) replaces the link itself; the file it pointed to is untouched. */
	assert_int_equal(ds_write_file_atomic(link, "new", 0644, 0), 0);
	struct stat st;
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(ds_read_file(target, buf, sizeof(buf)), 8);
	assert_string_equal(buf, "original");
	assert_int_equal(ds_read_file(link, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "new");
}

static ino_t ino_of(const char *p)
{
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	return st.st_ino;
}

/* DS_WRITE_IF_CHANGED leaves a file holding the same bytes and mode alone, and only that. */
static void test_atomic_if_changed(void **state)
{
	char p[PATH_MAX], buf[64];
	at(state, "h", p);
	const int f = DS_WRITE_DURABLE | DS_WRITE_IF_CHANGED;
	mode_t um = umask(022);
	assert_int_equal(ds_write_file_atomic(p, "same\n", 0600, f), 0);
	ino_t first = ino_of(p);
	assert_int_equal(ds_write_file_atomic(p, "same\n", 0600, f), 0);
	assert_true(ino_of(p) == first);
	/* without the flag it is rewritten (a new inode from the rename) */
	assert_int_equal(ds_write_file_atomic(p, "same\n", 0600, 0), 0);
	ino_t second = ino_of(p);
	assert_true(second != first);
	/* other bytes, a prefix of them, or another mode: rewritten */
	assert_int_equal(ds_write_file_atomic(p, "same\nmore\n", 0600, f), 0);
	assert_int_equal(ds_read_file(p, buf, sizeof(buf)), 10);
	assert_int_equal(ds_write_file_atomic(p, "same", 0600, f), 0);
	assert_int_equal(ds_read_file(p, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "same");
	ino_t third = ino_of(p);
	assert_int_equal(ds_write_file_atomic(p, "same", 0640, f), 0);
	assert_true(ino_of(p) != third);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	umask(um);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(count_entries(*state), 1);
}

static void test_atomic_missing_dir(void **state)
{
	char p[PATH_MAX];
	at(state, "nodir/f", p);
	assert_int_equal(ds_write_file_atomic(p, "x", 0644, DS_WRITE_DURABLE), -ENOENT);
	assert_int_equal(count_entries(*state), 0);
}

static void test_read_truncates(void **state)
{
	char p[PATH_MAX], buf[6];
	at(state, "long", p);
	assert_int_equal(ds_write_file(p, "hello world", 0644), 0);
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(ds_read_file(p, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello\0", 6);

	char one[1] = { 'Z' };
	assert_int_equal(ds_read_file(p, one, 1), 0);
	assert_int_equal(one[0], '\0');
	assert_int_equal(ds_read_file(p, one, 0), -EINVAL);
	assert_int_equal(one[0], '\0');

	/* Exactly size-1 bytes fit. */
	char exact[12];
	assert_int_equal(ds_read_file(p, exact, sizeof(exact)), 11);
	assert_string_equal(exact, "hello world");
}

static void test_read_at_and_errors(void **state)
{
	char p[PATH_MAX], buf[32];
	at(state, "rel", p);
	assert_int_equal(ds_write_file(p, "via dirfd", 0644), 0);
	int dfd = open(*state, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	assert_int_equal(ds_read_file_at(dfd, "rel", buf, sizeof(buf)), 9);
	assert_string_equal(buf, "via dirfd");
	assert_int_equal(ds_read_file_at(dfd, "absent", buf, sizeof(buf)), -ENOENT);
	close(dfd);
	assert_int_equal(ds_read_file(at(state, "absent", p), buf, sizeof(buf)), -ENOENT);
	assert_int_equal(ds_read_file(*state, buf, sizeof(buf)), -EISDIR);
}

static void test_write_file_truncates(void **state)
{
	char p[PATH_MAX], buf[64];
	at(state, "w", p);
	assert_int_equal(ds_write_file(p, "a long first version", 0600), 0);
	assert_int_equal(ds_write_file(p, "short", 0600), 0);
	assert_int_equal(ds_read_file(p, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "short");
}

static void test_write_file_refuses_symlink(void **state)
{
	char link[PATH_MAX], target[PATH_MAX], buf[64];
	at(state, "target", target);
	at(state, "link", link);
	assert_int_equal(ds_write_file(target, "keep", 0644), 0);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(ds_write_file(link, "evil", 0644), -ELOOP);
	assert_int_equal(ds_read_file(target, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "keep");

	/* A dangling link must not create its target either. */
	char dangling[PATH_MAX], victim[PATH_MAX];
	at(state, "victim", victim);
	at(state, "dangling", dangling);
	assert_int_equal(symlink(victim, dangling), 0);
	assert_int_equal(ds_write_file(dangling, "evil", 0644), -ELOOP);
	assert_int_equal(access(victim, F_OK), -1);
}

static void test_mkdir_p(void **state)
{
	char p[PATH_MAX];
	struct stat st;
	at(state, "a/b/c/d", p);
	assert_int_equal(ds_mkdir_p(p, 0755), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* Existing: fine. */
	assert_int_equal(ds_mkdir_p(p, 0755), 0);
	assert_int_equal(ds_mkdir_p(*state, 0755), 0);
	assert_int_equal(ds_mkdir_p("/", 0755), 0);
	/* Trailing and doubled slashes. */
	assert_int_equal(ds_mkdir_p(at(state, "t//u/", p), 0755), 0);
	assert_int_equal(stat(at(state, "t/u", p), &st), 0);
	assert_true(S_ISDIR(st.st_mode));

	/* A file in the way, as the last component and in the middle. */
	assert_int_equal(ds_write_file(at(state, "a/file", p), "", 0644), 0);
	assert_int_equal(ds_mkdir_p(p, 0755), -ENOTDIR);
	assert_int_equal(ds_mkdir_p(at(state, "a/file/x/y", p), 0755), -ENOTDIR);

	assert_int_equal(ds_mkdir_p("", 0755) < 0, 1);
}

static void test_mkdir_p_relative(void **state)
{
	char cwd[PATH_MAX];
	struct stat st;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(*state), 0);
	int r1 = ds_mkdir_p("r1/r2", 0755);
	int r2 = stat("r1/r2", &st);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(r1, 0);
	assert_int_equal(r2, 0);
	assert_true(S_ISDIR(st.st_mode));
}

static void test_chomp(void **state)
{
	(void)state;
	char a[] = "line\n", b[] = "crlf\r\n\n", c[] = "", d[] = "\n\n", e[] = "mid\ndle", f[] = "none";
	assert_ptr_equal(ds_chomp(a), a);
	assert_string_equal(a, "line");
	assert_string_equal(ds_chomp(b), "crlf");
	assert_string_equal(ds_chomp(c), "");
	assert_string_equal(ds_chomp(d), "");
	assert_string_equal(ds_chomp(e), "mid\ndle");
	assert_string_equal(ds_chomp(f), "none");
}

static void test_file_has_word(void **state)
{
	char p[PATH_MAX];
	at(state, "filesystems", p);
	/* The shape of /proc/filesystems, last line without newline. */
	assert_int_equal(ds_write_file(p,
				       "nodev\tsysfs\nnodev\tdevtmpfs\n\text4\nfuseblk\n"
				       "nodev\tcgroup2\nnodev\toverlay",
				       0644),
			 0);
	assert_int_equal(ds_file_has_word(p, "ext4"), 1);
	assert_int_equal(ds_file_has_word(p, "devtmpfs"), 1);
	assert_int_equal(ds_file_has_word(p, "sysfs"), 1);
	assert_int_equal(ds_file_has_word(p, "nodev"), 1);
	assert_int_equal(ds_file_has_word(p, "fuseblk"), 1);
	assert_int_equal(ds_file_has_word(p, "overlay"), 1);
	/* Parts of words never match. */
	assert_int_equal(ds_file_has_word(p, "ext"), 0);
	assert_int_equal(ds_file_has_word(p, "fuse"), 0);
	assert_int_equal(ds_file_has_word(p, "dev"), 0);
	assert_int_equal(ds_file_has_word(p, "tmpfs"), 0);
	assert_int_equal(ds_file_has_word(p, "cgroup"), 0);
	assert_int_equal(ds_file_has_word(p, "overla"), 0);
	/* Missing file: 0. */
	assert_int_equal(ds_file_has_word(at(state, "absent", p), "ext4"), 0);

	/* A later whole-word occurrence after an earlier partial one. */
	assert_int_equal(ds_write_file(at(state, "f2", p), "xext4 ext4y ext4\n", 0644), 0);
	assert_int_equal(ds_file_has_word(p, "ext4"), 1);
	assert_int_equal(ds_write_file(p, "xext4 ext4y\n", 0644), 0);
	assert_int_equal(ds_file_has_word(p, "ext4"), 0);
}

static void test_write_read_all_pipe(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(ds_write_all(fds[1], "abcdef", 6), 6);
	close(fds[1]);
	char buf[16];
	/* Reads until EOF even when asked for more. */
	assert_int_equal(ds_read_all(fds[0], buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "abcdef", 6);
	assert_int_equal(ds_read_all(fds[0], buf, sizeof(buf)), 0);
	close(fds[0]);
	assert_int_equal(ds_write_all(-1, "x", 1), -EBADF);
	assert_int_equal(ds_read_all(-1, buf, 1), -EBADF);
}

/* A FIFO or device at the destination is refused (never opened, so never a hang); nothing is left behind. */
static void test_atomic_refuses_special(void **state)
{
	char fifo[PATH_MAX], dir[PATH_MAX];
	at(state, "fifo", fifo);
	at(state, "dir", dir);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(ds_write_file_atomic(fifo, "x\n", 0644, DS_WRITE_IF_CHANGED), -EINVAL);
	assert_int_equal(ds_write_file_atomic(dir, "x\n", 0644, 0), -EISDIR);
	struct stat st;
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(count_entries(*state), 2);
	assert_int_equal(ds_open_regular(fifo, 0), -EINVAL);
}

/* The old predictable name (path.tmp.PID) is no trap: a FIFO planted there is never opened. */
static void test_atomic_ignores_planted_tmp(void **state)
{
	char path[PATH_MAX], trap[PATH_MAX + 32], buf[64];
	at(state, "hostname", path);
	snprintf(trap, sizeof(trap), "%s.tmp.%d", path, (int)getpid());
	assert_int_equal(mkfifo(trap, 0644), 0);
	for (int i = 0; i < 2; i++) {
		/* once with O_TMPFILE, once with a random O_EXCL name */
		if (i == 1)
			setenv("DROIDSPACES_FAULT", "no-tmpfile", 1);
		assert_int_equal(ds_write_file_atomic(path, i ? "two\n" : "one\n", 0644, DS_WRITE_DURABLE), 0);
		assert_int_equal(ds_read_file(path, buf, sizeof(buf)), 4);
		assert_string_equal(buf, i ? "two\n" : "one\n");
		assert_int_equal(count_entries(*state), 2); /* the file and the untouched trap */
	}
	unsetenv("DROIDSPACES_FAULT");
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
}

/* A multi-MiB file is read whole; past the limit the answer is -EFBIG, never a cut. */
static void test_read_whole(void **state)
{
	char path[PATH_MAX];
	at(state, "big", path);
	size_t len = (size_t)3 << 20;
	char *text = malloc(len + 1);
	assert_non_null(text);
	for (size_t i = 0; i < len; i++)
		text[i] = (i % 64 == 63) ? '\n' : (char)('a' + i % 26);
	text[len] = '\0';
	assert_int_equal(ds_write_file_atomic(path, text, 0644, 0), 0);
	/* unchanged: compared block by block, not rewritten */
	struct stat a, b;
	assert_int_equal(stat(path, &a), 0);
	assert_int_equal(ds_write_file_atomic(path, text, 0644, DS_WRITE_IF_CHANGED), 0);
	assert_int_equal(stat(path, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	int fd = ds_open_regular(path, 1);
	assert_true(fd >= 0);
	char *got = NULL;
	assert_int_equal(ds_read_fd_whole(fd, &got, DS_FILE_MAX), (ssize_t)len);
	assert_memory_equal(got, text, len + 1);
	free(got);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	got = NULL;
	assert_int_equal(ds_read_fd_whole(fd, &got, len - 1), -EFBIG);
	assert_null(got);
	close(fd);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_atomic_round_trip, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_atomic_replaces_symlink_not_target, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_atomic_if_changed, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_atomic_missing_dir, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_read_truncates, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_read_at_and_errors, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_write_file_truncates, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_write_file_refuses_symlink, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_mkdir_p, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_mkdir_p_relative, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_atomic_refuses_special, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_atomic_ignores_planted_tmp, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_read_whole, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(test_chomp),
		cmocka_unit_test_setup_teardown(test_file_has_word, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(test_write_read_all_pipe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
