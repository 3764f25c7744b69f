/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/oci/cgroup.c: cgroupsPath and resources into fs/cgroup.c's terms. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "oci/cgroup.h"

#include <limits.h>
#include <string.h>

static int rel_of(const char *path, char *out, struct ds_error *err)
{
	struct ds_oci_spec s;
	memset(&s, 0, sizeof(s));
	s.cgroups_path = path;
	memset(err, 0, sizeof(*err));
	return ds_oci_cgroup_rel(&s, "box", out, PATH_MAX, err);
}

static void test_oci_cgroup_rel(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} good[] = {
		{ NULL, "droidspaces-oci/box" },
		{ "", "droidspaces-oci/box" },
		{ "/a/b", "a/b" },
		{ "a/b", "a/b" },
		{ "//x", "x" },
		{ "machine.slice:libpod:abc", "machine.slice/libpod-abc.scope" },
		{ ":libpod:abc", "system.slice/libpod-abc.scope" },
		{ "user.slice::abc", "user.slice/abc.scope" },
		{ "/droidspaces-oci/x", "droidspaces-oci/x" },
		{ "droidspacesx/y", "droidspacesx/y" },
	};
	char out[PATH_MAX];
	struct ds_error err;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (rel_of(good[i].in, out, &err) != 0)
			fail_msg("%s refused: %s", good[i].in, err.msg);
		assert_string_equal(out, good[i].out);
	}
	static const char *const bad[] = { "/", "/a/../b", "/a/./b", "a//b", "/a/", "..", "s:p", "s:p:", "a:b:c:d",
					   "..:p:n",
					   /* the native containers' cgroups (claimed by their monitors) */
					   "/droidspaces/web", "droidspaces", "droidspaces:x:y" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (rel_of(bad[i], out, &err) != DS_EINVAL_MSG)
			fail_msg("%s accepted as %s", bad[i], out);
		assert_non_null(strstr(err.msg, "linux.cgroupsPath"));
	}
}

static void test_oci_limits(void **state)
{
	(void)state;
	struct ds_oci_spec s;
	struct ds_limits lim;
	memset(&s, 0, sizeof(s));
	ds_oci_limits(&s, &lim);
	assert_true(lim.memory == 0 && lim.pids == 0 && lim.cpus_milli == 0 && lim.cpu_weight == 0);
	struct ds_oci_resources *r = &s.resources;
	r->has_memory_limit = r->has_pids_limit = r->has_cpu_quota = r->has_cpu_period = r->has_cpu_shares = 1;
	r->memory_limit = 1 << 20;
	r->pids_limit = 64;
	r->cpu_quota = 50000;
	r->cpu_period = 100000;
	r->cpu_shares = 1024;
	ds_oci_limits(&s, &lim);
	assert_true(lim.memory == 1 << 20);
	assert_int_equal(lim.pids, 64);
	assert_int_equal(lim.cpus_milli, 500);
	assert_int_equal(lim.cpu_weight, 100);
	/* the quota and period themselves, exact (not rounded through cpus_milli) */
	assert_true(lim.cpu_quota_us == 50000 && lim.cpu_period_us == 100000);
	r->cpu_quota = 33333;
	r->cpu_period = 500000;
	r->has_memory_reservation = r->has_swappiness = r->disable_oom_killer = 1;
	r->memory_reservation = 1 << 19;
	r->swappiness = 0;
	ds_oci_limits(&s, &lim);
	assert_true(lim.cpu_quota_us == 33333 && lim.cpu_period_us == 500000);
	assert_int_equal(lim.cpus_milli, 66);
	assert_true(lim.memory_low == 1 << 19 && lim.has_swappiness && lim.swappiness == 0 && lim.oom_kill_disable);
	r->has_memory_reservation = r->has_swappiness = r->disable_oom_killer = 0;
	r->cpu_quota = 50000;
	r->cpu_period = 100000;
	/* -1 and 0 are no limit; a tiny quota is still one. */
	r->memory_limit = -1;
	r->pids_limit = 0;
	r->cpu_quota = 1;
	r->cpu_period = 1000000;
	r->cpu_shares = 2;
	ds_oci_limits(&s, &lim);
	assert_true(lim.memory == 0 && lim.pids == 0);
	assert_int_equal(lim.cpus_milli, 1);
	assert_int_equal(lim.cpu_weight, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oci_cgroup_rel),
		cmocka_unit_test(test_oci_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
