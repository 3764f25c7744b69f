/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * start: parent -> [ds-monitor] -> container init. The parent takes the
 * name's lock, allocates the console PTY and forks the monitor; the monitor
 * forks a short-lived helper that unshares the PID, UTS and IPC namespaces
 * and forks init (PID 1), which runs ds_boot(). Over the sync pipe the
 * parent learns init's host PID, or the boot error, and returns once init
 * has been executed.
 */
#pragma once

#include "config.h"
#include "fs/cgroup.h"
#include "util/error.h"

#include <sys/types.h>

struct ds_sync_msg {
	char type;              /* 'P': init's host PID; 'E': a boot error */
	pid_t pid;
	struct ds_error err;
};

/*
 * Checks what to boot once, before any name is chosen: the rootfs directory
 * (resolved and opened) or the image (opened, not in use by another container).
 */
int ds_start_validate(struct ds_config *cfg, struct ds_error *err);
/* Starts the container cfg names (validated by ds_start_validate). DS_EBUSY_MSG: the name is taken. */
int ds_launch(struct ds_config *cfg, struct ds_error *err);
/*
 * Monitor side: forks the helper and init for one boot; returns init's host
 * PID (reparented to the monitor, a child subreaper), or a negative errno
 * with err filled. errfd receives the init's boot error when it fails later.
 * Init waits until a byte is written to *go_fd (then closed) before it boots.
 */
pid_t ds_spawn_init(const struct ds_config *cfg, const struct ds_cgroups *cg, int errfd, int logfd,
		    int *go_fd, struct ds_error *err);
