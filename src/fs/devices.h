/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The device policy of a container's cgroup: which device nodes its
 * processes may open. The standard nodes (null, zero, full, random,
 * urandom, tty, console, ptmx, the PTYs, fuse, net/tun) are allowed; every
 * other device is refused on open (creating a node stays allowed, as in LXC:
 * a node that cannot be opened reaches nothing). --hw-access lifts it.
 */
#pragma once

#include "fs/cgroup.h"
#include "util/error.h"

#include <sys/types.h>

enum ds_devpolicy {
	DS_DEV_NONE,    /* no policy: --hw-access, --privileged=devices */
	DS_DEV_BPF,     /* a cgroup2 device program (4.15+) */
	DS_DEV_V1,      /* the v1 devices controller */
	DS_DEV_MISSING, /* wanted, but this kernel offers neither */
};

/* One row of the allowlist: a character device, minor -1 for all of major..major_last. */
struct ds_dev_rule {
	unsigned major, major_last;
	int minor;
};
const struct ds_dev_rule *ds_dev_rules(int *n);

/* One rule of a device list: OCI's linux.resources.devices, a line of v1's devices.allow or devices.deny. */
enum { DS_DEV_MKNOD = 1, DS_DEV_READ = 2, DS_DEV_WRITE = 4 }; /* access, as the kernel's BPF_DEVCG_ACC_* */
struct ds_dev_access {
	char type;        /* 'a' (any), 'c' or 'b' */
	int major, minor; /* -1: any */
	unsigned access;  /* DS_DEV_* bits */
	int allow;
	int major_last; /* > major: the rule covers majors major..major_last (0: major alone) */
};

/*
 * Applies the policy to rel in the hierarchies the container uses: a
 * device program on its cgroup2 directory, else the v1 devices controller
 * where the container has it. Returns the DS_DEV_* applied, or a negative
 * errno (a policy that is there and cannot be applied fails the start).
 * block (0 for none) is the one block device allowed: the container's own
 * image on its loop device, which the kernel checks when init mounts it.
 */
int ds_devpolicy_apply(const struct ds_cgroups *cg, const char *rel, dev_t block, struct ds_error *err);
/*
 * The same with list (in order, the last rule that matches a request wins:
 * its type, numbers, and every access it asks for among the rule's) before
 * the policy's own rules, which therefore still hold: the standard nodes
 * open, any node may be made. A cgroup2 program or v1's files, as above.
 */
int ds_devpolicy_apply_list(const struct ds_cgroups *cg, const char *rel, const struct ds_dev_access *list, size_t n,
			    struct ds_error *err);
/* What a running container has: DS_DEV_BPF, DS_DEV_V1 or DS_DEV_NONE. */
enum ds_devpolicy ds_devpolicy_of(const struct ds_cgroups *cg, const char *rel);
/* What ds_devpolicy_apply would apply on this host (DS_DEV_BPF, DS_DEV_V1 or DS_DEV_MISSING), for `check`. */
enum ds_devpolicy ds_devpolicy_expected(const struct ds_cgroups *cg);
/* True when the kernel takes cgroup device programs (for `check`). */
int ds_devpolicy_bpf_available(void);
const char *ds_devpolicy_name(enum ds_devpolicy p);
