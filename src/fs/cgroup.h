/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The container's cgroup: <hierarchy>/droidspaces/<name> on the host, seen
 * by the guest through a cgroup namespace as the root of a cgroup2 tree at
 * /sys/fs/cgroup (legacy v1 controllers only where the host has no cgroup2),
 * so that systemd inside never writes into the host's root cgroups.
 */
#pragma once

#include "config.h"
#include "util/error.h"

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define DS_CG_MAX_V1 16

enum ds_cg_mode { DS_CG_NONE, DS_CG_UNIFIED, DS_CG_HYBRID, DS_CG_LEGACY };

struct ds_cgroups {
	enum ds_cg_mode mode;
	char v2_root[PATH_MAX]; /* mount point of the cgroup2 hierarchy */
	int v1_count;
	char v1_root[DS_CG_MAX_V1][128]; /* e.g. /sys/fs/cgroup/cpu,cpuacct */
	char v1_opts[DS_CG_MAX_V1][128]; /* controllers, e.g. cpu,cpuacct or name=systemd */
};

int ds_cgroup_detect(struct ds_cgroups *cg);
const char *ds_cgroup_mode_name(enum ds_cg_mode mode);
/* Creates rel (droidspaces/<name>) in every hierarchy the container will use. */
int ds_cgroup_create(const struct ds_cgroups *cg, const char *rel, struct ds_error *err);
/*
 * --private-users: rel's directory in each hierarchy, and the files that move
 * processes and enable controllers, owned by id (guest root on the host), so
 * that the guest's init manages its subtree as a delegated one.
 */
int ds_cgroup_delegate(const struct ds_cgroups *cg, const char *rel, uid_t id, struct ds_error *err);
/* Moves the calling process into rel in every hierarchy. */
int ds_cgroup_join_self(const struct ds_cgroups *cg, const char *rel, struct ds_error *err);
/*
 * fork(2) whose child is born in the cgroup2 directory dir: clone3 with
 * CLONE_INTO_CGROUP (Linux 5.7+).  A write to cgroup.procs takes the kernel's
 * cgroup_threadgroup_rwsem for writing, which waits for an RCU grace period
 * (15-20 ms on this machine, see BENCHMARKS.md); a child forked into its
 * cgroup skips that.  Where clone3, the flag or dir is not there (old
 * kernels, seccomp filters answering ENOSYS or EPERM, cgroup v1, dir ""),
 * this is a plain fork() and *placed is 0: join the cgroup then.  Like a
 * vfork child, the child must exec or _exit without raise() or threads: a
 * raw clone leaves the C library's cached thread id stale.
 * $DROIDSPACES_FAULT=no-clone3 forces the fallback (tests).
 */
pid_t ds_cgroup_fork_into(const char *dir, int *placed);
/* dir gets the cgroup2 directory of rel ("" without a cgroup2 tree). */
void ds_cgroup_v2_dir(const struct ds_cgroups *cg, const char *rel, char *dir, size_t size);
/* Before pivot_root, inside the container's mount (and cgroup) namespace. */
int ds_cgroup_mount(int rootfd, const struct ds_cgroups *cg, const char *rel, int have_cgroupns, struct ds_error *err);
/* The cgroup2 path of pid ("/droidspaces/x/init.scope"), from /proc/PID/cgroup; -ENOENT when none. */
/*
 * v1-only hosts: moves the caller into pid's cgroup in every v1 hierarchy
 * droidspaces uses; under (beside cgroup2: "/droidspaces/"): only in those
 * where pid's cgroup is below it (the controllers of its limits).
 */
int ds_cgroup_join_v1_of(const struct ds_cgroups *cg, pid_t pid, const char *under);
int ds_cgroup_of_pid(pid_t pid, char *out, size_t size);
/*
 * Kills what is left in rel (cgroup.kill where the kernel has it, 5.14+;
 * else task by task, also on v1) and removes it, children first, without
 * recursion: the guest decides how deep its tree is.
 * $DROIDSPACES_FAULT=no-cgroup-kill forces the task-by-task way (tests).
 */
int ds_cgroup_destroy(const struct ds_cgroups *cg, const char *rel, int timeout_ms);

/*
 * The PIDs (the host's) of the processes in rel and the cgroups below it, from
 * its cgroup2 tree, else its ds_cgroup_v1_primary hierarchy: a malloc'd array in *out
 * (NULL and 0 when none). 0, or a negative errno.
 */
int ds_cgroup_pids(const struct ds_cgroups *cg, const char *rel, pid_t **out, size_t *n);

/*
 * The most processes that rel and the cgroups below it hold in any one hierarchy
 * droidspaces uses (v2 and, on a legacy host, every v1 one), in *n: a cgroup that
 * is not there holds none. 0, or a negative errno.
 */
int ds_cgroup_busy(const struct ds_cgroups *cg, const char *rel, size_t *n);

/*
 * Names are host-wide, as the cgroup droidspaces/<name> is: one cgroup
 * whatever workspace starts <name>. The monitor of the container in it holds
 * an flock on its directory (in cgroup2, else in the v1 hierarchy of
 * ds_cgroup_v1_primary) for
 * as long as it lives; init and its helpers get the descriptor only until
 * they exec (O_CLOEXEC).
 *
 * ds_cgroup_claim takes that flock, waiting up to wait_ms for a holder that
 * is only looking (another claim's check) and then for rel
 * to hold no process (*busy gets how many it still holds). The
 * descriptor holding the claim, or -EWOULDBLOCK (a live monitor holds it),
 * -EBUSY (processes no monitor claims: a container whose monitor died, or
 * left over; cgroup2's populated flag counts however deep they are),
 * -ENOENT (rel is not there, or was removed while we waited for its lock)
 * or another negative errno.
 */
int ds_cgroup_claim(const struct ds_cgroups *cg, const char *rel, int wait_ms, size_t *busy);
/*
 * ds_cgroup_create, then ds_cgroup_claim of rel: the claim's descriptor, or a
 * negative errno with one line in err that says who holds the name.
 */
int ds_cgroup_create_claimed(const struct ds_cgroups *cg, const char *rel, int wait_ms, struct ds_error *err);
/*
 * Whether rel could be claimed now (0: it is not there, or free and empty),
 * creating nothing and holding nothing: a start's early refusal, with the
 * same line as ds_cgroup_create_claimed's.
 */
int ds_cgroup_claim_free(const struct ds_cgroups *cg, const char *rel, int wait_ms, struct ds_error *err);
/* The index in cg->v1_root of the v1 hierarchy of controller ctl ("memory"), -1 when none. */
int ds_cgroup_v1_index(const struct ds_cgroups *cg, const char *ctl);
/*
 * The v1 hierarchy that holds a v1-only host's claim (and whose processes
 * ds_cgroup_pids reads): by a fixed order of controllers, so that two mount
 * namespaces that list the hierarchies in other orders pick the same one.
 * -1 when there is no v1 hierarchy.
 */
int ds_cgroup_v1_primary(const struct ds_cgroups *cg);
/*
 * Writes the limits to rel, after ds_cgroup_create: the v1 controller's
 * hierarchy on a v1 or hybrid host (created here on hybrid, where rel is
 * otherwise only in the cgroup2 tree), else the cgroup2 files (a v1
 * hierarchy beside a cgroup2 /sys/fs/cgroup when cgroup2 lacks it), with the
 * controllers enabled in the parent's cgroup.subtree_control. A controller
 * the host lacks fails, naming it and the option.
 * $DROIDSPACES_FAULT=no-cgroup-CTL hides controller CTL (tests).
 */
int ds_cgroup_limits_apply(const struct ds_cgroups *cg, const char *rel, const struct ds_limits *lim,
			   struct ds_error *err);
/* The limits, one bit each (a mask of which to write). */
enum {
	DS_LIM_MEMORY = 1u << 0,
	DS_LIM_CPUS = 1u << 1,
	DS_LIM_CPU_WEIGHT = 1u << 2,
	DS_LIM_PIDS = 1u << 3,
	DS_LIM_IO_WEIGHT = 1u << 4,
	DS_LIM_CPUSET = 1u << 5, /* cpuset_cpus, cpuset_mems */
};
/* The DS_LIM_* bits of the limits lim sets (not 0). */
unsigned ds_limits_present(const struct ds_limits *lim);
/*
 * A running container's limits (update): writes those of which, lifting the
 * ones at 0 (no limit, the default weight). Beside cgroup2 (hybrid hosts) a
 * v1 controller the start did not use gets the container's cgroup, and
 * every task of the container's cgroup2 tree is moved into it.
 */
int ds_cgroup_limits_update(const struct ds_cgroups *cg, const char *rel, const struct ds_limits *lim, unsigned which,
			    struct ds_error *err);
/*
 * Hosts with cgroup2: moves the caller into the v1 cgroups the limits use,
 * if any (hybrid; Android's beside a cgroup2 /sys/fs/cgroup); ds_cgroup_join_self
 * covers the rest.
 */
int ds_cgroup_limits_join(const struct ds_cgroups *cg, const char *rel, const struct ds_limits *lim,
			  struct ds_error *err);

/* What the kernel counts for rel; -1 where it does not. */
struct ds_cg_usage {
	long long memory;   /* bytes charged (RAM, page cache included) */
	long long pids;     /* tasks */
	long long cpu_usec; /* CPU time used */
};
void ds_cgroup_usage(const struct ds_cgroups *cg, const char *rel, struct ds_cg_usage *u);
