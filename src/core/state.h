/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Per-container state on the host (its layout is workspace.h's): names,
 * pidfiles (with the identity checks that make a stale pidfile harmless)
 * and the per-name lock that serialises start and stop.
 */
#pragma once

#include "config.h"
#include "core/workspace.h"
#include "util/error.h"

#include <errno.h>
#include <sys/types.h>

struct ds_state {
	pid_t pid;     /* host PID of the container's init */
	pid_t monitor; /* host PID of its [ds-monitor] */
	unsigned long long starttime;
	char uuid[DS_UUID_LEN + 1];
	char boot_id[40];
	char rootfs[PATH_MAX];
	char cgroup[PATH_MAX];
};

/* Sets the defaults every command starts from. */
void ds_config_init(struct ds_config *cfg);
/* How many candidates an automatic name tries before giving up. */
#define DS_NAME_CANDIDATES 1024
/* The i-th candidate of an automatic name: base, base-1, base-2, ... (kept within 64 chars). */
void ds_name_candidate(const char *base, int i, char out[DS_NAME_MAX + 1]);
/* Sets cfg->container_name and the pidfile path. */
int ds_config_set_name(struct ds_config *cfg, const char *name, struct ds_error *err);

/* 32 lowercase hex characters from the kernel's random pool. */
int ds_uuid_generate(char out[DS_UUID_LEN + 1]);
/* The 22nd field of /proc/PID/stat; 0 when the process is gone. */
unsigned long long ds_proc_starttime(pid_t pid);
int ds_host_boot_id(char out[40]);

/*
 * A file at a pidfile path that droidspaces did not write: it does not
 * parse as a pidfile, or is a symlink, FIFO, device node or too big.  It is
 * never read past its first bytes, replaced or unlinked.
 */
#define DS_ENOTPIDFILE (-EEXIST)

int ds_state_format(const struct ds_state *st, char *buf, size_t size);
int ds_state_parse(const char *text, struct ds_state *st);
/* Refuses (DS_ENOTPIDFILE) to replace a file that is not a pidfile. */
int ds_state_write(const char *pidfile, const struct ds_state *st);
/*
 * Reads a pidfile without following a symlink or blocking on a FIFO: 1 when
 * it is one of ours (st filled), 0 when there is none, DS_ENOTPIDFILE or
 * another negative errno otherwise.
 */
int ds_state_read(const char *pidfile, struct ds_state *st);
/*
 * 1 when st's PID still is the init of container name: same host boot, same
 * start time.  A pidfile without those identity fields (the older format,
 * or one written by hand) needs proof instead: ds_proc_container_init with
 * that very name.
 */
int ds_state_alive(const struct ds_state *st, const char *name);
/*
 * ds_state_read, then ds_state_alive with the name the pidfile's file name
 * gives ("<name>.pid"). Returns 1 when running, 0 when the pidfile is
 * missing or stale, DS_ENOTPIDFILE or a negative errno on error.
 */
int ds_state_read_live(const char *pidfile, struct ds_state *st);
/* Unlinks pidfile only when it is one of ours (0 also when there is none). */
int ds_state_unlink(const char *pidfile);
/* The error of a failed ds_state_read*: says so plainly for DS_ENOTPIDFILE. */
int ds_state_fail(struct ds_error *err, int r, const char *pidfile);

/*
 * 1 when pid is the init of a container droidspaces started: PID 1 of its
 * own PID namespace, in the host's user namespace, run by root, and in
 * droidspaces/<name> of the host's cgroup tree (what neither a guest nor an
 * unprivileged user can arrange).  Fills name (when not NULL).
 */
int ds_proc_container_init(pid_t pid, char name[DS_NAME_MAX + 1]);

/* Takes the per-name lock; -EWOULDBLOCK when held and !wait. Returns the fd. */
int ds_lock_name(const struct ds_config *cfg, const char *name, int wait);
/* Waits up to timeout_ms for the lock of name (-ETIMEDOUT). Returns the fd. */
int ds_lock_name_timeout(const struct ds_config *cfg, const char *name, int timeout_ms);
