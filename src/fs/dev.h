/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The container's /dev: a private tmpfs with the standard nodes, and devpts. */
#pragma once

#include "util/error.h"

/*
 * Populates the /dev mounted below rootfd: device nodes, symlinks, mount
 * targets (modes: DS_MODE_* of fs/mounts.h). With DS_MODE_HW /dev is the
 * host's devtmpfs: nothing is created, removed or changed there (the PTYs are
 * bound over the existing nodes). With DS_MODE_USERNS the host's standard
 * nodes are bound over empty files (no mknod in a user namespace).
 */
int ds_dev_populate(int rootfd, int tty_count, unsigned modes, struct ds_error *err);
/* After pivot_root: a devpts instance of our own on /dev/pts and /dev/ptmx on it. */
int ds_devpts_setup(int hw_access, struct ds_error *err);
/* --hw-access /sys: each subdirectory self-bound read-write, the top read-only. */
int ds_sys_hw_setup(int rootfd, struct ds_error *err);
