/* SPDX-License-Identifier: GPL-3.0-or-later */
/* start and restart: naming, saved settings, then the launch itself. */
#include "cmd/cmd.h"
#include "core/halt.h"
#include "core/launch.h"
#include "core/saved.h"
#include "core/state.h"
#include "util/osrelease.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DS_MAX_SUFFIX 1024

/* A saved container of this name that boots another rootfs keeps its name. */
static int name_taken_by_other(const struct ds_config *cfg, const char *name)
{
	char path[PATH_MAX], real[PATH_MAX];
	struct ds_saved s;
	struct ds_error e = { 0 };
	if (ds_saved_path(cfg, name, path, sizeof(path)) < 0 || ds_saved_load(path, &s, &e) < 0)
		return 0;
	if (!realpath(cfg->rootfs_path, real))
		return 1;
	return strcmp(s.cfg.rootfs_path, real) != 0;
}

/* Loads --config FILE, or the saved settings of --name when no rootfs was given. */
static int load_settings(struct ds_cli *cli, char *extra, size_t extra_size, struct ds_error *err)
{
	struct ds_config *cfg = &cli->cfg;
	static struct ds_saved s;
	char path[PATH_MAX];
	if (cfg->config_file[0]) {
		if (ds_saved_load(cfg->config_file, &s, err) < 0)
			return -EINVAL;
		ds_saved_merge(cfg, &s.cfg);
		snprintf(extra, extra_size, "%s", s.extra);
	}
	if (!cfg->container_name[0])
		return 0;
	ds_saved_path(cfg, cfg->container_name, path, sizeof(path));
	if (access(path, F_OK) != 0) {
		if (!cfg->rootfs_path[0] && !cfg->rootfs_img_path[0])
			return ds_fail(err, DS_EINVAL_MSG,
				       "container %s has no saved settings: give --rootfs=DIR", cfg->container_name);
		return 0;
	}
	struct ds_error e = { 0 };
	int have = ds_saved_load(path, &s, &e);
	if (have < 0 && !cfg->rootfs_path[0]) {
		*err = e;
		return have;
	}
	if (have == 0) {
		if (!cfg->rootfs_path[0] && !cfg->rootfs_img_path[0])
			ds_saved_merge(cfg, &s.cfg); /* start X again as it was, command-line flags winning */
		if (!extra[0])
			snprintf(extra, extra_size, "%s", s.extra);
	}
	return 0;
}

static int save_settings(const struct ds_config *cfg, const char *extra)
{
	char path[PATH_MAX];
	struct ds_error err = { 0 };
	ds_saved_path(cfg, cfg->container_name, path, sizeof(path));
	if (ds_saved_store(path, cfg, extra, &err) < 0) {
		/* The container runs; only its settings could not be remembered. */
		char text[800];
		fprintf(stderr, "droidspaces: warning: %s\n", ds_error_text(&err, text, sizeof(text)));
	}
	return 0;
}

/* Without --name: ID-VERSION_ID of the guest, then -1, -2 ... while taken (seed 5.6). */
static int start_auto_named(struct ds_config *cfg, struct ds_error *err)
{
	struct ds_osrelease os;
	char base[DS_NAME_MAX + 1], name[DS_NAME_MAX + 1], real[PATH_MAX];
	if (!realpath(cfg->rootfs_path, real))
		return ds_fail(err, -errno, "rootfs %s", cfg->rootfs_path);
	ds_osrelease_read(real, &os);
	ds_osrelease_name(&os, base, sizeof(base));
	char hostname[sizeof(cfg->hostname)];
	memcpy(hostname, cfg->hostname, sizeof(hostname)); /* empty: each candidate's own name */
	for (int i = 0; i <= DS_MAX_SUFFIX; i++) {
		memcpy(cfg->hostname, hostname, sizeof(hostname));
		ds_name_candidate(base, i, name);
		if (name_taken_by_other(cfg, name))
			continue;
		struct ds_error e = { 0 };
		if (ds_config_set_name(cfg, name, err) < 0)
			return -EINVAL;
		int r = ds_start(cfg, &e);
		if (r == DS_EBUSY_MSG)
			continue; /* running or being started: try the next suffix */
		if (r < 0)
			*err = e;
		return r;
	}
	return ds_fail(err, DS_EINVAL_MSG, "no free name for %s (tried %s-1 to %s-%d)", base, base, base, DS_MAX_SUFFIX);
}

int cmd_start(struct ds_cli *cli)
{
	struct ds_error err = { 0 };
	struct ds_config *cfg = &cli->cfg;
	char extra[DS_CONFIG_EXTRA_MAX] = "";
	if (cli->argc > 0) {
		ds_fail(&err, DS_EINVAL_MSG, "start takes no arguments (got '%.80s')", cli->argv[0]);
		return ds_report(&err);
	}
	if (cfg->names[0] && strchr(cfg->names, ',')) {
		ds_fail(&err, DS_EINVAL_MSG, "start takes one --name");
		return ds_report(&err);
	}
	if (cfg->names[0] && ds_config_set_name(cfg, cfg->names, &err) < 0)
		return ds_report(&err);
	if (load_settings(cli, extra, sizeof(extra), &err) < 0)
		return ds_report(&err);
	int r;
	if (cfg->container_name[0]) {
		r = ds_start(cfg, &err);
	} else if (cfg->rootfs_img_path[0]) {
		r = ds_fail(&err, DS_EINVAL_MSG, "--rootfs-img needs --name");
	} else if (!cfg->rootfs_path[0]) {
		r = ds_fail(&err, DS_EINVAL_MSG, "no rootfs given: use --rootfs=DIR (or --name of a saved container)");
	} else {
		r = start_auto_named(cfg, &err);
	}
	if (r < 0)
		return ds_report(&err);
	save_settings(cfg, extra);
	if (cfg->foreground) {
		/* Show the boot from its start; SIGINT/SIGTERM to us halt the guest. */
		if (ds_console_attach(cfg, 'R', cfg->container_pid, &err) < 0)
			return ds_report(&err);
		return 0;
	}
	printf("Container %s started: init pid %d (%s)\n", cfg->container_name, (int)cfg->container_pid,
	       ds_init_kind_name(ds_init_detect(cfg->container_pid)));
	return 0;
}

int cmd_restart(struct ds_cli *cli)
{
	struct ds_error err = { 0 };
	if (ds_cmd_resolve_name(cli, 1, &err) < 0)
		return ds_report(&err);
	snprintf(cli->cfg.names, sizeof(cli->cfg.names), "%s", cli->cfg.container_name);
	struct ds_state st;
	if (ds_state_read_live(cli->cfg.pidfile, &st) == 1 && ds_stop(&cli->cfg, &err) < 0)
		return ds_report(&err);
	return cmd_start(cli);
}
