/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The container's first process, from the fork in create to the execve of
 * process.args: namespaces, the rootfs and its mounts, pivot_root, masked
 * and read-only paths, the process's limits, user and capabilities; then it
 * says "ready" on the sync pipe and waits on the exec fifo until start.
 */
#pragma once

#include "config.h"
#include "fs/cgroup.h"
#include "oci/spec.h"
#include "util/error.h"

/* init -> create: "the environment is made, run prestart and createRuntime, then send the state". */
#define DS_OCI_SYNC_HOOKS 1

/* Has spec hooks that init takes part in (createContainer, startContainer, or create's, which it waits for)? */
int ds_oci_init_has_hooks(const struct ds_oci_spec *spec);

struct ds_oci_init {
	const struct ds_oci_spec *spec;
	const char *bundle;           /* absolute */
	const char *rootfs;           /* absolute */
	const char *fifo;             /* ROOT/ID/exec.fifo */
	int fifo_fd;                  /* it, O_PATH: opened by ds_oci_init_prepare */
	int ns_fd[DS_OCI_NAMESPACES]; /* the namespaces to join (-1: none); PID is joined by the parent */
	int sync_fd;                  /* a ds_error with code 0 is "ready", DS_OCI_SYNC_HOOKS "run create's hooks" */
	int hook_fd;                  /* create -> init: the state for the hooks (u32 length, text), or -1 */
	int console_fd;               /* connected to --console-socket, or -1 */
	const struct ds_cgroups *cg;  /* the hierarchies; mode DS_CG_NONE: no cgroup */
	const char *cgroup_rel;       /* the container's cgroup below each */
	const struct ds_limits *limits;
};

/*
 * The middle child's part, in the host's namespaces, before it makes the
 * user and PID ones and forks init: the exec fifo opened, oomScoreAdj, the
 * container's cgroup, and the namespaces given by path (the user one
 * first). init inherits all.
 */
int ds_oci_init_prepare(struct ds_oci_init *in, struct ds_error *err);
/*
 * Runs in the forked child. Returns only on failure (err says why), before
 * "ready"; after it, a failure is printed to the container's stderr and the
 * process exits 127.
 */
int ds_oci_init_run(const struct ds_oci_init *in, struct ds_error *err);
/* linux.seccomp compiled (prog.len 0: the config has none). */
struct ds_oci_filter {
	struct ds_seccomp_prog prog;
	unsigned flags; /* SECCOMP_FILTER_FLAG_* */
};
int ds_oci_filter_compile(const struct ds_oci_spec *spec, struct ds_oci_filter *f, struct ds_error *err);
/*
 * process.rlimits, cwd (made if missing), user, capabilities,
 * noNewPrivileges and the seccomp filter (when filter holds one) on the
 * calling process: init's last steps, and exec's. With noNewPrivileges the
 * filter comes last, after the capabilities are dropped; without it,
 * installing one needs CAP_SYS_ADMIN, so it comes before (as in runc).
 */
int ds_oci_process_apply(const struct ds_oci_process *p, const struct ds_oci_filter *filter, struct ds_error *err);
/* execvp of process.args with process.env as the whole environment; returns only the error. */
int ds_oci_process_exec(const struct ds_oci_process *p);
