/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Mounting inside a rootfs without ever following a symlink out of it.
 * Every path below the rootfs is opened from a directory fd of the rootfs
 * with no symlink allowed (util/path.h), and the mount lands on
 * /proc/self/fd/N of the opened target, so a hostile rootfs whose dev, proc
 * or run is a symlink to a host path cannot redirect a mount.
 */
#pragma once

#include "util/error.h"
#include "util/path.h"

#include <sys/mount.h>
#include <sys/types.h>

enum {
	DS_MNT_REQUIRED = 1 << 0,  /* failure aborts the boot */
	DS_MNT_MKDIR = 1 << 1,     /* create the target directory when missing */
	DS_MNT_MKFILE = 1 << 2,    /* create the target as an empty file when missing */
	DS_MNT_RO_AFTER = 1 << 3,  /* bind: remount read-only afterwards */
	DS_MNT_HW = 1 << 4,        /* only with --hw-access */
	DS_MNT_NO_HW = 1 << 5,     /* only without --hw-access */
	DS_MNT_MASK = 1 << 6,      /* fail closed: skipped only where the target does not exist */
	DS_MNT_USERNS = 1 << 7,    /* only with --private-users */
	DS_MNT_NO_USERNS = 1 << 8, /* only without --private-users */
};

/* What a table is walked for (ds_mount_table's modes). */
enum {
	DS_MODE_HW = 1 << 0,     /* --hw-access */
	DS_MODE_USERNS = 1 << 1, /* --private-users: a user namespace, no new sysfs or device nodes */
};

struct ds_mount {
	const char *source; /* for binds: a path relative to the rootfs, or absolute host path */
	const char *target; /* relative to the rootfs */
	const char *fstype; /* NULL for a bind */
	unsigned long flags;
	const char *data;
	int opts; /* DS_MNT_* */
};

/*
 * Opens rel below rootfd with O_PATH through ds_openat_in_root, refusing
 * symlinks and ".." in every component (-ELOOP / -EPERM). With
 * DS_MNT_MKDIR/MKFILE missing directories on the way are created, and the
 * last component as a directory (MKDIR) or an empty file (MKFILE).
 */
int ds_open_in_root(int rootfd, const char *rel, int opts);
/* "/proc/self/fd/N" for fd. */
const char *ds_fd_path(int fd, char buf[32]);
/* Mounts one table entry below rootfd (fd-anchored, see above). */
int ds_mount_one(int rootfd, const struct ds_mount *m, struct ds_error *err);
/* Walks a table in order; entries filtered by DS_MNT_[NO_]HW and DS_MNT_[NO_]USERNS against modes (DS_MODE_*). */
int ds_mount_table(int rootfd, const struct ds_mount *table, size_t n, unsigned modes, struct ds_error *err);
/* statfs(2) f_type of path, or 0. */
unsigned long ds_fs_magic(const char *path);
/*
 * Makes the directory rootfd (a mount point) the root: pivot_root(".", ".")
 * stacks the old root under the new one and a lazy unmount of "." drops it,
 * so no .old_root directory is ever made inside the guest's tree (none can
 * be a planted symlink). Ends in the new /.
 */
int ds_pivot_root_fd(int rootfd, struct ds_error *err);
