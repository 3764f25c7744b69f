/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config.json's linux.cgroupsPath and linux.resources in the terms of
 * fs/cgroup.c: the container's cgroup below every hierarchy, and its limits.
 */
#pragma once

#include <stddef.h>

#include "config.h"
#include "oci/spec.h"
#include "util/error.h"

/*
 * The cgroup of the container, relative to each hierarchy's root: cgroupsPath
 * without its leading "/", the systemd form "SLICE:PREFIX:NAME" as
 * SLICE/PREFIX-NAME.scope (--systemd-cgroup; cgroupfs underneath), and
 * "droidspaces-oci/ID" when config.json gives none. "." and ".." are refused.
 */
int ds_oci_cgroup_rel(const struct ds_oci_spec *s, const char *id, char *out, size_t size, struct ds_error *err);
/* linux.resources as struct ds_limits (0: no limit); cpu shares as cgroup2's weight (1024 is 100). */
void ds_oci_limits(const struct ds_oci_spec *s, struct ds_limits *lim);
/*
 * The device cgroup's list for droidspaces' policy (fs/devices.c):
 * linux.resources.devices in order, then an allow for each node linux.devices
 * makes. Malloc'd; *n its length.
 */
struct ds_dev_access *ds_oci_device_list(const struct ds_oci_spec *s, size_t *n);
