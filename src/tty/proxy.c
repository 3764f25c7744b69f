/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "tty/proxy.h"
#include "util/fileio.h"
#include "util/macros.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
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

/* Copies what is readable on from to to; 0 on EOF/hang-up, 1 when data moved, 2 when none was there. */
static int pump(int from, int to)
{
	char buf[16384];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n < 0 && errno == EINTR)
		return 1;
	if (n < 0 && errno == EAGAIN)
		return 2;
	if (n <= 0)
		return 0;
	return ds_write_all(to, buf, (size_t)n) < 0 ? 0 : 1;
}

/* Input with escape handling: Ctrl-a q detaches, Ctrl-a Ctrl-a sends one Ctrl-a. */
static int pump_input(struct ds_proxy *p, int *saw_prefix)
{
	char buf[4096], out[4096];
	ssize_t n = read(p->in_fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0;
	size_t o = 0;
	for (ssize_t i = 0; i < n; i++) {
		char c = buf[i];
		if (p->escape && *saw_prefix) {
			*saw_prefix = 0;
			if (c == 'q') {
				p->detached = 1;
				break;
			}
			if (c != 0x01)
				out[o++] = 0x01;
			out[o++] = c;
			continue;
		}
		if (p->escape && c == 0x01) {
			*saw_prefix = 1;
			continue;
		}
		out[o++] = c;
	}
	if (o && ds_write_all(p->remote_in, out, o) < 0)
		return 0;
	return p->detached ? 0 : 1;
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
	_cleanup_close_ int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	_cleanup_close_ int ep = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || ep < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return negerrno();
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = sfd };
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	ev.data.fd = p->remote_out;
	epoll_ctl(ep, EPOLL_CTL_ADD, p->remote_out, &ev);
	int in_open = 1;
	ev.data.fd = p->in_fd;
	/* A regular file or /dev/null on stdin cannot be polled: then there is no input. */
	if (epoll_ctl(ep, EPOLL_CTL_ADD, p->in_fd, &ev) < 0)
		in_open = 0;
	if (p->winsize_fd >= 0)
		ds_tty_copy_winsize(p->out_fd, p->winsize_fd);

	int saw_prefix = 0, running = 1, hungup = 0;
	p->in_is_tty = isatty(p->in_fd);
	while (running) {
		struct epoll_event evs[4];
		int n = epoll_wait(ep, evs, 4, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < n && running; i++) {
			int fd = evs[i].data.fd;
			if (fd == sfd) {
				struct signalfd_siginfo si;
				while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
					if (si.ssi_signo == SIGWINCH && p->winsize_fd >= 0)
						ds_tty_copy_winsize(p->out_fd, p->winsize_fd);
					else if (si.ssi_signo != SIGCHLD && si.ssi_signo != SIGWINCH && p->on_signal)
						p->on_signal((int)si.ssi_signo, p->signal_data);
					else if (si.ssi_signo != SIGCHLD && si.ssi_signo != SIGWINCH && p->child <= 0)
						running = 0; /* a console client told to go (hangup, TERM): it goes */
				}
				/*
				 * The child is gone: take what its output still holds and end,
				 * even if a daemon it left keeps the PTY open.
				 */
				if (reap(p)) {
					fcntl(p->remote_out, F_SETFL, fcntl(p->remote_out, F_GETFL) | O_NONBLOCK);
					/* Until EOF or empty: a stale errno must never cut this short. */
					while (pump(p->remote_out, p->out_fd) == 1)
						;
					running = 0;
				}
			} else if (fd == p->remote_out) {
				if (!pump(p->remote_out, p->out_fd))
					running = 0;
			} else if (fd == p->in_fd) {
				if (!pump_input(p, &saw_prefix)) {
					epoll_ctl(ep, EPOLL_CTL_DEL, p->in_fd, NULL);
					in_open = 0;
					/* A terminal that hung up, or the escape: done. A pipe's EOF only ends input. */
					if (p->detached || p->in_is_tty) {
						running = 0;
						hungup = !p->detached;
					}
					else if (p->remote_in == p->remote_out)
						; /* a PTY: EOF from the user is sent as Ctrl-D by the terminal itself */
					else
						shutdown(p->remote_in, SHUT_WR);
				}
			}
		}
	}
	(void)in_open;
	/*
	 * Wait for the child after its output ended. After a hang-up the caller
	 * first closes the PTY (that hangs up the command too), then waits.
	 */
	while (p->child > 0 && !hungup) {
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
