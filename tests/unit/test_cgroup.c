/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for the cgroup tree removal and the limits of src/fs/cgroup.c, on plain directories. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fs/cgroup.h"
#include "util/macros.h"
#include "putfile.h"
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

/* The text of dir/rel, without its end of line. */
static const char *text_of(const char *dir, const char *rel)
{
	static char buf[256];
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static const struct ds_limits all_limits = {
	.memory = 64LL << 20, .cpus_milli = 500, .pids = 32, .cpu_weight = 50, .io_weight = 300
};

/* v1: each controller's hierarchy, its files; memsw only where the kernel accounts swap. */
static void test_limits_v1(void **state)
{
	const char *tmp = *state;
	struct ds_cgroups cg;
	memset(&cg, 0, sizeof(cg));
	cg.mode = DS_CG_LEGACY;
	static const char *const ctl[] = { "memory", "cpu,cpuacct", "blkio", "pids" };
	for (int i = 0; i < 4; i++) {
		snprintf(cg.v1_root[i], sizeof(cg.v1_root[i]), "%s/%s", tmp, ctl[i]);
		snprintf(cg.v1_opts[i], sizeof(cg.v1_opts[i]), "%s", ctl[i]);
	}
	cg.v1_count = 4;
	/* BFQ's weight (1-1000) where blkio.weight is absent. */
	put_text(tmp, "blkio/droidspaces/x/blkio.bfq.weight", "");
	static const char *const files[] = { "memory/droidspaces/x/memory.limit_in_bytes",
					     "cpu,cpuacct/droidspaces/x/cpu.cfs_period_us",
					     "cpu,cpuacct/droidspaces/x/cpu.cfs_quota_us",
					     "cpu,cpuacct/droidspaces/x/cpu.shares",
					     "cpu,cpuacct/droidspaces/x/cpuacct.usage",
					     "pids/droidspaces/x/pids.max",
					     "pids/droidspaces/x/pids.current",
					     "memory/droidspaces/x/memory.usage_in_bytes" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		put_text(tmp, files[i], "");
	struct ds_error err = { 0 };
	assert_int_equal(ds_cgroup_limits_apply(&cg, "droidspaces/x", &all_limits, &err), 0);
	assert_string_equal(text_of(tmp, files[0]), "67108864");
	assert_string_equal(text_of(tmp, files[1]), "100000");
	assert_string_equal(text_of(tmp, files[2]), "50000");
	assert_string_equal(text_of(tmp, files[3]), "512");
	assert_string_equal(text_of(tmp, files[5]), "32");
	assert_string_equal(text_of(tmp, "blkio/droidspaces/x/blkio.bfq.weight"), "300");
	/* blkio.weight first, on its scale (500 per 100, at most 1000). */
	put_text(tmp, "blkio/droidspaces/x/blkio.weight", "");
	assert_int_equal(ds_cgroup_limits_apply(&cg, "droidspaces/x", &all_limits, &err), 0);
	assert_string_equal(text_of(tmp, "blkio/droidspaces/x/blkio.weight"), "1000");
	/* Neither: refused, naming what is missing. */
	char gone[PATH_MAX];
	snprintf(gone, sizeof(gone), "%s/blkio/droidspaces/x/blkio.weight", tmp);
	assert_int_equal(unlink(gone), 0);
	snprintf(gone, sizeof(gone), "%s/blkio/droidspaces/x/blkio.bfq.weight", tmp);
	assert_int_equal(unlink(gone), 0);
	memset(&err, 0, sizeof(err));
	assert_int_equal(ds_cgroup_limits_apply(&cg, "droidspaces/x", &all_limits, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "--io-weight needs an I/O weight"));
	put_text(tmp, "blkio/droidspaces/x/blkio.bfq.weight", "");
	/* With swap accounting, RAM + swap is held to the same. */
	put_text(tmp, "memory/droidspaces/x/memory.memsw.limit_in_bytes", "");
	assert_int_equal(ds_cgroup_limits_apply(&cg, "droidspaces/x", &all_limits, &err), 0);
	assert_string_equal(text_of(tmp, "memory/droidspaces/x/memory.memsw.limit_in_bytes"), "67108864");

	put_text(tmp, files[4], "2500000000\n");
	put_text(tmp, files[6], "7\n");
	put_text(tmp, files[7], "1048576\n");
	struct ds_cg_usage u;
	ds_cgroup_usage(&cg, "droidspaces/x", &u);
	assert_true(u.memory == 1048576 && u.pids == 7 && u.cpu_usec == 2500000);

	/* A host without the controller: one line naming it and the option. */
	cg.v1_count = 3;
	memset(&err, 0, sizeof(err));
	assert_int_equal(ds_cgroup_limits_apply(&cg, "droidspaces/x", &all_limits, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "--pids-limit needs the pids cgroup controller"));
	ds_cgroup_usage(&cg, "droidspaces/x", &u);
	assert_true(u.pids == -1);
	/* No limits: nothing is asked of the host. */
	struct ds_limits none = { 0 };
	cg.v1_count = 0;
	assert_int_equal(ds_cgroup_limits_apply(&cg, "droidspaces/x", &none, &err), 0);
}

/* A cpuset (OCI's linux.resources.cpu.cpus and mems): v1's cpuset hierarchy and cgroup2's files alike. */
static void test_cpuset(void **state)
{
	const char *tmp = *state;
	struct ds_cgroups cg;
	memset(&cg, 0, sizeof(cg));
	cg.mode = DS_CG_LEGACY;
	snprintf(cg.v1_root[0], sizeof(cg.v1_root[0]), "%s/cpuset", tmp);
	snprintf(cg.v1_opts[0], sizeof(cg.v1_opts[0]), "cpuset");
	cg.v1_count = 1;
	put_text(tmp, "cpuset/droidspaces/x/cpuset.cpus", "0-3\n");
	put_text(tmp, "cpuset/droidspaces/x/cpuset.mems", "0\n");
	struct ds_limits lim = { .cpuset_cpus = "1,3" };
	struct ds_error err = { 0 };
	assert_int_equal(ds_limits_present(&lim), DS_LIM_CPUSET);
	assert_int_equal(ds_cgroup_limits_apply(&cg, "droidspaces/x", &lim, &err), 0);
	assert_string_equal(text_of(tmp, "cpuset/droidspaces/x/cpuset.cpus"), "1,3");
	assert_string_equal(text_of(tmp, "cpuset/droidspaces/x/cpuset.mems"), "0"); /* not given: as it was */

	memset(&cg, 0, sizeof(cg));
	cg.mode = DS_CG_UNIFIED;
	snprintf(cg.v2_root, sizeof(cg.v2_root), "%s/v2", tmp);
	put_text(tmp, "v2/cgroup.controllers", "cpuset cpu memory pids\n");
	put_text(tmp, "v2/droidspaces/cgroup.subtree_control", "cpu\n");
	put_text(tmp, "v2/droidspaces/x/cpuset.cpus", "");
	put_text(tmp, "v2/droidspaces/x/cpuset.mems", "");
	struct ds_limits both = { .cpuset_cpus = "0", .cpuset_mems = "0-1" };
	assert_int_equal(ds_cgroup_limits_apply(&cg, "droidspaces/x", &both, &err), 0);
	assert_string_equal(text_of(tmp, "v2/droidspaces/cgroup.subtree_control"), "+cpuset");
	assert_string_equal(text_of(tmp, "v2/droidspaces/x/cpuset.cpus"), "0");
	assert_string_equal(text_of(tmp, "v2/droidspaces/x/cpuset.mems"), "0-1");
	/* Not offered: one line naming the controller. */
	put_text(tmp, "v2/cgroup.controllers", "cpu memory\n");
	memset(&err, 0, sizeof(err));
	assert_int_equal(ds_cgroup_limits_apply(&cg, "droidspaces/x", &both, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "needs the cpuset cgroup controller"));
}

/* cgroup2: the controllers enabled in droidspaces/ (which droidspaces owns), then the files. */
static void test_limits_v2(void **state)
{
	const char *tmp = *state;
	struct ds_cgroups cg;
	memset(&cg, 0, sizeof(cg));
	cg.mode = DS_CG_UNIFIED;
	snprintf(cg.v2_root, sizeof(cg.v2_root), "%s", tmp);
	put_text(tmp, "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
	put_text(tmp, "droidspaces/cgroup.subtree_control", "cpu io memory pids\n");
	static const char *const files[] = { "droidspaces/x/memory.max", "droidspaces/x/memory.swap.max",
					     "droidspaces/x/cpu.max",    "droidspaces/x/cpu.weight",
					     "droidspaces/x/pids.max",   "droidspaces/x/io.weight" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		put_text(tmp, files[i], "");
	struct ds_error err = { 0 };
	assert_int_equal(ds_cgroup_limits_apply(&cg, "droidspaces/x", &all_limits, &err), 0);
	assert_string_equal(text_of(tmp, files[0]), "67108864");
	assert_string_equal(text_of(tmp, files[1]), "0");
	assert_string_equal(text_of(tmp, files[2]), "50000 100000");
	assert_string_equal(text_of(tmp, files[3]), "50");
	assert_string_equal(text_of(tmp, files[4]), "32");
	assert_string_equal(text_of(tmp, files[5]), "300");
	/* A controller not yet enabled for droidspaces/ is enabled there. */
	put_text(tmp, "droidspaces/cgroup.subtree_control", "cpu\n");
	struct ds_limits mem = { .memory = 8LL << 20 };
	assert_int_equal(ds_cgroup_limits_apply(&cg, "droidspaces/x", &mem, &err), 0);
	assert_string_equal(text_of(tmp, "droidspaces/cgroup.subtree_control"), "+memory");
	/* Not offered by the host (a word that is only part of another is not it). */
	put_text(tmp, "cgroup.controllers", "cpuset cpu io memory\n");
	struct ds_limits pids = { .pids = 10 };
	memset(&err, 0, sizeof(err));
	assert_int_equal(ds_cgroup_limits_apply(&cg, "droidspaces/x", &pids, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "pids"));
	/* Offered by the host but not passed down to droidspaces/: said so. */
	put_text(tmp, "droidspaces/cgroup.controllers", "cpu\n");
	memset(&err, 0, sizeof(err));
	assert_int_equal(ds_cgroup_limits_apply(&cg, "droidspaces/x", &mem, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "the memory controller is not passed down"));
	/* A v1 hierarchy beside a cgroup2 /sys/fs/cgroup (Android's /dev/memcg) has what cgroup2 lacks. */
	put_text(tmp, "cgroup.controllers", "cpu pids\n");
	snprintf(cg.v1_root[0], sizeof(cg.v1_root[0]), "%s/memcg", tmp);
	snprintf(cg.v1_opts[0], sizeof(cg.v1_opts[0]), "memory");
	cg.v1_count = 1;
	put_text(tmp, "memcg/droidspaces/x/memory.limit_in_bytes", "");
	assert_int_equal(ds_cgroup_limits_apply(&cg, "droidspaces/x", &mem, &err), 0);
	assert_string_equal(text_of(tmp, "memcg/droidspaces/x/memory.limit_in_bytes"), "8388608");
	cg.v1_count = 0;
	put_text(tmp, "droidspaces/x/cpu.stat", "usage_usec 1234\nuser_usec 1000\n");
	struct ds_cg_usage u;
	ds_cgroup_usage(&cg, "droidspaces/x", &u);
	assert_true(u.cpu_usec == 1234 && u.pids == -1);
}

/* A v1-only host's claim hierarchy is the same whatever order mountinfo lists the hierarchies in. */
static void test_v1_primary(void **state)
{
	(void)state;
	static const char *const opts[][4] = {
		{ "name=systemd", "memory", "cpu,cpuacct", "devices" },     /* cpu first by the order */
		{ "name=systemd", "memory", "blkio", "devices" },           /* memory */
		{ "name=systemd", "name=openrc", "net_cls", "perf_event" }, /* no listed controller: the least text */
	};
	static const char *const want[] = { "cpu,cpuacct", "memory", "name=openrc" };
	for (size_t t = 0; t < ARRAY_SIZE(opts); t++) {
		for (int rot = 0; rot < 4; rot++) {
			struct ds_cgroups cg;
			memset(&cg, 0, sizeof(cg));
			cg.mode = DS_CG_LEGACY;
			cg.v1_count = 4;
			for (int i = 0; i < 4; i++) {
				/* rotated, and reversed on odd rotations */
				int k = rot % 2 ? (3 - i + rot) % 4 : (i + rot) % 4;
				snprintf(cg.v1_opts[i], sizeof(cg.v1_opts[i]), "%s", opts[t][k]);
				snprintf(cg.v1_root[i], sizeof(cg.v1_root[i]), "/sys/fs/cgroup/%s", opts[t][k]);
			}
			int i = ds_cgroup_v1_primary(&cg);
			assert_true(i >= 0);
			assert_string_equal(cg.v1_opts[i], want[t]);
		}
	}
	struct ds_cgroups none;
	memset(&none, 0, sizeof(none));
	assert_int_equal(ds_cgroup_v1_primary(&none), -1);
}

/*
 * A claim that fails for a reason other than "held" or "busy" removes the
 * directories the create made, and only those: here the claim's process walk
 * fails (ELOOP) in a second hierarchy whose directory was there before.
 */
static void test_create_claimed_undo(void **state)
{
	const char *tmp = *state;
	struct ds_cgroups cg;
	memset(&cg, 0, sizeof(cg));
	cg.mode = DS_CG_LEGACY;
	cg.v1_count = 2;
	snprintf(cg.v1_root[0], sizeof(cg.v1_root[0]), "%s/cpu", tmp);
	snprintf(cg.v1_opts[0], sizeof(cg.v1_opts[0]), "cpu");
	snprintf(cg.v1_root[1], sizeof(cg.v1_root[1]), "%s/net_cls", tmp);
	snprintf(cg.v1_opts[1], sizeof(cg.v1_opts[1]), "net_cls");
	char path[PATH_MAX], kept[PATH_MAX];
	snprintf(path, sizeof(path), "%s/cpu", tmp);
	assert_int_equal(mkdir(path, 0755), 0);
	put_text(tmp, "net_cls/droidspaces/x/notes", "");
	snprintf(kept, sizeof(kept), "%s/net_cls/droidspaces/x/cgroup.procs", tmp);
	assert_int_equal(symlink(kept, kept), 0);
	struct ds_error err = { 0 };
	assert_int_equal(ds_cgroup_create_claimed(&cg, "droidspaces/x", 0, &err), -ELOOP);
	assert_non_null(strstr(err.msg, "cannot claim cgroup droidspaces/x"));
	/* made here: gone, parent too; there before: kept */
	snprintf(path, sizeof(path), "%s/cpu/droidspaces", tmp);
	assert_int_equal(access(path, F_OK) < 0 ? errno : 0, ENOENT);
	snprintf(path, sizeof(path), "%s/net_cls/droidspaces/x/notes", tmp);
	assert_int_equal(access(path, F_OK), 0);
	/* and with nothing in the way, the claim is made and its directories stay */
	assert_int_equal(unlink(kept), 0);
	memset(&err, 0, sizeof(err));
	int fd = ds_cgroup_create_claimed(&cg, "droidspaces/x", 0, &err);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/cpu/droidspaces/x", tmp);
	assert_int_equal(access(path, F_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_destroy_deep_and_wide, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_destroy_refuses_symlink, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_limits_v1, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_limits_v2, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_cpuset, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(test_v1_primary),
		cmocka_unit_test_setup_teardown(test_create_claimed_undo, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
