/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/core/caps.c: the limits and defaults every guest process starts with. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/caps.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned long long read_number(const char *path)
{
	FILE *f = fopen(path, "re");
	unsigned long long v = 0;
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%llu", &v), 1);
	fclose(f);
	return v;
}

static void test_guest_limits(void **state)
{
	(void)state;
	struct rlimit rl;
	unsigned long long nr_open = read_number("/proc/sys/fs/nr_open");
	unsigned long long tasks = read_number("/proc/sys/kernel/threads-max") / 2;
	ds_guest_limits(RLIMIT_NOFILE, &rl);
	assert_int_equal(rl.rlim_cur, 1024);
	assert_int_equal(rl.rlim_max, nr_open < 524288 ? nr_open : 524288);
	ds_guest_limits(RLIMIT_CORE, &rl);
	assert_int_equal(rl.rlim_cur, 0);
	assert_true(rl.rlim_max == RLIM_INFINITY);
	ds_guest_limits(RLIMIT_STACK, &rl);
	assert_int_equal(rl.rlim_cur, 8 * 1024 * 1024);
	assert_true(rl.rlim_max == RLIM_INFINITY);
	ds_guest_limits(RLIMIT_NPROC, &rl);
	assert_int_equal(rl.rlim_cur, tasks);
	assert_int_equal(rl.rlim_max, tasks);
	ds_guest_limits(RLIMIT_SIGPENDING, &rl);
	assert_int_equal(rl.rlim_cur, tasks);
	ds_guest_limits(RLIMIT_FSIZE, &rl);
	assert_true(rl.rlim_cur == RLIM_INFINITY && rl.rlim_max == RLIM_INFINITY);
	ds_guest_limits(RLIMIT_NICE, &rl);
	assert_int_equal(rl.rlim_cur, 0);
	assert_int_equal(rl.rlim_max, 0);
	for (int r = 0; r < RLIM_NLIMITS; r++) {
		ds_guest_limits(r, &rl);
		assert_true(rl.rlim_cur <= rl.rlim_max);
	}
}

/* As root (the e2e tests check the same on a booted guest): a caller's lowered limits go. */
static void test_process_defaults(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit nofile, stack, rl;
		struct ds_error err = { 0 };
		gid_t extra[] = { 4242 };
		umask(077);
		/* soft limits only: without CAP_SYS_RESOURCE a lowered hard limit stays low */
		getrlimit(RLIMIT_NOFILE, &nofile);
		getrlimit(RLIMIT_STACK, &stack);
		nofile.rlim_cur = 64;
		stack.rlim_cur = 64 * 1024;
		if (setrlimit(RLIMIT_NOFILE, &nofile) < 0 || setrlimit(RLIMIT_STACK, &stack) < 0 ||
		    setgroups(1, extra) < 0)
			_exit(2);
		if (ds_process_defaults(&err) < 0) {
			fprintf(stderr, "ds_process_defaults: %d %s\n", err.code, err.msg);
			_exit(3);
		}
		if (getgroups(0, NULL) != 0 || umask(0) != 022)
			_exit(4);
		getrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur != 1024 || rl.rlim_max < 1024)
			_exit(5);
		getrlimit(RLIMIT_STACK, &rl);
		if (rl.rlim_cur != 8 * 1024 * 1024 && rl.rlim_cur != stack.rlim_max)
			_exit(6);
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guest_limits),
		cmocka_unit_test(test_process_defaults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
