/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "tty/proxy.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int ds_tty_raw(int fd, struct ds_tty_state *st)
{
	st->fd = -1;
	if (!isatty(fd) || tcgetattr(fd, &st->saved) < 0)
		return 0;
	struct termios raw = st->saved;
	/* Seed 6.2: everything the guest's terminal should interpret, it gets raw. */
	raw.c_iflag |= IGNPAR;
	raw.c_iflag &= ~(ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXANY | IXOFF);
	raw.c_lflag &= ~(TOSTOP | ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHONL | IEXTEN);
	raw.c_oflag &= ~ONLCR;
	raw.c_oflag |= OPOST;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSADRAIN, &raw) < 0)
		return negerrno();
	st->fd = fd;
	return 1;
}

void ds_tty_restore(struct ds_tty_state *st)
{
	if (st->fd >= 0)
		tcsetattr(st->fd, TCSADRAIN, &st->saved);
	st->fd = -1;
}

void ds_tty_copy_winsize(int from, int to_master)
{
	struct winsize ws;
	if (to_master >= 0 && ioctl(from, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
		ioctl(to_master, TIOCSWINSZ, &ws);
}

size_t ds_escape_filter(struct ds_escape *e, const char *in, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n && !e->detached; i++) {
		char c = in[i];
		if (e->prefix) {
			e->prefix = 0;
			if (c == 'q') {
				e->detached = 1;
				break;
			}
			/* Only a prefix carried over from the last chunk makes this n + 1. */
			if (c != 0x01)
				out[o++] = 0x01;
			out[o++] = c;
		} else if (c == 0x01) {
			e->prefix = 1;
		} else {
			out[o++] = c;
		}
	}
	return o;
}

/* Room at the end, after moving what is pending to the front. */
static size_t iobuf_room(struct ds_iobuf *b)
{
	if (b->off > 0) {
		memmove(b->data, b->data + b->off, b->len);
		b->off = 0;
	}
	return b->size - b->len;
}

int ds_iobuf_has_room(const struct ds_iobuf *b) { return b->size - b->len >= 2; }

int ds_iobuf_put(struct ds_iobuf *b, const void *p, size_t n)
{
	if (b->size - b->len < n)
		return -1;
	iobuf_room(b);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int ds_iobuf_fill(struct ds_iobuf *b, int fd, struct ds_escape *esc)
{
	if (!ds_iobuf_has_room(b))
		return 0;
	size_t room = iobuf_room(b);
	char *dst = b->data + b->len;
	char tmp[DS_PROXY_BUF];
	if (esc && room - 1 > sizeof(tmp))
		room = sizeof(tmp) + 1;
	/* Escape filtering can add one byte: read one less than fits. */
	ssize_t n = read(fd, esc ? tmp : dst, esc ? room - 1 : room);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1; /* EOF; EIO is a PTY whose other side is all closed */
	b->len += esc ? ds_escape_filter(esc, tmp, (size_t)n, dst) : (size_t)n;
	return 1;
}

/* write(), but a socket whose reader is gone gives EPIPE, not a SIGPIPE that kills us. */
static ssize_t write_nosignal(struct ds_iobuf *b, int fd)
{
	if (!b->not_socket) {
		ssize_t n = send(fd, b->data + b->off, b->len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0 || errno != ENOTSOCK)
			return n;
		b->not_socket = 1;
	}
	return write(fd, b->data + b->off, b->len);
}

int ds_iobuf_flush(struct ds_iobuf *b, int fd)
{
	while (b->len > 0) {
		ssize_t n = write_nosignal(b, fd);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -1;
		b->off += (size_t)n;
		b->len -= (size_t)n;
	}
	b->off = 0;
	return 0;
}

static int reap(struct ds_proxy *p)
{
	int st;
	if (p->child > 0 && waitpid(p->child, &st, WNOHANG) == p->child) {
		p->child_status = st;
		p->child = 0;
		return 1;
	}
	return 0;
}

/* The proxy's fds in non-blocking mode, and their old flags to put back. */
struct nonblock {
	int fd[4];
	int flags[4];
	int n;
};

static void nonblock_add(struct nonblock *nb, int fd)
{
	if (fd < 0)
		return;
	for (int i = 0; i < nb->n; i++)
		if (nb->fd[i] == fd)
			return;
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return;
	nb->fd[nb->n] = fd;
	nb->flags[nb->n++] = fl;
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* In reverse: fds sharing one open file (a terminal on 0 and 1) get the first flags back. */
static void nonblock_restore(struct nonblock *nb)
{
	while (nb->n > 0) {
		nb->n--;
		fcntl(nb->fd[nb->n], F_SETFL, nb->flags[nb->n]);
	}
}

/* A regular file or /dev/null gives no input to wait for (epoll refused them too). */
static int usable_input(int fd)
{
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) < 0)
		return 0;
	if (S_ISREG(sb.st_mode) || S_ISDIR(sb.st_mode))
		return 0;
	return !S_ISCHR(sb.st_mode) || isatty(fd);
}

/* The terminal whose size the PTY follows: the one the user looks at. */
static int size_source(const struct ds_proxy *p)
{
	if (isatty(p->out_fd))
		return p->out_fd;
	if (p->in_fd >= 0 && isatty(p->in_fd))
		return p->in_fd;
	return isatty(STDERR_FILENO) ? STDERR_FILENO : -1;
}

struct loop {
	char in_data[DS_PROXY_BUF], out_data[DS_PROXY_BUF];
	struct ds_iobuf to_remote, to_out;
	struct ds_escape esc;
	int in_open, remote_open, remote_in_ok, draining, stop, hungup, shut_pending;
	int size_fd, sfd;
};

static void on_signals(struct ds_proxy *p, struct loop *l)
{
	struct signalfd_siginfo si;
	while (read(l->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGWINCH) {
			if (p->winsize_fd >= 0 && l->size_fd >= 0)
				ds_tty_copy_winsize(l->size_fd, p->winsize_fd);
		} else if (si.ssi_signo != SIGCHLD && p->on_signal) {
			p->on_signal((int)si.ssi_signo, p->signal_data);
		} else if (si.ssi_signo != SIGCHLD && p->child <= 0) {
			l->stop = 1; /* a console client told to go (hangup, TERM): it goes */
		}
	}
	/* The child is gone: take what its output still holds and end, even if a daemon it left keeps the PTY open. */
	if (reap(p))
		l->draining = 1;
}

static void on_input(struct ds_proxy *p, struct loop *l)
{
	int r = ds_iobuf_fill(&l->to_remote, p->in_fd, p->escape ? &l->esc : NULL);
	if (l->esc.detached) {
		p->detached = 1;
		l->stop = 1;
		return;
	}
	if (r >= 0)
		return;
	l->in_open = 0;
	/* A terminal that hung up: done. A pipe's EOF only ends input. */
	if (p->in_is_tty) {
		l->stop = 1;
		l->hungup = 1;
	} else if (p->remote_in != p->remote_out) {
		l->shut_pending = 1; /* a socket: the other side sees EOF once the input is through */
	}
	/* a PTY: EOF from the user is sent as Ctrl-D by the terminal itself */
}

static void on_remote_output(struct ds_proxy *p, struct loop *l)
{
	int r = ds_iobuf_fill(&l->to_out, p->remote_out, NULL);
	/* Draining after the child's exit: nothing more right now is the end. */
	if (r < 0 || (r == 0 && l->draining && ds_iobuf_has_room(&l->to_out)))
		l->remote_open = 0;
}

static void flush_both(struct ds_proxy *p, struct loop *l)
{
	if (l->remote_in_ok && ds_iobuf_flush(&l->to_remote, p->remote_in) < 0)
		l->remote_in_ok = 0; /* the other side is gone; its output side says so too */
	if (!l->remote_in_ok)
		l->to_remote.len = 0;
	if (l->shut_pending && l->to_remote.len == 0) {
		shutdown(p->remote_in, SHUT_WR);
		l->shut_pending = 0;
	}
	if (ds_iobuf_flush(&l->to_out, p->out_fd) < 0) {
		l->stop = 1; /* nobody reads our output any more: like a terminal that hung up */
		l->hungup = 1;
	}
}

static void poll_once(struct ds_proxy *p, struct loop *l)
{
	struct pollfd pf[5] = { { .fd = l->sfd, .events = POLLIN } };
	int n = 1, in_i = -1, ro_i = -1;
	if (l->in_open && ds_iobuf_has_room(&l->to_remote)) {
		in_i = n;
		pf[n++] = (struct pollfd){ .fd = p->in_fd, .events = POLLIN };
	}
	if (l->remote_open && !l->draining && ds_iobuf_has_room(&l->to_out)) {
		ro_i = n;
		pf[n++] = (struct pollfd){ .fd = p->remote_out, .events = POLLIN };
	}
	if (l->remote_in_ok && l->to_remote.len > 0)
		pf[n++] = (struct pollfd){ .fd = p->remote_in, .events = POLLOUT };
	if (l->to_out.len > 0)
		pf[n++] = (struct pollfd){ .fd = p->out_fd, .events = POLLOUT };
	/* Draining reads without waiting; then only a full output buffer waits. */
	int timeout = l->draining && l->remote_open && ds_iobuf_has_room(&l->to_out) ? 0 : -1;
	if (poll(pf, (nfds_t)n, timeout) < 0)
		return;
	if (pf[0].revents)
		on_signals(p, l);
	if (in_i > 0 && pf[in_i].revents)
		on_input(p, l);
	if (ro_i > 0 && pf[ro_i].revents)
		on_remote_output(p, l);
	else if (l->draining && l->remote_open)
		on_remote_output(p, l);
}

int ds_proxy_run(struct ds_proxy *p)
{
	sigset_t mask, old;
	sigemptyset(&mask);
	sigaddset(&mask, SIGWINCH);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, &old);
	_cleanup_free_ struct loop *l = calloc(1, sizeof(*l));
	_cleanup_close_ int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0 || !l) {
		int r = l ? negerrno() : -ENOMEM;
		sigprocmask(SIG_SETMASK, &old, NULL);
		return r;
	}
	l->sfd = sfd;
	l->to_remote = (struct ds_iobuf){ .data = l->in_data, .size = sizeof(l->in_data) };
	l->to_out = (struct ds_iobuf){ .data = l->out_data, .size = sizeof(l->out_data) };
	l->in_open = usable_input(p->in_fd);
	l->remote_open = l->remote_in_ok = 1;
	l->size_fd = size_source(p);
	p->in_is_tty = p->in_fd >= 0 && isatty(p->in_fd);
	struct nonblock nb = { .n = 0 };
	nonblock_add(&nb, l->in_open ? p->in_fd : -1);
	nonblock_add(&nb, p->out_fd);
	nonblock_add(&nb, p->remote_in);
	nonblock_add(&nb, p->remote_out);
	if (p->winsize_fd >= 0 && l->size_fd >= 0)
		ds_tty_copy_winsize(l->size_fd, p->winsize_fd);
	/* A child that exited before SIGCHLD was blocked sent its signal to nobody: look now. */
	if (reap(p))
		l->draining = 1;

	while (!l->stop && (l->remote_open || l->to_out.len > 0)) {
		poll_once(p, l);
		flush_both(p, l);
	}
	nonblock_restore(&nb);
	/*
	 * Wait for the child after its output ended. After a hang-up the caller
	 * first closes the PTY (that hangs up the command too), then waits.
	 */
	while (p->child > 0 && !l->hungup) {
		int st;
		pid_t w = waitpid(p->child, &st, 0);
		if (w == p->child) {
			p->child_status = st;
			p->child = 0;
		} else if (w < 0 && errno != EINTR) {
			break;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}
