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

/*
 * Checks what to boot once, before any name is chosen: the rootfs directory
 * (resolved and opened) or the image (opened, not in use by another container).
 * The settings themselves were checked by ds_settings_resolve.
 */
int ds_start_validate(struct ds_config *cfg, struct ds_error *err);
/* Starts the container cfg names (validated by ds_start_validate). DS_EBUSY_MSG: the name is taken. */
int ds_launch(struct ds_config *cfg, struct ds_error *err);
