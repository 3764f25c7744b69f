/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/console.h"
#include "core/state.h"
#include "util/fdpass.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int ds_console_socket_path(const struct ds_config *cfg, char *out, size_t size)
{
	return ds_workspace_path(cfg, "Sockets", cfg->container_name, ".sock", out, size);
}

/*
 * sun_path holds 108 bytes, a workspace path may be longer: address the
 * socket through /proc/self/fd/N/<name>.sock of the directory instead.
 */
static int socket_addr(const struct ds_config *cfg, struct sockaddr_un *sa, int *dirfd)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/Sockets", cfg->workspace);
	int r = ds_mkdir_p(dir, 0700);
	if (r < 0)
		return r;
	*dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0)
		return negerrno();
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s.sock", *dirfd, cfg->container_name);
	return 0;
}

int ds_console_listen(const struct ds_config *cfg, struct ds_error *err)
{
	struct sockaddr_un sa;
	_cleanup_close_ int dirfd = -1;
	int r = socket_addr(cfg, &sa, &dirfd);
	if (r < 0)
		return ds_fail(err, r, "cannot create the console socket directory");
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return ds_fail(err, negerrno(), "cannot create the console socket");
	unlink(sa.sun_path); /* a stale socket of a dead monitor; the name's lock is ours */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
		r = negerrno();
		close(fd);
		return ds_fail(err, r, "cannot listen on the console socket");
	}
	return fd;
}

int ds_console_connect(const struct ds_config *cfg, char mode, int *master, struct ds_error *err)
{
	struct sockaddr_un sa;
	_cleanup_close_ int dirfd = -1;
	int r = socket_addr(cfg, &sa, &dirfd);
	if (r < 0)
		return ds_fail(err, r, "cannot find the console socket of %s", cfg->container_name);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ds_fail(err, negerrno(), "cannot create a socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = negerrno();
		close(fd);
		return ds_fail(err, r, "cannot reach the console of %s", cfg->container_name);
	}
	char tag = 0;
	if (ds_write_all(fd, &mode, 1) != 1 || (*master = ds_recv_fd(fd, &tag)) < 0 || tag != 'O') {
		close(fd);
		if (tag == 'B')
			return ds_fail(err, DS_EINVAL_MSG, "another client is attached to the console of %s",
				       cfg->container_name);
		return ds_fail(err, -ECONNRESET, "the monitor of %s refused the console", cfg->container_name);
	}
	return fd;
}

void ds_console_sweep(const struct ds_config *cfg)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/Sockets", cfg->workspace);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".sock") != 0)
			continue;
		/* Nobody listening: the monitor that made it is dead (killed, say). */
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		if (snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd(d), e->d_name) >=
		    (int)sizeof(sa.sun_path))
			continue;
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno == ECONNREFUSED)
			unlinkat(dirfd(d), e->d_name, 0);
		close(fd);
	}
	closedir(d);
}
