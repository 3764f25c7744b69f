/* SPDX-License-Identifier: GPL-3.0-or-later */
/* logs [-f] and console: the container's console, from the log or live. */
#include "cmd/cmd.h"
#include "core/console.h"
#include "core/state.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

/* inotify tells of new output; this timeout only notices the container stopping. */
#define FOLLOW_STOP_CHECK_MS 500

static int cat_from(const char *path, off_t *off)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return negerrno();
	char buf[65536];
	ssize_t n;
	while ((n = pread(fd, buf, sizeof(buf), *off)) > 0) {
		if (ds_write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
			return -EPIPE;
		*off += n;
	}
	return 0;
}

static int running(const char *pidfile)
{
	struct ds_state st;
	return ds_state_read_live(pidfile, &st) == 1;
}

int cmd_logs(struct ds_cli *cli)
{
	struct ds_error err = { 0 };
	struct ds_config *cfg = &cli->cfg;
	if (ds_cmd_resolve_name(cli, 1, &err) < 0)
		return ds_report(&err);
	char dir[PATH_MAX], path[PATH_MAX], old[PATH_MAX];
	ds_workspace_path(cfg->workspace, DS_WS_LOG_DIR, cfg->container_name, dir, sizeof(dir));
	ds_workspace_path(cfg->workspace, DS_WS_CONSOLE_LOG, cfg->container_name, path, sizeof(path));
	ds_workspace_path(cfg->workspace, DS_WS_CONSOLE_LOG_OLD, cfg->container_name, old, sizeof(old));
	off_t off = 0, old_off = 0;
	if (access(path, F_OK) < 0) {
		ds_fail(&err, DS_EINVAL_MSG, "container %s has no console log", cfg->container_name);
		return ds_report(&err);
	}
	cat_from(old, &old_off);
	if (cat_from(path, &off) < 0)
		return 1;
	if (!cfg->settings.foreground)
		return 0;
	/*
	 * --follow: keep the file open, so a rotation (rename) never loses what
	 * was written to the old file before we read it; then go on with the new.
	 */
	_cleanup_close_ int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in >= 0)
		inotify_add_watch(in, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 1;
	for (;;) {
		char buf[65536];
		ssize_t n;
		while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
			if (ds_write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
				return 0;
			off += n;
		}
		struct stat now, cur;
		if (stat(path, &now) == 0 && fstat(fd, &cur) == 0 &&
		    (now.st_ino != cur.st_ino || now.st_dev != cur.st_dev)) {
			/* Rotated, and the old file is read to its end: switch. */
			close(fd);
			fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
			off = 0;
			if (fd < 0)
				return 1;
			continue;
		}
		if (!running(cfg->pidfile)) {
			cat_from(path, &off);
			return 0;
		}
		struct pollfd p = { .fd = in, .events = POLLIN };
		/* inotify says when data came; the timeout only notices the container stopping. */
		if (poll(&p, in >= 0 ? 1 : 0, FOLLOW_STOP_CHECK_MS) > 0) {
			char ev[4096];
			while (read(in, ev, sizeof(ev)) > 0)
				;
		}
	}
}

int cmd_console(struct ds_cli *cli)
{
	struct ds_error err = { 0 };
	struct ds_config *cfg = &cli->cfg;
	if (ds_cmd_resolve_name(cli, 1, &err) < 0)
		return ds_report(&err);
	if (!running(cfg->pidfile)) {
		ds_fail(&err, DS_EINVAL_MSG, "container %s is not running", cfg->container_name);
		return ds_report(&err);
	}
	return ds_console_attach(cfg, DS_CONSOLE_ATTACH, NULL, NULL, &err) < 0 ? ds_report(&err) : 0;
}
