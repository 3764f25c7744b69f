/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/util/fds.c: close_range and its /proc/self/fd fallback. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/fds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

/* High numbers only: the test binary's own fds (valgrind's, cmocka's) stay below. */
#define BASE 600
#define COUNT 100

static int is_open(int fd) { return fcntl(fd, F_GETFD) >= 0; }

static int is_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);
	return fl >= 0 && (fl & FD_CLOEXEC);
}

/* Opens fds first..first+count-1 (not close-on-exec); 0 when the fd limit allows. */
static int open_block(int first, int count)
{
	for (int fd = first; fd < first + count; fd++)
		if (dup2(STDERR_FILENO, fd) < 0)
			return -errno;
	return 0;
}

static void close_block(int first, int count)
{
	for (int fd = first; fd < first + count; fd++)
		close(fd);
}

static void check_close_from(const char *fault)
{
	if (fault)
		setenv("DROIDSPACES_FAULT", fault, 1);
	assert_int_equal(open_block(BASE, COUNT), 0);
	/* keep: unsorted, a duplicate, one below first, a closed one, -1 */
	int keep[] = { BASE + 50, BASE + 10, BASE + 50, BASE + COUNT - 1, BASE - 1, 999, -1 };
	assert_int_equal(ds_fds_close_from(BASE, keep, (int)(sizeof(keep) / sizeof(keep[0]))), 0);
	for (int fd = BASE; fd < BASE + COUNT; fd++) {
		int kept = fd == BASE + 10 || fd == BASE + 50 || fd == BASE + COUNT - 1;
		assert_int_equal(is_open(fd), kept);
	}
	close_block(BASE, COUNT);
	unsetenv("DROIDSPACES_FAULT");
}

static void test_close_from_range(void **state)
{
	(void)state;
	check_close_from(NULL);
}

static void test_close_from_fallback(void **state)
{
	(void)state;
	check_close_from("no-close-range");
}

/* Far more than 1024 open fds, all of them closed (the old loop stopped at 1024). */
static void test_close_from_many(void **state)
{
	(void)state;
	struct rlimit old, rl;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	rl = old;
	if (rl.rlim_cur < 4096 && rl.rlim_max >= 4096)
		rl.rlim_cur = 4096;
	if (rl.rlim_cur < 4096 || setrlimit(RLIMIT_NOFILE, &rl) < 0 || open_block(BASE, 1500) < 0) {
		close_block(BASE, 1500);
		setrlimit(RLIMIT_NOFILE, &old);
		skip(); /* (valgrind keeps the top of the fd table for itself) */
	}
	setenv("DROIDSPACES_FAULT", "no-close-range", 1);
	int keep[] = { BASE + 1400 };
	assert_int_equal(ds_fds_close_from(BASE, keep, 1), 0);
	int open_count = 0;
	for (int fd = BASE; fd < BASE + 1500; fd++)
		open_count += is_open(fd);
	assert_int_equal(open_count, 1);
	assert_true(is_open(BASE + 1400));
	close(BASE + 1400);
	unsetenv("DROIDSPACES_FAULT");
	setrlimit(RLIMIT_NOFILE, &old);
}

static void check_cloexec(const char *fault)
{
	if (fault)
		setenv("DROIDSPACES_FAULT", fault, 1);
	assert_int_equal(open_block(BASE, COUNT), 0);
	assert_false(is_cloexec(BASE));
	assert_int_equal(ds_fds_cloexec_from(BASE), 0);
	for (int fd = BASE; fd < BASE + COUNT; fd++) {
		assert_true(is_open(fd));
		assert_true(is_cloexec(fd));
	}
	close_block(BASE, COUNT);
	unsetenv("DROIDSPACES_FAULT");
}

static void test_cloexec_range(void **state)
{
	(void)state;
	check_cloexec(NULL);
}

static void test_cloexec_fallback(void **state)
{
	(void)state;
	check_cloexec("no-close-range");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_from_range), cmocka_unit_test(test_close_from_fallback),
		cmocka_unit_test(test_close_from_many),  cmocka_unit_test(test_cloexec_range),
		cmocka_unit_test(test_cloexec_fallback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
