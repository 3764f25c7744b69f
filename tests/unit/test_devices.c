/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fs/devices.c: the device program loaded into the real kernel and
 * attached to a scratch cgroup2 directory; a child in it opens device
 * nodes made in a scratch directory. Needs root and a cgroup2 hierarchy
 * (skipped with the reason otherwise).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fs/devices.h"
#include "tmpdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static struct ds_cgroups cg;
static char rel[64];

/* Opens a node (type, major, minor) made in dir by a child placed in the scratch cgroup: its errno, 0 if it opened. */
static int open_in_cgroup(const char *dir, mode_t type, unsigned major, unsigned minor)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	if (pid == 0) {
		char path[PATH_MAX + 300];
		snprintf(path, sizeof(path), "%s/%s/cgroup.procs", cg.v2_root, rel);
		FILE *f = fopen(path, "w");
		if (!f || fprintf(f, "0\n") < 0 || fclose(f) != 0)
			_exit(100);
		snprintf(path, sizeof(path), "%s/node-%u-%u-%o", dir, major, minor, (unsigned)type);
		int e = 0;
		unlink(path);
		if (mknod(path, type | 0600, makedev(major, minor)) < 0)
			e = 200 + errno;
		else if (open(path, O_RDONLY | O_NONBLOCK) < 0)
			e = errno;
		_exit(e);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	close(p[0]);
	close(p[1]);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int setup(void **state)
{
	if (tmpdir_setup(state) < 0)
		return -1;
	if (geteuid() != 0 || ds_cgroup_detect(&cg) < 0 || !cg.v2_root[0])
		return 0;
	snprintf(rel, sizeof(rel), "ds-unit-devices-%d", (int)getpid());
	char dir[PATH_MAX + 100];
	snprintf(dir, sizeof(dir), "%s/%s", cg.v2_root, rel);
	return mkdir(dir, 0755);
}

static int teardown(void **state)
{
	if (rel[0]) {
		char dir[PATH_MAX + 100];
		snprintf(dir, sizeof(dir), "%s/%s", cg.v2_root, rel);
		rmdir(dir);
	}
	return tmpdir_teardown(state);
}

/* Skips the test, saying why, where device programs cannot be tried. */
static void skip_unless_programs(void)
{
	if (!rel[0]) {
		fprintf(stderr, "# SKIP: needs root and a cgroup2 hierarchy\n");
		skip();
	}
	if (!ds_devpolicy_bpf_available()) {
		fprintf(stderr, "# SKIP: this kernel refuses cgroup device programs\n");
		skip();
	}
}

static void test_program(void **state)
{
	skip_unless_programs();
	const char *dir = *state;
	/* before: everything opens */
	assert_int_equal(open_in_cgroup(dir, S_IFCHR, 1, 11), 0); /* kmsg */
	struct ds_error err = { 0 };
	/*
	 * The one block device allowed: an existing loop device (opening a
	 * missing loop minor would create it; a refused open never reaches the
	 * driver, so 7:0 below probes nothing).
	 */
	dev_t disk = 0;
	for (int i = 1; i < 64 && !disk; i++) {
		char sys[64];
		snprintf(sys, sizeof(sys), "/sys/dev/block/7:%d", i);
		if (access(sys, F_OK) == 0)
			disk = makedev(7, i);
	}
	assert_int_equal(ds_devpolicy_apply(&cg, rel, disk, &err), DS_DEV_BPF);
	assert_int_equal(ds_devpolicy_of(&cg, rel), DS_DEV_BPF);
	/* the allowlist opens, the rest is refused at open; mknod stays allowed */
	assert_int_equal(open_in_cgroup(dir, S_IFCHR, 1, 3), 0); /* null */
	assert_int_equal(open_in_cgroup(dir, S_IFCHR, 1, 9), 0); /* urandom */
	/* ptmx opens its devpts sibling (ENOENT here): what counts is that the policy let it through */
	assert_int_not_equal(open_in_cgroup(dir, S_IFCHR, 5, 2), EPERM);
	assert_int_not_equal(open_in_cgroup(dir, S_IFCHR, 136, 0), EPERM);
	/* the PTY slaves' majors are one range rule: both ends in, the next major out */
	assert_int_not_equal(open_in_cgroup(dir, S_IFCHR, 143, 7), EPERM);
	assert_int_equal(open_in_cgroup(dir, S_IFCHR, 135, 0), EPERM);
	assert_int_equal(open_in_cgroup(dir, S_IFCHR, 144, 0), EPERM);
	assert_int_equal(open_in_cgroup(dir, S_IFCHR, 1, 11), EPERM);
	assert_int_equal(open_in_cgroup(dir, S_IFCHR, 1, 1), EPERM); /* mem */
	assert_int_equal(open_in_cgroup(dir, S_IFBLK, 7, 0), EPERM); /* a loop device */
	/* the one block device allowed: the policy lets it through */
	if (disk)
		assert_int_not_equal(open_in_cgroup(dir, S_IFBLK, major(disk), minor(disk)), EPERM);
	else
		fprintf(stderr, "# no loop device 7:1..63 here: the allowed block device is not tried\n");
	assert_int_equal(open_in_cgroup(dir, S_IFCHR, 7, 250), EPERM); /* a char device (vcs): refused */
	/* tun: allowed by the policy; the open may still fail for the driver (ENODEV without tun) */
	assert_int_not_equal(open_in_cgroup(dir, S_IFCHR, 10, 200), EPERM);
}

/* A list before the policy: the last matching rule wins, the access must be among the rule's, the standard nodes stay. */
static void test_list(void **state)
{
	skip_unless_programs();
	const char *dir = *state;
	/* a cgroup of its own: the programs of one directory all have to allow */
	char path[PATH_MAX + 100], saved[64];
	snprintf(saved, sizeof(saved), "%s", rel);
	snprintf(rel, sizeof(rel), "%s/list", saved);
	snprintf(path, sizeof(path), "%s/%s", cg.v2_root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
	static const struct ds_dev_access list[] = {
		{ 'a', -1, -1, 7, 1, 0 },                          /* everything */
		{ 'a', -1, -1, 7, 0, 0 },                          /* then nothing: wins over the line before */
		{ 'c', 1, 11, DS_DEV_READ, 1, 0 },                 /* kmsg, read only */
		{ 'c', 1, 3, 7, 0, 0 },                            /* null: the policy's own rules still open it */
		{ 'c', 7, -1, DS_DEV_READ | DS_DEV_WRITE, 1, 0 },  /* every vcs */
		{ 'c', 7, 250, DS_DEV_READ | DS_DEV_WRITE, 0, 0 }, /* but this one */
	};
	struct ds_error err = { 0 };
	assert_int_equal(ds_devpolicy_apply_list(&cg, rel, list, sizeof(list) / sizeof(list[0]), &err), DS_DEV_BPF);
	assert_int_equal(open_in_cgroup(dir, S_IFCHR, 1, 11), 0);        /* read: allowed */
	assert_int_equal(open_in_cgroup(dir, S_IFCHR, 1, 1), EPERM);     /* mem: no rule */
	assert_int_equal(open_in_cgroup(dir, S_IFCHR, 1, 3), 0);         /* null */
	assert_int_not_equal(open_in_cgroup(dir, S_IFCHR, 7, 1), EPERM); /* vcs1: let through */
	assert_int_equal(open_in_cgroup(dir, S_IFCHR, 7, 250), EPERM);
	assert_int_equal(rmdir(path), 0);
	snprintf(rel, sizeof(rel), "%s", saved);
}

static void test_table_and_names(void **state)
{
	(void)state;
	int n;
	const struct ds_dev_rule *r = ds_dev_rules(&n);
	assert_true(n >= 10);
	for (int i = 0; i < n; i++)
		assert_true(r[i].major <= r[i].major_last);
	assert_string_equal(ds_devpolicy_name(DS_DEV_NONE), "all");
	assert_non_null(strstr(ds_devpolicy_name(DS_DEV_BPF), "restricted"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test(test_table_and_names),
		cmocka_unit_test_setup_teardown(test_program, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
