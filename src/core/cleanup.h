/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Undo on the host what a container left there: cgroup, then pidfile. */
#pragma once

#include "config.h"
#include "fs/cgroup.h"

/* How long the tasks of a dead container's cgroup get to leave it (asynchronous after a kill). */
#define DS_CGROUP_EMPTY_TIMEOUT_MS 5000
/* How long a monitor may take to clean up and exit: the wait above, with room to spare. */
#define DS_MONITOR_CLEANUP_TIMEOUT_MS 15000

/* Idempotent: safe after a crash, a kill of the monitor, or twice. */
int ds_cleanup_container(const struct ds_config *cfg, const struct ds_cgroups *cg, const char *cgroup_rel);
