/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "core/console.h"
#include "core/workspace.h"
#include "util/fdpass.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int ds_console_socket_path(const struct ds_config *cfg, char *out, size_t size)
{
	return ds_workspace_path(cfg->workspace, DS_WS_SOCKET, cfg->container_name, out, size);
}

static int socket_addr(const struct ds_config *cfg, struct sockaddr_un *sa, int *dirfd)
{
	return ds_workspace_sockaddr(cfg->workspace, DS_WS_SOCKET, cfg->container_name, sa, dirfd);
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

int ds_console_connect(const struct ds_config *cfg, enum ds_console_mode mode, int *master, struct ds_error *err)
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
	char tag = 0, byte = (char)mode;
	if (ds_write_all(fd, &byte, 1) != 1 || (*master = ds_recv_fd(fd, &tag)) < 0 || tag != DS_CONSOLE_OK) {
		close(fd);
		if (tag == DS_CONSOLE_BUSY)
			return ds_fail(err, DS_EINVAL_MSG, "another client is attached to the console of %s",
				       cfg->container_name);
		return ds_fail(err, -ECONNRESET, "the monitor of %s refused the console", cfg->container_name);
	}
	return fd;
}

struct sweep {
	const char *ws;
	enum ds_ws_path what; /* DS_WS_SOCKET (stream) or DS_WS_NOTIFY (datagram) */
	int dirfd;
};

/*
 * Nobody bound to name's socket: the monitor that made it is dead (killed,
 * say), and a container found again by scan runs under another name. A dead
 * notify socket takes its run's readiness record (Pids/NAME.ready) with it.
 */
static void sweep_one(const char *name, void *ud)
{
	const struct sweep *sw = ud;
	char entry[PATH_MAX];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (ds_workspace_entry(sw->what, name, entry, sizeof(entry)) < 0 ||
	    snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", sw->dirfd, entry) >=
		    (int)sizeof(sa.sun_path))
		return;
	int fd = socket(AF_UNIX, (sw->what == DS_WS_NOTIFY ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno == ECONNREFUSED) {
		unlinkat(sw->dirfd, entry, 0);
		char ready[PATH_MAX];
		if (sw->what == DS_WS_NOTIFY && ds_workspace_path(sw->ws, DS_WS_READY, name, ready, sizeof(ready)) == 0)
			unlink(ready);
	}
	close(fd);
}

void ds_console_sweep(const struct ds_config *cfg)
{
	char dir[PATH_MAX];
	if (ds_workspace_dir(cfg->workspace, DS_WS_SOCKET, dir, sizeof(dir)) < 0)
		return;
	_cleanup_close_ int dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return;
	static const enum ds_ws_path kinds[] = { DS_WS_SOCKET, DS_WS_NOTIFY };
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct sweep sw = { .ws = cfg->workspace, .what = kinds[i], .dirfd = dirfd };
		ds_workspace_each(cfg->workspace, kinds[i], sweep_one, &sw);
	}
}

void ds_console_client_init(struct ds_console_client *c)
{
	c->fd = c->replay_fd = -1;
	c->replay_off = c->replay_end = 0;
	c->out = (struct ds_iobuf){ .data = c->out_data, .size = sizeof(c->out_data) };
	c->in = (struct ds_iobuf){ .data = c->in_data, .size = sizeof(c->in_data) };
}

void ds_console_client_attach(struct ds_console_client *c, int fd, int log_fd, off_t from, off_t to)
{
	ds_console_client_close(c);
	c->fd = fd;
	c->replay_fd = log_fd;
	c->replay_off = from;
	c->replay_end = to;
}

void ds_console_client_close(struct ds_console_client *c)
{
	ds_closep(&c->fd);
	ds_closep(&c->replay_fd);
	ds_console_client_init(c);
}

int ds_console_client_queue(struct ds_console_client *c, const void *buf, size_t n)
{
	return c->fd < 0 ? 0 : ds_iobuf_put(&c->out, buf, n);
}

/* The boot's output from the log, as far as the socket takes it now. */
static int send_replay(struct ds_console_client *c)
{
	char buf[16384];
	while (c->replay_fd >= 0) {
		off_t left = c->replay_end - c->replay_off;
		ssize_t n = left > 0 ? pread(c->replay_fd, buf, left < (off_t)sizeof(buf) ? (size_t)left : sizeof(buf),
					     c->replay_off)
				     : 0;
		if (n <= 0) {
			ds_closep(&c->replay_fd); /* the replay is over (or the log is gone) */
			break;
		}
		ssize_t w = send(c->fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0)
			return errno == EAGAIN || errno == EINTR ? 1 : -1;
		c->replay_off += w;
		if (w < n)
			return 1;
	}
	return 0;
}

int ds_console_client_send(struct ds_console_client *c)
{
	if (c->fd < 0)
		return 0;
	int r = send_replay(c);
	if (r != 0)
		return r < 0 ? -1 : 0;
	return ds_iobuf_flush(&c->out, c->fd);
}

int ds_console_client_recv(struct ds_console_client *c)
{
	if (c->fd < 0)
		return 0;
	while (ds_iobuf_has_room(&c->in)) {
		int r = ds_iobuf_fill(&c->in, c->fd, NULL);
		if (r <= 0)
			return r;
	}
	return 0;
}

int ds_console_client_has_output(const struct ds_console_client *c)
{
	return c->fd >= 0 && (c->replay_fd >= 0 || c->out.len > 0);
}

int ds_console_attach(struct ds_config *cfg, enum ds_console_mode mode, void (*on_signal)(int sig, void *ud),
		      void *signal_data, struct ds_error *err)
{
	int master = -1;
	_cleanup_close_ int sock = ds_console_connect(cfg, mode, &master, err);
	if (sock < 0)
		return sock;
	struct ds_tty_state tty;
	int raw = ds_tty_raw(STDIN_FILENO, &tty);
	if (raw > 0)
		fprintf(stderr, "[droidspaces: attached to %s; Ctrl-a q detaches]\r\n", cfg->container_name);
	struct ds_proxy p = { .in_fd = STDIN_FILENO,
			      .out_fd = STDOUT_FILENO,
			      .remote_in = sock,
			      .remote_out = sock,
			      .winsize_fd = raw > 0 ? master : -1,
			      .escape = 1,
			      .on_signal = on_signal,
			      .signal_data = signal_data };
	ds_proxy_run(&p);
	ds_tty_restore(&tty);
	close(master);
	if (p.detached)
		fprintf(stderr, "\n[droidspaces: detached from %s; it keeps running]\n", cfg->container_name);
	return 0;
}
