/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/core/inventory.c: listing is pure, reaping is bounded. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "core/inventory.h"
#include "core/reap.h"
#include "core/saved.h"
#include "core/seccomp.h"
#include "core/state.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tmpdir.h"
#include "putfile.h"

/* ---- ds_inventory_list / ds_reap_stale --------------------------------------------------- */

#define STALE_COUNT 64

struct reap_run {
	struct ds_config *cfg;
	int listed, reaped, listed_after;
};

static void *reap_thread(void *arg)
{
	struct reap_run *r = arg;
	struct ds_entry *v = NULL;
	r->listed = ds_inventory_list(r->cfg, 1, &v);
	free(v);
	r->reaped = ds_reap_stale(r->cfg);
	v = NULL;
	r->listed_after = ds_inventory_list(r->cfg, 0, &v);
	free(v);
	return NULL;
}

/*
 * After a host reboot every pidfile is stale: listing leaves them all be,
 * reaping removes each one of ours (never a foreign file), and neither
 * needs more stack than a small thread has (struct ds_config is tens of KB).
 */
static void test_inventory_list_pure_reap_bounded(void **state)
{
	const char *dir = *state;
	struct ds_config *cfg = malloc(sizeof(*cfg));
	struct ds_error err = { 0 };
	assert_non_null(cfg);
	ds_config_init(cfg);
	snprintf(cfg->workspace, sizeof(cfg->workspace), "%s", dir);
	assert_int_equal(ds_workspace_ensure(cfg->workspace, &err), 0);
	pid_t dead = fork();
	if (dead == 0)
		_exit(0);
	assert_true(dead > 0);
	assert_int_equal(waitpid(dead, NULL, 0), dead);
	char path[PATH_MAX];
	for (int i = 0; i < STALE_COUNT; i++) {
		struct ds_state st = { .pid = dead, .starttime = 12345 };
		ds_host_boot_id(st.boot_id);
		snprintf(st.cgroup, sizeof(st.cgroup), "droidspaces/unit-reap-%d-%d", (int)getpid(), i);
		snprintf(path, sizeof(path), "%s/Pids/unit-reap-%d-%d.pid", dir, (int)getpid(), i);
		assert_int_equal(ds_state_write(path, &st), 0);
	}
	/* a file that is not ours, in the Pids directory */
	snprintf(path, sizeof(path), "%s/Pids/foreign.pid", dir);
	put_text(dir, "Pids/foreign.pid", "not a pidfile\n");

	struct reap_run run = { .cfg = cfg };
	pthread_attr_t attr;
	pthread_t t;
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setstacksize(&attr, 1 << 20), 0);
	assert_int_equal(pthread_create(&t, &attr, reap_thread, &run), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	pthread_attr_destroy(&attr);

	assert_int_equal(run.listed, 0);
	assert_int_equal(run.reaped, STALE_COUNT);
	assert_int_equal(run.listed_after, 0);
	for (int i = 0; i < STALE_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/Pids/unit-reap-%d-%d.pid", dir, (int)getpid(), i);
		assert_int_equal(access(path, F_OK), -1);
	}
	snprintf(path, sizeof(path), "%s/Pids/foreign.pid", dir);
	assert_int_equal(access(path, F_OK), 0);
	/* nothing left to reap */
	assert_int_equal(ds_reap_stale(cfg), 0);
	free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_inventory_list_pure_reap_bounded, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
