/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/fs/mountinfo.c: parsing /proc/PID/mountinfo. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fs/mountinfo.h"

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

static void test_mountinfo_parse(void **state)
{
	(void)state;
	static struct ds_mountinfo m;
	/* optional fields before the separator; escapes decoded in paths */
	assert_int_equal(ds_mountinfo_parse("36 35 98:0 /mnt\\0401 /a\\134b rw,noatime master:1 shared:2 - ext3 "
					    "/dev/root rw,errors=continue\n",
					    &m),
			 0);
	assert_int_equal(m.major, 98);
	assert_int_equal(m.minor, 0);
	assert_string_equal(m.root, "/mnt 1");
	assert_string_equal(m.mountpoint, "/a\\b");
	assert_string_equal(m.fstype, "ext3");
	assert_string_equal(m.source, "/dev/root");
	assert_string_equal(m.super, "rw,errors=continue");
	/* no optional fields; overlay options kept whole */
	assert_int_equal(ds_mountinfo_parse("100 1 0:50 / / rw - overlay overlay "
					    "rw,lowerdir=/srv/deb,upperdir=/u,workdir=/w",
					    &m),
			 0);
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
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mountinfo_parse),
		cmocka_unit_test(test_mountinfo_each),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
