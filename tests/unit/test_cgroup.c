/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for the cgroup tree removal of src/fs/cgroup.c, on plain directories. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fs/cgroup.h"
#include "tmpdir.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* mkdir a chain of depth directories named by name under dir, with openat (no path limit). */
static void make_chain(const char *dir, const char *name, int depth)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	for (int i = 0; i < depth; i++) {
		assert_int_equal(mkdirat(fd, name, 0755), 0);
		int sub = openat(fd, name, O_RDONLY | O_DIRECTORY);
		assert_true(sub >= 0);
		close(fd);
		fd = sub;
	}
	close(fd);
}

static void test_destroy_deep_and_wide(void **state)
{
	const char *tmp = *state;
	struct ds_cgroups cg;
	memset(&cg, 0, sizeof(cg));
	cg.mode = DS_CG_UNIFIED;
	snprintf(cg.v2_root, sizeof(cg.v2_root), "%s", tmp);
	char dir[PATH_MAX], name[256];
	snprintf(dir, sizeof(dir), "%s/droidspaces/deep", tmp);
	assert_int_equal(mkdir(dir, 0755) < 0 ? -errno : 0, -ENOENT);
	snprintf(dir, sizeof(dir), "%s/droidspaces", tmp);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/droidspaces/deep", tmp);
	assert_int_equal(mkdir(dir, 0755), 0);
	/* deeper than PATH_MAX allows as one path: 40 levels of 200-byte names, and 2000 short ones */
	memset(name, 'n', 200);
	name[200] = '\0';
	make_chain(dir, name, 40);
	make_chain(dir, "a", 2000);
	/* and wide: 50 siblings with children of their own */
	for (int i = 0; i < 50; i++) {
		char sib[PATH_MAX + 32];
		snprintf(sib, sizeof(sib), "%s/w%d", dir, i);
		assert_int_equal(mkdir(sib, 0755), 0);
		make_chain(sib, "c", 3);
	}
	assert_int_equal(ds_cgroup_destroy(&cg, "droidspaces/deep", 2000), 0);
	assert_int_equal(access(dir, F_OK) < 0 ? errno : 0, ENOENT);
	/* the shared parent went with its last child */
	snprintf(dir, sizeof(dir), "%s/droidspaces", tmp);
	assert_int_equal(access(dir, F_OK) < 0 ? errno : 0, ENOENT);
	/* nothing there: fine */
	assert_int_equal(ds_cgroup_destroy(&cg, "droidspaces/deep", 100), 0);
}

static void test_destroy_refuses_symlink(void **state)
{
	const char *tmp = *state;
	struct ds_cgroups cg;
	memset(&cg, 0, sizeof(cg));
	cg.mode = DS_CG_UNIFIED;
	snprintf(cg.v2_root, sizeof(cg.v2_root), "%s", tmp);
	char dir[PATH_MAX], target[PATH_MAX], link[PATH_MAX];
	snprintf(target, sizeof(target), "%s/keep", tmp);
	snprintf(dir, sizeof(dir), "%s/droidspaces", tmp);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(mkdir(target, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/keep/child", tmp);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(link, sizeof(link), "%s/droidspaces/x", tmp);
	assert_int_equal(symlink(target, link), 0);
	assert_true(ds_cgroup_destroy(&cg, "droidspaces/x", 100) < 0);
	assert_int_equal(access(dir, F_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_destroy_deep_and_wide, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_destroy_refuses_symlink, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
