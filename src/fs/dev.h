/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The container's /dev: a private tmpfs with the standard nodes, and devpts. */
#pragma once

#include "util/error.h"

/* Populates the /dev mounted below rootfd: device nodes, symlinks, mount targets. */
int ds_dev_populate(int rootfd, int tty_count, struct ds_error *err);
/* After pivot_root: a devpts instance of our own on /dev/pts and /dev/ptmx on it. */
int ds_devpts_setup(struct ds_error *err);
