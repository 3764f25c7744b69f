/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Undo on the host what a container left there: cgroup, then pidfile. */
#pragma once

#include "config.h"
#include "fs/cgroup.h"

/* How long the tasks of a dead container's cgroup get to leave it (asynchronous after a kill). */
#define DS_CGROUP_EMPTY_TIMEOUT_MS 5000
/* How long a monitor may take to clean up and exit: the wait above, with room to spare. */
#define DS_MONITOR_CLEANUP_TIMEOUT_MS 15000

/*
 * How long a start, or a cleanup without the cgroup's claim, waits for a live holder that is
 * only looking, and for its dead container's processes to leave the cgroup,
 * before it leaves the cgroup to the container of another workspace that runs there.
 */
#define DS_CGROUP_CLAIM_WAIT_MS 2000

/*
 * Idempotent: safe after a crash, a kill of the monitor, or twice. The cgroup is
 * destroyed when cfg->rt.cg_claim_fd holds its claim (the monitor), or when it
 * can be claimed (fs/cgroup.h); otherwise it is another workspace's, left alone.
 */
int ds_cleanup_container(const struct ds_config *cfg, const struct ds_cgroups *cg, const char *cgroup_rel);
