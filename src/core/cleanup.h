/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Undo on the host what a container left there: cgroup, then pidfile. */
#pragma once

#include "config.h"
#include "fs/cgroup.h"

/* Idempotent: safe after a crash, a kill of the monitor, or twice. */
int ds_cleanup_container(const struct ds_config *cfg, const struct ds_cgroups *cg,
			 const char *cgroup_rel);
