/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "ns/join.h"
#include "fs/cgroup.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

/*
 * Joining order: the user namespace (--private-users) after the ones a
 * guest may share with the host without owning them: a network namespace
 * the caller made (unshare -n, ip netns) belongs to the host's user
 * namespace, and from inside the guest's one setns to it is refused
 * (EPERM); host root joins every namespace of the guest's from outside
 * (its user namespace is a child of ours). The mount namespace last, so
 * the fds of the others stay valid.
 */
static const struct {
	const char *name;
	int type;
	int required;
} namespaces[] = {
	{ "cgroup", CLONE_NEWCGROUP, 0 }, { "ipc", CLONE_NEWIPC, 0 }, { "uts", CLONE_NEWUTS, 0 },
	{ "net", CLONE_NEWNET, 0 },       { "pid", CLONE_NEWPID, 0 }, { "user", CLONE_NEWUSER, 0 },
	{ "mnt", CLONE_NEWNS, 1 },
};

/* init's cgroup2 directory as a host path. */
static void find_init_cgroup(pid_t pid, char *out, size_t size)
{
	char rel[4096];
	struct ds_cgroups cg;
	out[0] = '\0';
	if (ds_cgroup_of_pid(pid, rel, sizeof(rel)) == 0 && ds_cgroup_detect(&cg) == 0 && cg.v2_root[0])
		snprintf(out, size, "%s%s", cg.v2_root, rel);
}

int ds_ns_open(pid_t pid, struct ds_ns_set *set, struct ds_error *err)
{
	memset(set, 0, sizeof(*set));
	for (size_t i = 0; i < ARRAY_SIZE(namespaces); i++) {
		char theirs[64], ours[64];
		snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int)pid, namespaces[i].name);
		snprintf(ours, sizeof(ours), "/proc/self/ns/%s", namespaces[i].name);
		struct stat a, b;
		if (stat(theirs, &a) < 0) {
			if (namespaces[i].required || errno != ENOENT) {
				int r = negerrno();
				ds_ns_close(set);
				return ds_fail(err, r, "cannot open the %s namespace of pid %d", namespaces[i].name,
					       (int)pid);
			}
			continue;
		}
		/* A namespace we already share (the host network) needs no setns. */
		if (stat(ours, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev && !namespaces[i].required)
			continue;
		int fd = open(theirs, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			int r = negerrno();
			ds_ns_close(set);
			return ds_fail(err, r, "cannot open %s", theirs);
		}
		set->fd[set->count] = fd;
		set->type[set->count] = namespaces[i].type;
		set->count++;
	}
	find_init_cgroup(pid, set->cgroup_dir, sizeof(set->cgroup_dir));
	struct ds_cgroups cg;
	set->pid = pid;
	set->legacy = ds_cgroup_detect(&cg) == 0 && cg.v1_count > 0 && cg.mode != DS_CG_NONE;
	set->hybrid = set->legacy && cg.mode != DS_CG_LEGACY;
	return 0;
}

int ds_ns_enter(struct ds_ns_set *set, struct ds_error *err)
{
	/*
	 * Half in the container we still hold host fds: the guest may neither
	 * ptrace us nor open them through /proc/PID/fd. execve makes the command
	 * dumpable again (with those fds closed).
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return ds_fail(err, negerrno(), "cannot make the joining process non-dumpable");
	/* Join the guest's cgroup while the host's cgroup tree is still in view. */
	if (set->cgroup_dir[0]) {
		char procs[sizeof(set->cgroup_dir) + 16];
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", set->cgroup_dir);
		int r = ds_write_file(procs, "0", 0644);
		if (r < 0)
			return ds_fail(err, r, "cannot join the container's cgroup");
	}
	/*
	 * A v1-only host: every hierarchy init is in (its device policy, its
	 * accounting); a hybrid host: the v1 controllers of its limits.
	 */
	if (set->legacy) {
		struct ds_cgroups cg;
		int r = ds_cgroup_detect(&cg);
		if (r == 0)
			r = ds_cgroup_join_v1_of(&cg, set->pid, set->hybrid ? "/droidspaces/" : NULL);
		if (r < 0)
			return ds_fail(err, r, "cannot join the container's v1 cgroups");
	}
	int userns = 0;
	for (int i = 0; i < set->count; i++) {
		if (setns(set->fd[i], set->type[i]) < 0)
			return ds_fail(err, negerrno(), "cannot join a namespace of the container (setns)");
		userns |= set->type[i] == CLONE_NEWUSER;
		close(set->fd[i]);
		set->fd[i] = -1;
	}
	set->count = 0;
	/* In the guest's user namespace we are its root (host ids base), never host root unmapped. */
	if (userns && (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		return ds_fail(err, negerrno(), "cannot become root of the container's user namespace");
	return 0;
}

void ds_ns_close(struct ds_ns_set *set)
{
	for (int i = 0; i < set->count; i++)
		if (set->fd[i] >= 0)
			close(set->fd[i]);
	set->count = 0;
}
