/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One reader of /proc/PID/mountinfo (proc(5)): each line split into its
 * fields, the octal escapes of paths (\040 for a space ...) decoded.
 */
#pragma once

#include <limits.h>
#include <sys/types.h>

struct ds_mountinfo {
	unsigned major, minor;
	char root[PATH_MAX]; /* the path inside the filesystem that is mounted here */
	char mountpoint[PATH_MAX];
	char fstype[64];
	char source[PATH_MAX];
	char super[4096]; /* per-superblock options, e.g. overlay's lowerdir= */
};

/*
 * Calls fn for every mount of PID's mount namespace (pid 0: our own), in
 * the kernel's order (a later line over the same mount point is on top).
 * Stops at the first non-zero value of fn and returns it; 0 after the last
 * line; -errno when the file cannot be read.  Malformed lines are skipped.
 */
int ds_mountinfo_each(pid_t pid, int (*fn)(const struct ds_mountinfo *m, void *ud), void *ud);
/* The mount on top at mountpoint in PID's namespace into out: 1 found, 0 not, -errno. */
int ds_mountinfo_at(pid_t pid, const char *mountpoint, struct ds_mountinfo *out);
/* Parses one line; 0, or -EINVAL when it is not a mountinfo line. */
int ds_mountinfo_parse(const char *line, struct ds_mountinfo *m);
