/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Workspace and per-container state on the host: the workspace layout,
 * names, pidfiles (with the identity checks that make a stale pidfile
 * harmless) and the per-name lock that serialises start and stop.
 */
#pragma once

#include "config.h"
#include "util/error.h"

#include <sys/types.h>

struct ds_state {
	pid_t pid;                 /* host PID of the container's init */
	pid_t monitor;             /* host PID of its [ds-monitor] */
	unsigned long long starttime;
	char uuid[DS_UUID_LEN + 1];
	char boot_id[40];
	char rootfs[PATH_MAX];
	char cgroup[PATH_MAX];
};

/* Sets the defaults every command starts from. */
void ds_config_init(struct ds_config *cfg);
int ds_is_android(void);
/* Fills cfg->workspace: $DROIDSPACES_WORKSPACE, or the Android or Linux default. */
int ds_workspace_resolve(struct ds_config *cfg);
/* Creates <workspace>/{Pids,Logs,Locks}. */
int ds_workspace_ensure(const struct ds_config *cfg, struct ds_error *err);
/* Builds "<workspace>/<sub>/<name><suffix>". */
int ds_workspace_path(const struct ds_config *cfg, const char *sub, const char *name,
		      const char *suffix, char *out, size_t size);

/* 0 when name is a valid container name: [A-Za-z0-9._-]{1,64}, not "." or "..". */
int ds_name_validate(const char *name);
/* The i-th candidate of an automatic name: base, base-1, base-2, ... (kept within 64 chars). */
void ds_name_candidate(const char *base, int i, char out[DS_NAME_MAX + 1]);
/* Sets cfg->container_name and the pidfile path. */
int ds_config_set_name(struct ds_config *cfg, const char *name, struct ds_error *err);

/* 32 lowercase hex characters from the kernel's random pool. */
int ds_uuid_generate(char out[DS_UUID_LEN + 1]);
/* The 22nd field of /proc/PID/stat; 0 when the process is gone. */
unsigned long long ds_proc_starttime(pid_t pid);
int ds_host_boot_id(char out[40]);

int ds_state_format(const struct ds_state *st, char *buf, size_t size);
int ds_state_parse(const char *text, struct ds_state *st);
int ds_state_write(const char *pidfile, const struct ds_state *st);
/*
 * Reads the pidfile and checks that its PID still is the container's init
 * (same host boot, same process start time). Returns 1 when running, 0 when
 * the pidfile is missing or stale, negative errno on error.
 */
int ds_state_read_live(const char *pidfile, struct ds_state *st);

/* Takes the per-name lock; -EWOULDBLOCK when held and !wait. Returns the fd. */
int ds_lock_name(const struct ds_config *cfg, const char *name, int wait);
/* Waits up to timeout_ms for the lock of name (-ETIMEDOUT). Returns the fd. */
int ds_lock_name_timeout(const struct ds_config *cfg, const char *name, int timeout_ms);
