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
	struct ds_state st;              /* when running */
	char rootfs[PATH_MAX];           /* from the pidfile or the saved settings */
};

/*
 * Fills a malloc'd, name-sorted array; returns its length or a negative errno.
 * Pure: it never cleans up (ds_cleanup_container itself lists).
 */
int ds_inventory_list(const struct ds_config *cfg, int include_stopped, struct ds_entry **out);
/*
 * Cleans up after every container whose pidfile is stale (a host reboot, a
 * crash): cgroup, sockets, mount points, pidfile.  Returns how many, or a
 * negative errno.  For the verbs that list for people (show, stop --all).
 */
int ds_inventory_reap(const struct ds_config *cfg);

struct ds_found {
	pid_t pid;
	char name[DS_NAME_MAX + 1];
};
/* Registers untracked droidspaces inits under a name from their os-release. */
int ds_inventory_scan(const struct ds_config *cfg, struct ds_found *found, int max);
/* Seconds since the process started, or -1. */
long ds_proc_uptime(pid_t pid);
