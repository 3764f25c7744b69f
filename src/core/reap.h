/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The explicit "clean up after stale containers": listing never changes
 * anything, so the verbs that show or stop every container call this first.
 */
#pragma once

#include "config.h"

/*
 * Cleans up after every container whose pidfile is stale (a host reboot, a
 * crash): cgroup, sockets, mount points, pidfile, each under the name's
 * lock.  Returns how many, or a negative errno.  For show and stop --all.
 */
int ds_reap_stale(const struct ds_config *cfg);
