/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The one-time ownership shift of a rootfs (--private-users-ownership=chown,
 * systemd-nspawn's --private-users-ownership=chown): where the kernel or the
 * filesystem cannot idmap a mount, every uid and gid u of the tree becomes
 * to + (u - from) on disk, so that a user namespace mapping guest 0..size-1
 * to host to.. sees its files as its own.
 *
 * What an id is, for each entry: its owner and group, the ids of its POSIX
 * ACLs (access and default, ACL_USER and ACL_GROUP entries), and the root id
 * of its file capability (security.capability: v2 has root 0, v3 names it;
 * the result is v3, or v2 when the new root id is 0). chown clears the
 * setuid and setgid bits and the capability: both are put back. The
 * capability to put back is kept in trusted.droidspaces.capability from
 * before the chown until it is back: a walk killed in between does not lose
 * it, the next walk restores it (a filesystem without trusted xattrs goes
 * without that safeguard).
 *
 * The walk never follows a symbolic link (every entry is opened O_PATH |
 * O_NOFOLLOW and changed through that fd) and stays on the mount of its
 * top directory (a mount point below, a bind mount of the same filesystem
 * too, is neither changed nor entered: the mount id, by statx or, before
 * 5.8, name_to_handle_at; on a filesystem without file handles before 5.8,
 * the mount points mountinfo lists below the top's path, which must still
 * be the top: a path listed is left alone whatever is mounted there now). The dry run refuses an immutable or append-only
 * file (-EPERM, with path: its owner cannot change) and a file with more hard
 * links than the walk met (-EMLINK, with path: a link outside the tree, as
 * cp -al or ln makes, is the same inode, and a host file would change owner
 * too; a link below a mount inside the tree counts as outside). An id
 * already in to..to+size-1 is left as it is: a walk interrupted halfway runs
 * again to completion, and a hard link met twice is changed once. The two
 * ranges must therefore not overlap (ds_idshift_tree refuses that).
 */
#pragma once

#include <limits.h>
#include <stddef.h>

struct ds_idshift {
	unsigned from, to, size; /* ids from..from+size-1 become to..to+size-1 */
	int dry;                 /* check only: every id in a range, nothing changed */
	/* out */
	unsigned long long entries;      /* entries visited */
	unsigned long long changed;      /* entries changed */
	unsigned long long touched;      /* writes done (not dry): 0 after a failure, nothing changed */
	unsigned long long linked;       /* dry: files with hard links outside the tree */
	unsigned long long nlink;        /* with -EMLINK: path's st_nlink */
	unsigned long long nlink_inside; /* with -EMLINK: how many of them the walk met */
	unsigned long long bad_id;       /* with -ERANGE: the id in neither range */
	char path[PATH_MAX];             /* on failure: the entry, relative to the top ("." the top itself) */
};

/*
 * Shifts (or, dry, checks) the tree below and including the directory
 * dirfd. 0; -ERANGE with path and bad_id when an id is in neither range
 * (a dry run first changes nothing); -EINVAL when the ranges overlap;
 * -EPERM (dry) with path for an immutable or append-only file; -EMLINK
 * (dry) with path, nlink and nlink_inside for a file with links outside the
 * tree; or the
 * errno of a failed step, with path.
 */
int ds_idshift_tree(int dirfd, struct ds_idshift *s);

/* One id: 1 and *out shifted, 0 when it is already in the target range, -ERANGE when in neither. */
int ds_idshift_id(const struct ds_idshift *s, unsigned long long id, unsigned *out);

/*
 * A security.capability value (v1, v2 or v3, len bytes) for the shifted
 * file: its root id shifted, as v3 (or v2 for root id 0) into out (24
 * bytes), *outlen set. 1 when it changed, 0 when not, -EINVAL when it is no
 * capability value, -ERANGE (bad id in *bad) when its root id is in neither range.
 */
#define DS_IDSHIFT_CAP_MAX 24
int ds_idshift_cap(const struct ds_idshift *s, const void *in, size_t len, unsigned char out[DS_IDSHIFT_CAP_MAX],
		   size_t *outlen, unsigned long long *bad);

/*
 * A system.posix_acl_access or _default value (len bytes), its ACL_USER
 * and ACL_GROUP ids shifted in place. 1 when one changed, 0 when not,
 * -EINVAL when it is no ACL, -ERANGE (*bad) when an id is in neither range.
 */
int ds_idshift_acl(const struct ds_idshift *s, void *acl, size_t len, unsigned long long *bad);
