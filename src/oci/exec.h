/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * exec: one more process in a created or running container, from a
 * process.json (the "process" object of config.json): it joins init's
 * namespaces and cgroup, then gets its own rlimits, cwd, user, capabilities
 * and environment. Without detach the caller waits for it and takes its
 * exit status; with detach it is left running (re-parented to the caller's
 * subreaper, as runc's).
 *
 * process.terminal, as under runc: with --console-socket (detached only)
 * the PTY's master goes to that socket, as create sends init's; in the
 * foreground without one, exec takes the master itself and relays its own
 * stdio to it (raw mode on a terminal, its size, signals forwarded).
 */
#pragma once

#include "util/error.h"

struct ds_oci_exec_opts {
	const char *root;
	const char *id;
	const char *process;        /* the process.json path */
	const char *pid_file;       /* NULL: none */
	const char *console_socket; /* NULL: none */
	int detach;
};

/* 0 with *status the process's exit status (128+N for a signal; 0 when detached), or the error. */
int ds_oci_exec(const struct ds_oci_exec_opts *o, int *status, struct ds_error *err);
