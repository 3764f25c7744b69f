/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The capability bounding set of everything that runs in a container: its
 * init and whatever enter and run start there alike.
 */
#pragma once

#include "util/error.h"

#include <sys/types.h>

/* Drops the container's forbidden capabilities from the bounding, inheritable and ambient sets. */
int ds_caps_drop(int keep_net_admin, int hw_access, struct ds_error *err);
/* The CapBnd mask of a process. */
int ds_caps_bounding_of(pid_t pid, unsigned long long *mask);
/* enter and run: the same bounding set as the container's init, so nothing started there has more. */
int ds_caps_limit_to(unsigned long long mask, struct ds_error *err);
