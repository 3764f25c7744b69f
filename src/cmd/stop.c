/* SPDX-License-Identifier: GPL-3.0-or-later */
/* stop (one, a comma list in parallel, or --all) and remove. */
#include "cmd/cmd.h"
#include "core/halt.h"
#include "core/inventory.h"
#include "core/reap.h"
#include "core/saved.h"
#include "core/shift.h"
#include "core/state.h"
#include "core/userns.h"
#include "util/macros.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DS_MAX_STOP 1024

static int stop_one(struct ds_config *cfg, const char *name)
{
	struct ds_error e = { 0 };
	ds_config_set_name(cfg, name, &e);
	if (ds_stop(cfg, &e) < 0)
		return ds_report(&e);
	printf("Container %s stopped\n", name);
	return 0;
}

int cmd_stop(struct ds_cli *cli)
{
	struct ds_error err = { 0 };
	int n = 0;
	_cleanup_free_ char(*names)[DS_NAME_MAX + 1] = calloc(DS_MAX_STOP, sizeof(*names));
	if (!names) {
		ds_fail(&err, -ENOMEM, "cannot stop");
		return ds_report(&err);
	}
	if (cli->argc > 0) {
		ds_fail(&err, DS_EINVAL_MSG, "stop takes no arguments (got '%.80s'); use --name=a,b", cli->argv[0]);
		return ds_report(&err);
	}
	if (cli->flags.all) {
		struct ds_entry *v = NULL;
		ds_reap_stale(&cli->cfg);
		int k = ds_inventory_list(&cli->cfg, 0, &v);
		for (int i = 0; i < k && n < DS_MAX_STOP; i++)
			snprintf(names[n++], DS_NAME_MAX + 1, "%s", v[i].name);
		free(v);
		if (n == 0) {
			printf("No containers running.\n");
			return 0;
		}
	} else if (!cli->flags.names) {
		if (ds_cmd_resolve_name(cli, 1, &err) < 0)
			return ds_report(&err);
		snprintf(names[n++], DS_NAME_MAX + 1, "%s", cli->cfg.container_name);
	} else {
		/* --name=a,b,c (seed 10.3): every name is checked before any is stopped. */
		_cleanup_free_ char *list = strdup(cli->flags.names);
		if (!list) {
			ds_fail(&err, -ENOMEM, "cannot stop");
			return ds_report(&err);
		}
		char *save = NULL;
		for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (ds_config_set_name(&cli->cfg, t, &err) < 0)
				return ds_report(&err);
			if (n == DS_MAX_STOP) {
				ds_fail(&err, DS_EINVAL_MSG, "at most %d names at once", DS_MAX_STOP);
				return ds_report(&err);
			}
			snprintf(names[n++], DS_NAME_MAX + 1, "%s", t);
		}
	}
	if (n == 1)
		return stop_one(&cli->cfg, names[0]);
	/* Several: one process each, so N guests halt in the time of the slowest. */
	fflush(stdout);
	pid_t pids[DS_MAX_STOP];
	int status = 0;
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			setvbuf(stdout, NULL, _IOLBF, 0);
			_exit(stop_one(&cli->cfg, names[i]));
		}
		if (pids[i] < 0)
			status = stop_one(&cli->cfg, names[i]) ? 1 : status;
	}
	for (int i = 0; i < n; i++) {
		int st;
		if (pids[i] > 0 && (waitpid(pids[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0))
			status = 1;
	}
	return status;
}

/* remove: the saved settings, the log and the lock of a stopped container. */
int cmd_remove(struct ds_cli *cli)
{
	struct ds_error err = { 0 };
	struct ds_config *cfg = &cli->cfg;
	if (!cli->flags.names) {
		ds_fail(&err, DS_EINVAL_MSG, "remove needs --name=NAME");
		return ds_report(&err);
	}
	if (ds_config_set_name(cfg, cli->flags.names, &err) < 0)
		return ds_report(&err);
	int lock = ds_lock_name(cfg, cfg->container_name, 0);
	struct ds_state st;
	if (lock < 0 || ds_state_read_live(cfg->pidfile, &st) == 1) {
		if (lock >= 0)
			close(lock);
		ds_fail(&err, DS_EINVAL_MSG, "container %s is running: stop it first", cfg->container_name);
		return ds_report(&err);
	}
	char path[PATH_MAX], dir[PATH_MAX];
	int found = 0;
	ds_saved_path(cfg, cfg->container_name, path, sizeof(path));
	/* --private-users-ownership=chown: the rootfs's own ids again before the record and the range go. */
	/* Settings that cannot be read may hold such a record: refused, the range kept (no file leaves with it). */
	_cleanup_saved_ struct ds_saved *saved = ds_saved_new();
	struct ds_error e = { 0 };
	char why[sizeof(e.msg) + 64];
	if (!saved)
		ds_fail(&err, -ENOMEM, "cannot remove %s", cfg->container_name);
	else if (access(path, F_OK) == 0 || errno != ENOENT) {
		if (ds_saved_load(path, saved, &e) < 0)
			ds_fail(&err, DS_EINVAL_MSG,
				"cannot remove %s: %s; its rootfs's ids may be shifted (private_users_shift) and are "
				"not shifted back: repair that file, or delete it to remove without shifting back",
				cfg->container_name, ds_error_text(&e, why, sizeof(why)));
		else
			ds_shift_undo(cfg, &saved->settings, &err);
	}
	if (err.code) {
		close(lock);
		return ds_report(&err);
	}
	if (unlink(path) == 0)
		found = 1;
	ds_workspace_path(cfg->workspace, DS_WS_SAVED_DIR, cfg->container_name, dir, sizeof(dir));
	rmdir(dir);
	/* --private-users: the range is free again (no file carries it: idmapped, or shifted back). */
	ds_userns_release(cfg->workspace, cfg->container_name);
	static const enum ds_ws_path logs[] = { DS_WS_CONSOLE_LOG, DS_WS_CONSOLE_LOG_OLD };
	for (int i = 0; i < 2; i++) {
		ds_workspace_path(cfg->workspace, logs[i], cfg->container_name, path, sizeof(path));
		if (unlink(path) == 0)
			found = 1;
	}
	ds_workspace_path(cfg->workspace, DS_WS_LOG_DIR, cfg->container_name, dir, sizeof(dir));
	rmdir(dir);
	ds_state_unlink(cfg->pidfile);
	ds_workspace_path(cfg->workspace, DS_WS_LOCK, cfg->container_name, path, sizeof(path));
	unlink(path);
	close(lock);
	if (!found) {
		ds_fail(&err, DS_EINVAL_MSG, "no container named %s", cfg->container_name);
		return ds_report(&err);
	}
	printf("Container %s removed\n", cfg->container_name);
	return 0;
}
