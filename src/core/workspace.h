/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The workspace layout: the only place that knows the directory names
 * under the workspace (Pids, Logs, Locks, Sockets, Containers, Volatile),
 * the file names inside them and the image mount points, and how a
 * container's name maps to each path.  Every function takes the workspace
 * directory itself, so it serves any holder of the settings.
 */
#pragma once

#include "config.h"
#include "util/error.h"

#include <stddef.h>

#define DS_WORKSPACE_LINUX "/var/lib/Droidspaces"
#define DS_WORKSPACE_ANDROID "/data/local/Droidspaces"

/* What of a container a path names: its directory and entry are in workspace.c's table. */
enum ds_ws_path {
	DS_WS_PIDFILE,         /* <ws>/Pids/NAME.pid */
	DS_WS_LOCK,            /* <ws>/Locks/NAME.lock: serialises start, stop and remove */
	DS_WS_SOCKET,          /* <ws>/Sockets/NAME.sock: the monitor's console socket */
	DS_WS_LOG_DIR,         /* <ws>/Logs/NAME */
	DS_WS_CONSOLE_LOG,     /* <ws>/Logs/NAME/console.log */
	DS_WS_CONSOLE_LOG_OLD, /* <ws>/Logs/NAME/console.log.1: the one rotated-out log */
	DS_WS_SAVED_DIR,       /* <ws>/Containers/NAME */
	DS_WS_SAVED,           /* <ws>/Containers/NAME/container.config: the saved settings */
	DS_WS_VOLATILE,        /* <ws>/Volatile/NAME: the overlay's upper and work directories */
	DS_WS_IMAGE_MOUNT,     /* /mnt/Droidspaces/NAME: on the host, outside the workspace */
	DS_WS_NOTIFY,          /* <ws>/Sockets/NAME.notify: the guest's NOTIFY_SOCKET (/run/host/notify inside) */
	DS_WS_READY,           /* <ws>/Pids/NAME.ready: the monitor's readiness record (core/ready.c) */
};

/* The registry of --private-users ranges: <ws>/userns.ranges (core/userns.c). */
int ds_workspace_userns_registry(const char *ws, char *out, size_t size);
/* 0 when name is a valid container name: [A-Za-z0-9._-]{1,64}, not "." or ".." (it names files). */
int ds_name_validate(const char *name);
/* Fills out with $DROIDSPACES_WORKSPACE, or the Android or Linux default. */
int ds_workspace_resolve(char *out, size_t size);
/* Creates <ws>/{Pids,Logs,Locks}. */
int ds_workspace_ensure(const char *ws, struct ds_error *err);
/* The path of what for container name; -ENAMETOOLONG when out is too small. */
int ds_workspace_path(const char *ws, enum ds_ws_path what, const char *name, char *out, size_t size);
/* The directory that holds every container's what: <ws>/Pids for DS_WS_PIDFILE, ... */
int ds_workspace_dir(const char *ws, enum ds_ws_path what, char *out, size_t size);
/* The name of container name's what inside ds_workspace_dir ("deb.pid", "deb/console.log"). */
int ds_workspace_entry(enum ds_ws_path what, const char *name, char *out, size_t size);
/*
 * The container a path of kind what is for, from its last component(s):
 * 0 and name filled when they read "<valid name><entry suffix>", else -EINVAL.
 * Only the file name counts, so a --pidfile elsewhere is named too.
 */
int ds_workspace_name_of(enum ds_ws_path what, const char *path, char name[DS_NAME_MAX + 1]);
/*
 * A unix socket address for container name's what (a socket), as
 * /proc/self/fd/N/ENTRY of its directory (created 0700 when missing):
 * sun_path holds 108 bytes, a workspace path may be longer. *dirfd is the
 * directory's O_PATH fd, to be closed once the address was used.
 */
struct sockaddr_un;
int ds_workspace_sockaddr(const char *ws, enum ds_ws_path what, const char *name, struct sockaddr_un *sa, int *dirfd);
/* 1 when path lies in a directory named as what's (of any workspace): a default path, not a user's. */
int ds_workspace_is_default(enum ds_ws_path what, const char *path);
/*
 * Removes the directory what of name when empty, and then the image mount
 * points' own directory when that is empty too (it is not the workspace's).
 */
int ds_workspace_rmdir(const char *ws, enum ds_ws_path what, const char *name);
/*
 * Calls fn for every valid container name that has a what in ws (in
 * directory order; nothing when the directory is missing).  Returns the
 * number of calls.
 */
int ds_workspace_each(const char *ws, enum ds_ws_path what, void (*fn)(const char *name, void *ud), void *ud);
