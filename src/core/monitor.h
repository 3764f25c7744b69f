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
#include "util/error.h"

#include <sys/types.h>

/* The sync protocol: what the monitor (and a failing init) tell the starting parent. */
enum ds_sync_type {
	DS_SYNC_PID = 1,   /* init's host PID: the boot went ahead */
	DS_SYNC_ERROR = 2, /* the boot failed: err says why */
};

struct ds_sync_msg {
	enum ds_sync_type type;
	pid_t pid;
	struct ds_error err;
};

/* Never returns. syncfd gets one ds_sync_msg (DS_SYNC_PID or DS_SYNC_ERROR) and is then closed. */
__attribute__((noreturn)) void ds_monitor_main(struct ds_config *cfg, const struct ds_cgroups *cg, int lockfd,
					       int logfd, int syncfd);
