/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "fs/mounts.h"
#include "util/fault.h"
#include "util/fileio.h"
#include "util/path.h"
#include "util/macros.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef O_PATH
#define O_PATH 010000000
#endif

const char *ds_fd_path(int fd, char buf[32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

/* True when rel has a ".." component. */
static int has_dotdot(const char *rel)
{
	for (const char *p = rel; (p = strstr(p, "..")); p += 2)
		if ((p == rel || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return 1;
	return 0;
}

int ds_open_in_root(int rootfd, const char *rel, int opts)
{
	/* A mount point is named by the table or the user: no ".." and no symlink at all. */
	if (has_dotdot(rel))
		return -EPERM;
	int how = DS_ROOT_NO_SYMLINKS | ((opts & DS_MNT_MKDIR) ? DS_ROOT_MKDIR : 0) |
		  ((opts & DS_MNT_MKFILE) ? DS_ROOT_MKFILE : 0);
	int fd = ds_openat_in_root(rootfd, rel, O_PATH | O_NOFOLLOW, 0, how);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
		close(fd); /* O_PATH|O_NOFOLLOW opens the link itself: refuse to go through it */
		return -ELOOP;
	}
	return fd;
}

unsigned long ds_fs_magic(const char *path)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 ? (unsigned long)sf.f_type : 0;
}

static int do_mount_fd(int rootfd, const char *src, int fd, const struct ds_mount *m)
{
	char where[32];
	if (mount(src, ds_fd_path(fd, where), m->fstype, m->flags, m->data) < 0)
		return negerrno();
	if (!m->fstype && (m->opts & DS_MNT_RO_AFTER)) {
		/*
		 * A bind keeps the source's flags; read-only needs a remount of the
		 * bind itself. fd still names the covered directory, so walk the
		 * path again to land on the new mount.
		 */
		_cleanup_close_ int top = ds_open_in_root(rootfd, m->target, 0);
		if (top < 0)
			return top;
		unsigned long fl = MS_REMOUNT | MS_BIND | MS_RDONLY | (m->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC));
		if (mount(NULL, ds_fd_path(top, where), NULL, fl, NULL) < 0)
			return negerrno();
	}
	return 0;
}

int ds_mount_one(int rootfd, const struct ds_mount *m, struct ds_error *err)
{
	int create = m->opts & (DS_MNT_MKDIR | DS_MNT_MKFILE);
	/* A mask hides what the guest must not reach: if it is there, it must be hidden. */
	int must = m->opts & (DS_MNT_REQUIRED | DS_MNT_MASK);
	_cleanup_close_ int fd = ds_open_in_root(rootfd, m->target, create);
	if (fd < 0) {
		if (!(m->opts & DS_MNT_REQUIRED) && fd == -ENOENT)
			return 0;
		if (fd == -ELOOP)
			return ds_fail(err, DS_EINVAL_MSG, "rootfs path /%s is a symlink; refusing to mount over it",
				       m->target);
		return ds_fail(err, fd, "cannot open mount point /%s in the rootfs", m->target);
	}
	const char *src = m->source;
	_cleanup_close_ int srcfd = -1;
	char srcbuf[32];
	if (!m->fstype && m->source && m->source[0] != '/') {
		/* A bind from inside the rootfs: anchor the source the same way. */
		srcfd = ds_open_in_root(rootfd, m->source, 0);
		if (srcfd < 0) {
			if (!must)
				return 0;
			return ds_fail(err, srcfd, "cannot open /%s in the rootfs", m->source);
		}
		src = ds_fd_path(srcfd, srcbuf);
	}
	int r = do_mount_fd(rootfd, src, fd, m);
	if ((m->opts & DS_MNT_MASK) && ds_fault_active("mask-fails"))
		r = -EPERM; /* the reliability tests: a mask that cannot be applied */
	if (r < 0 && must)
		return ds_fail(err, r, "cannot mount %s on /%s", m->fstype ? m->fstype : m->source, m->target);
	return 0;
}

int ds_mount_table(int rootfd, const struct ds_mount *table, size_t n, unsigned modes, struct ds_error *err)
{
	int hw = !!(modes & DS_MODE_HW), userns = !!(modes & DS_MODE_USERNS);
	for (size_t i = 0; i < n; i++) {
		const struct ds_mount *m = &table[i];
		if (((m->opts & DS_MNT_HW) && !hw) || ((m->opts & DS_MNT_NO_HW) && hw))
			continue;
		if (((m->opts & DS_MNT_USERNS) && !userns) || ((m->opts & DS_MNT_NO_USERNS) && userns))
			continue;
		int r = ds_mount_one(rootfd, m, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int ds_pivot_root_fd(int rootfd, struct ds_error *err)
{
	if (fchdir(rootfd) < 0)
		return ds_fail(err, negerrno(), "cannot enter the rootfs");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return ds_fail(err, negerrno(), "pivot_root into the rootfs failed");
	if (umount2(".", MNT_DETACH) < 0)
		return ds_fail(err, negerrno(), "cannot detach the old root");
	if (chdir("/") < 0)
		return ds_fail(err, negerrno(), "cannot chdir to the new root");
	return 0;
}
