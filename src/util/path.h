/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Paths inside a guest's rootfs, resolved the way the guest will see them:
 * the one resolver of the program.  Everything that opens a file below a
 * rootfs (mount points while booting, /proc/PID/root/... from the host)
 * goes through ds_openat_in_root, so an absolute symlink anywhere on the
 * path restarts at the guest's root, never at the host's.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* At most this many symlinks on one path (the kernel's own limit). */
#define DS_ROOT_MAX_LINKS 40

enum {
	DS_ROOT_NO_SYMLINKS =
		1 << 0,          /* any symlink on the way: -ELOOP (a final one with O_PATH|O_NOFOLLOW is returned) */
	DS_ROOT_MKDIR = 1 << 1,  /* missing directories are created, the last component too */
	DS_ROOT_MKFILE = 1 << 2, /* missing directories are created, the last one as an empty file */
};

/*
 * Opens rel below the directory rootfd with open(2) flags oflags (and mode
 * for O_CREAT): symlinks resolve inside the root (absolute ones restart at
 * it, ".." stops at it, at most DS_ROOT_MAX_LINKS hops, then -ELOOP) and
 * magic links (/proc/PID/fd/N and the like) are refused.  O_NOFOLLOW acts
 * on the last component only.  openat2(RESOLVE_IN_ROOT) where the kernel
 * has it (5.6+), else a walk one component at a time with O_NOFOLLOW
 * (also with DROIDSPACES_FAULT=no-openat2).  Returns the fd (O_CLOEXEC) or
 * a negative errno.
 */
int ds_openat_in_root(int rootfd, const char *rel, int oflags, mode_t mode, int opts);
/* The root directory of a running process (/proc/PID/root) as an O_PATH fd. */
int ds_proc_root_open(pid_t pid);
/*
 * Reads rel below rootfd (resolved as above) into buf, NUL-terminated, at
 * most size-1 bytes: a regular file only (-EINVAL otherwise), opened
 * without blocking so a FIFO planted there cannot hang the caller.
 */
ssize_t ds_read_file_in_root(int rootfd, const char *rel, char *buf, size_t size);
/*
 * The host path of rel inside root, resolved the same way (the walk), for
 * callers that must print or check a path; open files with
 * ds_openat_in_root instead, a path can change between check and use.
 */
int ds_resolve_in_root(const char *root, const char *rel, char *out, size_t size);
