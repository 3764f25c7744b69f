/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What containers exist: running ones from the pidfiles, stopped ones from
 * their saved settings, and, for scan, droidspaces inits that no pidfile
 * names.
 */
#pragma once

#include "config.h"
#include "core/state.h"

struct ds_entry {
	char name[DS_NAME_MAX + 1];
	int running;
	struct ds_state st;    /* when running */
	char rootfs[PATH_MAX]; /* from the pidfile or the saved settings */
};

/*
 * Fills a malloc'd, name-sorted array; returns its length or a negative errno.
 * Pure: a stale pidfile is left where it is (core/reap.h cleans up after it).
 */
int ds_inventory_list(const struct ds_config *cfg, int include_stopped, struct ds_entry **out);

struct ds_found {
	pid_t pid;
	char name[DS_NAME_MAX + 1];
};
/* Registers untracked droidspaces inits under a name from their os-release. */
int ds_inventory_scan(const struct ds_config *cfg, struct ds_found *found, int max);
/* Seconds since the process started, or -1. */
long ds_proc_uptime(pid_t pid);
