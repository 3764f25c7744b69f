/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Joining a running container: its namespaces (all opened before the first
 * setns, since joining the mount namespace changes what /proc shows) and
 * the cgroup of its init.
 */
#pragma once

#include "util/error.h"

#include <sys/types.h>

#define DS_NS_MAX 7

struct ds_ns_set {
	int fd[DS_NS_MAX];
	int type[DS_NS_MAX]; /* CLONE_NEW* */
	int count;
	char cgroup_dir[4096]; /* host path of init's cgroup2 directory; "" when none (or joined) */
	pid_t pid;             /* init: on a v1-only host its v1 cgroups are joined one by one */
	int legacy;            /* v1 hierarchies to join: all of init's (v1-only host) */
	int hybrid;            /* ... only those below droidspaces/ (beside cgroup2: its limits) */
};

/* Opens /proc/PID/ns/{...} that differ from ours; mnt is mandatory. */
int ds_ns_open(pid_t pid, struct ds_ns_set *set, struct ds_error *err);
/* Moves the caller into init's cgroup (unless cgroup_dir is ""), then setns(2) into each namespace. */
int ds_ns_enter(struct ds_ns_set *set, struct ds_error *err);
void ds_ns_close(struct ds_ns_set *set);
