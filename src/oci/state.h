/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What droidspaces-oci keeps of a container between its verbs, with no
 * monitor: ROOT/ID/ holds state.json (init's PID and start time, the bundle),
 * config.json (the copy taken at create) and, until start, exec.fifo, on
 * which the created init waits. The status is worked out from those each
 * time: init alive (same PID and start time) with the fifo there is
 * created, without it running; anything else is stopped.
 */
#pragma once

#include <limits.h>
#include <sys/types.h>

#include "oci/spec.h"
#include "util/error.h"

#define DS_OCI_ROOT_DEFAULT "/run/droidspaces-oci"
#define DS_OCI_VERSION "1.0.2"
#define DS_OCI_ID_MAX 128
#define DS_OCI_FIFO "exec.fifo"

enum ds_oci_status {
	DS_OCI_CREATED,
	DS_OCI_RUNNING,
	DS_OCI_STOPPED,
};

struct ds_oci_container {
	char id[DS_OCI_ID_MAX + 1];
	char dir[PATH_MAX]; /* ROOT/ID */
	pid_t pid;
	unsigned long long starttime; /* of pid, /proc/PID/stat field 22 */
	char bundle[PATH_MAX];
	char rootfs[PATH_MAX];
	char created[40];      /* RFC 3339, UTC */
	char cgroup[PATH_MAX]; /* below each hierarchy, "" for none */
};

/* Letters, digits and "_+-." (runc's rule); not "." or "..". */
int ds_oci_id_validate(const char *id, struct ds_error *err);
/* c->dir for root and id. */
int ds_oci_container_dir(const char *root, const char *id, struct ds_oci_container *c, struct ds_error *err);
/* Reads ROOT/ID/state.json: -ENOENT with "container ID does not exist". */
int ds_oci_load(const char *root, const char *id, struct ds_oci_container *c, struct ds_error *err);
/* Writes c->dir/state.json (atomically). */
int ds_oci_save(const struct ds_oci_container *c, struct ds_error *err);
enum ds_oci_status ds_oci_status(const struct ds_oci_container *c);
const char *ds_oci_status_name(enum ds_oci_status s);
/* Is pid the same process (start time) and not yet a zombie? */
int ds_oci_pid_alive(pid_t pid, unsigned long long starttime);
/*
 * The runtime spec's state of c as one line of JSON (malloc'd, NULL when out
 * of memory): status, pid (0 when stopped) and spec's annotations (spec may
 * be NULL: none). What state prints and what the hooks read on stdin.
 */
char *ds_oci_state_json(const struct ds_oci_container *c, enum ds_oci_status status, const struct ds_oci_spec *spec);
/* ROOT/ID/config.json, the copy create took, into spec: 0, or a negative errno (spec safe to free). */
int ds_oci_load_spec(const struct ds_oci_container *c, struct ds_oci_spec *spec, struct ds_error *err);
/* Removes c->dir and what create put there. */
int ds_oci_remove(const struct ds_oci_container *c, struct ds_error *err);
/* PID's digits, nothing else (conmon and containerd's shim read it so), written atomically. */
int ds_oci_write_pid_file(const char *path, pid_t pid, struct ds_error *err);
/* The signal of "KILL", "SIGKILL", "9"; -EINVAL when none. */
int ds_oci_signal_parse(const char *s);
