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

/* Why scan left a container alone (DS_SCAN_REGISTERED: it did not). */
enum ds_scan_verdict {
	DS_SCAN_REGISTERED,
	DS_SCAN_OTHER_WORKSPACE, /* a live monitor of another workspace holds its cgroup's claim */
	DS_SCAN_UNCHECKED,       /* its cgroup's claim could not be looked at from here */
};

struct ds_found {
	pid_t pid;
	enum ds_scan_verdict verdict;
	char name[DS_NAME_MAX + 1];    /* the name it was registered under */
	char cgroup[DS_NAME_MAX + 16]; /* droidspaces/<name in the workspace that started it> */
};
/*
 * Registers untracked droidspaces inits under a name from their os-release,
 * and lists the inits that it left alone (verdict other than
 * DS_SCAN_REGISTERED): a container whose cgroup claim (fs/cgroup.h) a live
 * monitor holds is another workspace's, unless this workspace's lock of
 * that name is held too (its monitor lives, its pidfile was lost).
 * Returns how many entries of found it filled, or a negative errno.
 */
int ds_inventory_scan(const struct ds_config *cfg, struct ds_found *found, int max);
/* Seconds since the process started, or -1. */
long ds_proc_uptime(pid_t pid);
