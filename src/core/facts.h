/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What `info` says about one container: its saved settings, and, when it
 * runs, what the kernel and its /proc show (read through /proc/PID/root,
 * never trusting a link there; seed 11.2).
 */
#pragma once

#include "config.h"
#include "fs/cgroup.h"
#include "fs/devices.h"

#include <sys/types.h>

struct ds_facts {
	char name[DS_NAME_MAX + 1], state[16], init[16], hostname[DS_NAME_MAX + 1];
	char rootfs[PATH_MAX], os[256], os_id[64], os_version[64], cgroup[PATH_MAX], devfs[32];
	pid_t pid; /* 0 when stopped */
	long uptime;
	int ipv6, selinux_enforcing, android_storage, volatile_mode, image, binds;
	int hw_access;                /* running: devtmpfs on its /dev */
	int seccomp_filtered;         /* running: init is in seccomp filter mode */
	enum ds_devpolicy devices;    /* running: the device policy on its cgroup */
	struct ds_limits limits;      /* saved: --memory, --cpus, --pids-limit, the weights (0: none) */
	struct ds_userns userns;      /* running: init's uid map; stopped: the saved --private-users */
	struct ds_userns_shift shift; /* the saved record of a shift of the rootfs's ids */
	struct ds_cg_usage usage;     /* running: what its cgroup counts (-1: not counted) */
	int net_mode;                 /* saved: --net */
	unsigned net_addr;            /* saved: nat's address (0: none yet) */
	struct ds_ports ports;        /* saved: --port */
};

/*
 * Fills f for cfg's container. Returns 0, -1 when there is no such container
 * (neither running nor saved), -2 when its saved settings cannot be read.
 */
int ds_facts_gather(const struct ds_config *cfg, struct ds_facts *f);
