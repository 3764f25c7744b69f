/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * [ds-monitor]: one per running container. It owns the container's life on
 * the host side: it holds the name's lock and the console PTY master,
 * drains the console into the log, writes the pidfile, reaps init, reboots
 * it when the guest asks, and cleans up when it halts.
 */
#pragma once

#include "config.h"
#include "fs/cgroup.h"

/* Never returns. syncfd gets one ds_sync_msg (P or E) and is then closed. */
__attribute__((noreturn)) void ds_monitor_main(struct ds_config *cfg, const struct ds_cgroups *cg,
					       int lockfd, int logfd, int syncfd);
