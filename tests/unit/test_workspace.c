/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for src/core/workspace.c: where each thing of a container lives. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "core/workspace.h"
#include "host/android.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tmpdir.h"

static char *saved_env(const char *name)
{
	const char *v = getenv(name);
	return v ? strdup(v) : NULL;
}

static void restore_env(const char *name, char *v)
{
	if (v)
		setenv(name, v, 1);
	else
		unsetenv(name);
	free(v);
}

static void test_resolve(void **state)
{
	(void)state;
	char ws[PATH_MAX];
	char *saved_ws = saved_env("DROIDSPACES_WORKSPACE"), *saved_ar = saved_env("ANDROID_ROOT");

	setenv("DROIDSPACES_WORKSPACE", "/srv/ds-test", 1);
	assert_int_equal(ds_workspace_resolve(ws, sizeof(ws)), 0);
	assert_string_equal(ws, "/srv/ds-test");

	setenv("DROIDSPACES_WORKSPACE", "relative/ws", 1);
	assert_int_equal(ds_workspace_resolve(ws, sizeof(ws)), -EINVAL);

	/* Empty means unset: the platform default. */
	unsetenv("ANDROID_ROOT");
	int android = access("/system/bin/app_process", F_OK) == 0;
	assert_int_equal(ds_android_detect(), android);
	setenv("DROIDSPACES_WORKSPACE", "", 1);
	assert_int_equal(ds_workspace_resolve(ws, sizeof(ws)), 0);
	assert_string_equal(ws, android ? DS_WORKSPACE_ANDROID : DS_WORKSPACE_LINUX);

	unsetenv("DROIDSPACES_WORKSPACE");
	setenv("ANDROID_ROOT", "/system", 1);
	assert_int_equal(ds_workspace_resolve(ws, sizeof(ws)), 0);
	assert_string_equal(ws, DS_WORKSPACE_ANDROID);

	char huge[PATH_MAX + 16];
	memset(huge, 'w', sizeof(huge) - 1);
	huge[0] = '/';
	huge[sizeof(huge) - 1] = '\0';
	setenv("DROIDSPACES_WORKSPACE", huge, 1);
	assert_int_equal(ds_workspace_resolve(ws, sizeof(ws)), -ENAMETOOLONG);
	/* Too long for the caller's buffer, however short the variable. */
	setenv("DROIDSPACES_WORKSPACE", "/srv/ds-test", 1);
	assert_int_equal(ds_workspace_resolve(ws, 8), -ENAMETOOLONG);

	restore_env("DROIDSPACES_WORKSPACE", saved_ws);
	restore_env("ANDROID_ROOT", saved_ar);
}

/* The whole layout, one line per kind: a change to it shows here first. */
static void test_paths(void **state)
{
	(void)state;
	static const struct {
		enum ds_ws_path what;
		const char *path, *dir, *entry;
	} want[] = {
		{ DS_WS_PIDFILE, "/ws/Pids/deb.pid", "/ws/Pids", "deb.pid" },
		{ DS_WS_LOCK, "/ws/Locks/deb.lock", "/ws/Locks", "deb.lock" },
		{ DS_WS_SOCKET, "/ws/Sockets/deb.sock", "/ws/Sockets", "deb.sock" },
		{ DS_WS_LOG_DIR, "/ws/Logs/deb", "/ws/Logs", "deb" },
		{ DS_WS_CONSOLE_LOG, "/ws/Logs/deb/console.log", "/ws/Logs", "deb/console.log" },
		{ DS_WS_CONSOLE_LOG_OLD, "/ws/Logs/deb/console.log.1", "/ws/Logs", "deb/console.log.1" },
		{ DS_WS_SAVED_DIR, "/ws/Containers/deb", "/ws/Containers", "deb" },
		{ DS_WS_SAVED, "/ws/Containers/deb/container.config", "/ws/Containers", "deb/container.config" },
		{ DS_WS_VOLATILE, "/ws/Volatile/deb", "/ws/Volatile", "deb" },
		{ DS_WS_IMAGE_MOUNT, "/mnt/Droidspaces/deb", "/mnt/Droidspaces", "deb" },
		{ DS_WS_NOTIFY, "/ws/Sockets/deb.notify", "/ws/Sockets", "deb.notify" },
		{ DS_WS_READY, "/ws/Pids/deb.ready", "/ws/Pids", "deb.ready" },
	};
	char out[PATH_MAX];
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(ds_workspace_path("/ws", want[i].what, "deb", out, sizeof(out)), 0);
		assert_string_equal(out, want[i].path);
		assert_int_equal(ds_workspace_dir("/ws", want[i].what, out, sizeof(out)), 0);
		assert_string_equal(out, want[i].dir);
		assert_int_equal(ds_workspace_entry(want[i].what, "deb", out, sizeof(out)), 0);
		assert_string_equal(out, want[i].entry);
	}
	/* Never a truncated path: the exact fit passes, one byte less fails. */
	size_t fit = strlen("/ws/Pids/deb.pid") + 1;
	assert_int_equal(ds_workspace_path("/ws", DS_WS_PIDFILE, "deb", out, fit), 0);
	assert_int_equal(ds_workspace_path("/ws", DS_WS_PIDFILE, "deb", out, fit - 1), -ENAMETOOLONG);
	assert_int_equal(ds_workspace_path("/ws", DS_WS_PIDFILE, "deb", out, 4), -ENAMETOOLONG);
	assert_int_equal(ds_workspace_dir("/ws", DS_WS_PIDFILE, out, 4), -ENAMETOOLONG);
	assert_int_equal(ds_workspace_path("/ws", (enum ds_ws_path)99, "deb", out, sizeof(out)), -EINVAL);
}

static void test_name_of(void **state)
{
	(void)state;
	char name[DS_NAME_MAX + 1], n64[DS_NAME_MAX + 8], n65[DS_NAME_MAX + 8];
	assert_int_equal(ds_workspace_name_of(DS_WS_PIDFILE, "/ws/Pids/deb.pid", name), 0);
	assert_string_equal(name, "deb");
	assert_int_equal(ds_workspace_name_of(DS_WS_PIDFILE, "deb-1.pid", name), 0);
	assert_string_equal(name, "deb-1");
	/* Any directory: a --pidfile elsewhere still names its container. */
	assert_int_equal(ds_workspace_name_of(DS_WS_PIDFILE, "/run/x/web.pid", name), 0);
	assert_string_equal(name, "web");
	assert_int_equal(ds_workspace_name_of(DS_WS_SOCKET, "deb.sock", name), 0);
	assert_string_equal(name, "deb");
	assert_int_equal(ds_workspace_name_of(DS_WS_SAVED, "/ws/Containers/deb/container.config", name), 0);
	assert_string_equal(name, "deb");

	assert_int_equal(ds_workspace_name_of(DS_WS_PIDFILE, ".pid", name), -EINVAL);
	assert_int_equal(ds_workspace_name_of(DS_WS_PIDFILE, "/ws/Pids/.pid", name), -EINVAL);
	assert_int_equal(ds_workspace_name_of(DS_WS_PIDFILE, "/ws/Pids/deb.sock", name), -EINVAL);
	assert_int_equal(ds_workspace_name_of(DS_WS_PIDFILE, "/ws/Pids/deb.pid.1", name), -EINVAL);
	assert_int_equal(ds_workspace_name_of(DS_WS_PIDFILE, "/ws/Pids/a b.pid", name), -EINVAL);
	assert_int_equal(ds_workspace_name_of(DS_WS_PIDFILE, "/ws/Pids/...pid", name), -EINVAL);
	memset(n64, 'a', DS_NAME_MAX);
	snprintf(n64 + DS_NAME_MAX, 8, ".pid");
	assert_int_equal(ds_workspace_name_of(DS_WS_PIDFILE, n64, name), 0);
	assert_int_equal(strlen(name), DS_NAME_MAX);
	memset(n65, 'a', DS_NAME_MAX + 1);
	snprintf(n65 + DS_NAME_MAX + 1, 7, ".pid");
	assert_int_equal(ds_workspace_name_of(DS_WS_PIDFILE, n65, name), -EINVAL);

	assert_true(ds_workspace_is_default(DS_WS_PIDFILE, "/ws/Pids/deb.pid"));
	assert_true(ds_workspace_is_default(DS_WS_PIDFILE, "/old/ws/Pids/deb.pid"));
	assert_false(ds_workspace_is_default(DS_WS_PIDFILE, "/run/deb.pid"));
	assert_false(ds_workspace_is_default(DS_WS_PIDFILE, "/ws/Pidsx/deb.pid"));
	assert_false(ds_workspace_is_default(DS_WS_IMAGE_MOUNT, "/mnt/Droidspaces/deb"));
}

static void test_ensure(void **state)
{
	const char *dir = *state;
	struct ds_error err = { 0 };
	char ws[PATH_MAX];
	snprintf(ws, sizeof(ws), "%s/ws/nested", dir);
	assert_int_equal(ds_workspace_ensure(ws, &err), 0);
	assert_int_equal(err.code, 0);
	static const char *const subs[] = { "Pids", "Logs", "Locks" };
	for (size_t i = 0; i < 3; i++) {
		char p[PATH_MAX];
		struct stat st;
		snprintf(p, sizeof(p), "%s/%s", ws, subs[i]);
		assert_int_equal(stat(p, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
	}
	/* Idempotent. */
	assert_int_equal(ds_workspace_ensure(ws, &err), 0);

	/* A file where a workspace directory should be. */
	char file[PATH_MAX];
	snprintf(file, sizeof(file), "%s/blocker", dir);
	int fd = open(file, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(ds_workspace_ensure(file, &err), -ENOTDIR);
	assert_int_equal(err.code, -ENOTDIR);
	assert_non_null(strstr(err.msg, "blocker/Pids"));
}

struct seen {
	char names[8][DS_NAME_MAX + 1];
	int n;
};

static void collect(const char *name, void *ud)
{
	struct seen *s = ud;
	if (s->n < 8)
		snprintf(s->names[s->n++], sizeof(s->names[0]), "%s", name);
}

static int has(const struct seen *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return 1;
	return 0;
}

static void touch(const char *dir, const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static void mkdir_in(const char *dir, const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

/* Only valid names with the kind's entry count; junk beside them is skipped, never an error. */
static void test_each(void **state)
{
	const char *dir = *state;
	struct seen s = { .n = 0 };
	assert_int_equal(ds_workspace_each(dir, DS_WS_PIDFILE, collect, &s), 0); /* no Pids/ yet */

	mkdir_in(dir, "Pids");
	touch(dir, "Pids/deb.pid");
	touch(dir, "Pids/web-2.pid");
	touch(dir, "Pids/notes.txt");
	touch(dir, "Pids/.pid");
	touch(dir, "Pids/bad name.pid");
	assert_int_equal(ds_workspace_each(dir, DS_WS_PIDFILE, collect, &s), 2);
	assert_int_equal(s.n, 2);
	assert_true(has(&s, "deb") && has(&s, "web-2"));

	/* Saved settings: a directory counts only with its container.config inside. */
	s.n = 0;
	mkdir_in(dir, "Containers");
	mkdir_in(dir, "Containers/deb");
	touch(dir, "Containers/deb/container.config");
	mkdir_in(dir, "Containers/empty");
	mkdir_in(dir, "Containers/bad name");
	touch(dir, "Containers/bad name/container.config");
	touch(dir, "Containers/stray.config");
	assert_int_equal(ds_workspace_each(dir, DS_WS_SAVED, collect, &s), 1);
	assert_string_equal(s.names[0], "deb");
}

static void test_rmdir(void **state)
{
	const char *dir = *state;
	char p[PATH_MAX];
	mkdir_in(dir, "Volatile");
	mkdir_in(dir, "Volatile/deb");
	mkdir_in(dir, "Volatile/web");
	touch(dir, "Volatile/web/upper");
	assert_int_equal(ds_workspace_rmdir(dir, DS_WS_VOLATILE, "deb"), 0);
	assert_int_equal(ds_workspace_rmdir(dir, DS_WS_VOLATILE, "web"), -ENOTEMPTY);
	assert_int_equal(ds_workspace_rmdir(dir, DS_WS_VOLATILE, "none"), -ENOENT);
	/* The workspace's own directories stay, even when empty. */
	snprintf(p, sizeof(p), "%s/Volatile/web/upper", dir);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(ds_workspace_rmdir(dir, DS_WS_VOLATILE, "web"), 0);
	snprintf(p, sizeof(p), "%s/Volatile", dir);
	assert_int_equal(access(p, F_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_name_of),
		cmocka_unit_test_setup_teardown(test_ensure, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_each, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_rmdir, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
