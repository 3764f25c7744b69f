/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * update: a container's resource limits changed in place, as systemctl
 * set-property does for nspawn: written to the running container's cgroup
 * (when it runs), then saved with its settings, so the next start has them.
 */
#pragma once

#include "config.h"
#include "util/error.h"

/*
 * cfg holds the command line's settings (its set-mask: which limits to
 * change; 0 lifts a limit) and the container's name. The name must have
 * saved settings. Fills *running (1 when the running container got them).
 */
int ds_update_limits(struct ds_config *cfg, int *running, struct ds_error *err);
