/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The terminal side of foreground start, enter, run and console: the
 * caller's terminal in raw mode, bytes shuttled with epoll, SIGWINCH
 * forwarded, and the terminal restored on every way out.
 */
#pragma once

#include <sys/types.h>
#include <termios.h>

struct ds_tty_state {
	int fd;              /* the terminal put in raw mode, -1 when none */
	struct termios saved;
};

/* Puts fd in raw mode when it is a terminal; remembers how to restore it. */
int ds_tty_raw(int fd, struct ds_tty_state *st);
void ds_tty_restore(struct ds_tty_state *st);

struct ds_proxy {
	int in_fd;           /* usually 0 */
	int out_fd;          /* usually 1 */
	int remote_in;       /* where input goes (a PTY master or a socket) */
	int remote_out;      /* where output comes from (may equal remote_in) */
	int winsize_fd;      /* a PTY master to resize on SIGWINCH, -1 for none */
	pid_t child;         /* ends the loop when it exits (0: none) */
	/* SIGINT/SIGTERM/SIGHUP/SIGQUIT sent to us: handed to on_signal (NULL: ignored). */
	void (*on_signal)(int sig, void *data);
	void *signal_data;
	int escape;          /* detach on Ctrl-a q (console) */
	int in_is_tty;       /* set by ds_proxy_run */
	int child_status;    /* out: waitpid status of child */
	int detached;        /* out: the user typed the escape sequence */
};

/* Runs until remote_out closes, the child exits, or the escape is typed. */
int ds_proxy_run(struct ds_proxy *p);
/* Copies the window size of fd (the caller's terminal) to the PTY master. */
void ds_tty_copy_winsize(int from, int to_master);
