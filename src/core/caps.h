/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What everything that runs in a container starts from: its init and
 * whatever enter and run start there alike. The capability bounding set,
 * no inherited capabilities, and the process defaults below.
 */
#pragma once

#include "util/error.h"

#include <linux/capability.h> /* the CAP_* bit numbers keep masks are made of */
#include <stddef.h>
#include <sys/resource.h>
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
/* Empties the inheritable and ambient sets (ambient: EINVAL before 4.3 is fine). */
int ds_caps_clear_inherited(struct ds_error *err);

#define DS_RLIM_INF (~0ULL)
#define DS_RLIM_TASKS (~0ULL - 1)
/*
 * The limit a guest process starts with: the kernel's defaults for the
 * host's init (core 0/unlimited, stack 8 MiB/unlimited, memlock 8 MiB,
 * nproc and sigpending threads-max/2, the rest unlimited or 0 as there),
 * except RLIMIT_NOFILE: 1024 soft, 524288 hard (at most fs.nr_open), as
 * systemd-nspawn gives its containers.
 */
void ds_guest_limits(int resource, struct rlimit *out);
/*
 * Resets what the caller would otherwise pass on: no supplementary groups,
 * umask 0022, the limits of ds_guest_limits, oom_score_adj 0. Needs the
 * host's /proc (before pivot_root or setns).
 */
int ds_process_defaults(struct ds_error *err);
