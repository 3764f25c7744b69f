/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/tty/proxy.c: the console escape and the PTY proxy under load. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tty/proxy.h"
#include "tty/terminal.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "tmpdir.h"

/* Filters one chunk into a buffer of exactly n + 1 bytes (valgrind/ASan see any byte past it). */
static size_t filter(struct ds_escape *e, const char *in, size_t n, char **out)
{
	*out = malloc(n + 1);
	assert_non_null(*out);
	return ds_escape_filter(e, in, n, *out);
}

static void test_escape_plain(void **state)
{
	(void)state;
	struct ds_escape e = { 0 };
	char *out;
	size_t o = filter(&e,
			  "ab\x01\x01"
			  "c\x01x",
			  7, &out);
	/* Ctrl-a Ctrl-a is one Ctrl-a; Ctrl-a x is both bytes */
	assert_int_equal(o, 6);
	assert_memory_equal(out,
			    "ab\x01"
			    "c\x01x",
			    6);
	assert_false(e.detached);
	free(out);
	o = filter(&e, "12\x01q34", 6, &out);
	assert_int_equal(o, 2);
	assert_memory_equal(out, "12", 2);
	assert_true(e.detached);
	free(out);
	/* after the detach nothing passes */
	o = filter(&e, "zz", 2, &out);
	assert_int_equal(o, 0);
	free(out);
}

/* Issue 12: a Ctrl-a ending a full 4096-byte read, then a full read: 4097 bytes out. */
static void test_escape_prefix_across_full_chunks(void **state)
{
	(void)state;
	enum { N = 4096 };
	char *in = malloc(N), *out;
	assert_non_null(in);
	struct ds_escape e = { 0 };
	memset(in, 'x', N);
	in[N - 1] = 0x01;
	size_t o = filter(&e, in, N, &out);
	assert_int_equal(o, N - 1);
	assert_true(e.prefix);
	free(out);
	memset(in, 'y', N);
	o = filter(&e, in, N, &out);
	assert_int_equal(o, N + 1);
	assert_int_equal(out[0], 0x01);
	for (size_t i = 1; i <= N; i++)
		if (out[i] != 'y')
			fail_msg("byte %zu is %d", i, out[i]);
	assert_false(e.prefix);
	free(out);
	/* the prefix carried over, then q: detach without a byte */
	in[N - 1] = 0x01;
	o = filter(&e, in, N, &out);
	assert_int_equal(o, N - 1);
	free(out);
	o = filter(&e, "q", 1, &out);
	assert_int_equal(o, 0);
	assert_true(e.detached);
	free(out);
	/* a carried Ctrl-a followed by Ctrl-a: one Ctrl-a */
	struct ds_escape e2 = { .prefix = 1 };
	o = filter(&e2, "\x01", 1, &out);
	assert_int_equal(o, 1);
	assert_int_equal(out[0], 0x01);
	free(out);
	free(in);
}

/* A helper process that dies with the test, even when a deadlock made alarm() end it. */
static pid_t fork_helper(void)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	return pid;
}

static pid_t spawn_writer(int fd, size_t total)
{
	pid_t pid = fork_helper();
	if (pid == 0) {
		char line[64];
		memset(line, 'p', sizeof(line) - 1);
		line[sizeof(line) - 1] = '\n';
		for (size_t done = 0; done < total; done += sizeof(line))
			if (write(fd, line, sizeof(line)) != (ssize_t)sizeof(line))
				_exit(1);
		/* Ctrl-D at the start of a line: cat sees EOF */
		_exit(write(fd, "\x04", 1) == 1 ? 0 : 1);
	}
	close(fd);
	return pid;
}

/* Reads fd to its end; close_in_child is our write end, which it must not hold. */
static pid_t spawn_reader(int fd, int close_in_child)
{
	pid_t pid = fork_helper();
	if (pid == 0) {
		close(close_in_child);
		char buf[65536];
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	close(fd);
	return pid;
}

/*
 * Issue 12: 1 MiB pasted into `tee file` through the proxy. tee writes
 * it back (and the PTY echoes it): the old proxy wrote input blocking
 * while nobody read that output, tee blocked on its full PTY and stopped
 * reading, and both hung. alarm() turns a deadlock into a failure.
 */
static void test_proxy_big_paste(void **state)
{
	enum { TOTAL = 1024 * 1024 };
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/pasted", (const char *)*state);
	struct ds_tty_info tty = { .master = -1, .slave = -1 };
	assert_int_equal(ds_terminal_create(&tty), 0);
	pid_t cat = fork_helper();
	if (cat == 0) {
		if (ds_terminal_attach_stdio(tty.slave) < 0)
			_exit(120);
		execl("/bin/sh", "sh", "-c", "exec tee \"$0\"", path, (char *)NULL);
		_exit(127);
	}
	close(tty.slave);
	tty.slave = -1;
	int in[2], out[2];
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	pid_t writer = spawn_writer(in[1], TOTAL);
	pid_t reader = spawn_reader(out[0], out[1]);

	alarm(120);
	struct ds_proxy p = { .in_fd = in[0],
			      .out_fd = out[1],
			      .remote_in = tty.master,
			      .remote_out = tty.master,
			      .winsize_fd = -1,
			      .child = cat };
	assert_int_equal(ds_proxy_run(&p), 0);
	alarm(0);
	assert_int_equal(p.child, 0);
	assert_true(WIFEXITED(p.child_status));
	assert_int_equal(WEXITSTATUS(p.child_status), 0);
	close(in[0]);
	close(out[1]);
	ds_terminal_close(&tty);
	int st;
	assert_int_equal(waitpid(writer, &st, 0), writer);
	assert_int_equal(waitpid(reader, &st, 0), reader);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, TOTAL);
}

/* A child that exited before the proxy started: its SIGCHLD went nowhere; the proxy still ends. */
static void test_proxy_child_gone_before_start(void **state)
{
	(void)state;
	struct ds_tty_info tty = { .master = -1, .slave = -1 };
	assert_int_equal(ds_terminal_create(&tty), 0);
	int sv[2];
	assert_int_equal(pipe2(sv, O_CLOEXEC), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(7);
	/* Keep the slave open (a daemon it left would): only the reap can end the proxy. */
	siginfo_t si;
	assert_int_equal(waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT), 0);
	alarm(30);
	struct ds_proxy p = { .in_fd = -1,
			      .out_fd = sv[1],
			      .remote_in = tty.master,
			      .remote_out = tty.master,
			      .winsize_fd = -1,
			      .child = child };
	assert_int_equal(ds_proxy_run(&p), 0);
	alarm(0);
	assert_true(WIFEXITED(p.child_status));
	assert_int_equal(WEXITSTATUS(p.child_status), 7);
	close(sv[0]);
	close(sv[1]);
	ds_terminal_close(&tty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_plain),
		cmocka_unit_test(test_escape_prefix_across_full_chunks),
		cmocka_unit_test_setup_teardown(test_proxy_big_paste, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(test_proxy_child_gone_before_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
