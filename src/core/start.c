/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/start.h"
#include "core/launch.h"
#include "core/settings.h"
#include "core/state.h"
#include "util/osrelease.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The settings, resolved, name one thing to boot, and a name where an image needs one. */
static int check_what_to_boot(const struct ds_config *cfg, struct ds_error *err)
{
	const struct ds_settings *s = &cfg->settings;
	if (!cfg->container_name[0] && s->rootfs_img_path[0])
		return ds_fail(err, DS_EINVAL_MSG, "--rootfs-img needs --name");
	if (!cfg->container_name[0] && !s->rootfs_path[0])
		return ds_fail(err, DS_EINVAL_MSG,
			       "no rootfs given: use --rootfs=DIR (or --name of a saved container)");
	if (s->rootfs_img_path[0] && s->rootfs_path[0])
		return ds_fail(err, DS_EINVAL_MSG, "give --rootfs or --rootfs-img, not both");
	return 0;
}

int ds_settings_resolve(struct ds_config *cfg, const char *names, char extra[DS_CONFIG_EXTRA_MAX], struct ds_error *err)
{
	char path[PATH_MAX];
	extra[0] = '\0';
	if (names && strchr(names, ','))
		return ds_fail(err, DS_EINVAL_MSG, "start takes one --name");
	if (names && ds_config_set_name(cfg, names, err) < 0)
		return -EINVAL;
	_cleanup_saved_ struct ds_saved *s = ds_saved_new();
	if (!s)
		return ds_fail(err, -ENOMEM, "cannot read the settings");
	if (cfg->settings.config_file[0]) {
		if (ds_saved_load(cfg->settings.config_file, s, err) < 0)
			return -EINVAL;
		int r = ds_settings_merge(&cfg->settings, &s->settings);
		if (r < 0)
			return ds_fail(err, r, "cannot read %s", cfg->settings.config_file);
		snprintf(extra, DS_CONFIG_EXTRA_MAX, "%s", s->extra);
	}
	if (cfg->container_name[0]) {
		ds_saved_path(cfg, cfg->container_name, path, sizeof(path));
		if (access(path, F_OK) != 0) {
			if (!cfg->settings.rootfs_path[0] && !cfg->settings.rootfs_img_path[0])
				return ds_fail(err, DS_EINVAL_MSG,
					       "container %s has no saved settings: give --rootfs=DIR",
					       cfg->container_name);
		} else {
			struct ds_error e = { 0 };
			int have = ds_saved_load(path, s, &e);
			if (have < 0 && !cfg->settings.rootfs_path[0]) {
				*err = e;
				return have;
			}
			/* start X again as it was, the command line and --config winning */
			if (have == 0 && !cfg->settings.rootfs_path[0] && !cfg->settings.rootfs_img_path[0] &&
			    (have = ds_settings_merge(&cfg->settings, &s->settings)) < 0)
				return ds_fail(err, have, "cannot read %s", path);
			/* A new rootfs keeps only the unknown lines of the old settings. */
			if (have == 0 && !extra[0])
				snprintf(extra, DS_CONFIG_EXTRA_MAX, "%s", s->extra);
		}
	}
	return check_what_to_boot(cfg, err);
}

/* A saved container of this name that boots another rootfs (resolved: real) keeps its name. */
static int name_taken_by_other(const struct ds_config *cfg, struct ds_saved *s, const char *name, const char *real)
{
	char path[PATH_MAX];
	struct ds_error e = { 0 };
	if (ds_saved_path(cfg, name, path, sizeof(path)) < 0 || ds_saved_load(path, s, &e) < 0)
		return 0;
	return strcmp(s->settings.rootfs_path, real) != 0;
}

/* Without --name: ID-VERSION_ID of the guest, then -1, -2 ... while taken (seed 5.6). */
static int start_auto_named(struct ds_config *cfg, struct ds_error *err)
{
	struct ds_osrelease os;
	char base[DS_NAME_MAX + 1], name[DS_NAME_MAX + 1];
	ds_osrelease_read(cfg->settings.rootfs_path, &os); /* resolved by ds_start_validate */
	ds_osrelease_name(&os, base, sizeof(base));
	char hostname[sizeof(cfg->settings.hostname)];
	memcpy(hostname, cfg->settings.hostname, sizeof(hostname)); /* empty: each candidate's own name */
	_cleanup_saved_ struct ds_saved *other = ds_saved_new();
	if (!other)
		return ds_fail(err, -ENOMEM, "cannot read the settings");
	for (int i = 0; i <= DS_NAME_CANDIDATES; i++) {
		memcpy(cfg->settings.hostname, hostname, sizeof(hostname));
		ds_name_candidate(base, i, name);
		if (name_taken_by_other(cfg, other, name, cfg->settings.rootfs_path))
			continue;
		struct ds_error e = { 0 };
		if (ds_config_set_name(cfg, name, err) < 0)
			return -EINVAL;
		int r = ds_launch(cfg, &e);
		if (r == DS_EBUSY_MSG)
			continue; /* running or being started: try the next suffix */
		if (r < 0)
			*err = e;
		return r;
	}
	return ds_fail(err, DS_EINVAL_MSG, "no free name for %s (tried %s-1 to %s-%d)", base, base, base,
		       DS_NAME_CANDIDATES);
}

int ds_start_resolved(struct ds_config *cfg, struct ds_error *err)
{
	int r = ds_start_validate(cfg, err);
	if (r < 0)
		return r;
	return cfg->container_name[0] ? ds_launch(cfg, err) : start_auto_named(cfg, err);
}

int ds_settings_save(const struct ds_config *cfg, const char *extra, struct ds_error *err)
{
	char path[PATH_MAX];
	ds_saved_path(cfg, cfg->container_name, path, sizeof(path));
	return ds_saved_store(path, &cfg->settings, extra, err);
}
