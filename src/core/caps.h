/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The capability bounding set of everything that runs in a container: its
 * init and whatever enter and run start there alike.
 */
#pragma once

#include "util/error.h"

#include <stddef.h>
#include <sys/types.h>

/*
 * Drops the container's forbidden capabilities (net_admin, sys_module,
 * sys_rawio, sys_time, audit_control, mac_override, mac_admin, audit_read)
 * from the bounding, inheritable and ambient sets, except the bits of keep.
 */
int ds_caps_drop(unsigned long long keep, int hw_access, struct ds_error *err);
/* --keep-caps=LIST: names of those (cap_ prefix and case optional) or "all" into a bit mask. */
int ds_caps_parse_keep(const char *list, unsigned long long *mask, struct ds_error *err);
/* The names of the dropped capabilities in mask, comma-separated ("" for none). */
void ds_caps_format_keep(unsigned long long mask, char *out, size_t size);
/* The CapBnd mask of a process. */
int ds_caps_bounding_of(pid_t pid, unsigned long long *mask);
/* enter and run: the same bounding set as the container's init, so nothing started there has more. */
int ds_caps_limit_to(unsigned long long mask, struct ds_error *err);
