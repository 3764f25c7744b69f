/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The lifecycle of droidspaces-oci, with no monitor: create leaves the
 * container's init waiting on the exec fifo and returns (init's parent is
 * gone, so it is re-parented to the caller when that is a subreaper, as
 * conmon and containerd's shim are); start releases it; kill signals it;
 * delete removes what create made.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "oci/state.h"
#include "util/error.h"

struct ds_oci_create_opts {
	const char *root;
	const char *id;
	const char *bundle;
	const char *pid_file;       /* NULL: none */
	const char *console_socket; /* NULL: none */
};

/* Returns 0 with the container created; on failure nothing of it is left. */
int ds_oci_create(const struct ds_oci_create_opts *o, struct ds_error *err);
/* created -> running. */
int ds_oci_start(const char *root, const char *id, struct ds_error *err);
/* sig to init, or with all to every process of its PID namespace. */
int ds_oci_kill(const char *root, const char *id, int sig, int all, struct ds_error *err);
/* The PIDs (the host's) of the processes in the container's cgroup, for ps: a malloc'd array. */
int ds_oci_pids(const char *root, const char *id, pid_t **out, size_t *n, struct ds_error *err);
/* A stopped container's state removed; force kills a live one first. */
int ds_oci_delete(const char *root, const char *id, int force, struct ds_error *err);
