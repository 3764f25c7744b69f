/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The PID 1 sequence: from a fresh PID namespace to execve("/sbin/init"). */
#pragma once

#include "config.h"
#include "fs/cgroup.h"
#include "util/error.h"

/* ds_boot's in_cgroup: every cgroup of init was joined for it, the v1 ones of the limits too. */
#define DS_BOOT_CGROUPS_JOINED 2

/*
 * Runs as PID 1 of the new PID namespace; warnings go to logfd. in_cgroup: it
 * was forked into the container's cgroup already (ds_cgroup_fork_into).
 * idmapped: with --private-users, the idmapped rootfs tree the monitor made
 * (-1 without). gate: read just before the guest's init is executed; 'd'
 * (the monitor's device policy is in place) or it exits quietly (the monitor
 * says why).
 * Returns only on failure, with err filled; on success the process has
 * become the guest's init.
 */
int ds_boot(const struct ds_config *cfg, const struct ds_cgroups *cg, int in_cgroup, int idmapped, int gate, int logfd,
	    struct ds_error *err);
/* Formats 16 random bytes as a boot_id (RFC 4122 version 4 text). */
int ds_boot_id_generate(char out[37]);
