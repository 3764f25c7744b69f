/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/oci/state.c: ids, signals, the state file and the status without a monitor. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/state.h"
#include "oci/state.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tmpdir.h"

static void test_oci_id_validate(void **state)
{
	(void)state;
	static const char *const good[] = { "a", "abc-DEF_1.2+x", "0", "..a" };
	static const char *const bad[] = { "", ".", "..", "a/b", "a b", "a\nb", "ü" };
	struct ds_error err = { 0 };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(ds_oci_id_validate(good[i], &err), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(ds_oci_id_validate(bad[i], &err), DS_EINVAL_MSG);
		assert_non_null(strstr(err.msg, "invalid container id"));
	}
	char longid[DS_OCI_ID_MAX + 2];
	memset(longid, 'a', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	memset(&err, 0, sizeof(err));
	assert_int_equal(ds_oci_id_validate(longid, &err), DS_EINVAL_MSG);
	longid[DS_OCI_ID_MAX] = '\0';
	assert_int_equal(ds_oci_id_validate(longid, &err), 0);
}

static void test_oci_signal_parse(void **state)
{
	(void)state;
	assert_int_equal(ds_oci_signal_parse("KILL"), SIGKILL);
	assert_int_equal(ds_oci_signal_parse("SIGKILL"), SIGKILL);
	assert_int_equal(ds_oci_signal_parse("sigterm"), SIGTERM);
	assert_int_equal(ds_oci_signal_parse("9"), 9);
	assert_int_equal(ds_oci_signal_parse("15"), 15);
	assert_int_equal(ds_oci_signal_parse("WINCH"), SIGWINCH);
	assert_int_equal(ds_oci_signal_parse("RTMIN"), SIGRTMIN);
	assert_int_equal(ds_oci_signal_parse("SIGRTMIN+3"), SIGRTMIN + 3);
	assert_int_equal(ds_oci_signal_parse("RTMAX-1"), SIGRTMAX - 1);
	static const char *const bad[] = { "",       "0",        "-9",      "9x",     "NOPE", "SIG",
					   "RTMIN+", "RTMIN+99", "RTMAX+1", "RTMIN3", "100" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ds_oci_signal_parse(bad[i]) != -EINVAL)
			fail_msg("signal \"%s\" accepted", bad[i]);
}

static void test_oci_save_load_status(void **state)
{
	const char *dir = *state;
	struct ds_oci_container c, got;
	struct ds_error err = { 0 };
	assert_int_equal(ds_oci_container_dir(dir, "box", &c, &err), 0);
	assert_int_equal(mkdir(c.dir, 0700), 0);
	/* A live process of ours, then the fifo: created; without it: running. */
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	c.pid = child;
	c.starttime = ds_proc_starttime(child);
	snprintf(c.bundle, sizeof(c.bundle), "/b \"q\"");
	snprintf(c.rootfs, sizeof(c.rootfs), "/b/rootfs");
	snprintf(c.created, sizeof(c.created), "2026-01-01T00:00:00.000000000Z");
	assert_int_equal(ds_oci_save(&c, &err), 0);
	assert_int_equal(ds_oci_load(dir, "box", &got, &err), 0);
	assert_int_equal(got.pid, child);
	assert_true(got.starttime == c.starttime);
	assert_string_equal(got.bundle, "/b \"q\"");
	assert_string_equal(got.created, c.created);
	char fifo[PATH_MAX + 16];
	snprintf(fifo, sizeof(fifo), "%s/" DS_OCI_FIFO, c.dir);
	assert_int_equal(mkfifo(fifo, 0622), 0);
	assert_int_equal(ds_oci_status(&got), DS_OCI_CREATED);
	assert_int_equal(unlink(fifo), 0);
	assert_int_equal(ds_oci_status(&got), DS_OCI_RUNNING);
	/* Another start time is another process: stopped. */
	got.starttime++;
	assert_int_equal(ds_oci_status(&got), DS_OCI_STOPPED);
	got.starttime--;
	/* A zombie is stopped too. */
	kill(child, SIGKILL);
	for (int i = 0; i < 500 && ds_oci_pid_alive(child, got.starttime); i++)
		usleep(10000);
	assert_int_equal(ds_oci_status(&got), DS_OCI_STOPPED);
	waitpid(child, NULL, 0);
	assert_string_equal(ds_oci_status_name(DS_OCI_STOPPED), "stopped");
	/* Removed: then it does not exist. */
	assert_int_equal(ds_oci_remove(&got, &err), 0);
	memset(&err, 0, sizeof(err));
	assert_int_equal(ds_oci_load(dir, "box", &got, &err), DS_EINVAL_MSG);
	assert_string_equal(err.msg, "container \"box\" does not exist");
}

static void test_oci_load_refuses_junk(void **state)
{
	const char *dir = *state;
	struct ds_oci_container c;
	struct ds_error err = { 0 };
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/junk", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/junk/state.json", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"pid\":\"1\"}", f);
	fclose(f);
	assert_int_equal(ds_oci_load(dir, "junk", &c, &err), DS_EINVAL_MSG);
	assert_non_null(strstr(err.msg, "not a droidspaces-oci state file"));
	/* A symlinked state file is not followed. */
	unlink(path);
	assert_int_equal(symlink("/etc/hostname", path), 0);
	memset(&err, 0, sizeof(err));
	assert_true(ds_oci_load(dir, "junk", &c, &err) < 0);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oci_id_validate),
		cmocka_unit_test(test_oci_signal_parse),
		cmocka_unit_test_setup_teardown(test_oci_save_load_status, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_oci_load_refuses_junk, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
