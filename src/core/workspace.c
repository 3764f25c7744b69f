/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/workspace.h"
#include "host/android.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Images are mounted outside the workspace: a workspace on /data may not allow the mount. */
#define DS_IMAGE_MOUNT_DIR "/mnt/Droidspaces"

/* One row per enum ds_ws_path: the path is "<base>/<dir>/<name><suffix>" (base: the workspace). */
static const struct {
	const char *dir;
	const char *suffix;
	int outside; /* 1: the directory is absolute, not under the workspace */
} layout[] = {
	[DS_WS_PIDFILE] = { "Pids", ".pid", 0 },
	[DS_WS_LOCK] = { "Locks", ".lock", 0 },
	[DS_WS_SOCKET] = { "Sockets", ".sock", 0 },
	[DS_WS_LOG_DIR] = { "Logs", "", 0 },
	[DS_WS_CONSOLE_LOG] = { "Logs", "/console.log", 0 },
	[DS_WS_CONSOLE_LOG_OLD] = { "Logs", "/console.log.1", 0 },
	[DS_WS_SAVED_DIR] = { "Containers", "", 0 },
	[DS_WS_SAVED] = { "Containers", "/container.config", 0 },
	[DS_WS_VOLATILE] = { "Volatile", "", 0 },
	[DS_WS_IMAGE_MOUNT] = { DS_IMAGE_MOUNT_DIR, "", 1 },
	[DS_WS_NOTIFY] = { "Sockets", ".notify", 0 },
	[DS_WS_READY] = { "Pids", ".ready", 0 },
};

/* The directories every command may need before it writes anything. */
static const enum ds_ws_path ensured[] = { DS_WS_PIDFILE, DS_WS_LOG_DIR, DS_WS_LOCK };

static int fits(int n, size_t size) { return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0; }

static int known(enum ds_ws_path what) { return (unsigned)what < ARRAY_SIZE(layout); }

int ds_name_validate(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > DS_NAME_MAX)
		return -EINVAL;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return -EINVAL;
	}
	return 0;
}

int ds_workspace_resolve(char *out, size_t size)
{
	const char *ws = getenv("DROIDSPACES_WORKSPACE");
	if (!ws || !*ws)
		ws = ds_android_detect() ? DS_WORKSPACE_ANDROID : DS_WORKSPACE_LINUX;
	if (ws[0] != '/')
		return -EINVAL;
	return fits(snprintf(out, size, "%s", ws), size);
}

int ds_workspace_ensure(const char *ws, struct ds_error *err)
{
	char path[PATH_MAX];
	for (size_t i = 0; i < ARRAY_SIZE(ensured); i++) {
		int r = ds_workspace_dir(ws, ensured[i], path, sizeof(path));
		if (r == 0)
			r = ds_mkdir_p(path, 0755);
		if (r < 0)
			return ds_fail(err, r, "cannot create workspace directory %s", path);
	}
	return 0;
}

int ds_workspace_userns_registry(const char *ws, char *out, size_t size)
{
	return fits(snprintf(out, size, "%s/userns.ranges", ws), size);
}

int ds_workspace_dir(const char *ws, enum ds_ws_path what, char *out, size_t size)
{
	if (!known(what))
		return -EINVAL;
	if (layout[what].outside)
		return fits(snprintf(out, size, "%s", layout[what].dir), size);
	return fits(snprintf(out, size, "%s/%s", ws, layout[what].dir), size);
}

int ds_workspace_entry(enum ds_ws_path what, const char *name, char *out, size_t size)
{
	if (!known(what))
		return -EINVAL;
	return fits(snprintf(out, size, "%s%s", name, layout[what].suffix), size);
}

int ds_workspace_path(const char *ws, enum ds_ws_path what, const char *name, char *out, size_t size)
{
	char entry[DS_NAME_MAX * 4];
	int r = ds_workspace_entry(what, name, entry, sizeof(entry));
	if (r == 0)
		r = ds_workspace_dir(ws, what, out, size);
	if (r < 0)
		return r;
	size_t n = strlen(out);
	return fits(snprintf(out + n, size - n, "/%s", entry), size - n);
}

int ds_workspace_sockaddr(const char *ws, enum ds_ws_path what, const char *name, struct sockaddr_un *sa, int *dirfd)
{
	char dir[PATH_MAX], entry[PATH_MAX];
	int r = ds_workspace_dir(ws, what, dir, sizeof(dir));
	if (r == 0)
		r = ds_workspace_entry(what, name, entry, sizeof(entry));
	if (r == 0)
		r = ds_mkdir_p(dir, 0700);
	if (r < 0)
		return r;
	*dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0)
		return negerrno();
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", *dirfd, entry);
	return 0;
}

int ds_workspace_name_of(enum ds_ws_path what, const char *path, char name[DS_NAME_MAX + 1])
{
	if (!known(what))
		return -EINVAL;
	const char *suffix = layout[what].suffix;
	size_t pl = strlen(path), sl = strlen(suffix);
	if (pl <= sl || strcmp(path + pl - sl, suffix) != 0)
		return -EINVAL;
	/* The name is the component just before the suffix. */
	const char *end = path + pl - sl, *start = end;
	while (start > path && start[-1] != '/')
		start--;
	if (end - start > DS_NAME_MAX)
		return -EINVAL;
	snprintf(name, DS_NAME_MAX + 1, "%.*s", (int)(end - start), start);
	return ds_name_validate(name);
}

int ds_workspace_is_default(enum ds_ws_path what, const char *path)
{
	if (!known(what) || layout[what].outside)
		return 0;
	char part[64];
	snprintf(part, sizeof(part), "/%s/", layout[what].dir);
	return strstr(path, part) != NULL;
}

int ds_workspace_rmdir(const char *ws, enum ds_ws_path what, const char *name)
{
	char path[PATH_MAX];
	int r = ds_workspace_path(ws, what, name, path, sizeof(path));
	if (r < 0)
		return r;
	if (rmdir(path) < 0)
		return negerrno();
	if (layout[what].outside && ds_workspace_dir(ws, what, path, sizeof(path)) == 0)
		rmdir(path);
	return 0;
}

int ds_workspace_each(const char *ws, enum ds_ws_path what, void (*fn)(const char *name, void *ud), void *ud)
{
	char dir[PATH_MAX];
	if (ds_workspace_dir(ws, what, dir, sizeof(dir)) < 0)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	const char *suffix = layout[what].suffix;
	/* "NAME.pid" is the entry itself; "NAME/container.config" must exist inside the entry NAME. */
	int nested = suffix[0] == '/' || suffix[0] == '\0';
	int calls = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char name[DS_NAME_MAX + 1], entry[PATH_MAX];
		if (nested) {
			if (strlen(e->d_name) > DS_NAME_MAX || ds_name_validate(e->d_name) < 0)
				continue;
			snprintf(name, sizeof(name), "%s", e->d_name);
			if (ds_workspace_entry(what, name, entry, sizeof(entry)) < 0 ||
			    faccessat(dirfd(d), entry, F_OK, 0) < 0)
				continue;
		} else if (ds_workspace_name_of(what, e->d_name, name) < 0) {
			continue;
		}
		fn(name, ud);
		calls++;
	}
	closedir(d);
	return calls;
}
